"""Reviews split into segments: sentences (:mod:`.sentences`), then clauses at contrastive
discourse markers (:mod:`.clauses`); the segments table of rule segment and its summary.

A review such as "The location was truly disgusting ... but the people there were glorious."
holds two opinions; the polarity stage scores each segment on its own. Segments are spans of
the prepared ``clean_text`` (character offsets, ``clean_text[start:end]`` is the segment, no
surrounding whitespace), so every later stage can point back into the review. The settings
(``splitter``, ``markers``, ``min_words``) are the config's ``segments`` section, passed in
whole by every caller: a finished run's saved settings when new texts are placed.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pyarrow as pa

from sentclust.polarity.clauses import check_min_words, marker_regex, split_clauses
from sentclust.polarity.contract import SEGMENTS_SCHEMA
from sentclust.polarity.sentences import check_splitter, split_sentences, splitter_version


def segment_review(
    text: str,
    *,
    splitter: str,
    markers: Sequence[str],
    min_words: int,
) -> list[tuple[int, int, int]]:
    """(start, end, sentence_no) of every segment of one cleaned review, in order."""
    out = []
    for sentence_no, (a, b) in enumerate(split_sentences(text, splitter=splitter)):
        for s, e in split_clauses(text, a, b, markers=markers, min_words=min_words):
            out.append((s, e, sentence_no))
    return out


def _segment_chunk(args) -> list[list[tuple[int, int, int]]]:
    texts, splitter, markers, min_words = args
    return [
        segment_review(t, splitter=splitter, markers=markers, min_words=min_words) for t in texts
    ]


def segment_table(
    review_ids: Sequence[str],
    texts: Sequence[str],
    *,
    splitter: str,
    markers: Sequence[str],
    min_words: int,
    n_jobs: int = 1,
    progress: bool = True,
) -> pa.Table:
    """The segments table (``SEGMENTS_SCHEMA``), rows by review (input order), then segment_no.

    ``n_jobs`` processes share inputs of 2,000 reviews or more; a progress bar when asked."""
    from tqdm import tqdm

    review_ids, texts = list(review_ids), list(texts)
    if len(review_ids) != len(texts):
        raise ValueError(f"{len(review_ids)} review ids but {len(texts)} texts")
    check_splitter(splitter)
    markers = tuple(markers)
    marker_regex(markers)  # bad markers fail here, not in a worker
    check_min_words(min_words)
    n_chunks = max(1, n_jobs * 8) if n_jobs > 1 and len(texts) >= 2000 else 1
    bounds = np.linspace(0, len(texts), n_chunks + 1).astype(int)
    chunks = [
        (texts[a:b], splitter, markers, min_words)
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    bar = tqdm(total=len(texts), desc="segment", unit="review", disable=not progress, mininterval=5)
    per_review: list[list[tuple[int, int, int]]] = []
    if n_chunks == 1:
        for t in texts:
            per_review.append(_segment_chunk(([t], splitter, markers, min_words))[0])
            bar.update(1)
    else:
        split_sentences("Warm up.", splitter=splitter)  # forked workers inherit the import
        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            for part in pool.map(_segment_chunk, chunks):
                per_review.extend(part)
                bar.update(len(part))
    bar.close()
    return _to_table(review_ids, texts, per_review)


def _to_table(review_ids, texts, per_review) -> pa.Table:
    counts = np.fromiter((len(s) for s in per_review), dtype=np.int64, count=len(per_review))
    rows = [seg for segs in per_review for seg in segs]
    spans = np.array([(s, e, n) for s, e, n in rows], dtype=np.int64).reshape(-1, 3)
    seg_no = np.concatenate([np.arange(c, dtype=np.int32) for c in counts] or [[]])
    text_of = np.repeat(np.arange(len(texts)), counts)
    return pa.table(
        {
            "review_id": pa.array(np.repeat(np.asarray(review_ids, dtype=object), counts)),
            "segment_no": pa.array(seg_no.astype(np.int32)),
            "sentence_no": pa.array(spans[:, 2].astype(np.int32)),
            "start": pa.array(spans[:, 0].astype(np.int32)),
            "end": pa.array(spans[:, 1].astype(np.int32)),
            "text": pa.array([texts[i][s:e] for i, (s, e, _) in zip(text_of, rows, strict=True)]),
        },
        schema=SEGMENTS_SCHEMA,
    )


def segments_summary(table: pa.Table, n_reviews: int, *, splitter: str | None = None) -> dict:
    """JSON-able numbers on a segments table of ``n_reviews`` reviews (those without a
    segment count as 0): segments per review, shares split at all and at a marker."""
    sent = table.column("sentence_no").to_numpy()
    seg_no = table.column("segment_no").to_numpy()
    starts = np.flatnonzero(seg_no == 0)
    per_review = np.diff(np.append(starts, len(seg_no)))
    counts = np.zeros(n_reviews, dtype=np.int64)  # reviews without segments: 0 (order is moot)
    counts[: len(per_review)] = per_review
    # rows are ordered and sentence_no counts from 0 in each review: its last row's + 1
    n_sent = sent[starts + per_review - 1].astype(np.int64) + 1
    out = {
        "n_reviews": int(n_reviews),
        "n_segments": int(len(seg_no)),
        "n_sentences": int(n_sent.sum()),
        "reviews_without_segments": int(n_reviews - len(starts)),
        "segments_per_review": {
            "mean": float(counts.mean()) if n_reviews else 0.0,
            "median": float(np.median(counts)) if n_reviews else 0.0,
            "max": int(counts.max()) if n_reviews else 0,
        },
        "share_multi_segment": float((counts > 1).mean()) if n_reviews else 0.0,
        "share_split_at_marker": float((per_review > n_sent).sum() / n_reviews)
        if n_reviews
        else 0.0,
    }
    if splitter is not None:
        out["splitter"] = splitter
        out["splitter_version"] = splitter_version(splitter)
    return out
