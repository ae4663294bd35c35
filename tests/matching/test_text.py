"""Normalization of index titles and job-ad queries (matching.text), checked on the real NOC titles."""


import pytest
from tests.support.source_data import JOB_TITLES, csv_rows

from matching.text import NormalizedQuery, fold, gender_variants, normalize_query


def real_titles() -> list[str]:
    return [row["job_title"] for row in csv_rows(JOB_TITLES)]


# --- fold -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "folded"), [
    ("Infirmière auxiliaire", "infirmiere auxiliaire"),
    ("Centre d'appel", "centre d appel"),
    ("Centre d’appel", "centre d appel"),
    ("Chasse-neige / Déneigeuse", "chasse neige deneigeuse"),
    ("Sœur ŒUVRE Æsthetics Straße", "soeur oeuvre aesthetics strasse"),
    ("  Préposé(e)   aux bénéficiaires, PAB!  ", "prepose e aux beneficiaires pab"),
    ("Guide_touristique", "guide touristique"),
    ("", ""),
    ("¿?!", ""),
])
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_is_idempotent() -> None:
    for title in real_titles()[::50]:
        assert fold(fold(title)) == fold(title)


# --- gender_variants ------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "variants"), [
    ("Infirmier auxiliaire/infirmière auxiliaire", ["infirmier auxiliaire", "infirmiere auxiliaire"]),
    ("Agent/agente de prévention des infections",
     ["agent de prevention des infections", "agente de prevention des infections"]),
    ("Infirmier autorisé/infirmière autorisée - centre d'appel",
     ["infirmier autorise centre d appel", "infirmiere autorisee centre d appel"]),
    ("Chercheur infirmier/chercheuse infirmière en sciences infirmières",
     ["chercheur infirmier en sciences infirmieres", "chercheuse infirmiere en sciences infirmieres"]),
    # several slashed segments, elided article carried over to the feminine
    ("Directeur administratif/directrice administrative d'une association d'anciens étudiants/anciennes étudiantes",
     ["directeur administratif d une association d anciens etudiants",
      "directrice administrative d une association d anciennes etudiantes"]),
    ("Président/présidente et directeur général/directrice générale - santé",
     ["president et directeur general sante", "presidente et directrice generale sante"]),
    # hyphenated compounds pair word by word
    ("Arpenteur-géomètre breveté/arpenteuse-géomètre brevetée",
     ["arpenteur geometre brevete", "arpenteuse geometre brevetee"]),
    ("Aide boucher/aide-bouchère - commerce de gros ou détail",
     ["aide boucher commerce de gros ou detail", "aide bouchere commerce de gros ou detail"]),
    # a gender pair after a shared word
    ("Chef technicien/technicienne de simulateur de vol",
     ["chef technicien de simulateur de vol", "chef technicienne de simulateur de vol"]),
    # English suffix feminines
    ("Alderman/woman", ["alderman", "alderwoman"]),
    ("Yard foreman/woman - pulp and paper", ["yard foreman pulp and paper", "yard forewoman pulp and paper"]),
    ("Private school headmaster/mistress", ["private school headmaster", "private school headmistress"]),
    ("Cleaning man/woman", ["cleaning man", "cleaning woman"]),
    # not gender pairs: both alternatives kept
    ("Tool and die maker/machinist", ["tool and die maker", "tool and die machinist"]),
    ("Santa Claus/Mrs. Claus", ["santa claus", "mrs claus"]),
    ("Computer-assisted design/computer-assisted manufacturing (CAD/CAM) programmer",
     ["computer assisted design cad programmer", "computer assisted manufacturing cam programmer"]),
    # no slash
    ("Registered nurse", ["registered nurse"]),
    ("Ingénieur civil", ["ingenieur civil"]),
])
def test_gender_variants(title: str, variants: list[str]) -> None:
    assert gender_variants(title) == variants


@pytest.mark.parametrize("title", ["", "   ", "/", "a/", "/b", "x//y", "Infirmier/", "(/)"])
def test_gender_variants_degenerate_input(title: str) -> None:
    variants = gender_variants(title)
    assert all(variant and variant == fold(variant) for variant in variants)
    assert variants == [] or title.strip("/ ()")


def test_gender_variants_on_every_real_title() -> None:
    rows = csv_rows(JOB_TITLES)
    assert len(rows) > 50_000
    two_variants = 0
    for row in rows:
        variants = gender_variants(row["job_title"])
        assert variants, row
        assert all(variant and variant == fold(variant) for variant in variants), (row, variants)
        assert len(variants) == len(set(variants)), (row, variants)
        assert len(variants) <= 2, (row, variants)
        two_variants += len(variants) == 2
    # Nearly every French title and the English "-man/woman" titles carry a gender pair.
    assert two_variants > 25_000


def test_masculine_variant_keeps_the_title_length() -> None:
    """A gender pair is resolved, not truncated: the masculine variant keeps at least half the words."""
    for title in real_titles():
        if "/" not in title:
            continue
        masculine, *rest = gender_variants(title)
        folded_words = len(fold(title).split())
        assert len(masculine.split()) * 2 >= folded_words - 1, (title, masculine)


# --- normalize_query ------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "cleaned"), [
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
])
def test_normalize_query_examples(query: str, cleaned: str) -> None:
    assert normalize_query(query).cleaned == cleaned


@pytest.mark.parametrize(("query", "cleaned"), [
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
    ("Inspecteur en prévention des maladies contagieuses chez les animaux",
     "inspecteur en prevention des maladies contagieuses chez les animaux"),
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
    ("Nurse @", "nurse"),
    # a step that would remove everything is skipped
    ("(RN)", "registered nurse"),
    ("Part-time", "part time"),
    ("Toronto", "toronto"),
])
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
    assert normalize_query("").removed == () and normalize_query("").expansions == ()


@pytest.mark.parametrize(
    ("query", "noise_only"),
    [("Part-time", True), ("$20/hr", True), ("Senior", True), ("temps plein", True),
     ("Cook - casual", False), ("(RN)", False), ("Toronto welder", False), ("$20/hr welder", False)],
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


def test_normalize_query_result_is_frozen() -> None:
    query = normalize_query("RN")
    with pytest.raises(AttributeError):
        query.cleaned = "x"  # type: ignore[misc]


def test_normalize_query_on_every_real_title() -> None:
    """Official titles are clean already: normalization keeps them non-empty and folded."""
    for title in real_titles():
        cleaned = normalize_query(title).cleaned
        assert cleaned and cleaned == fold(cleaned), title

