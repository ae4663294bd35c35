"""Answers that name several jobs: "office clerk, dispatcher, operator", "cashier and stocker",
« cuisinier / plongeur ». Survey respondents list the jobs they hold or held; coders take the one
the answer weighs toward (the first, unless the others agree elsewhere) and note the others.

:func:`compound_parts` splits such an answer into its parts, as typed; the matcher searches the
whole answer and each part, and keeps the best evidence for each unit group. Titles that
contain a conjunction themselves ("food and beverage server", « technicien en génie civil et
municipal ») are still found whole: splitting only adds candidates.
"""

import re

from matching.gender import masculine_query, strip_gender_markers

__all__ = ["compound_parts"]

MAX_PARTS = 4
# Separators between jobs: punctuation, "and", "or", "also", their French forms, spaced dashes.
_PART_SEPARATOR = re.compile(
    r"(\s*[,;/&+|•·]\s*|\s+[-–—]+\s+|\s+(?:and|or|also|plus|as well as|et|ou|aussi|ainsi que|puis)\s+)",
    re.IGNORECASE,
)
# A piece that starts with one of these continues the title before it, it is not a job of its own:
# « restaurateur d'objets en bois et de meubles », "inspector of bridges and of tunnels".
_CONTINUATION = re.compile(r"(?:de|des|du|d'|d’|à|au|aux|en|of|in|for|pour|with|avec|dans|on|sur)\b", re.IGNORECASE)


def compound_parts(text: str) -> list[str]:
    """The parts of a multi-job answer, in order (at most MAX_PARTS); one part for a single job.

    Gender pairs ("infirmier/infirmière") and markers ("agent/e") are resolved first, so their
    slash does not split a title in two; a piece that starts with a preposition ("..., de
    trieurs et de peseurs") stays with the title it continues.
    """
    single = masculine_query(strip_gender_markers(text))
    pieces = _PART_SEPARATOR.split(single)  # piece, separator, piece, ...
    parts: list[str] = []
    for index in range(0, len(pieces), 2):
        piece = pieces[index].strip()
        if not piece:
            continue
        if parts and _CONTINUATION.match(piece):
            parts[-1] = f"{parts[-1]}{pieces[index - 1]}{piece}"
        else:
            parts.append(piece)
    return parts[:MAX_PARTS] if len(parts) > 1 else [text]
