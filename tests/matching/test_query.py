"""Normalization of job-ad queries (matching.query), checked on the real NOC titles."""

import pytest

from matching.folding import fold
from matching.language import FRENCH_ABBREVIATIONS, FRENCH_FUNCTION_WORDS
from matching.query import NormalizedQuery, normalize_query
from tests.support.source_data import JOB_TITLES, csv_rows


@pytest.mark.parametrize(
    ("query", "cleaned"),
    [
        ("Sr. backend dev II - Toronto", "backend developer"),
        ("PSW (casual)", "personal support worker"),
        ("RN", "registered nurse"),
        ("infirmière auxiliaire", "infirmiere auxiliaire"),
        ("educatrice petite enfance", "educatrice petite enfance"),
        ("Technicien(ne) en informatique", "technicien en informatique"),
        ("Agent/e de sécurité - Montréal", "agent de securite"),
        ("Préposé(e) aux bénéficiaires, temps partiel, Laval", "prepose aux beneficiaires"),
        ("Senior Software Engineer @ Shopify", "software engineer"),
        ("Night shift warehouse associate", "warehouse associate"),
        ("Grade 3 teacher", "grade 3 teacher"),
        ("Registered Nurse - ICU", "registered nurse icu"),
        ("Contractor", "contractor"),
        ("N/A", "n a"),
        ("", ""),
    ],
)
def test_normalize_query_examples(query: str, cleaned: str) -> None:
    assert normalize_query(query).cleaned == cleaned


@pytest.mark.parametrize(
    ("query", "cleaned"),
    [
        # places, employers, pipes
        ("AZ Driver - Mississauga, ON (Full-Time)", "truck driver"),
        ("Software Engineer | Shopify | Toronto, ON", "software engineer"),
        ("Caissier chez Walmart", "caissier"),
        ("Nurse in Toronto", "nurse"),
        ("Infirmière à Montréal", "infirmiere"),
        ("Cook - Trois-Rivières (QC)", "cook"),
        ("Dishwasher - St. John's, NL", "dishwasher"),
        ("Toronto - Registered Nurse", "registered nurse"),
        ("Infirmier - soins intensifs", "infirmier soins intensifs"),
        ("Customer service representative - remote", "customer service representative"),
        # real titles that contain place-like or employer-like words survive
        ("Attorney at law", "attorney at law"),
        (
            "Inspecteur en prévention des maladies contagieuses chez les animaux",
            "inspecteur en prevention des maladies contagieuses chez les animaux",
        ),
        ("Commis à l'inventaire", "commis a l inventaire"),
        # noise words, and real titles that contain them
        ("Permanent full time cook", "cook"),
        ("Cook II - casual", "cook"),
        ("Clerk level 2", "clerk"),
        ("Level II Dental Assistant", "dental assistant"),
        ("Teacher grade 3", "teacher grade 3"),
        ("Cook needed", "cook"),
        ("Poste de préposé aux bénéficiaires", "prepose aux beneficiaires"),
        ("Cuisinier - poste permanent", "cuisinier"),
        ("Préposée aux bénéficiaires - quart de nuit - temps plein", "preposee aux beneficiaires"),
        ("Contract administrator", "contract administrator"),
        ("Job counsellor", "job counsellor"),
        ("Analyste de poste", "analyste de poste"),
        ("Agent/agente de classification des postes", "agent de classification des postes"),
        ("Remote sensing technician", "remote sensing technician"),
        ("Veilleur de nuit", "veilleur de nuit"),
        ("Lead hand", "lead hand"),
        ("School principal", "school principal"),
        # gender pairs and markers in a query keep the masculine
        ("Infirmier/infirmière auxiliaire", "infirmier auxiliaire"),
        ("Étudiant·e en soins infirmiers", "etudiant en soins infirmiers"),
        ("Cashier/Stock Clerk", "cashier stock clerk"),
        # abbreviations, case- and language-sensitive ones
        ("IT Project Manager", "information technology project manager"),
        ("it support", "it support"),
        ("BA", "business analyst"),
        ("Inf. aux.", "infirmier auxiliaire"),
        ("Préposé aux bénéficiaires", "prepose aux beneficiaires"),
        ("Ing. civil", "ingenieur civil"),
        ("Tech en informatique", "technicien en informatique"),
        ("HVAC tech", "hvac technician"),
        ("PAB", "prepose aux beneficiaires"),
        ("ECE", "early childhood educator"),
        ("Admin asst", "administrative assistant"),
        ("Class 1 driver", "truck driver"),
        ("SVP Sales", "vice president sales"),
        # pay and hiring remarks
        ("Urgently hiring!!! Line cook - $18/hr", "line cook"),
        ("Cuisinier 18 $ de l'heure", "cuisinier"),
        ("Analyst $60k - $70k", "analyst"),
        ("Hiring now: cook", "cook"),
        ("On engage!! Plongeur - 16$/h", "plongeur"),
        ("Poste : Commis comptes payables ; Type : temps plein ; Lieu : Moncton", "commis comptes payables"),
        ("Location manager", "location manager"),  # a field's name is noise only as a segment of its own
        ("HEO", "heavy equipment operator"),
        ("MOA", "medical office assistant"),
        ("Nurse @", "nurse"),
        # a step that would remove everything is skipped
        ("(RN)", "registered nurse"),
        ("Part-time", "part time"),
        ("Toronto", "toronto"),
    ],
)
def test_normalize_query_more(query: str, cleaned: str) -> None:
    assert normalize_query(query).cleaned == cleaned


def test_normalize_query_reports_removed_and_expanded_pieces() -> None:
    query = normalize_query("Sr. backend dev II - Toronto")
    assert query == NormalizedQuery(
        original="Sr. backend dev II - Toronto",
        cleaned="backend developer",
        removed=("Toronto", "sr", "ii"),
        expansions=(("dev", "developer"),),
    )
    psw = normalize_query("PSW (casual)")
    assert psw.removed == ("casual",)
    assert psw.expansions == (("psw", "personal support worker"),)
    assert normalize_query("").removed == ()
    assert normalize_query("").expansions == ()


@pytest.mark.parametrize(
    ("query", "noise_only"),
    [
        ("Part-time", True),
        ("$20/hr", True),
        ("Senior", True),
        ("temps plein", True),
        ("Cook - casual", False),
        ("(RN)", False),
        ("Toronto welder", False),
        ("$20/hr welder", False),
    ],
)
def test_normalize_query_says_when_nothing_but_noise_was_typed(query: str, noise_only: bool) -> None:
    assert normalize_query(query).noise_only is noise_only


def test_normalize_query_language_argument() -> None:
    assert normalize_query("tech", "fr").cleaned == "technicien"
    assert normalize_query("tech", "en").cleaned == "technician"
    assert normalize_query("ing", "fr").cleaned == "ingenieur"
    assert normalize_query("ing", "en").cleaned == "ing"
    assert normalize_query("IT", "fr").cleaned == "technologies de l information"
    assert normalize_query("tech", "fr-CA").cleaned == "technicien"
    assert normalize_query("dev", None).cleaned == "developer"
    assert normalize_query("T.S.", "fr").cleaned == "travailleur social"
    assert normalize_query("DAF", "fr").cleaned == "directeur administratif et financier"


@pytest.mark.parametrize("cue", [*sorted(FRENCH_FUNCTION_WORDS | FRENCH_ABBREVIATIONS), "chez", "techn", "é"])
def test_without_a_language_french_cues_pick_the_french_expansions(cue: str) -> None:
    """The guess uses the language detector's French cue words and accents, plus a few of its own."""
    assert normalize_query(f"tech {cue}").cleaned.split()[0] == "technicien"
    assert normalize_query("tech").cleaned == "technician"


def test_normalize_query_result_is_frozen() -> None:
    query = normalize_query("RN")
    with pytest.raises(AttributeError):
        query.cleaned = "x"  # type: ignore[misc]


def test_normalize_query_on_every_real_title() -> None:
    """Official titles are clean already: normalization keeps them non-empty and folded."""
    for row in csv_rows(JOB_TITLES):
        title = row["job_title"]
        cleaned = normalize_query(title).cleaned
        assert cleaned, title
        assert cleaned == fold(cleaned), title
