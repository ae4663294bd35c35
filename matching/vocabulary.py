"""The word tables of job-ad titles and the phrase lookups built from them.

Everything here is data about words, folded (see :func:`matching.folding.fold`): Canadian places
and work-arrangement markers, the noise job ads add around an occupation (seniority, shift,
employment type, hiring words) with the real titles that contain such words, the words that keep
a trailing number or an employer-like word in a title, and the abbreviations Canadian ads use
(RN, PSW, PAB, dev, mgr…). :mod:`matching.query` decides what to do with them.
"""

import re
from collections.abc import Iterable, Mapping, Sequence

from matching.folding import fold

__all__ = [
    "AT_KEEPERS",
    "CASED_ABBREVIATIONS",
    "CHEZ_KEEPERS",
    "CONNECTORS",
    "MAX_ABBREVIATION_WORDS",
    "NOISE_ANYWHERE",
    "NOISE_AT_EDGES",
    "NOISE_AT_END",
    "PLACE_PREPOSITIONS",
    "abbreviation",
    "is_level",
    "is_noise",
    "is_place",
    "is_trailing_number",
    "match_at",
    "protected_spans",
]

# ---------------------------------------------------------------------------------------------
# Query noise: places, employment type, seniority, shift, hiring words
# ---------------------------------------------------------------------------------------------

# The tables are laid out by theme, a few entries a line; the formatter would put one a line.
# fmt: off
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
PLACE_PREPOSITIONS: frozenset[str] = frozenset({"in", "near", "a", "au", "en", "dans", "at"})

# Noise words removed wherever they appear: they never name an occupation.
_NOISE_ANYWHERE_PHRASES: tuple[str, ...] = (
    # seniority
    "senior", "sr", "jr", "entry level", "mid level", "experienced", "experimente", "experimentee",
    # shift
    "night shift", "day shift", "evening shift", "afternoon shift", "overnight shift", "nights",
    "afternoons", "weekends", "weekend", "quart de nuit", "quart de soir", "quart de jour",
    "fin de semaine", "fins de semaine", "fds",
    # employment type
    "full time", "part time", "ft", "pt", "temps plein", "temps partiel", "teletravail",
    "onsite", "on site", "fixed term",
    # hiring noise
    "urgently hiring", "now hiring", "hiring now", "we are hiring", "hiring", "urgent",
    "on recrute", "embauche immediate", "on engage", "on embauche", "nous embauchons", "we re hiring",
)
# Noise words that are also part of real titles ("Contract administrator", "Junior high school
# teacher", "Analyste de poste"): removed only at the start or end of the title.
_NOISE_AT_EDGES_PHRASES: tuple[str, ...] = (
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
_NOISE_AT_END_PHRASES: tuple[str, ...] = (
    "job", "jobs", "position", "positions", "opportunity", "opportunities", "needed", "wanted",
    "required", "wanted immediately",
)
# The field names of a job ad pasted whole ("Poste : commis ; Type : temps plein ; Lieu : Moncton"):
# a segment that is only one of them names no occupation.
_AD_FIELD_LABELS: tuple[str, ...] = (
    "type", "job type", "employment type", "type de poste", "type d emploi", "lieu", "lieu de travail",
    "location", "salary", "salaire", "schedule", "horaire", "status", "statut", "title", "job title",
    "titre", "titre du poste",
)
# Words that make a following edge-noise word the object of a phrase rather than a remark
# ("classification des postes", "aide à l'emploi"), and that dangle once the noise before them
# is gone ("Poste de préposé" → "préposé").
CONNECTORS: frozenset[str] = frozenset({
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
AT_KEEPERS: frozenset[str] = frozenset({"law", "arms", "large", "home", "sea"})
# "chez les animaux" is part of a real French title; an employer follows "chez" without an article.
CHEZ_KEEPERS: frozenset[str] = frozenset({"le", "la", "les", "l", "un", "une", "des", "nous"})


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
    "cda": "certified dental assistant", "moa": "medical office assistant",
    "rph": "pharmacist", "pharm": "pharmacy", "med": "medical",
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
    "hr": "human resources", "rh": "ressources humaines", "hrbp": "human resources business partner",
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
    "hd": "heavy duty", "heo": "heavy equipment operator", "ame": "aircraft maintenance engineer",
    "gc": "general contractor", "maint": "maintenance", "mfg": "manufacturing",
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
        "supv": "superviseur", "t s": "travailleur social", "daf": "directeur administratif et financier",
    },
    "en": {},
}
MAX_ABBREVIATION_WORDS = max(
    len(key.split()) for table in (_ABBREVIATIONS, *_ABBREVIATIONS_BY_LANGUAGE.values()) for key in table
)

# Abbreviations whose meaning depends on case or punctuation, applied before folding.
# "IT" and "BA" are English words or names when not in capitals; "aux" without a dot is the
# French article ("préposé aux bénéficiaires"); "ing." is the French engineer title.
CASED_ABBREVIATIONS: tuple[tuple[re.Pattern[str], str, Mapping[str, str]], ...] = (
    (re.compile(r"(?<![\w&])IT(?![\w&])"), "it",
     {"en": "information technology", "fr": "technologies de l'information"}),
    (re.compile(r"(?<![\w&])BA(?![\w&])"), "ba", {"en": "business analyst", "fr": "analyste d'affaires"}),
    (re.compile(r"(?<![\w.])aux\.", re.IGNORECASE), "aux", {"en": "auxiliaire", "fr": "auxiliaire"}),
    (re.compile(r"(?<![\w.])ing\.", re.IGNORECASE), "ing", {"en": "ingénieur", "fr": "ingénieur"}),
)
# fmt: on


# ---------------------------------------------------------------------------------------------
# Phrase lookup helpers
# ---------------------------------------------------------------------------------------------


def _phrase_table(phrases: Iterable[str]) -> frozenset[tuple[str, ...]]:
    """Folded phrases as word tuples, for matching against token lists."""
    return frozenset(tuple(fold(phrase).split()) for phrase in phrases if fold(phrase))


_PLACES = _phrase_table((*_PROVINCES, *_CITIES))
_REMOTE = _phrase_table(_REMOTE_MARKERS)
# The three kinds of noise: removed wherever they are, only at the edges, only at the end.
NOISE_ANYWHERE = _phrase_table(_NOISE_ANYWHERE_PHRASES)
NOISE_AT_EDGES = _phrase_table(_NOISE_AT_EDGES_PHRASES)
NOISE_AT_END = _phrase_table(_NOISE_AT_END_PHRASES)
_AD_FIELDS = _phrase_table(_AD_FIELD_LABELS)
_PROTECTED = _phrase_table(_PROTECTED_PHRASES)
_PLACES_OR_REMOTE = _PLACES | _REMOTE
_LONGEST_PHRASE = max(
    len(phrase) for phrase in (*_PLACES, *_REMOTE, *NOISE_ANYWHERE, *NOISE_AT_EDGES, *NOISE_AT_END, *_PROTECTED)
)


def match_at(tokens: Sequence[str], start: int, table: frozenset[tuple[str, ...]]) -> int:
    """Length of the longest phrase of ``table`` starting at ``tokens[start]`` (0 if none)."""
    for length in range(min(_LONGEST_PHRASE, len(tokens) - start), 0, -1):
        if tuple(tokens[start : start + length]) in table:
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
            length = match_at(tokens, index, table)
            if length:
                anchored = anchored or position == 0
                index += length
                break
        else:
            if tokens[index] not in fillers:
                return False, anchored
            index += 1
    return True, anchored


def is_place(tokens: Sequence[str]) -> bool:
    """A location or work-arrangement segment: places/remote markers plus filler and noise words."""
    covered, anchored = _covered_by(
        tokens, (_PLACES_OR_REMOTE, NOISE_ANYWHERE, NOISE_AT_EDGES, NOISE_AT_END), _PLACE_FILLERS
    )
    return bool(tokens) and covered and anchored


def is_noise(tokens: Sequence[str]) -> bool:
    """A segment made only of employment-type, shift, seniority or hiring words ("temps partiel"),
    or only the name of a job ad's field ("Lieu")."""
    covered, _ = _covered_by(
        tokens, (NOISE_ANYWHERE, NOISE_AT_EDGES, NOISE_AT_END, _REMOTE), frozenset({"and", "et", "or", "ou"})
    )
    return bool(tokens) and (covered or tuple(tokens) in _AD_FIELDS) and not protected_spans(tokens)


def protected_spans(tokens: Sequence[str]) -> set[int]:
    """Indices of tokens inside a phrase that real titles use ("contract administrator")."""
    protected: set[int] = set()
    for start in range(len(tokens)):
        length = match_at(tokens, start, _PROTECTED)
        protected.update(range(start, start + length))
    return protected


def is_level(tokens: Sequence[str], index: int) -> bool:
    """Whether ``tokens[index:index + 2]`` is a level such as "level 2", "niveau III"."""
    return tokens[index] in _LEVEL_WORDS and index + 1 < len(tokens) and bool(_LEVEL_NUMBER.match(tokens[index + 1]))


def is_trailing_number(tokens: Sequence[str], index: int) -> bool:
    """A level number ending a title ("Clerk II", "Cook 2") but not "Teacher grade 3"."""
    return index > 0 and bool(_LEVEL_NUMBER.match(tokens[index])) and tokens[index - 1] not in _NUMBERED_WORDS


def abbreviation(words: tuple[str, ...], lang: str) -> str | None:
    """The expansion of a folded word sequence in ``lang``, if it is a known abbreviation."""
    key = " ".join(words)
    return _ABBREVIATIONS_BY_LANGUAGE.get(lang, {}).get(key) or _ABBREVIATIONS.get(key)
