"""Sentence-transformers encoding: tokenising, the forward pass, precision, long reviews.

The stage's own encoding loop tokenises each review once (fast tokenizer, whole batches),
sorts by the exact token count so that a batch is padded to its own longest review only,
and runs the model in ``torch.inference_mode`` (bf16 autocast on CPUs that support it,
fp16 on CUDA) with large batches. On a CPU the transformer itself runs by default on
OpenVINO (``backend: auto``, when the ``openvino`` package imports; see
:mod:`sentclust.bert.openvino`), 1.2x (1 thread) to 1.4x (2 threads) the speed of PyTorch
with bf16 autocast; pooling and normalisation stay the sentence-transformers modules.
Two ways to handle reviews longer than the model's window:

- ``truncate`` (the original's behaviour): keep the first ``max_seq_length`` tokens;
- ``chunk_mean``: cut the review into windows of ``max_seq_length`` tokens (special tokens
  included), encode every window and average them, weighted by their token counts.

Given the character spans of each review's segments (``segment_spans``), the same forward
pass also mean-pools a vector per segment from the review's token embeddings (see
:mod:`sentclust.bert.pooling`); the review vectors stay exactly what they are without.

Model resolution and loading live in :mod:`sentclust.bert.models`, the choice of backend and
precision in :mod:`sentclust.bert.paths`, the configured encoding job in
:mod:`sentclust.bert.job`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sentclust.bert.openvino import openvino_runner
from sentclust.bert.pooling import (
    SegmentPooler,
    SegmentTokens,
    SegmentVectors,
    check_spans,
    plan_pieces,
    tokenize_with_offsets,
)

__all__ = [
    "MODES",
    "PRECISIONS",
    "SEGMENT_VECTORS",
    "Tokenized",
    "cosine_rows",
    "encode",
    "encode_segments_separately",
    "padded_batch",
    "special_tokens",
    "tokenize",
    "window_mean",
]

MODES = ("truncate", "chunk_mean")
#: how segment vectors are made: pooled in the reviews' own pass, or each segment on its own
SEGMENT_VECTORS = ("pooled", "separate")
#: the precisions ``bert.precision`` may name (``auto``: chosen by :mod:`sentclust.bert.paths`)
PRECISIONS = ("auto", "float32", "bfloat16", "float16", "int8")


def _autocast(device: str, precision: str):
    import torch

    if precision == "float32":
        return contextlib.nullcontext()
    dtype = {"bfloat16": torch.bfloat16, "float16": torch.float16}[precision]
    return torch.autocast("cuda" if device.startswith("cuda") else "cpu", dtype=dtype)


@dataclass
class Tokenized:
    """Token ids per sequence (special tokens included), and for each sequence its review."""

    ids: list[list[int]]
    owner: np.ndarray  # review index of each sequence
    n_tokens: np.ndarray  # tokens per review, before any truncation (specials excluded)
    start: np.ndarray | None = None  # first review token of each sequence (specials excluded)
    segments: SegmentTokens | None = None  # token ranges of the segments, when asked for


def special_tokens(tokenizer) -> tuple[list[int], list[int]]:
    """The ids the tokenizer puts before and after a sequence (e.g. [CLS] and [SEP])."""
    plain = tokenizer("film", add_special_tokens=False)["input_ids"]
    full = tokenizer("film")["input_ids"]
    for pos in range(len(full) - len(plain) + 1):
        if full[pos : pos + len(plain)] == plain:
            return list(full[:pos]), list(full[pos + len(plain) :])
    raise ValueError("cannot tell this tokenizer's special tokens apart")


def tokenize(
    model,
    texts: Sequence[str],
    *,
    mode: str,
    max_seq_length: int,
    segment_spans: list[np.ndarray] | None = None,
) -> Tokenized:
    """Token ids for ``mode``: one truncated sequence per review, or one per window.

    With ``segment_spans`` (checked spans, see :func:`check_spans`) the same tokenizer pass
    also gives the offsets that map each segment to its tokens.
    """
    if mode not in MODES:
        raise ValueError(f"bert.mode must be one of {MODES}, got {mode!r}")
    tok = model.tokenizer
    head, tail = special_tokens(tok)
    n_special = len(head) + len(tail)
    window = max_seq_length - n_special
    if window < 1:
        raise ValueError(f"bert.max_seq_length={max_seq_length} leaves no room for tokens")
    segments = None
    if segment_spans is None:
        kw = dict(add_special_tokens=False, truncation=False, verbose=False)
        raw = tok(list(texts), **kw)["input_ids"]
    else:
        raw, segments = tokenize_with_offsets(tok, texts, segment_spans)
    n_tokens = np.fromiter((len(r) for r in raw), dtype=np.int64, count=len(raw))
    ids: list[list[int]] = []
    owner: list[int] = []
    start: list[int] = []
    for i, r in enumerate(raw):
        starts = [0] if mode == "truncate" else range(0, max(len(r), 1), window)
        for a in starts:
            ids.append(head + r[a : a + window] + tail)
            owner.append(i)
            start.append(a)
    owner_a, start_a = np.asarray(owner, dtype=np.int64), np.asarray(start, dtype=np.int64)
    return Tokenized(ids, owner_a, n_tokens, start_a, segments)


def padded_batch(seqs, pad: int, *, with_types: bool) -> dict[str, np.ndarray]:
    """Token-id sequences as one batch: ``input_ids`` right-padded with ``pad`` to the longest,
    ``attention_mask`` 1 on real tokens, and ``token_type_ids`` (zeros) when ``with_types``."""
    x = np.full((len(seqs), max(len(s) for s in seqs)), pad, dtype=np.int64)
    mask = np.zeros_like(x)
    for row, seq in enumerate(seqs):
        x[row, : len(seq)], mask[row, : len(seq)] = seq, 1
    arrays = {"input_ids": x, "attention_mask": mask}
    if with_types:
        arrays["token_type_ids"] = np.zeros_like(x)
    return arrays


def _forward_sorted(
    model, ids, *, batch_size, device, precision, progress, runner=None, pooler=None
) -> np.ndarray:
    """Embeddings of token-id sequences, batched in order of length (least padding).

    ``runner`` (an :class:`OpenVINOTransformer`) replaces the model's first module; the
    remaining sentence-transformers modules (pooling, normalisation) run on its output.
    ``pooler`` (a :class:`SegmentPooler`) is handed every batch's token embeddings.
    """
    import torch
    from tqdm import tqdm

    pad = model.tokenizer.pad_token_id or 0
    lengths = np.fromiter((len(s) for s in ids), dtype=np.int64, count=len(ids))
    order = np.argsort(-lengths, kind="stable")
    out = np.empty((len(ids), _embedding_dim(model)), dtype=np.float32)
    wants_types = "token_type_ids" in model.tokenizer.model_input_names
    rest = list(model)[1:]
    model.eval()
    bar = tqdm(total=len(ids), desc="encode", unit="seq", disable=not progress, mininterval=5)
    amp = contextlib.nullcontext() if runner is not None else _autocast(device, precision)
    with torch.inference_mode(), amp:
        for a in range(0, len(order), batch_size):
            idx = order[a : a + batch_size]
            arrays = padded_batch([ids[j] for j in idx], pad, with_types=wants_types)
            feats = {n: torch.from_numpy(v).to(device) for n, v in arrays.items()}
            if runner is None:
                feats = model(feats)
            else:
                feats["token_embeddings"] = torch.from_numpy(runner(arrays))
                for module in rest:
                    feats = module(feats)
            out[idx] = feats["sentence_embedding"].float().cpu().numpy()
            if pooler is not None:
                pooler.add(idx, feats["token_embeddings"])
            bar.update(len(idx))
    bar.close()
    return out


def _normalises(model) -> bool:
    return any(type(m).__name__ == "Normalize" for m in model)


def window_mean(
    seq: np.ndarray, tk: Tokenized, n_texts: int, n_special: int, *, normalise: bool
) -> np.ndarray:
    """Each review's windows averaged, weighted by their tokens (special tokens left out);
    renormalised to unit length when ``normalise`` (the model ends in a ``Normalize``)."""
    weights = np.fromiter((len(s) - n_special for s in tk.ids), dtype=np.float32)
    emb = np.zeros((n_texts, seq.shape[1]), dtype=np.float32)
    np.add.at(emb, tk.owner, seq * weights[:, None])
    total = np.bincount(tk.owner, weights=weights, minlength=n_texts).astype(np.float32)
    emb /= np.maximum(total, 1e-9)[:, None]
    if normalise:
        emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
    return emb


def encode(
    model,
    texts: Sequence[str],
    *,
    mode: str,
    max_seq_length: int,
    batch_size: int = 64,
    device: str = "cpu",
    precision: str = "float32",
    progress: bool = True,
    backend: str = "torch",
    threads: int | None = None,
    segment_spans: Sequence[Sequence[tuple[int, int]]] | None = None,
    int8_model=None,
):
    """Encode ``texts`` (float32, one row per text, in order) and report what was done.

    ``mode`` and ``max_seq_length``: the config's ``bert.mode`` and ``bert.max_seq_length``.
    ``backend`` is ``torch`` or ``openvino`` (see
    :func:`sentclust.bert.openvino.resolve_backend`); ``threads`` is OpenVINO's thread count
    (torch's is set by the caller with ``torch.set_num_threads``). ``precision`` ``int8`` runs
    the OpenVINO int8 model at ``int8_model`` (see :mod:`sentclust.bert.int8`).

    Returns ``(vectors, info)``; with ``segment_spans`` (one list of (start, end) character
    offsets per text) ``(vectors, info, segments)``: a :class:`SegmentVectors` with one row
    per span, in the order of the flattened spans, pooled in the same forward pass (the
    review vectors are bit for bit the ones encoded without spans); its
    :meth:`~SegmentVectors.summary` gives the segment counts of a shard's record.
    """
    if backend not in ("torch", "openvino"):
        raise ValueError(f"encode() takes backend torch or openvino, got {backend!r}")
    t0 = time.perf_counter()
    spans = None if segment_spans is None else check_spans(segment_spans, texts)
    model.max_seq_length = max_seq_length
    runner = _runner(model, backend, precision, threads, int8_model)
    tk = tokenize(model, texts, mode=mode, max_seq_length=max_seq_length, segment_spans=spans)
    head, tail = special_tokens(model.tokenizer)
    n_special = len(head) + len(tail)
    pooler = None if spans is None else _pooler(model, tk, len(head), n_special)
    run = dict(batch_size=batch_size, device=device, precision=precision, progress=progress)
    seq = _forward_sorted(model, tk.ids, runner=runner, pooler=pooler, **run)
    if mode == "truncate":
        emb = seq
    else:
        emb = window_mean(seq, tk, len(texts), n_special, normalise=_normalises(model))
    seconds = time.perf_counter() - t0
    done = dict(precision=precision, device=device, backend=backend, batch_size=batch_size)
    info = _report(tk, len(texts), mode, max_seq_length, max_seq_length - n_special, done, seconds)
    if pooler is None:
        return emb, info
    return emb, info, pooler.result(normalise=_normalises(model))


def _runner(model, backend: str, precision: str, threads, int8_model):
    """The compiled OpenVINO transformer for the ``openvino`` backend, None for torch."""
    if precision == "int8" and backend != "openvino":
        raise ValueError("precision int8 runs on the openvino backend only")
    if backend != "openvino":
        return None
    return openvino_runner(model, precision, threads, int8_model=int8_model)


def _report(
    tk: Tokenized, n_texts: int, mode: str, max_seq_length: int, window: int, done, seconds
) -> dict:
    """:func:`encode`'s report: the texts, the windows, what ran (``done``: precision, device,
    backend, batch_size) and how fast."""
    return {
        "n_texts": n_texts,
        "mode": mode,
        "max_seq_length": max_seq_length,
        "n_truncated": int((tk.n_tokens > window).sum()),
        "n_sequences": len(tk.ids),
        "tokens_per_review_mean": float(tk.n_tokens.mean()) if n_texts else 0.0,
        "precision": done["precision"],
        "device": done["device"],
        "backend": done["backend"],
        "batch_size": done["batch_size"],
        "seconds": round(seconds, 3),
        "texts_per_second": round(n_texts / seconds, 2) if seconds > 0 else None,
    }


def _embedding_dim(model) -> int:
    # sentence-transformers >= 6.1 names it get_embedding_dimension; older versions (the GPU
    # image has 6.0) only have get_sentence_embedding_dimension
    dim_of = getattr(model, "get_embedding_dimension", None)
    return dim_of() if dim_of else model.get_sentence_embedding_dimension()


def _pooler(model, tk: Tokenized, n_head: int, n_special: int) -> SegmentPooler:
    """The accumulator of the segments' token sums for the sequences of ``tk``."""
    t0 = time.perf_counter()
    lengths = np.fromiter((len(s) - n_special for s in tk.ids), dtype=np.int64)
    plan = plan_pieces(tk.segments, tk.owner, tk.start, lengths, n_head)
    seconds = tk.segments.seconds + time.perf_counter() - t0
    return SegmentPooler(plan, _embedding_dim(model), seconds)


def encode_segments_separately(
    model,
    texts: Sequence[str],
    segment_spans: Sequence[Sequence[tuple[int, int]]],
    *,
    mode: str,
    max_seq_length: int,
    **kw,
) -> SegmentVectors:
    """Every segment encoded as a text of its own (``polarity.bert_segments: separate``).

    The comparison for the pooled vectors: no review context, a forward pass per segment
    (about doubles the encoding). Same conventions: ``coverage`` is the share of the
    segment's tokens inside its window (1 in chunk_mean mode), NaN rows for segments with no
    tokens. ``kw``: :func:`encode`'s other settings.
    """
    t0 = time.perf_counter()
    spans = check_spans(segment_spans, texts)
    seg_texts = [texts[i][s:e] for i, sp in enumerate(spans) for s, e in sp]
    vectors, _ = encode(model, seg_texts, mode=mode, max_seq_length=max_seq_length, **kw)
    raw = model.tokenizer(seg_texts, add_special_tokens=False, verbose=False)["input_ids"]
    n = np.fromiter((len(r) for r in raw), dtype=np.float64, count=len(raw))
    head, tail = special_tokens(model.tokenizer)
    seen = n if mode == "chunk_mean" else np.minimum(n, max_seq_length - len(head) - len(tail))
    coverage = np.where(n > 0, seen / np.maximum(n, 1), 0.0).astype(np.float32)
    vectors[n == 0] = np.nan
    return SegmentVectors(vectors, coverage, time.perf_counter() - t0, how="separate")


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The cosine similarity of each row of ``a`` with the same row of ``b``."""
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return (a * b).sum(axis=1)
