"""Financial aid names as catalogs write them, with one name for the Ontario Student Assistance Program:
its French name, the Régime d'aide financière aux étudiantes et étudiants de l'Ontario (« RAFEO »),
and its full names are stored as "OSAP", so that a filter on OSAP finds a course whose catalog says
« Aide financière RAFEO ». Other aid names are kept as given.
"""

import re
import unicodedata

OSAP = "OSAP"
_OSAP_NAMES = frozenset(
    {
        "osap",
        "ontariostudentassistanceprogram",
        "ontariostudentassistanceprogramosap",
        "regimedaidefinanciereauxetudiantesetetudiantsdelontario",
        "regimedaidefinanciereauxetudiantesetetudiantsdelontariorafeo",
    }
)
_ACRONYM = "rafeo"
_WORD = re.compile(r"[a-z0-9]+")


def canonical_aid(name: str) -> str:
    """ "OSAP" for the Ontario Student Assistance Program under any of its names, in any case, with or
    without accents, spaces or dots (``RAFEO``, ``R.A.F.É.O.``, ``Aide financière RAFEO``, ``osap``);
    otherwise `name` as given."""
    words = _WORD.findall(_fold(name))
    if "".join(words) in _OSAP_NAMES or _spells(words, _ACRONYM):
        return OSAP
    return name


def canonical_aids(names: list[str]) -> list[str]:
    """Each name made canonical, each kept once, in the order given."""
    return list(dict.fromkeys(canonical_aid(name) for name in names))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _spells(words: list[str], acronym: str) -> bool:
    """Whether consecutive words, joined, are the acronym (``rafeo``, ``r a f e o``), never part of a word."""
    return any(
        "".join(words[start:end]) == acronym
        for start in range(len(words))
        for end in range(start + 1, min(start + len(acronym), len(words)) + 1)
    )
