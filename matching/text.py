"""Text normalization shared by the job-title index and the free-text query side.

Two jobs live here, both pure functions over strings with no data files:

* :func:`fold` and :func:`gender_variants` turn an official NOC example title into the
  accent-free lowercase forms the matcher compares against. French titles carry both genders in
  one string ("Infirmier auxiliaire/infirmière auxiliaire"); a query is written in one gender
  only, so each gender is indexed as a variant of its own.
* :func:`normalize_query` strips what job-ad titles add around the occupation (seniority, shift,
  employment type, city, employer, bracketed remarks) and expands the abbreviations Canadian ads
  use (RN, PSW, PAB, dev, mgr…). It reports what it removed and expanded so a match can be
  explained to the user.

Display always keeps the original text; everything here is for comparison only.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["NormalizedQuery", "fold", "gender_variants", "normalize_query"]

# ---------------------------------------------------------------------------------------------
# Folding
# ---------------------------------------------------------------------------------------------

# Ligatures that NFKD does not decompose into plain letters.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
# Anything that is not a letter or digit (apostrophes, hyphens, slashes, punctuation, "_").
_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 17)
def fold(text: str) -> str:
    """Lowercase, strip accents and turn every non-alphanumeric run into one space.

    Cached: building the lexicon folds the same words and title pieces hundreds of thousands of
    times.

    Matching must not depend on whether a user typed "Préposée" or "prepose", "d'appel" or
    "d appel", so all of these collapse to the same ASCII-ish word sequence. Letters without a
    decomposition (ø, ł) are kept as they are rather than dropped.
    """
    lowered = text.lower()
    if not lowered.isascii():
        decomposed = unicodedata.normalize("NFKD", lowered.translate(_LIGATURES))
        lowered = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NON_WORD.sub(" ", lowered).strip()


def _fold_tokens(text: str) -> list[str]:
    """The folded words of ``text``."""
    return fold(text).split()


# ---------------------------------------------------------------------------------------------
# Gender pairs ("Agent/agente", "Infirmier auxiliaire/infirmière auxiliaire", "foreman/woman")
# ---------------------------------------------------------------------------------------------

# English titles write the feminine as a suffix replacement: "foreman/woman" = foreman, forewoman.
# Key: folded right-hand side; value: the masculine ending it replaces.
_SUFFIX_FEMININES: Mapping[str, str] = {
    "woman": "man",
    "women": "men",
    "mistress": "master",
    "girl": "boy",
    "lady": "lord",
}
# Whole-word pairs that share no spelling but are gender pairs.
_WORD_PAIRS: frozenset[tuple[str, str]] = frozenset({
    ("man", "woman"), ("men", "women"), ("boy", "girl"), ("brother", "sister"), ("sister", "brother"),
    ("homme", "femme"), ("femme", "homme"), ("homme", "dame"), ("dame", "homme"), ("garcon", "fille"),
    ("pere", "mere"), ("mere", "pere"), ("frere", "soeur"), ("soeur", "frere"), ("moine", "moniale"),
})
# French elided articles glued to the first word of a phrase ("d'anciens", "l'agent").
_ELISION = re.compile(r"^(?:d|l|qu)['’]", re.IGNORECASE)
_MIN_SHARED_PREFIX = 3
# Upper bound on the words a gendered phrase spans; the longest real one ("Comptable professionnel
# agréé, comptable en management accrédité (CPA, CMA)/…") has nine words, "Mécanicien de
# machines fixes de classe A et opérateur de centrale de réfrigération/…" thirteen.
_MAX_PHRASE_WORDS = 16
# Whitespace, and hyphens inside compounds: "Arpenteur-géomètre breveté/arpenteuse-géomètre
# brevetée" pairs word by word once the compounds are split. A spaced dash stays a word.
_WORD_BOUNDARY = re.compile(r"\s+|(?<=\w)[-‐‑](?=\w)")


def _strip_elision(folded: str) -> str:
    """Drop a folded elided article ("d anciens" → "anciens") so it does not break comparison."""
    for article in ("d ", "l ", "qu "):
        if folded.startswith(article):
            return folded[len(article):]
    return folded


def _shared_prefix_length(first: str, second: str) -> int:
    """Number of leading characters two strings have in common."""
    length = 0
    for left, right in zip(first, second):
        if left != right:
            break
        length += 1
    return length


def _same_lemma(masculine: str, feminine: str) -> bool:
    """Whether two words look like the two genders of one word ("directeur"/"directrice").

    French feminines keep the stem and change the ending, so a shared prefix of at least three
    letters covering half of the shorter word is a good, cheap test; it rejects unrelated
    alternatives such as "maker/machinist" or "CAD/CAM". Short words that only add an ending
    ("nu"/"nue") and a few unrelated pairs ("homme"/"femme") are accepted explicitly.
    """
    left = _strip_elision(fold(masculine))
    right = _strip_elision(fold(feminine))
    if not left or not right:
        return False
    if left == right or (left, right) in _WORD_PAIRS:
        return True
    if right.startswith(left) and len(right) - len(left) <= 3:  # "nu"/"nue", "chef"/"cheffe"
        return True
    shared = _shared_prefix_length(left, right)
    return shared >= _MIN_SHARED_PREFIX and shared * 2 >= min(len(left), len(right))


def _suffix_feminine(masculine: str, feminine: str) -> str | None:
    """The full feminine word for English suffix pairs ("foreman"/"woman" → "forewoman")."""
    core = fold(feminine)
    ending = _SUFFIX_FEMININES.get(core)
    if ending is None:
        return None
    stem = masculine.rstrip(".,;:)")
    folded = fold(stem)
    if len(folded) != len(stem) or not folded.endswith(ending):
        return None
    return stem[: len(stem) - len(ending)] + feminine  # "Wardrobe master/mistress": empty stem


@dataclass(frozen=True)
class _SlashPair:
    """One "left/right" token of a title and the phrase span it pairs.

    ``start``..``index`` are the words of the masculine phrase (ending with the left half of the
    slashed token), ``index``..``end`` the words of the feminine phrase (starting with the right
    half). Both phrases have the same number of words.
    """

    index: int
    start: int
    end: int
    masculine: str
    feminine: str
    gendered: bool


def _phrase_length(words: Sequence[str], index: int, left: str, right: str, low: int, high: int) -> int:
    """How many words the masculine/feminine phrases around ``words[index]`` span.

    The masculine phrase ends with ``left`` and the feminine phrase starts with ``right``;
    "Infirmier autorisé/infirmière autorisée" spans two words on each side. The longest span
    whose word pairs are all gender pairs wins. Failing that, parallel alternatives are
    recognized by an identical first word ("Paper boy/paper girl", "Computer-aided
    design/computer-aided manufacturing") or, over two words, an agreeing last word ("Mother
    superior/religious superior", "Sage-femme autorisée/maïeuticien autorisé").
    ``low``/``high`` bound the span so neighbouring slashes do not overlap.
    """
    masculine = [*words[low:index], left]
    feminine = [right, *words[index + 1: high + 1]]
    longest = min(len(masculine), len(feminine), _MAX_PHRASE_WORDS)
    spans = range(longest, 1, -1)
    for length in spans:
        if all(_same_lemma(m, f) for m, f in zip(masculine[-length:], feminine[:length])):
            return length
    for length in spans:
        first_masculine, first_feminine = masculine[-length], feminine[0]
        if fold(first_masculine) and fold(first_masculine) == fold(first_feminine):
            return length
        if length == 2 and _same_lemma(masculine[-1], feminine[1]):
            return length
    return 1


def _split_words(text: str) -> list[str]:
    """Words of a title for gender pairing: split on whitespace and on hyphens inside compounds."""
    return [word for word in _WORD_BOUNDARY.split(text) if word]


def _best_pairing(text: str) -> tuple[list[str], list[_SlashPair]]:
    """Words and slash pairs of a title, splitting compounds only when that finds more gender pairs.

    Splitting hyphenated compounds lets "Aide boucher/aide-bouchère" pair word by word, but it
    would cut "Sage-femme/maïeuticien" into "Sage" + "femme/maïeuticien"; the whitespace split
    wins ties.
    """
    plain = text.split()
    plain_pairs = _find_slash_pairs(plain)
    compound = _split_words(text)
    if len(compound) == len(plain):
        return plain, plain_pairs
    compound_pairs = _find_slash_pairs(compound)
    if sum(pair.gendered for pair in compound_pairs) > sum(pair.gendered for pair in plain_pairs):
        return compound, compound_pairs
    return plain, plain_pairs


def _find_slash_pairs(words: Sequence[str]) -> list[_SlashPair]:
    """Locate every slashed word of a split title and the masculine/feminine phrases it pairs."""
    slashed = [i for i, word in enumerate(words) if "/" in word]
    pairs: list[_SlashPair] = []
    low = 0
    for position, index in enumerate(slashed):
        left, _, right = words[index].partition("/")
        right = right.replace("/", " ")  # "A/B/C": keep the extra alternatives with the right half
        if not fold(left) or not fold(right):
            continue  # a bare or dangling slash pairs nothing; folding turns it into a space
        high = slashed[position + 1] - 1 if position + 1 < len(slashed) else len(words) - 1
        length = _phrase_length(words, index, left, right, low, high)
        start, end = index - length + 1, index + length - 1
        suffixed = _suffix_feminine(left, right) if length == 1 else None
        first_masculine = words[start] if start < index else left
        gendered = suffixed is not None or _same_lemma(first_masculine, right)
        feminine = _with_elision(first_masculine, right) if gendered else right
        pairs.append(_SlashPair(index, start, end, left, suffixed or feminine, gendered))
        low = end + 1
    return pairs


def _with_elision(first_masculine: str, feminine: str) -> str:
    """Carry an elided article over to the feminine phrase ("d'anciens/anciennes" → "d'anciennes")."""
    article = _ELISION.match(first_masculine)
    if article and not _ELISION.match(feminine):
        return article.group(0) + feminine
    return feminine


def _render(words: Sequence[str], pairs: Iterable[_SlashPair], feminine: bool) -> str:
    """Rebuild one side of a slashed title: every pair resolved to its masculine or feminine phrase.

    Words not in ``pairs`` are kept as written, so a slash left out stays a slash.
    """
    replacement: dict[int, str] = {}
    skipped: set[int] = set()
    for pair in pairs:
        replacement[pair.index] = pair.feminine if feminine else pair.masculine
        dropped = range(pair.start, pair.index) if feminine else range(pair.index + 1, pair.end + 1)
        skipped.update(dropped)
    return " ".join(replacement.get(i, word) for i, word in enumerate(words) if i not in skipped)


def gender_variants(title: str) -> list[str]:
    """The distinct folded forms of an index title, masculine first.

    French NOC titles write "masculine phrase/feminine phrase" with the rest of the title shared
    ("Agent/agente de prévention des infections"); a user types only one of them, so both are
    indexed. A slash that is not a gender pair ("Computer-assisted design/computer-assisted
    manufacturing", "Santa Claus/Mrs. Claus") is resolved the same way, left alternative in the
    first variant and right alternative in the second, which is harmless for matching. A title
    that folds to nothing yields an empty list, so callers never index an empty string.
    """
    if "/" not in title:
        folded = fold(title)
        return [folded] if folded else []
    words, pairs = _best_pairing(title)
    variants = [fold(_render(words, pairs, feminine=False)), fold(_render(words, pairs, feminine=True))]
    distinct = [variant for i, variant in enumerate(variants) if variant and variant not in variants[:i]]
    if distinct:
        return distinct
    folded = fold(title)
    return [folded] if folded else []


def _masculine_query(text: str) -> str:
    """Keep the masculine side of gender pairs a user copied into a query ("Agent/agente de…").

    Non-gender slashes ("Cashier/Stock clerk") are left alone so folding keeps both words.
    """
    if "/" not in text:
        return text
    words, pairs = _best_pairing(text)
    pairs = [pair for pair in pairs if pair.gendered]
    return _render(words, pairs, feminine=False) if pairs else text


# ---------------------------------------------------------------------------------------------
# Query noise: places, employment type, seniority, shift, hiring words
# ---------------------------------------------------------------------------------------------

# Provinces and territories: English name, French name, postal and common abbreviations (folded).
_PROVINCES: tuple[str, ...] = (
    "alberta", "ab", "alta",
    "british columbia", "colombie britannique", "bc", "c b",
    "manitoba", "mb",
    "new brunswick", "nouveau brunswick", "nb", "n b",
    "newfoundland and labrador", "terre neuve et labrador", "newfoundland", "terre neuve", "labrador", "nl", "t n l",
    "nova scotia", "nouvelle ecosse", "ns", "n e",
    "northwest territories", "territoires du nord ouest", "nt", "nwt", "t n o",
    "nunavut", "nu",
    "ontario", "on", "ont",
    "prince edward island", "ile du prince edouard", "pe", "pei", "i p e",
    "quebec", "qc", "que",
    "saskatchewan", "sk", "sask",
    "yukon", "yt", "yukon territory",
)
# Major Canadian cities and regions (folded). Ambiguous English words ("delta", "york") are left out.
_CITIES: tuple[str, ...] = (
    "toronto", "montreal", "vancouver", "calgary", "edmonton", "ottawa", "gatineau", "quebec city",
    "ville de quebec", "laval", "longueuil", "winnipeg", "halifax", "dartmouth", "mississauga",
    "brampton", "hamilton", "london", "kitchener", "waterloo", "cambridge", "guelph", "victoria",
    "saanich", "nanaimo", "saskatoon", "regina", "moose jaw", "prince albert", "st john s",
    "saint john s", "saint john", "moncton", "dieppe", "fredericton", "sherbrooke", "trois rivieres",
    "saguenay", "chicoutimi", "levis", "kelowna", "kamloops", "surrey", "burnaby", "richmond",
    "richmond hill", "coquitlam", "abbotsford", "langley", "chilliwack", "north vancouver",
    "west vancouver", "new westminster", "prince george", "markham", "vaughan", "oakville",
    "burlington", "milton", "oshawa", "whitby", "ajax", "pickering", "windsor", "barrie", "sudbury",
    "greater sudbury", "thunder bay", "kingston", "peterborough", "belleville", "sarnia",
    "north bay", "timmins", "sault ste marie", "niagara falls", "st catharines", "brantford",
    "etobicoke", "scarborough", "north york", "red deer", "lethbridge", "medicine hat",
    "fort mcmurray", "grande prairie", "brandon", "charlottetown", "summerside", "whitehorse",
    "yellowknife", "iqaluit", "corner brook", "cape breton", "sydney", "terrebonne", "repentigny",
    "brossard", "saint jean sur richelieu", "saint jerome", "saint hyacinthe", "drummondville",
    "granby", "rimouski", "shawinigan", "joliette", "victoriaville", "rouyn noranda", "val d or",
    "sept iles", "blainville", "mirabel", "boucherville", "gta", "greater toronto area",
    "lower mainland", "metro vancouver", "national capital region", "region de la capitale nationale",
    "rive sud", "rive nord", "canada",
)
# Where-you-work markers that are not places.
_REMOTE_MARKERS: tuple[str, ...] = (
    "remote", "hybrid", "hybride", "teletravail", "work from home", "wfh", "virtual", "onsite",
    "on site", "sur place", "en presentiel", "presentiel", "a distance", "anywhere", "canada wide",
    "nationwide", "multiple locations", "various locations", "plusieurs emplacements",
)
# Words allowed around a place in a location segment ("Greater Montreal area", "in Toronto").
_PLACE_FILLERS: frozenset[str] = frozenset({
    "area", "region", "greater", "downtown", "metro", "centre", "center", "ville", "city", "grand",
    "de", "du", "des", "la", "le", "of", "the", "in", "a", "au", "aux", "en", "near", "dans",
    "and", "et", "or", "ou", "province", "county", "comte", "location", "locations",
})
# Prepositions that introduce a place at the end of a title without a separator ("… à Laval").
_PLACE_PREPOSITIONS: frozenset[str] = frozenset({"in", "near", "a", "au", "en", "dans", "at"})

# Noise words removed wherever they appear: they never name an occupation.
_NOISE_ANYWHERE: tuple[str, ...] = (
    # seniority
    "senior", "sr", "jr", "entry level", "mid level", "experienced", "experimente", "experimentee",
    # shift
    "night shift", "day shift", "evening shift", "afternoon shift", "overnight shift", "nights",
    "afternoons", "weekends", "weekend", "quart de nuit", "quart de soir", "quart de jour",
    "fin de semaine", "fins de semaine",
    # employment type
    "full time", "part time", "ft", "pt", "temps plein", "temps partiel", "teletravail",
    "onsite", "on site", "fixed term",
    # hiring noise
    "urgently hiring", "now hiring", "hiring now", "we are hiring", "hiring", "urgent",
    "on recrute", "embauche immediate",
)
# Noise words that are also part of real titles ("Contract administrator", "Junior high school
# teacher", "Analyste de poste"): removed only at the start or end of the title.
_NOISE_AT_EDGES: tuple[str, ...] = (
    # seniority
    "junior", "intermediate",
    # shift
    "evening", "evenings", "days", "overnight", "de soir", "de nuit",
    # employment type
    "casual", "temporary", "temp", "contract", "permanent", "permanente", "seasonal", "remote",
    "hybrid", "hybride", "occasionnel", "occasionnelle", "contractuel", "contractuelle",
    "temporaire", "saisonnier", "saisonniere", "on call", "sur appel", "a distance", "sur place",
    # hiring noise ("Poste de préposé…", "Cuisinier - poste permanent")
    "poste", "postes", "emploi", "emplois",
)
# Hiring words that follow the occupation in ads ("Cook needed", "Nurse jobs") but start real
# titles ("Job counsellor", "Position classifier"): removed only at the end of the title.
_NOISE_AT_END: tuple[str, ...] = (
    "job", "jobs", "position", "positions", "opportunity", "opportunities", "needed", "wanted",
    "required", "wanted immediately",
)
# Words that make a following edge-noise word the object of a phrase rather than a remark
# ("classification des postes", "aide à l'emploi"), and that dangle once the noise before them
# is gone ("Poste de préposé" → "préposé").
_CONNECTORS: frozenset[str] = frozenset({
    "de", "d", "du", "des", "l", "la", "le", "les", "au", "aux", "a", "en", "of", "the", "for", "pour",
})
# Phrases from real titles whose words must survive noise removal.
_PROTECTED_PHRASES: tuple[str, ...] = (
    "permanent inventory", "permanent mould", "permanent mold", "permanent press", "permanent makeup",
    "remote sensing", "hybrid circuit", "hybrid inspector", "contract administrator",
    "contract administration", "contract manager", "contract director", "contract clerk",
    "contract clerks", "contract claims", "contract management", "contract officer",
    "contract specialist", "contract negotiator", "job analyst", "job evaluation", "job evaluator",
    "job order", "job classification", "job and wage", "job coach", "job developer",
    "position classifier", "junior high", "junior kindergarten", "intermediate care",
    "casual duty", "casual worker", "seasonal worker", "seasonal swamper", "seasonal tree",
    "seasonal resort", "de poste", "au poste", "en emploi", "d emploi", "assurance emploi",
    "inventaire permanent", "comite permanent", "education permanente", "mouler permanente",
    "villegiature saisonnier", "station saisonniere", "equipe de nuit", "enseignement a distance",
    "on call library", "on call nurse", "remote broadcasting", "remote operated", "remote control",
    "contract counsel", "junior hockey", "hockey junior", "gardien de nuit", "gardienne de nuit",
    "veilleur de nuit", "veilleuse de nuit", "surveillant de nuit", "surveillante de nuit",
    "timbres poste",
)
# Words after which a trailing number is part of the title ("Teacher grade 3", "Driver class 1").
_NUMBERED_WORDS: frozenset[str] = frozenset({
    "grade", "class", "classe", "year", "annee", "secondary", "secondaire", "tier", "step", "level",
    "niveau", "echelon", "type", "categorie", "category",
})
_LEVEL_WORDS: frozenset[str] = frozenset({"level", "lvl", "niveau", "echelon"})
_LEVEL_NUMBER = re.compile(r"^(?:\d{1,2}|i{1,3}|iv|v)$")
# Employer introducers after which the rest of an English title is an organization name,
# except in real titles such as "Attorney at law" or "Member at large".
_AT_KEEPERS: frozenset[str] = frozenset({"law", "arms", "large", "home", "sea"})
# "chez les animaux" is part of a real French title; an employer follows "chez" without an article.
_CHEZ_KEEPERS: frozenset[str] = frozenset({"le", "la", "les", "l", "un", "une", "des", "nous"})


# ---------------------------------------------------------------------------------------------
# Abbreviations (folded keys; multi-word keys are matched before single words)
# ---------------------------------------------------------------------------------------------

_ABBREVIATIONS: Mapping[str, str] = {
    # nursing and health care
    "rn": "registered nurse", "rpn": "registered practical nurse", "lpn": "licensed practical nurse",
    "np": "nurse practitioner", "cna": "nursing assistant", "psw": "personal support worker",
    "pca": "personal care aide", "hca": "health care aide", "cca": "continuing care assistant",
    "pab": "prepose aux beneficiaires", "inf": "infirmier", "ips": "infirmier praticien specialise",
    "rmt": "registered massage therapist", "ot": "occupational therapist",
    "ota": "occupational therapist assistant", "pta": "physiotherapist assistant",
    "slp": "speech language pathologist", "md": "physician", "emt": "emergency medical technician",
    "pcp": "primary care paramedic", "acp": "advanced care paramedic", "rd": "registered dietitian",
    "rrt": "registered respiratory therapist", "mlt": "medical laboratory technologist",
    "mrt": "medical radiation technologist", "rdh": "registered dental hygienist",
    "cda": "certified dental assistant", "rph": "pharmacist", "pharm": "pharmacy", "med": "medical",
    "lab": "laboratory",
    # social services and education
    "ece": "early childhood educator", "rece": "registered early childhood educator",
    "ecea": "early childhood educator assistant", "eca": "early childhood assistant",
    "ea": "educational assistant", "ta": "teaching assistant", "cyw": "child and youth worker",
    "ssw": "social service worker", "dsw": "developmental service worker",
    "rsw": "registered social worker", "esl": "english as a second language",
    "fsl": "french as a second language",
    # accounting, finance and office
    "cpa": "chartered professional accountant", "cga": "certified general accountant",
    "cma": "certified management accountant", "acct": "accountant", "ap": "accounts payable",
    "ar": "accounts receivable", "bkpr": "bookkeeper", "recep": "receptionist",
    "admin": "administrative", "asst": "assistant", "assoc": "associate", "exec": "executive",
    "hr": "human resources", "rh": "ressources humaines",
    # management and executives
    "mgr": "manager", "mngr": "manager", "mgmt": "management", "pm": "project manager",
    "pmo": "project management office", "gm": "general manager", "vp": "vice president",
    "avp": "assistant vice president", "svp": "senior vice president", "evp": "executive vice president",
    "ceo": "chief executive officer", "cfo": "chief financial officer", "cto": "chief technology officer",
    "coo": "chief operating officer", "cio": "chief information officer", "cmo": "chief marketing officer",
    "dir": "director", "supv": "supervisor", "supvr": "supervisor", "sup": "supervisor",
    "supt": "superintendent", "coord": "coordinator",
    # sales and customer service
    "rep": "representative", "csr": "customer service representative", "cs": "customer service",
    "cust": "customer", "svc": "service", "svcs": "services", "sdr": "sales development representative",
    "bdr": "business development representative", "bdm": "business development manager",
    "mktg": "marketing", "mkt": "marketing", "f b": "food and beverage", "foh": "front of house",
    "boh": "back of house",
    # software and IT
    "dev": "developer", "devs": "developers", "eng": "engineer", "engr": "engineer",
    "p eng": "professional engineer", "eit": "engineer in training",
    "cet": "certified engineering technologist", "sw": "software", "swe": "software engineer",
    "sde": "software development engineer", "sre": "site reliability engineer",
    "dba": "database administrator", "ux": "user experience", "ui": "user interface",
    "qa": "quality assurance", "qc": "quality control", "ml": "machine learning",
    "ai": "artificial intelligence", "bi": "business intelligence", "js": "javascript",
    "sysadmin": "systems administrator", "sys admin": "systems administrator",
    "system admin": "system administrator", "systems admin": "systems administrator",
    "network admin": "network administrator", "database admin": "database administrator",
    "db admin": "database administrator", "web admin": "web administrator",
    "tech support": "technical support", "tech lead": "technical lead", "tech": "technician",
    "techn": "technicien", "ti": "technologies de l information",
    # trades, transport and manufacturing
    "az driver": "truck driver", "dz driver": "truck driver", "az truck driver": "truck driver",
    "dz truck driver": "truck driver", "driver az": "truck driver", "driver dz": "truck driver",
    "a z driver": "truck driver", "d z driver": "truck driver", "class 1 driver": "truck driver",
    "class 1 truck driver": "truck driver", "driver class 1": "truck driver",
    "hd": "heavy duty", "gc": "general contractor", "maint": "maintenance", "mfg": "manufacturing",
    "whse": "warehouse", "appr": "apprentice", "jman": "journeyman", "cert": "certified",
    "gen": "general", "r d": "research and development", "ehs": "environment health and safety",
    "ohs": "occupational health and safety", "sst": "sante et securite au travail",
    "agt": "agent",
}
# Expansions that depend on the query language; they override the table above.
_ABBREVIATIONS_BY_LANGUAGE: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "ing": "ingenieur", "tech": "technicien", "dev": "developpeur", "devs": "developpeurs",
        "admin": "administratif", "adj": "adjoint", "asst": "assistant", "assoc": "associe",
        "coord": "coordonnateur", "rep": "representant", "dir": "directeur", "resp": "responsable",
        "educ": "educateur", "tes": "technicien en education specialisee", "ts": "travailleur social",
        "cpa": "comptable professionnel agree", "qa": "assurance qualite",
        "qc": "controle de la qualite", "pm": "gestionnaire de projet", "ceo": "chef de la direction",
        "cfo": "chef des finances", "tech support": "soutien technique", "sup": "superviseur",
        "supv": "superviseur",
    },
    "en": {},
}
_MAX_ABBREVIATION_WORDS = max(
    len(key.split()) for table in (_ABBREVIATIONS, *_ABBREVIATIONS_BY_LANGUAGE.values()) for key in table
)

# Abbreviations whose meaning depends on case or punctuation, applied before folding.
# "IT" and "BA" are English words or names when not in capitals; "aux" without a dot is the
# French article ("préposé aux bénéficiaires"); "ing." is the French engineer title.
_CASED_ABBREVIATIONS: tuple[tuple[re.Pattern[str], str, Mapping[str, str]], ...] = (
    (re.compile(r"(?<![\w&])IT(?![\w&])"), "it",
     {"en": "information technology", "fr": "technologies de l'information"}),
    (re.compile(r"(?<![\w&])BA(?![\w&])"), "ba", {"en": "business analyst", "fr": "analyste d'affaires"}),
    (re.compile(r"(?<![\w.])aux\.", re.IGNORECASE), "aux", {"en": "auxiliaire", "fr": "auxiliaire"}),
    (re.compile(r"(?<![\w.])ing\.", re.IGNORECASE), "ing", {"en": "ingénieur", "fr": "ingénieur"}),
)

# ---------------------------------------------------------------------------------------------
# Language guess (kept local: text.py must not depend on matching.language)
# ---------------------------------------------------------------------------------------------

_FRENCH_LETTERS = re.compile(r"[éèêàçôûîïëùâœ]", re.IGNORECASE)
_FRENCH_CUES: frozenset[str] = frozenset({
    "de", "du", "des", "la", "le", "les", "aux", "au", "d", "l", "et", "en", "chez", "pour", "dans",
    "pab", "inf", "ing", "techn", "tes", "adj",
})

# ---------------------------------------------------------------------------------------------
# Precompiled patterns
# ---------------------------------------------------------------------------------------------

_MARKER_ENDINGS = r"(?:e|ne|nne|se|euse|rice|trice|ice|ère|ere|lle)"
# "Technicien(ne)", "Préposé(e)s", "Infirmier(ère)" — the parenthesis is glued to the word;
# inside brackets plural and rarer endings ("(s)", "(x)", "(ve)") are unambiguous too.
_BRACKET_GENDER_MARKER = re.compile(rf"(?<=\w)\((?:{_MARKER_ENDINGS}|es|s|x|le|te|ve)\)", re.IGNORECASE)
# "Agent/e", "Technicien.ne", "étudiant·e" — short feminine endings after a slash, dot or middle dot.
_SUFFIX_GENDER_MARKER = re.compile(rf"(?<=\w)[/·.]{_MARKER_ENDINGS}(?!\w)", re.IGNORECASE)
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}")
_UNCLOSED_BRACKET = re.compile(r"[(\[{][^()\[\]{}]*$")
_STRAY_BRACKETS = re.compile(r"[()\[\]{}]")
# Segment separators: spaced dashes, en/em dashes, commas, semicolons, a colon before a space
# ("Hiring now: cook", "Poste : préposé"), spaced slashes, bullets.
_SEGMENT_SEPARATOR = re.compile(r"\s+[-‐‑]+\s+|\s*[–—]\s*|\s*[,;•·]\s*|\s*:\s+|\s+/\s+")
# Pay ranges ads put in the title: "$18/hr", "18 $ de l'heure", "$60k - $70k", "60 000 $ par année".
_NUMBER = r"\d{1,3}(?:[ ,.\u00a0\u202f]?\d{3})*(?:[.,]\d+)?\s?k?"
_AMOUNT = rf"(?:\$\s?{_NUMBER}|{_NUMBER}\s?\$)"
_PER = r"(?:\s*(?:/|per|an|a|par|de\s+l['’])\s*(?:hr|hour|h|heure|year|yr|annee|année|an|annum|week|wk|semaine)\b\.?)"
_PAY = re.compile(rf"{_AMOUNT}(?:\s*(?:-|–|to|à|a)\s*{_AMOUNT})?{_PER}?", re.IGNORECASE)
_PIPE = re.compile(r"\s*\|\s*")
_EMPLOYER_AT_SIGN = re.compile(r"\s*@.*$", re.DOTALL)
_EMPLOYER_WORD = re.compile(r"\s+(at|chez)\s+(\S+)", re.IGNORECASE)
# "Infirmière recherchée" — only with the accent: "recherche" alone is research ("agent de recherche").
_WANTED = re.compile(r"(?<!\w)recherch[éÉ][eE]?[sS]?(?!\w)")


# ---------------------------------------------------------------------------------------------
# Phrase lookup helpers
# ---------------------------------------------------------------------------------------------

def _phrase_table(phrases: Iterable[str]) -> frozenset[tuple[str, ...]]:
    """Folded phrases as word tuples, for matching against token lists."""
    return frozenset(tuple(fold(phrase).split()) for phrase in phrases if fold(phrase))


_PLACES = _phrase_table((*_PROVINCES, *_CITIES))
_REMOTE = _phrase_table(_REMOTE_MARKERS)
_ANYWHERE = _phrase_table(_NOISE_ANYWHERE)
_EDGES = _phrase_table(_NOISE_AT_EDGES)
_END = _phrase_table(_NOISE_AT_END)
_PROTECTED = _phrase_table(_PROTECTED_PHRASES)
_PLACES_OR_REMOTE = _PLACES | _REMOTE
_LONGEST_PHRASE = max(len(phrase) for phrase in (*_PLACES, *_REMOTE, *_ANYWHERE, *_EDGES, *_END, *_PROTECTED))


def _match_at(tokens: Sequence[str], start: int, table: frozenset[tuple[str, ...]]) -> int:
    """Length of the longest phrase of ``table`` starting at ``tokens[start]`` (0 if none)."""
    for length in range(min(_LONGEST_PHRASE, len(tokens) - start), 0, -1):
        if tuple(tokens[start:start + length]) in table:
            return length
    return 0


def _covered_by(
    tokens: Sequence[str], tables: Sequence[frozenset[tuple[str, ...]]], fillers: frozenset[str]
) -> tuple[bool, bool]:
    """Whether ``tokens`` consist only of phrases from ``tables`` and filler words.

    Returns (fully covered, at least one phrase of the first table seen). Used to recognize
    segments such as "Greater Toronto Area, ON" or "temps partiel" as a whole.
    """
    index, anchored = 0, False
    while index < len(tokens):
        for position, table in enumerate(tables):
            length = _match_at(tokens, index, table)
            if length:
                anchored = anchored or position == 0
                index += length
                break
        else:
            if tokens[index] not in fillers:
                return False, anchored
            index += 1
    return True, anchored


def _is_place(tokens: Sequence[str]) -> bool:
    """A location or work-arrangement segment: places/remote markers plus filler and noise words."""
    covered, anchored = _covered_by(tokens, (_PLACES_OR_REMOTE, _ANYWHERE, _EDGES, _END), _PLACE_FILLERS)
    return bool(tokens) and covered and anchored


def _is_noise(tokens: Sequence[str]) -> bool:
    """A segment made only of employment-type, shift, seniority or hiring words ("temps partiel")."""
    covered, _ = _covered_by(tokens, (_ANYWHERE, _EDGES, _END, _REMOTE), frozenset({"and", "et", "or", "ou"}))
    return bool(tokens) and covered and not _protected_spans(tokens)


def _is_droppable(segment: str) -> bool:
    """Whether a separated part of a title carries no occupation (place, remote, noise)."""
    tokens = _fold_tokens(segment)
    return not tokens or _is_place(tokens) or _is_noise(tokens)


# ---------------------------------------------------------------------------------------------
# Query pipeline steps (each takes raw text and returns the text plus what it removed)
# ---------------------------------------------------------------------------------------------

def _strip_gender_markers(text: str) -> str:
    """Drop inclusive-writing markers: "Technicien(ne)" → "Technicien", "Agent/e" → "Agent".

    The masculine form is what remains, which is also the first indexed variant.
    """
    return _SUFFIX_GENDER_MARKER.sub("", _BRACKET_GENDER_MARKER.sub("", text))


def _remove_pattern(pattern: re.Pattern[str], text: str) -> tuple[str, list[str]]:
    """Remove every match of ``pattern``, returning the matches for the explanation."""
    removed = [match.group(0).strip() for match in pattern.finditer(text)]
    return (pattern.sub(" ", text), removed) if removed else (text, [])


def _remove_pay(text: str) -> tuple[str, list[str]]:
    """Remove pay amounts ("$18/hr", "22 $ de l'heure"); they never name an occupation."""
    return _remove_pattern(_PAY, text)


def _remove_wanted(text: str) -> tuple[str, list[str]]:
    """Remove "recherché(e)(s)" ("Infirmière recherchée"), told from "recherche" by its accent."""
    return _remove_pattern(_WANTED, text)


def _remove_brackets(text: str) -> tuple[str, list[str]]:
    """Remove bracketed remarks ("(casual)", "[remote]", "(Toronto)") and an unclosed tail."""
    removed: list[str] = []

    def drop(match: re.Match[str]) -> str:
        bracketed = match.group(0)
        removed.append((bracketed[1:-1] if bracketed[-1] in ")]}" else bracketed[1:]).strip())
        return " "

    previous = None
    while previous != text:  # nested brackets come out from the inside
        previous, text = text, _BRACKETS.sub(drop, text)
    text = _UNCLOSED_BRACKET.sub(drop, text)
    return _STRAY_BRACKETS.sub(" ", text), [piece for piece in removed if piece]


def _remove_employer(text: str) -> tuple[str, list[str]]:
    """Cut an employer introduced by "@", "at Company" or "chez Employeur" at the end of a title.

    "at law"/"at large" and "chez les …" occur in real titles and are kept.
    """
    removed: list[str] = []
    at_sign = _EMPLOYER_AT_SIGN.search(text)
    if at_sign:
        employer = at_sign.group(0).strip().lstrip("@").strip()
        removed.extend([employer] if employer else [])
        text = text[: at_sign.start()]
    for match in _EMPLOYER_WORD.finditer(text):
        word, following = match.group(1).lower(), fold(match.group(2))
        keepers = _AT_KEEPERS if word == "at" else _CHEZ_KEEPERS
        if following and following.split()[0] not in keepers:
            removed.append(text[match.end(1):].strip())
            text = text[: match.start()]
            break
    return text, removed


def _choose_pipe_segment(text: str) -> tuple[str, list[str]]:
    """Of "Title | Company | City", keep the first part that names an occupation."""
    parts = [part for part in _PIPE.split(text) if part.strip()]
    if len(parts) < 2:
        return text, []
    kept = next((i for i, part in enumerate(parts) if not _is_droppable(part)), 0)
    return parts[kept], [part.strip() for i, part in enumerate(parts) if i != kept]


def _remove_place_segments(text: str) -> tuple[str, list[str]]:
    """Drop leading/trailing separated parts that are places, remote markers or noise.

    "Infirmier - soins intensifs" and "Registered Nurse - ICU" keep their specialty because it is
    not a known place; "…, temps partiel, Laval" loses both parts.
    """
    parts = [part for part in _SEGMENT_SEPARATOR.split(text) if part.strip()]
    removed: list[str] = []
    while len(parts) > 1 and _is_droppable(parts[-1]):
        removed.insert(0, parts.pop().strip())
    while len(parts) > 1 and _is_droppable(parts[0]):
        removed.append(parts.pop(0).strip())
    if not removed:
        return text, []
    return " ".join(parts), removed


def _remove_trailing_place(text: str) -> tuple[str, list[str]]:
    """Drop "in Toronto", "à Montréal", "au Québec" from the end of a title without a separator."""
    words = text.split()
    for count in range(2, min(len(words), 7)):
        tail = words[-count:]
        place = _fold_tokens(" ".join(tail[1:]))
        if fold(tail[0]) in _PLACE_PREPOSITIONS and place and _is_place(place):
            return " ".join(words[:-count]), [" ".join(tail)]
    return text, []


def _infer_language(text: str) -> str:
    """A cheap EN/FR guess for choosing abbreviation expansions: accents or French cue words."""
    if _FRENCH_LETTERS.search(text):
        return "fr"
    return "fr" if any(token in _FRENCH_CUES for token in _fold_tokens(text)) else "en"


def _resolve_language(text: str, lang: str | None) -> str:
    """The caller's language when it is English or French, otherwise a guess from the text."""
    code = (lang or "").strip().lower()[:2]
    return code if code in ("en", "fr") else _infer_language(text)


def _expand_cased(text: str, lang: str) -> tuple[str, list[tuple[str, str]]]:
    """Expand the case- or dot-sensitive abbreviations (IT, BA, aux., ing.) before folding."""
    applied: list[tuple[str, str]] = []
    for pattern, key, expansions in _CASED_ABBREVIATIONS:
        expansion = expansions[lang]
        text, count = pattern.subn(f" {expansion} ", text)
        if count:
            applied.append((key, fold(expansion)))
    return text, applied


def _abbreviation(words: tuple[str, ...], lang: str) -> str | None:
    """The expansion of a folded word sequence in ``lang``, if it is a known abbreviation."""
    key = " ".join(words)
    return _ABBREVIATIONS_BY_LANGUAGE.get(lang, {}).get(key) or _ABBREVIATIONS.get(key)


def _expand_abbreviations(tokens: Sequence[str], lang: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Replace abbreviation words by their expansion, longest multi-word key first."""
    result: list[str] = []
    applied: list[tuple[str, str]] = []
    index = 0
    while index < len(tokens):
        for length in range(min(_MAX_ABBREVIATION_WORDS, len(tokens) - index), 0, -1):
            words = tuple(tokens[index:index + length])
            expansion = _abbreviation(words, lang)
            if expansion:
                result.extend(expansion.split())
                applied.append((" ".join(words), expansion))
                index += length
                break
        else:
            result.append(tokens[index])
            index += 1
    return result, applied


def _protected_spans(tokens: Sequence[str]) -> set[int]:
    """Indices of tokens inside a phrase that real titles use ("contract administrator")."""
    protected: set[int] = set()
    for start in range(len(tokens)):
        length = _match_at(tokens, start, _PROTECTED)
        protected.update(range(start, start + length))
    return protected


_ANYWHERE_KIND, _EDGE_KIND, _END_KIND = "anywhere", "edges", "end"


@dataclass(frozen=True)
class _NoiseSpan:
    """Noise words ``tokens[start:end]`` and where in a title they may be removed."""

    start: int
    end: int
    kind: str


def _is_level(tokens: Sequence[str], index: int) -> bool:
    """Whether ``tokens[index:index + 2]`` is a level such as "level 2", "niveau III"."""
    return tokens[index] in _LEVEL_WORDS and index + 1 < len(tokens) and bool(_LEVEL_NUMBER.match(tokens[index + 1]))


def _noise_span_at(tokens: Sequence[str], index: int) -> _NoiseSpan | None:
    """The longest noise phrase starting at ``tokens[index]``; unambiguous kinds win ties."""
    level = 2 if _is_level(tokens, index) else 0
    candidates = (
        (max(_match_at(tokens, index, _ANYWHERE), level), _ANYWHERE_KIND),
        (_match_at(tokens, index, _EDGES), _EDGE_KIND),
        (_match_at(tokens, index, _END), _END_KIND),
    )
    length, kind = max(candidates, key=lambda candidate: candidate[0])
    return _NoiseSpan(index, index + length, kind) if length else None


def _noise_spans(tokens: Sequence[str]) -> list[_NoiseSpan]:
    """Noise phrases in ``tokens``, left to right, skipping words of protected phrases."""
    protected = _protected_spans(tokens)
    spans: list[_NoiseSpan] = []
    index = 0
    while index < len(tokens):
        span = _noise_span_at(tokens, index)
        if span and not protected.intersection(range(span.start, span.end)):
            spans.append(span)
            index = span.end
        else:
            index += 1
    return spans


def _is_trailing_number(tokens: Sequence[str], index: int) -> bool:
    """A level number ending a title ("Clerk II", "Cook 2") but not "Teacher grade 3"."""
    return index > 0 and bool(_LEVEL_NUMBER.match(tokens[index])) and tokens[index - 1] not in _NUMBERED_WORDS


def _leading_noise(tokens: Sequence[str], spans: Sequence[_NoiseSpan]) -> set[int]:
    """The run of noise opening a title, plus a connector it leaves dangling ("Poste de …")."""
    by_start = {span.start: span for span in spans if span.kind != _END_KIND}
    drop: set[int] = set()
    index = 0
    while index in by_start:
        drop.update(range(index, by_start[index].end))
        index = by_start[index].end
    while drop and index < len(tokens) - 1 and tokens[index] in _CONNECTORS:
        drop.add(index)
        index += 1
    return drop


def _trailing_noise(tokens: Sequence[str], spans: Sequence[_NoiseSpan]) -> set[int]:
    """The run of noise and level numbers closing a title.

    Ambiguous noise right after a connector is the object of a phrase ("classification des
    postes", "aide à l'emploi") and ends the run.
    """
    by_end = {span.end: span for span in spans}
    drop: set[int] = set()
    index = len(tokens)
    while index > 0:
        span = by_end.get(index)
        if span and (span.kind == _ANYWHERE_KIND or span.start == 0 or tokens[span.start - 1] not in _CONNECTORS):
            drop.update(range(span.start, span.end))
            index = span.start
        elif _is_trailing_number(tokens, index - 1):
            drop.add(index - 1)
            index -= 1
        else:
            break
    return drop


def _remove_noise(tokens: Sequence[str]) -> tuple[list[str], list[str]]:
    """Drop seniority, shift, employment-type, hiring and level words.

    Unambiguous noise goes wherever it is; ambiguous noise only from the leading and trailing
    runs of noise, so "Contract administrator" and "Analyste de poste" survive while
    "Cook - casual" and "Poste de préposé" lose the noise.
    """
    spans = _noise_spans(tokens)
    drop = {i for span in spans if span.kind == _ANYWHERE_KIND for i in range(span.start, span.end)}
    drop |= _leading_noise(tokens, spans) | _trailing_noise(tokens, spans)
    return [token for i, token in enumerate(tokens) if i not in drop], _group_removed(tokens, drop)


def _group_removed(tokens: Sequence[str], drop: set[int]) -> list[str]:
    """Consecutive removed tokens joined into pieces, for the explanation."""
    pieces: list[str] = []
    previous = -2
    for index in sorted(drop):
        if index == previous + 1 and pieces:
            pieces[-1] += " " + tokens[index]
        else:
            pieces.append(tokens[index])
        previous = index
    return pieces


# ---------------------------------------------------------------------------------------------
# Public query API
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NormalizedQuery:
    """A job title as typed, and the folded text the matcher searches for.

    ``removed`` and ``expansions`` record what normalization did, in order, so that a result can
    be explained ("ignored: Toronto, casual; RN = registered nurse").
    """

    original: str
    cleaned: str
    removed: tuple[str, ...]
    expansions: tuple[tuple[str, str], ...]
    noise_only: bool = False  # pay, place or noise words were all there was: no occupation named


def _keep_if_not_empty(before: str, after: str, pieces: list[str], removed: list[str]) -> str:
    """Apply a removal step unless it would remove everything the user typed."""
    if fold(after):
        removed.extend(pieces)
        return after
    return before


# Removal steps on the raw text, in order; each returns the text and the pieces it removed.
_RAW_STEPS = (
    _remove_pay, _remove_wanted, _remove_brackets, _remove_employer, _choose_pipe_segment,
    _remove_place_segments, _remove_trailing_place,
)
# Steps whose matter is never an occupation: if one would take everything, none was named.
# (Brackets and employers can hold one: "(RN)", "Tim Hortons".)
_NOISE_STEPS = frozenset({_remove_pay, _remove_place_segments, _remove_trailing_place})


def normalize_query(text: str, lang: str | None = None) -> NormalizedQuery:
    """Reduce a job-ad title to the occupation words the matcher should look for.

    Steps, in order: gender markers and gender pairs, pay amounts, "recherché(e)", bracketed
    remarks, employer, separated place/noise segments, a trailing "in <city>", case-sensitive
    abbreviations, folding, abbreviation expansion and noise-word removal. Expansion runs
    before noise removal so that "SVP" loses its "senior" and "Class 1 driver" is not cut to
    "class driver" by the trailing-level rule. A step that would leave nothing is skipped, so
    "(RN)" still means registered nurse and "Part-time" stays "part time"; when that step was
    about pay, place or noise words ("Part-time", "$20/hr"), ``noise_only`` says that no
    occupation was named. ``lang`` ("en" or
    "fr", "fr-CA" is accepted) picks language-specific expansions; when missing or unknown it
    is guessed from accents and French function words. "N/A" yields "n a" (nothing to remove
    or expand) and "" yields "".
    """
    removed: list[str] = []
    noise_only = False
    raw = _masculine_query(_strip_gender_markers(text))
    for step in _RAW_STEPS:
        after, pieces = step(raw)
        noise_only = noise_only or (step in _NOISE_STEPS and bool(pieces) and not fold(after))
        raw = _keep_if_not_empty(raw, after, pieces, removed)
    language = _resolve_language(raw, lang)
    raw, expansions = _expand_cased(raw, language)
    tokens, expanded = _expand_abbreviations(_fold_tokens(raw), language)
    kept, noise = _remove_noise(tokens)
    if kept:
        removed.extend(noise)
        tokens = kept
    elif noise:
        noise_only = True
    return NormalizedQuery(
        original=text,
        cleaned=" ".join(tokens),
        removed=tuple(removed),
        expansions=tuple(expansions + expanded),
        noise_only=noise_only,
    )
