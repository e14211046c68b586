"""Segment vectors pooled from the token embeddings of the review's own forward pass.

A segment (a sentence or contrastive clause of a review, see the segments contract) is a
character span ``[start, end)`` of the review's ``clean_text``. Instead of encoding every
segment again as a text of its own, the encode stage maps each span to the review's tokens
(the fast tokenizer's offset mapping) and, while the reviews are encoded, mean-pools the
contextual token embeddings of each segment:

- a token belongs to a segment when its characters overlap the span (a zero-length token
  counts as one character wide); special tokens ([CLS], [SEP]) never belong to a segment;
- ``truncate`` mode sees only the first window of a review: tokens past it are not seen;
  ``chunk_mean`` mode sees every window, and a segment cut by a window edge sums its tokens
  across both windows;
- ``coverage`` is the fraction of the segment's tokens that were seen (0 for a segment
  with no tokens, e.g. only whitespace or past the truncation point);
- the vector is the mean of the tokens that were seen, normalised to unit length when the
  model ends in ``Normalize`` (as the review vectors are); a segment with nothing seen
  (coverage 0) gets a NaN row, so that any score computed from it is NaN, never a score
  of the zero vector. A partly seen segment keeps the vector of what was seen: the scorer
  reads ``coverage`` and marks segments below ``polarity.min_coverage`` unscored.

Whatever the model's own pooling (mean, CLS, ...), segments are mean-pooled: that is the
pooling of all-MiniLM-L6-v2 and of the other sentence-transformers mean-pooling models.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: texts tokenised per call when offsets are asked for (bounds the offset lists' memory)
CHUNK = 1024


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The integer ranges ``[s, s + n)`` for each (s, n), concatenated (int64)."""
    starts = np.asarray(starts, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(total, dtype=np.int64)


def check_spans(segment_spans, texts: Sequence[str]) -> list[np.ndarray]:
    """The spans as one ``(k, 2)`` int64 array per text, after checking they fit the texts."""
    if len(segment_spans) != len(texts):
        raise ValueError(
            f"segment_spans has {len(segment_spans)} entries for {len(texts)} texts: give "
            "one list of (start, end) character offsets per text (an empty list for none)"
        )
    out = []
    for i, (spans, text) in enumerate(zip(segment_spans, texts, strict=True)):
        arr = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
        bad = (arr[:, 0] < 0) | (arr[:, 1] < arr[:, 0]) | (arr[:, 1] > len(text))
        if bad.any():
            s, e = arr[np.argmax(bad)]
            raise ValueError(
                f"segment span ({s}, {e}) of text {i} does not fit its {len(text)} "
                "characters: spans must satisfy 0 <= start <= end <= len(text); were the "
                "segments built from a different clean_text?"
            )
        out.append(arr)
    return out


def token_ranges(offsets, spans: np.ndarray) -> np.ndarray:
    """Token index range ``[lo, hi)`` of each character span (``lo == hi``: no tokens).

    ``offsets``: the (start, end) characters of each token (specials excluded), as the fast
    tokenizer's ``offset_mapping`` gives them. A token is in a span when its characters
    overlap it; the range is the hull of those tokens.
    """
    spans = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    out = np.zeros((len(spans), 2), dtype=np.int64)
    off = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
    if len(off) == 0 or len(spans) == 0:
        return out
    starts, ends = off[:, 0], np.maximum(off[:, 1], off[:, 0] + 1)
    inside = (starts[None, :] < spans[:, 1:2]) & (ends[None, :] > spans[:, 0:1])
    has = inside.any(axis=1)
    out[has, 0] = np.argmax(inside[has], axis=1)
    out[has, 1] = len(off) - np.argmax(inside[has, ::-1], axis=1)
    return out


@dataclass
class SegmentTokens:
    """Each segment's token range in its review (specials excluded), segments of text i
    being rows ``ptr[i]:ptr[i + 1]``; ``seconds``: the time spent mapping spans."""

    ranges: np.ndarray  # (n_segments, 2) int64
    ptr: np.ndarray  # (n_texts + 1,) int64
    seconds: float = 0.0


def tokenize_with_offsets(tokenizer, texts: Sequence[str], spans: list[np.ndarray]):
    """(token ids per text, :class:`SegmentTokens`): one tokenizer pass that also maps spans.

    The ids are exactly the ones a call without offsets gives (same tokenizer arguments).
    Texts go through in chunks of :data:`CHUNK`, so only one chunk's offset lists are held.
    """
    if not getattr(tokenizer, "is_fast", False):
        raise ValueError(
            f"pooling segment vectors needs the character offsets of a fast tokenizer, and "
            f"this model's {type(tokenizer).__name__} is not one: use a model with a "
            "tokenizer.json (a fast tokenizer), or encode without segments"
        )
    ids: list[list[int]] = []
    parts: list[np.ndarray] = []
    seconds = 0.0
    for a in range(0, len(texts), CHUNK):
        enc = tokenizer(
            list(texts[a : a + CHUNK]),
            add_special_tokens=False,
            truncation=False,
            verbose=False,
            return_offsets_mapping=True,
        )
        ids.extend(enc["input_ids"])
        t0 = time.perf_counter()
        for k, off in enumerate(enc["offset_mapping"]):
            parts.append(token_ranges(off, spans[a + k]))
        seconds += time.perf_counter() - t0
    counts = np.fromiter((len(s) for s in spans), dtype=np.int64, count=len(spans))
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    flat = np.concatenate(parts) if parts else np.zeros((0, 2), dtype=np.int64)
    return ids, SegmentTokens(flat.reshape(-1, 2), ptr, seconds)


@dataclass
class PoolingPlan:
    """Which positions of which sequence belong to which segment (pieces sorted by sequence).

    Piece p adds positions ``lo[p]:hi[p]`` of its sequence (special tokens counted) to
    segment ``segment[p]``; the pieces of sequence j are ``seq_ptr[j]:seq_ptr[j + 1]``.
    """

    seq_ptr: np.ndarray
    segment: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    seen: np.ndarray  # tokens of each segment inside an encoded window
    total: np.ndarray  # tokens of each segment


def plan_pieces(
    seg: SegmentTokens, owner: np.ndarray, start: np.ndarray, length: np.ndarray, head: int
) -> PoolingPlan:
    """The pieces of every segment in every encoded sequence.

    Sequence j holds tokens ``start[j] : start[j] + length[j]`` of review ``owner[j]``,
    after ``head`` special tokens.
    """
    owner = np.asarray(owner, dtype=np.int64)
    n_seq = len(owner)
    per_seq = seg.ptr[owner + 1] - seg.ptr[owner]
    cand_seq = np.repeat(np.arange(n_seq, dtype=np.int64), per_seq)
    cand_seg = ranges(seg.ptr[owner], per_seq)
    t0, t1 = seg.ranges[cand_seg, 0], seg.ranges[cand_seg, 1]
    a = np.asarray(start, dtype=np.int64)[cand_seq]
    b = a + np.asarray(length, dtype=np.int64)[cand_seq]
    lo, hi = np.maximum(t0, a), np.minimum(t1, b)
    keep = hi > lo
    n_segments = len(seg.ranges)
    seen = np.bincount(cand_seg[keep], weights=(hi - lo)[keep], minlength=n_segments)
    return PoolingPlan(
        seq_ptr=np.concatenate([[0], np.cumsum(np.bincount(cand_seq[keep], minlength=n_seq))]),
        segment=cand_seg[keep],
        lo=head + lo[keep] - a[keep],
        hi=head + hi[keep] - a[keep],
        seen=seen.astype(np.int64),
        total=(seg.ranges[:, 1] - seg.ranges[:, 0]).astype(np.int64),
    )


@dataclass
class SegmentVectors:
    """Segment vectors (float32, NaN rows where nothing was seen), their coverage, the
    seconds they added to the encoding, and how they were made (``pooled`` or ``separate``)."""

    vectors: np.ndarray
    coverage: np.ndarray
    seconds: float
    how: str = "pooled"

    def summary(self, min_coverage: float) -> dict:
        """What a shard's record says about its segments; those with less than
        ``min_coverage`` (``polarity.min_coverage``) of their tokens seen count as unscored."""
        n = len(self.coverage)
        return {
            "segment_vectors": self.how,
            "n_segments": n,
            "segments_scored": int((self.coverage >= min_coverage).sum()),
            "segment_min_coverage": min_coverage,
            "segment_coverage_mean": round(float(self.coverage.mean()), 4) if n else None,
            "segment_seconds": round(self.seconds, 3),
        }


class SegmentPooler:
    """Accumulates each segment's token sums batch by batch during the forward pass."""

    def __init__(self, plan: PoolingPlan, dim: int, seconds: float = 0.0):
        self.plan = plan
        self.sums = np.zeros((len(plan.total), dim), dtype=np.float32)
        self.seconds = seconds  # time spent on segments so far (span mapping, planning)
        # a segment cut by a window edge has two pieces, possibly in the same batch
        self.repeated = len(np.unique(plan.segment)) < len(plan.segment)

    def add(self, idx: np.ndarray, token_embeddings) -> None:
        """Add the segment tokens of sequences ``idx`` (rows of ``token_embeddings``, a
        ``(len(idx), width, dim)`` torch tensor on any device) to their segments' sums."""
        import torch

        t0 = time.perf_counter()
        p = self.plan
        idx = np.asarray(idx, dtype=np.int64)
        counts = p.seq_ptr[idx + 1] - p.seq_ptr[idx]
        sel = ranges(p.seq_ptr[idx], counts)
        if len(sel):
            width, dim = token_embeddings.shape[1], token_embeddings.shape[2]
            rows = np.repeat(np.arange(len(idx), dtype=np.int64), counts)
            lengths = p.hi[sel] - p.lo[sel]
            tokens = ranges(rows * width + p.lo[sel], lengths)
            local = np.repeat(np.arange(len(sel), dtype=np.int64), lengths)
            dev = token_embeddings.device
            flat = token_embeddings.reshape(-1, dim)[torch.from_numpy(tokens).to(dev)]
            sums = torch.zeros((len(sel), dim), dtype=torch.float32, device=dev)
            sums.index_add_(0, torch.from_numpy(local).to(dev), flat.float())
            if self.repeated:
                np.add.at(self.sums, p.segment[sel], sums.cpu().numpy())
            else:
                self.sums[p.segment[sel]] += sums.cpu().numpy()
        self.seconds += time.perf_counter() - t0

    def result(self, *, normalise: bool) -> SegmentVectors:
        """Means of the seen tokens (unit length when ``normalise``), NaN where none seen."""
        t0 = time.perf_counter()
        seen, total = self.plan.seen, self.plan.total
        with np.errstate(invalid="ignore", divide="ignore"):
            vectors = self.sums / seen[:, None].astype(np.float32)
            coverage = np.where(total > 0, seen / np.maximum(total, 1), 0.0).astype(np.float32)
        vectors[seen == 0] = np.nan
        if normalise:
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors /= np.maximum(norms, 1e-12)
        self.seconds += time.perf_counter() - t0
        return SegmentVectors(vectors.astype(np.float32, copy=False), coverage, self.seconds)
