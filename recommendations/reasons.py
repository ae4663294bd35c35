"""Why a program is recommended, in words, in English or French."""

from catalog.linking import GIVEN
from recommendations.catalog_snapshot import Link


def _join(labels: list[str], lang: str) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    last = " et " if lang == "fr" else " and "
    return ", ".join(labels[:-1]) + last + labels[-1]


def program_reason(
    lang: str,
    occupation: str,
    gap_labels: list[str],
    person_known: bool,
    link: Link | None,
    institution: str,
) -> str:
    """One or two sentences: the gap skills the program covers, then how it relates to the occupation."""
    sentences = []
    if gap_labels:
        skills = _join(gap_labels[:3], lang)
        if lang == "fr":
            sentences.append(
                f"Couvre {skills}, des compétences requises pour « {occupation} » qui manquent à votre profil."
                if person_known
                else f"Couvre {skills}, des compétences essentielles pour « {occupation} »."
            )
        else:
            sentences.append(
                f"Covers {skills}, which {occupation} need and your profile lacks."
                if person_known
                else f"Covers {skills}, skills that {occupation} rely on."
            )
    if link is not None and link.source == GIVEN:
        sentences.append(
            f"{institution} le présente comme une formation pour « {occupation} »."
            if lang == "fr"
            else f"{institution} lists it as training for {occupation}."
        )
    else:
        sentences.append(
            f"Son contenu correspond aux fonctions de « {occupation} »."
            if lang == "fr"
            else f"Its content matches the duties of {occupation}."
        )
    return " ".join(sentences)


def no_match_message(lang: str) -> str:
    return (
        "Aucune profession ne correspond à ce titre d'emploi : essayez un autre titre ou un code de la CNP."
        if lang == "fr"
        else "No occupation matches this job title: try another title or a NOC code."
    )
