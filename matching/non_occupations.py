"""Answers people give in a job-title field that name no occupation: a situation ("retired",
"sans emploi"), a search ("looking for work"), a class of worker ("self-employed") or a blank
("N/A", "aucun"). Coders of census and survey occupations set these aside rather than guess;
the matcher answers them with "no match" instead of the nearest title that shares a word
("student" → "CA student", "retraité" → "directeur de maisons de retraite").

Phrases are folded (see `matching.folding.fold`) and compared with the whole normalized query, in
both genders, so "student nurse" and "retirement home manager" are still searched.
"""

import re

from matching.folding import fold

_PHRASES = """
    none|nothing|nil|na|n a|not applicable|unknown|no job|no occupation|no work|anything|any job|any work
    unemployed|not employed|not working|out of work|jobless|between jobs|laid off
    looking for work|looking for a job|looking for job|looking for employment|job seeker|job hunting|seeking work
    seeking employment|seeking a job|searching for a job|need a job|want a job|open to anything
    retired|retiree|pensioner|semi retired
    student|full time student|part time student|high school student|college student|university student
    homemaker|housewife|househusband|stay at home mom|stay at home dad|stay at home parent|stay home mom
    full time parent|caring for family|maternity leave|parental leave|on disability|disabled|sick leave
    self employed|own account|freelance|freelancer|volunteer|internship|trainee|apprentice
    aucun|aucune|rien|sans objet|s o|so|inconnu|n importe quel emploi|n importe quoi|tout emploi|pas d emploi
    sans emploi|sans travail|chomeur|chomeuse|au chomage|chomage|en chomage|inactif|inactive|sans profession
    en recherche d emploi|a la recherche d un emploi|a la recherche d emploi|recherche d emploi|cherche emploi
    cherche un emploi|je cherche un emploi|je cherche du travail|cherche du travail|chercheur d emploi
    chercheuse d emploi|en recherche de travail
    retraite|retraitee|a la retraite|preretraite|preretraitee|pensionne|pensionnee
    etudiant|etudiante|eleve|etudiant a temps plein|etudiante a temps plein
    personne au foyer|mere au foyer|pere au foyer|femme au foyer|homme au foyer|parent au foyer
    conge de maternite|conge parental|conge de maladie|invalidite|en invalidite
    travailleur autonome|travailleuse autonome|pigiste|benevole|stagiaire|stage|apprenti|apprentie
"""
NON_OCCUPATIONS: frozenset[str] = frozenset(
    fold(phrase) for line in _PHRASES.strip().splitlines() for phrase in line.split("|") if phrase.strip()
)
_LETTER = re.compile(r"[^\W\d_]")


def names_no_occupation(cleaned: str) -> bool:
    """True for a normalized query that is one of the phrases above, or has no letter at all."""
    folded = fold(cleaned)
    return folded in NON_OCCUPATIONS or not _LETTER.search(folded)
