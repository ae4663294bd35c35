"""Shapes of the codes the reference data uses."""

import re

NOC2021_UNIT_GROUP = re.compile(r"[0-9]{5}")
NOC2016_UNIT_GROUP = re.compile(r"[0-9]{4}")
NOC2021_CLASS = re.compile(r"[0-9]{1,5}")
OASIS_PROFILE = re.compile(r"[0-9]{5}(\.[0-9]{1,2})?")

NOC2021_LEVELS = {1: "Broad Category", 2: "Major Group", 3: "Sub-major Group", 4: "Minor Group", 5: "Unit Group"}


def parent_class_code(code: str) -> str | None:
    """NOC 2021 codes nest by prefix: 31301 → 3130 → 313 → 31 → 3."""
    return code[:-1] or None


def normalize_oasis_profile(raw: str) -> str:
    """``31100.1`` → ``31100.10`` and ``10010`` → ``10010.00``.

    Spreadsheet exports of the 2023 OaSIS files dropped trailing zeros from some profile codes.
    """
    unit_group, _, profile = raw.partition(".")
    return f"{unit_group}.{profile.ljust(2, '0')}"
