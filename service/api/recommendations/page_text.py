"""Every word of the public page, in English and French side by side (plain language: the page is for
job seekers and newcomers, not for coders). `{name}` marks a value filled in when the page is made."""

from functools import cache
from typing import Literal

PageLanguage = Literal["en", "fr"]

TEXTS: dict[str, tuple[str, str]] = {
    "page_title": ("Find programs for the job you want", "Trouvez des formations pour l'emploi que vous visez"),
    "result_page_title": ("{title}: pay, outlook and programs", "{title} : salaire, perspectives et formations"),
    "site_name": ("Jobs and programs in Canada", "Emplois et formations au Canada"),
    "skip": ("Skip to the results", "Passer aux résultats"),
    "switch_label": ("Version française", "English version"),
    "intro": (
        "Type a job you have or want. See what it pays, whether workers are needed, the skills it takes, "
        "and programs that lead to it.",
        "Tapez un emploi que vous occupez ou que vous visez. Voyez ce qu'il paie, si on manque de travailleurs, "
        "les compétences qu'il demande et des formations qui y mènent.",
    ),
    "search_heading": ("Search", "Recherche"),
    "job_title": ("Job title", "Titre d'emploi"),
    "job_title_hint": (
        "For example: licensed practical nurse, welder, PSW. Suggestions appear as you type.",
        "Par exemple : infirmière auxiliaire, soudeur, préposé aux bénéficiaires. Des suggestions "
        "s'affichent pendant la saisie.",
    ),
    "region": ("Where you live or want to work (for wages)", "Où vous vivez ou voulez travailler (pour les salaires)"),
    "all_canada": ("All of Canada", "Tout le Canada"),
    "provinces": ("Provinces and territories", "Provinces et territoires"),
    "economic_regions": ("{province}: regions", "{province} : régions"),
    "filters": ("Filter the programs (optional)", "Filtrer les formations (facultatif)"),
    "filters_hint": (
        "A program whose catalog does not say is left out by that filter.",
        "Une formation dont le catalogue ne le précise pas est écartée par ce filtre.",
    ),
    "mode": ("Format", "Mode"),
    "mode_any": ("Any format", "Tous les modes"),
    "mode_online": ("Online", "En ligne"),
    "mode_in_person": ("In person", "En personne"),
    "mode_hybrid": ("Online and in person", "En ligne et en personne"),
    "cost": ("Cost", "Coût"),
    "cost_any": ("Any cost", "Tous les coûts"),
    "cost_free": ("Free", "Gratuit"),
    "cost_up_to": ("Up to {amount}", "Jusqu'à {amount}"),
    "hours": ("Length", "Durée"),
    "hours_any": ("Any length", "Toutes les durées"),
    "hours_up_to": ("Up to {hours} hours", "Jusqu'à {hours} heures"),
    "aid": ("Financial aid accepted", "Aide financière acceptée"),
    "aid_any": ("No preference", "Peu importe"),
    "aid_osap": (
        "OSAP (Ontario Student Assistance Program)",
        "RAFEO (Régime d'aide financière aux étudiantes et étudiants de l'Ontario)",
    ),
    "teach": ("Language of instruction", "Langue d'enseignement"),
    "teach_any": ("English or French", "Anglais ou français"),
    "teach_en": ("English", "Anglais"),
    "teach_fr": ("French", "Français"),
    "personal": ("What I already do (optional)", "Ce que je fais déjà (facultatif)"),
    "personal_hint": (
        "Used only to rank the programs for you, never stored.",
        "Sert seulement à classer les formations pour vous ; rien n'est conservé.",
    ),
    "current": ("My current or last job", "Mon emploi actuel ou le dernier"),
    "skills": ("My skills, separated by commas", "Mes compétences, séparées par des virgules"),
    "submit": ("Find programs", "Trouver des formations"),
    "can_heading": ("What can you do?", "Que savez-vous faire ?"),
    "can_intro": (
        "No job title in mind? List what you can do and see the jobs that use it.",
        "Pas de titre d'emploi en tête ? Indiquez ce que vous savez faire et voyez les emplois qui y font appel.",
    ),
    "can": ("Things you can do", "Ce que vous savez faire"),
    "can_hint": (
        "One per line, or separated by commas or semicolons; at most {max}. For example: pruning fruit trees, "
        "driving a tractor.",
        "Une chose par ligne, ou séparées par des virgules ou des points-virgules ; au plus {max}. Par exemple : "
        "montage vidéo, sous-titrage.",
    ),
    "can_submit": ("Find jobs", "Trouver des emplois"),
    "can_page_title": ("Jobs that use what you can do", "Emplois qui font appel à ce que vous savez faire"),
    "can_results": ("Jobs that use what you can do", "Emplois qui font appel à ce que vous savez faire"),
    "can_results_hint": (
        "The closest first. Open a job to see its pay, its outlook and programs that lead to it.",
        "Les plus proches d'abord. Ouvrez un emploi pour voir son salaire, ses perspectives et des formations "
        "qui y mènent.",
    ),
    "can_uses": ("Uses: {skills}", "Fait appel à : {skills}"),
    "to_learn": ("To learn: {skills}", "À apprendre : {skills}"),
    "can_unrecognized": (
        "Not recognized as skills, so not used: {skills}.",
        "Non reconnu comme compétence, donc non utilisé : {skills}.",
    ),
    "can_no_match": (
        "We could not match these skills to a job.",
        "Nous n'avons pu associer ces compétences à aucun emploi.",
    ),
    "can_try": (
        "Try describing tasks, tools or fields, for example “bookkeeping”, “forklift” or “customer service”, "
        "or search by job title above.",
        "Essayez de décrire des tâches, des outils ou des domaines, par exemple « tenue de livres », « chariot "
        "élévateur » ou « service à la clientèle », ou cherchez par titre d'emploi plus haut.",
    ),
    "announce_can": (
        "{count} jobs that use what you can do.",
        "{count} emplois qui font appel à ce que vous savez faire.",
    ),
    "announce_can_no_match": ("No job found for these skills.", "Aucun emploi trouvé pour ces compétences."),
    "moves_heading": ("Jobs you could move to", "Emplois vers lesquels vous pourriez passer"),
    "moves_hint": (
        "Jobs that use much of what this one does. Open one to see its pay, its outlook and programs.",
        "Des emplois qui font appel à une bonne part de ce que fait celui-ci. Ouvrez-en un pour voir son salaire, "
        "ses perspectives et des formations.",
    ),
    "move_wage": ("Median wage: {change} an hour ({percent})", "Salaire médian : {change} l'heure ({percent})"),
    "move_more_training": ("Usually needs more training", "Demande habituellement plus de formation"),
    "move_desirable": ("Better or equal pay and outlook", "Salaire et perspectives égaux ou meilleurs"),
    "closest_to": ("The occupation closest to “{query}”", "La profession la plus proche de « {query} »"),
    "noc": ("NOC {code}", "CNP {code}"),
    "did_you_mean": ("Did you mean…?", "Vouliez-vous dire… ?"),
    "did_you_mean_hint": (
        "We are not sure this is the job you meant. Choose another one if it fits better:",
        "Nous ne sommes pas certains que ce soit l'emploi voulu. Choisissez-en un autre s'il convient mieux :",
    ),
    "other_jobs": ("Not the right job? Close occupations:", "Pas le bon emploi ? Professions proches :"),
    "about": ("About this job", "À propos de cet emploi"),
    "english_only": ("(Published in English only.)", "(Publié en anglais seulement.)"),
    "teer_0": ("A management job.", "Un emploi de gestion."),
    "teer_1": ("Usually needs a university degree.", "Demande habituellement un diplôme universitaire."),
    "teer_2": (
        "Usually needs a college diploma or an apprenticeship of two years or more, or is a supervisor's job.",
        "Demande habituellement un diplôme collégial ou un apprentissage de deux ans ou plus, ou est un emploi "
        "de supervision.",
    ),
    "teer_3": (
        "Usually needs a college diploma or an apprenticeship of less than two years, or more than six months "
        "of training on the job.",
        "Demande habituellement un diplôme collégial ou un apprentissage de moins de deux ans, ou plus de six "
        "mois de formation en cours d'emploi.",
    ),
    "teer_4": (
        "Usually needs a high school diploma, or a few weeks of training on the job.",
        "Demande habituellement un diplôme d'études secondaires, ou quelques semaines de formation en cours d'emploi.",
    ),
    "teer_5": (
        "Usually needs no diploma: a short demonstration on the job is enough.",
        "Ne demande habituellement aucun diplôme : une courte démonstration au travail suffit.",
    ),
    "teer_code": ("(Training level: TEER {teer})", "(Niveau de formation : FÉER {teer})"),
    "pay_outlook": ("Pay and outlook", "Salaire et perspectives"),
    "median_wage": ("Median wage in {place}: {amount} {unit}", "Salaire médian, {place} : {amount} {unit}"),
    "wage_range": (
        "Most wages are between {low} and {high} {unit}.",
        "La plupart des salaires vont de {low} à {high} {unit}.",
    ),
    "per_hour": ("an hour", "l'heure"),
    "per_year": ("a year", "par année"),
    "job_bank": ("Job Bank", "Guichet-Emplois"),
    "no_wage": ("No wage is published for this job.", "Aucun salaire n'est publié pour cet emploi."),
    "outlook": (
        "Outlook in Canada, {start} to {end}: {condition}.",
        "Perspectives au Canada, {start} à {end} : {condition}.",
    ),
    "outlook_numbers": (
        "About {openings} jobs are expected to open, for {seekers} people looking for work in it.",
        "Environ {openings} postes devraient s'ouvrir, pour {seekers} personnes qui chercheront ce travail.",
    ),
    "outlook_growth": (
        "Employment is expected to grow by {percent} ({employment} people worked in it in 2023).",
        "L'emploi devrait croître de {percent} ({employment} personnes l'exerçaient en 2023).",
    ),
    "cops": ("Canadian Occupational Projection System, ESDC", "Système de projection des professions au Canada, EDSC"),
    "no_outlook": ("No outlook is published for this job.", "Aucune perspective n'est publiée pour cet emploi."),
    "Strong risk of Shortage": (
        "strong risk of shortage: more jobs than people to fill them",
        "risque important de pénurie : plus d'emplois que de personnes pour les occuper",
    ),
    "Moderate risk of Shortage": (
        "moderate risk of shortage: somewhat more jobs than people to fill them",
        "risque modéré de pénurie : un peu plus d'emplois que de personnes pour les occuper",
    ),
    "Balance": (
        "balance: about as many jobs as people looking for them",
        "équilibre : à peu près autant d'emplois que de personnes qui en cherchent",
    ),
    "Moderate risk of Surplus": (
        "moderate risk of surplus: somewhat more people looking for this work than jobs",
        "risque modéré de surplus : un peu plus de personnes qui cherchent ce travail que d'emplois",
    ),
    "Strong risk of Surplus": (
        "strong risk of surplus: more people looking for this work than jobs",
        "risque important de surplus : plus de personnes qui cherchent ce travail que d'emplois",
    ),
    "skills_heading": ("Skills this job needs", "Compétences que demande cet emploi"),
    "skill_level": ("{level} out of {max}", "{level} sur {max}"),
    "skill_have": ("You have it", "Vous l'avez"),
    "skill_build": ("To build", "À acquérir"),
    "skills_hint": (
        "Tell us what you already do (in the search form) to see which ones you have.",
        "Dites-nous ce que vous faites déjà (dans le formulaire) pour voir celles que vous avez.",
    ),
    "current_job": ("Your current job: {title} ({noc}).", "Votre emploi actuel : {title} ({noc})."),
    "programs_heading": ("Programs for you ({count})", "Formations pour vous ({count})"),
    "no_programs": (
        "No program matches your filters. Try removing one.",
        "Aucune formation ne correspond à vos filtres. Essayez d'en retirer un.",
    ),
    "offered_by": ("Offered by {institution}", "Offerte par {institution}"),
    "offered_through": ("{provider}, on {institution}", "{provider}, sur {institution}"),
    "duration": ("{hours} hours", "{hours} heures"),
    "free": ("Free", "Gratuit"),
    "in_en": ("In English", "En anglais"),
    "in_fr": ("In French", "En français"),
    "aid_list": ("Financial aid: {aid}", "Aide financière : {aid}"),
    "why": ("Why:", "Pourquoi :"),
    "derived_link": (
        "{institution} did not give this link; it was built from the catalog and may open a search page.",
        "{institution} n'a pas fourni ce lien ; il a été construit d'après le catalogue et peut mener à une "
        "page de recherche.",
    ),
    "micro-credential": ("Micro-credential", "Microcertification"),
    "certificate": ("Certificate", "Certificat"),
    "diploma": ("Diploma", "Diplôme"),
    "degree": ("Degree", "Grade universitaire"),
    "course": ("Course", "Cours"),
    "feedback": ("Was this helpful?", "Ces résultats vous ont-ils été utiles ?"),
    "yes": ("Yes", "Oui"),
    "no": ("No", "Non"),
    "thanks": ("Thank you for your answer.", "Merci de votre réponse."),
    "back": ("Back to your results", "Retour à vos résultats"),
    "no_match": ("No occupation found for “{query}”.", "Aucune profession trouvée pour « {query} »."),
    "try": ("Try:", "Essayez :"),
    "try_spelling": ("checking the spelling;", "de vérifier l'orthographe ;"),
    "try_common": (
        "a more common title, for example “cook” rather than “chef de partie level 2”;",
        "un titre plus courant, par exemple « cuisinier » plutôt que « chef de partie niveau 2 » ;",
    ),
    "try_words": ("fewer words, or the title in French.", "moins de mots, ou le titre en anglais."),
    "try_titles": ("Titles that start like yours:", "Titres qui commencent comme le vôtre :"),
    "error_heading": ("Please correct the form", "Veuillez corriger le formulaire"),
    "error_title_long": (
        "The job title is too long: type at most {max} characters.",
        "Le titre d'emploi est trop long : tapez au plus {max} caractères.",
    ),
    "error_current_long": (
        "Your current job is too long: type at most {max} characters.",
        "Votre emploi actuel est trop long : tapez au plus {max} caractères.",
    ),
    "error_skills": (
        "List at most {max} skills, each of at most {length} characters.",
        "Indiquez au plus {max} compétences, d'au plus {length} caractères chacune.",
    ),
    "error_can": (
        "List at most {max} things you can do, each of at most {length} characters.",
        "Indiquez au plus {max} choses que vous savez faire, d'au plus {length} caractères chacune.",
    ),
    "error_region": ("Choose a place from the list.", "Choisissez un lieu dans la liste."),
    "error_unreadable": (
        "The address of this page has characters that cannot be read. Please type your search again.",
        "L'adresse de cette page contient des caractères illisibles. Veuillez taper votre recherche de nouveau.",
    ),
    "error_feedback": (
        "Your answer could not be read. Go back to your results and choose “Yes” or “No”.",
        "Votre réponse n'a pas pu être lue. Retournez à vos résultats et choisissez « Oui » ou « Non ».",
    ),
    "starting": (
        "The service is still preparing its data (its first start takes a few minutes). Please try again shortly.",
        "Le service prépare encore ses données (son premier démarrage prend quelques minutes). "
        "Veuillez réessayer bientôt.",
    ),
    "announce_results": ("{count} programs for {title}.", "{count} formations pour {title}."),
    "announce_no_match": ("No occupation found.", "Aucune profession trouvée."),
    "searching": ("Searching…", "Recherche en cours…"),
    "search_failed": (
        "The search could not be completed. Please try again.",
        "La recherche n'a pas pu aboutir. Veuillez réessayer.",
    ),
    "suggestions": (
        "{count} suggestions. Use the up and down arrows to choose.",
        "{count} suggestions. Utilisez les flèches haut et bas pour choisir.",
    ),
    "privacy": (
        "No name, e-mail or IP address is kept. Searches and clicks are counted without knowing who you are, "
        "to improve the service; a cookie that ends with your visit links them.",
        "Aucun nom, courriel ou adresse IP n'est conservé. Les recherches et les clics sont comptés sans savoir "
        "qui vous êtes, pour améliorer le service ; un témoin qui prend fin avec votre visite les relie.",
    ),
    "sources": (
        "Sources: Statistics Canada and ESDC (NOC 2021, OaSIS, COPS 2024–2033, Job Bank wages), under the Open "
        "Government Licence – Canada; programs from the institutions' own catalogs.",
        "Sources : Statistique Canada et EDSC (CNP 2021, OaSIS, SPPC 2024-2033, salaires du Guichet-Emplois), "
        "sous la Licence du gouvernement ouvert – Canada ; formations tirées des catalogues des établissements.",
    ),
    "api_link": ("For developers: the API", "Pour les développeurs : l'API"),
}


@cache
def page_texts(lang: PageLanguage) -> dict[str, str]:
    """Every text of the page in one language (made once; not to be changed)."""
    column = 0 if lang == "en" else 1
    return {key: pair[column] for key, pair in TEXTS.items()}
