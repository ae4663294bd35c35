"""Gender variants of index titles (matching.gender), checked on the real NOC titles."""

import pytest

from matching.folding import fold
from matching.gender import gender_variants
from tests.support.source_data import JOB_TITLES, csv_rows


@pytest.mark.parametrize(
    ("title", "variants"),
    [
        ("Infirmier auxiliaire/infirmière auxiliaire", ["infirmier auxiliaire", "infirmiere auxiliaire"]),
        (
            "Agent/agente de prévention des infections",
            ["agent de prevention des infections", "agente de prevention des infections"],
        ),
        (
            "Infirmier autorisé/infirmière autorisée - centre d'appel",
            ["infirmier autorise centre d appel", "infirmiere autorisee centre d appel"],
        ),
        (
            "Chercheur infirmier/chercheuse infirmière en sciences infirmières",
            ["chercheur infirmier en sciences infirmieres", "chercheuse infirmiere en sciences infirmieres"],
        ),
        # several slashed segments, elided article carried over to the feminine
        (
            "Directeur administratif/directrice administrative d'une association d'anciens étudiants/anciennes étudiantes",  # noqa: E501 - a real title, whole
            [
                "directeur administratif d une association d anciens etudiants",
                "directrice administrative d une association d anciennes etudiantes",
            ],
        ),
        (
            "Président/présidente et directeur général/directrice générale - santé",
            ["president et directeur general sante", "presidente et directrice generale sante"],
        ),
        # hyphenated compounds pair word by word
        (
            "Arpenteur-géomètre breveté/arpenteuse-géomètre brevetée",
            ["arpenteur geometre brevete", "arpenteuse geometre brevetee"],
        ),
        (
            "Aide boucher/aide-bouchère - commerce de gros ou détail",
            ["aide boucher commerce de gros ou detail", "aide bouchere commerce de gros ou detail"],
        ),
        # a gender pair after a shared word
        (
            "Chef technicien/technicienne de simulateur de vol",
            ["chef technicien de simulateur de vol", "chef technicienne de simulateur de vol"],
        ),
        # English suffix feminines
        ("Alderman/woman", ["alderman", "alderwoman"]),
        ("Yard foreman/woman - pulp and paper", ["yard foreman pulp and paper", "yard forewoman pulp and paper"]),
        ("Private school headmaster/mistress", ["private school headmaster", "private school headmistress"]),
        ("Cleaning man/woman", ["cleaning man", "cleaning woman"]),
        # not gender pairs: both alternatives kept
        ("Tool and die maker/machinist", ["tool and die maker", "tool and die machinist"]),
        ("Santa Claus/Mrs. Claus", ["santa claus", "mrs claus"]),
        (
            "Computer-assisted design/computer-assisted manufacturing (CAD/CAM) programmer",
            ["computer assisted design cad programmer", "computer assisted manufacturing cam programmer"],
        ),
        # no slash
        ("Registered nurse", ["registered nurse"]),
        ("Ingénieur civil", ["ingenieur civil"]),
    ],
)
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
    for row in csv_rows(JOB_TITLES):
        title = row["job_title"]
        if "/" not in title:
            continue
        masculine = gender_variants(title)[0]
        folded_words = len(fold(title).split())
        assert len(masculine.split()) * 2 >= folded_words - 1, (title, masculine)
