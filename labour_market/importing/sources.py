"""The reference datasets paired with their loaders, in import order."""

from dataclasses import dataclass

from labour_market.datasets import DATASETS, Dataset, DatasetFile
from labour_market.importing.loaders import (
    classification,
    concordance,
    elements,
    geography,
    job_titles,
    oasis,
    outlook,
    wages,
)
from labour_market.importing.writing import Loader

LOADERS: dict[str, Loader] = {
    "geography": geography.load,
    "noc_classification": classification.load,
    "job_titles": job_titles.load,
    "unit_group_elements": elements.load,
    "concordance": concordance.load,
    **{f"oasis_{spec.dimension}": oasis.loader_for(spec) for spec in oasis.OASIS_FILES},
    "cops_outlook": outlook.load,
    "wages_national": wages.load_national,
    "wages_regional": wages.load_regional,
}


@dataclass(frozen=True)
class ReferenceSource:
    """A dataset and the loader that writes its files into the database."""

    dataset: Dataset
    load: Loader

    @property
    def key(self) -> str:
        return self.dataset.key

    @property
    def files(self) -> tuple[DatasetFile, ...]:
        return self.dataset.files


SOURCES: tuple[ReferenceSource, ...] = tuple(ReferenceSource(dataset, LOADERS[dataset.key]) for dataset in DATASETS)
