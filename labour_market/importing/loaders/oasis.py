"""OaSIS skills, abilities, knowledge and work activities.

Ratings are kept as published, per OaSIS profile (``31301.01`` General duty registered nurses,
``31301.04`` Registered psychiatric nurses, …). A unit group's own rating for a descriptor is the
arithmetic mean of its profiles' ratings, rounded to two decimals: every profile of a unit group
counts equally, because OaSIS publishes no employment weights for them.
"""

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean
from typing import Any

from sqlalchemy.orm import Session

from labour_market.codes import OASIS_PROFILE, normalize_oasis_profile
from labour_market.datasets import (
    OASIS_ABILITIES_FILE,
    OASIS_KNOWLEDGE_FILE,
    OASIS_SCALES,
    OASIS_SKILLS_FILE,
    OASIS_WORK_ACTIVITIES_FILE,
)
from labour_market.importing.csv_source import read_csv
from labour_market.importing.loaders.known_codes import known_unit_group, unit_group_codes
from labour_market.importing.writing import Loader, Progress, replace_rows
from models.skills import OasisProfileRating, UnitGroupRating


@dataclass(frozen=True)
class OasisFile:
    dimension: str
    path: str
    delimiter: str
    code_column: str
    label_column: str

    @property
    def scale(self) -> tuple[float, float]:
        return OASIS_SCALES[self.dimension]


SKILLS = OasisFile("skill", OASIS_SKILLS_FILE, ";", "Code OaSIS", "OaSIS 2021 Labels")
ABILITIES = OasisFile("ability", OASIS_ABILITIES_FILE, ",", "OaSIS Code - Final", "OaSIS Label - Final")
KNOWLEDGE = OasisFile("knowledge", OASIS_KNOWLEDGE_FILE, ",", "OaSIS Code - Final", "OaSIS Label - Final")
WORK_ACTIVITIES = OasisFile(
    "work_activity", OASIS_WORK_ACTIVITIES_FILE, ",", "OaSIS Code - Final", "OaSIS Label - Final"
)
OASIS_FILES = (SKILLS, ABILITIES, KNOWLEDGE, WORK_ACTIVITIES)


def parse_profile_ratings(data_dir: Path, spec: OasisFile, unit_groups: frozenset[str]) -> list[dict[str, Any]]:
    ratings = []
    profiles: set[object] = set()
    id_columns = (spec.code_column, spec.label_column)
    for row in read_csv(data_dir, spec.path, id_columns, delimiter=spec.delimiter):
        profile = normalize_oasis_profile(
            row.matching(spec.code_column, OASIS_PROFILE, "an OaSIS profile code such as 31301.01")
        )
        row.unique(spec.code_column, profile, profiles)
        noc_code = known_unit_group(row, spec.code_column, profile[:5], unit_groups)
        label = row.text(spec.label_column)
        for descriptor in row.columns:
            if descriptor in id_columns or not descriptor:
                continue
            ratings.append(
                {
                    "dimension": spec.dimension,
                    "profile_code": profile,
                    "profile_label": label,
                    "noc_code": noc_code,
                    "descriptor": descriptor,
                    "rating": row.rating(descriptor, *spec.scale),
                }
            )
    return ratings


def unit_group_ratings(profile_ratings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One rating per unit group and descriptor: the mean over the unit group's profiles."""
    grouped: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for rating in profile_ratings:
        grouped[rating["noc_code"], rating["dimension"], rating["descriptor"]].append(rating["rating"])
    return [
        {
            "noc_code": noc_code,
            "dimension": dimension,
            "descriptor": descriptor,
            "rating": round(fmean(values), 2),
            "profile_count": len(values),
        }
        for (noc_code, dimension, descriptor), values in grouped.items()
    ]


def loader_for(spec: OasisFile) -> Loader:
    def load(session: Session, data_dir: Path, progress: Progress) -> dict[str, int]:
        profile_ratings = parse_profile_ratings(data_dir, spec, unit_group_codes(session))
        replace_rows(
            session, OasisProfileRating, profile_ratings, progress, where=OasisProfileRating.dimension == spec.dimension
        )
        replace_rows(
            session,
            UnitGroupRating,
            unit_group_ratings(profile_ratings),
            progress,
            where=UnitGroupRating.dimension == spec.dimension,
        )
        return {spec.path: len({r["profile_code"] for r in profile_ratings})}

    return load
