"""Answers people give in a job-title field that name no occupation: a situation ("retired",
"sans emploi", "pas de travail en ce moment"), a search ("looking for work"), a class of worker
("self-employed"), a refusal or a blank ("prefer not to say", "N/A", "aucun"), and input that is
not words at all (stop words, SQL or script fragments: "or", "the", `' OR 1=1--`).
Coders of census and survey occupations set these aside rather than guess; the matcher answers
them with "no match" instead of the nearest title that shares a word ("student" → "CA student",
"retraité" → "directeur de maisons de retraite", "or" → "ore technologist").

Phrases are folded (see `matching.folding.fold`) and compared with the whole normalized query, in
both genders, once the time people add to a situation is set aside ("retired since 2019", « à la
retraite depuis 2020 », « rien pour l'instant »), so "student nurse" and "retirement home manager"
are still searched. A sentence that denies working (« je ne travaille pas présentement », "not
working at the moment") is a situation too.
"""

import re

from matching.folding import fold

_PHRASES = """
    none|nothing|nil|na|n a|not applicable|unknown|no job|no occupation|no work|anything|any job|any work
    nothing yet|none yet|no answer|no comment|nope|no|yes|same|same as before|same as above|same job|see above
    idk|i don t know|dont know|don t know|do not know|not sure|unsure|dunno|prefer not to say|prefer not to answer
    rather not say|would rather not say|decline to answer|declined|refused|none of your business|private
    unemployed|not employed|not working|out of work|jobless|between jobs|laid off|let go|fired|no longer working
    looking for work|looking for a job|looking for job|looking for employment|job seeker|job hunting|seeking work
    seeking employment|seeking a job|searching for a job|need a job|want a job|open to anything|job search
    retired|retiree|pensioner|semi retired|early retirement|retirement
    student|full time student|part time student|high school student|college student|university student|in school
    homemaker|housewife|househusband|stay at home mom|stay at home dad|stay at home parent|stay home mom
    stay home dad|stay at home|stay home parent|home maker|house wife|house husband
    full time parent|caring for family|maternity leave|parental leave|on disability|disabled|sick leave|disability
    on leave|on sick leave|medical leave|on welfare|welfare|social assistance|on ei|ei|employment insurance
    self employed|own account|freelance|freelancer|volunteer|internship|trainee|apprentice
    test|testing|asdf|qwerty|xxx|abc|lorem ipsum|hello|hi|thanks|thank you|ok|okay|null|undefined|nan|void
    aucun|aucune|rien|sans objet|s o|so|inconnu|n importe quel emploi|n importe quoi|tout emploi|pas d emploi
    sans emploi|sans travail|chomeur|chomeuse|au chomage|chomage|en chomage|inactif|inactive|sans profession
    pas de travail|pas de job|pas de boulot|pas d ouvrage|sans job|sans boulot|rien du tout|pas encore
    entre deux emplois|entre deux jobs|mis a pied|mise a pied|licencie|licenciee|congedie|congediee
    en recherche d emploi|a la recherche d un emploi|a la recherche d emploi|recherche d emploi|cherche emploi
    cherche un emploi|je cherche un emploi|je cherche du travail|cherche du travail|chercheur d emploi
    chercheuse d emploi|en recherche de travail|recherche de travail|je cherche|en recherche
    retraite|retraitee|a la retraite|preretraite|preretraitee|pensionne|pensionnee|en retraite|semi retraite
    etudiant|etudiante|eleve|etudiant a temps plein|etudiante a temps plein|aux etudes|a l ecole|etudes
    personne au foyer|mere au foyer|pere au foyer|femme au foyer|homme au foyer|parent au foyer|au foyer
    conge de maternite|conge parental|conge de maladie|invalidite|en invalidite|en conge|arret de travail
    en arret de travail|arret maladie|en arret maladie|maladie|aide sociale|prestataire|assurance emploi
    travailleur autonome|travailleuse autonome|pigiste|benevole|stagiaire|stage|apprenti|apprentie
    je sais pas|je ne sais pas|sais pas|ne sais pas|aucune idee|pas d idee|je prefere ne pas repondre
    prefere ne pas repondre|pas de reponse|sans reponse|ne s applique pas|non applicable|pas applicable
    nsp|meme chose|pareil|idem|voir plus haut|non|oui|bonjour|salut|merci|allo|essai
    see resume|see my resume|see cv|see my cv|refer to resume|refer to cv|see attached|see linkedin|as above
    voir cv|voir mon cv|voir curriculum|voir ci joint|voir resume|comme avant|comme ci dessus
    work|job|jobs|employment|various|varies|misc|miscellaneous|other|others|many|several|odd jobs|anything goes
    travail|emploi|job|jobs|boulot|divers|diverses|varie|autre|autres|plusieurs|petits boulots|n importe
    workers comp|workers compensation|wsib|on wsib|worksafe|cnesst|csst|accidente du travail|en accident de travail
    benevolat|volunteering|volunteer work|travail benevole|bourse|scholarship|sabbatical|sabbatique|annee sabbatique
    in jail|incarcerated|en prison|detenu|immigrant|newcomer|nouvel arrivant|nouvelle arrivante|refugie|refugiee
"""
NON_OCCUPATIONS: frozenset[str] = frozenset(
    fold(phrase) for line in _PHRASES.strip().splitlines() for phrase in line.split("|") if phrase.strip()
)
# Words that name nothing on their own: function words of both languages and the words of code
# or markup typed into a form. A query made of these alone (and digits) is not a title.
STOP_WORDS: frozenset[str] = frozenset(
    """
    a an the of or and to in on at for by with from as is are be it its this that my i me we you your
    le la les l un une des du de d et ou en au aux a pour par sur avec dans ce cette mon ma mes je tu il elle
    nous vous ils elles y ne pas se sa son ses qui que quoi
    select insert update delete drop union where table values null undefined true false none nan script
    alert javascript onerror img src http https www com html div body iframe eval exec char varchar
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# The time people add to a situation: "since 2019", "right now", « depuis mars », « pour l'instant ».
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"
)
_TIME = re.compile(
    r"\b(?:since|from|in|for|depuis|en|pour|il y a|ago|last|dernier|derniere|this|cette|ce)?\s*"
    rf"(?:(?:\d{{1,2}}\s+)?(?:{_MONTHS})(?:\s+\d{{4}})?|(?:19|20)\d\d|\d+\s+(?:years?|months?|weeks?|ans?|mois|semaines?)"
    r"|year|years|month|months|week|now|summer|winter|spring|fall|ete|hiver|printemps|automne|an|annee|mois)\b"
    r"|\b(?:right now|at the moment|at present|currently|for now|for the moment|presently|these days|anymore"
    r"|en ce moment|pour l instant|pour le moment|presentement|actuellement|maintenant|a present"
    r"|pour l heure|ces temps ci|depuis peu|recemment|recently|temporarily|temporairement|yet|encore)\b"
)
# A sentence that denies working: "not working right now", « je ne travaille pas », « pas de job ».
_DENIAL = re.compile(
    r"\b(?:not|no|never|dont|don t|didn t|isn t|am not|without)"
    r"(?:\s+(?:currently|presently|really|actually|a|any|the|paid|full|time|have|got|regular|steady|yet))*"
    r"\s+(?:work|working|worked|job|jobs|employed|employment|employer)\b"
    r"|\b(?:ne|n)\s+travaille\s+(?:pas|plus|jamais)\b|\btravaille\s+(?:pas|plus)\b"
    r"|\b(?:pas|plus|aucun|aucune|jamais|sans)"
    r"(?:\s+(?:de|d|du|un|une|le|la|encore|vraiment|present|presentement|actuellement))*"
    r"\s+(?:travail|travaille|emploi|emplois|job|jobs|boulot|ouvrage)\b"
)
_LETTER = re.compile(r"[^\W\d_]")
# Code typed into a form: markup, SQL, injection probes. Read on the text as typed.
_CODE = re.compile(
    r"<\s*/?\s*[a-z][^>]*>|\b(?:select|insert|update|delete|drop|union)\b.{0,40}\b(?:from|into|table|set|where|select)\b"
    r"|['\"]\s*(?:or|and)\s+['\"]?\w+['\"]?\s*=|\b\d+\s*=\s*\d+\b|--\s*$|;\s*--|/\*|\*/|\$\{|\{\{",
    re.IGNORECASE,
)


# What people add around a situation: a leading preposition (« en congé », "on leave", « sur l'aide
# sociale »), "only", a cause ("since covid", « depuis mon accident »).
_AROUND = re.compile(
    r"^(?:en|on|in|sur l|sur la|sur|au|a la|a l|a|je suis|i am|i m|im|currently|presently|just|juste)\s+"
    r"|\s+(?:only|seulement|uniquement|for now|full time|temps plein|a temps plein)$"
    r"|\s+(?:since|depuis|because of|a cause de|due to|apres|after)(?:\s+\w+){1,3}$"
)
# "student at the cegep", « élève au secondaire », « étudiant à temps plein à l'université ».
_STUDENT = re.compile(
    r"^(?:student|students|etudiant|etudiante|etudiants|eleve|eleves|pupil)"
    r"(?:\s+(?:au|aux|a|en|at|in|du|de|d|l|la|le|the|full|part|time|temps|plein|partiel|high|school|secondary"
    r"|secondaire|cegep|college|universite|university|universitaire|ecole|primaire|elementary|grade|year|annee"
    r"|\d+|e|er|ere|eme|graduate|undergraduate|international|internationale|master|maitrise|doctorat|phd|bac"
    r"|baccalaureat|diplome|dec))*$"
)
# Keyboard runs typed to get past a required field: "asdf jkl", « azerty », "qwer".
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "azertyuiop", "qsdfghjklm", "wxcvbn", "poiuytrewq", "lkjhgfdsa")


def without_time(folded: str) -> str:
    """The folded text without the time expressions people add to a situation."""
    return " ".join(_TIME.sub(" ", folded).split())


def _situation_core(folded: str) -> str:
    """The situation once its time, a leading preposition, "only" and a cause are set aside."""
    core = without_time(folded)
    for _ in range(3):
        stripped = " ".join(_AROUND.sub(" ", core).split())
        if stripped == core or not stripped:
            break
        core = stripped
    return core


def _keyboard_mash(folded: str) -> bool:
    tokens = folded.split()
    return bool(tokens) and all(len(token) >= 3 and any(token in row for row in _KEYBOARD_ROWS) for token in tokens)


def looks_like_code(text: str) -> bool:
    """Whether the text as typed is markup, SQL or an injection probe rather than words."""
    return bool(_CODE.search(text))


def names_no_occupation(cleaned: str) -> bool:
    """True for a query that is one of the phrases above (once its time expressions are set aside),
    denies working, has no letter at all, is made of stop words and digits only, or is code."""
    if looks_like_code(cleaned):
        return True
    folded = fold(cleaned)
    if not _LETTER.search(folded) or only_stop_words(folded):
        return True
    core = _situation_core(folded)
    return (
        folded in NON_OCCUPATIONS
        or core in NON_OCCUPATIONS
        or bool(_DENIAL.search(folded) or _STUDENT.match(core) or _keyboard_mash(folded))
    )


def only_stop_words(folded: str) -> bool:
    """Whether every word of the folded text is a stop word, a single letter or a number."""
    return all(token in STOP_WORDS or len(token) < 2 or token.isdigit() for token in folded.split())


# Classes of worker that say how, not what, someone works: with an industry they name its owner.
_WORKER_CLASSES = """
    self employed|own account|own business|my own business|small business owner|business owner|owner
    owner operator|proprietor|entrepreneur|freelance|freelancer|contractor|independent contractor|partner
    travailleur autonome|travailleuse autonome|a mon compte|a son compte|a mon propre compte|pigiste
    proprietaire|proprio|entrepreneur|entrepreneure|associe|associee|mon entreprise|ma propre entreprise
"""
WORKER_CLASSES: frozenset[str] = frozenset(
    fold(phrase) for line in _WORKER_CLASSES.strip().splitlines() for phrase in line.split("|") if phrase.strip()
)


def names_a_worker_class(cleaned: str) -> bool:
    """Whether the query only says how someone works ("self-employed", « propriétaire »)."""
    return without_time(fold(cleaned)) in WORKER_CLASSES
