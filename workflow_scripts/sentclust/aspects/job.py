"""The aspects rules' functions: read, compute with the library, return what the scripts write.

- aspects_k (one job per aspect count): :func:`fit_count`;
- aspects (the choice, the names, the polarity, the comparisons, the quality): :func:`summarise`.

The segment vectors are read shard by shard (:class:`sentclust.aspects.vectors.SegmentVectors`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sentclust.aspects import naming, quality
from sentclust.aspects import polarity as apol
from sentclust.aspects.comparisons import comparison_rows
from sentclust.aspects.figure import draw_heatmap
from sentclust.aspects.fit import COHERENCE, choose_count, fit_aspects, fit_rows
from sentclust.aspects.levels import kind_levels
from sentclust.aspects.summary import level_grid
from sentclust.aspects.vectors import SegmentVectors
from sentclust.finegrained.counts import term_counts
from sentclust.finegrained.terms import stop_words as stop_word_list

_WORD = re.compile(r"[a-z][a-z']+")
N_COMPARISON_EXAMPLES = 8


def _fit_sample(vectors: SegmentVectors, reviews_path, params: dict, seed: int) -> np.ndarray:
    """The fit rows' mask over the kept segments (the train split's, at most max_fit_segments)."""
    meta = pq.read_table(reviews_path, columns=["review_id", "split"]).to_pandas()
    return fit_rows(vectors.keys["review_id"], meta, max_fit=params["max_fit_segments"], seed=seed)


def fit_count(shard_files, segments_path, reviews_path, *, k, params, seed, threads=None):
    """(assignments table review_id / segment_no / aspect / distance to its centre, the model,
    the sweep record) of one
    aspect count ``k`` (``params``: the aspects settings with their kmeans block)."""
    vectors = SegmentVectors(shard_files, segments_path, params["min_coverage"])
    if len(vectors) < k:
        raise ValueError(
            f"{segments_path}: {len(vectors)} segments with BERT vectors but aspects.k has {k}: "
            "lower aspects.k or use more reviews"
        )
    mask = _fit_sample(vectors, reviews_path, params, seed)
    model, _, record = fit_aspects(
        vectors.rows(mask), k, params=params["kmeans"], seed=seed, threads=threads
    )
    labels, distance = vectors.nearest(model)
    record["n_segments"] = len(vectors)
    record["sizes"] = np.bincount(labels, minlength=k).astype(int).tolist()
    keys = vectors.keys.copy()
    keys["aspect"] = labels
    keys["distance"] = distance
    return pa.Table.from_pandas(keys, preserve_index=False), model, record


def tokens(texts) -> list[str]:
    """The segments' lowercased words, space-joined (the terms' input)."""
    return [" ".join(_WORD.findall(str(t).lower())) for t in texts]


def chosen_fit(inputs: dict, ks, criterion: str, coherence=None, tolerance: float = 0.0):
    """(the choice, the sweep records, the chosen count's assignments). ``coherence``: a
    function of one count's assignments giving its aspects' mean NPMI, recorded in each sweep
    record as ``npmi_mean`` (the ``npmi`` criterion reads it, with ``tolerance``)."""
    records = [json.loads(Path(p).read_text()) for p in inputs["records"]]
    frames = {}
    if coherence is not None:
        for record, path in zip(records, inputs["assignments"], strict=True):
            frames[int(record["k"])] = pq.read_table(path).to_pandas()
            record["npmi_mean"] = coherence(frames[int(record["k"])], int(record["k"]))
    choice = choose_count(records, criterion, tolerance)
    if choice["k"] is None:
        raise ValueError(f"no criterion chose an aspect count from aspects.k={list(ks)}")
    at = list(ks).index(choice["k"])
    frame = frames.get(int(choice["k"]))
    if frame is None:
        frame = pq.read_table(inputs["assignments"][at]).to_pandas()
    return choice, records, frame


def _same_segments(frame: pd.DataFrame, keys: pd.DataFrame, k: int) -> None:
    """ValueError unless ``frame`` lists the segments of ``keys`` in its order (every count's
    assignments list the same segments)."""
    same = frame[["review_id", "segment_no"]].reset_index(drop=True)
    if not same.equals(keys[["review_id", "segment_no"]].reset_index(drop=True)):
        raise ValueError(
            f"aspects_k's assignments for {k} aspects list other segments than the first "
            "count's. Fix: rerun the aspects_k jobs (snakemake --forcerun aspects_k)"
        )


def _coherence(keys: pd.DataFrame, counts, vocab, by_review, params):
    """The function :func:`chosen_fit` calls per count: the mean NPMI of its aspects' top terms
    over the reviews (``counts``: the segments' term counts in the order of ``keys``, the
    segments every count assigns; ``by_review``: those counts summed per review)."""

    def mean_npmi(frame: pd.DataFrame, k: int) -> float | None:
        _same_segments(frame, keys, k)
        aspects = frame["aspect"].to_numpy()
        terms = naming.aspect_terms(counts, vocab, aspects, top_n=params["top_terms"])
        found = [quality.npmi_from_counts(by_review, vocab, terms.get(a, [])) for a in range(k)]
        found = [v for v in found if v is not None]
        return float(np.mean(found)) if found else None

    return mean_npmi


def _segment_texts(segs: pd.DataFrame, keys: pd.DataFrame) -> list[str]:
    """The texts of the segments ``keys`` lists (review_id, segment_no), in its order."""
    index = pd.MultiIndex.from_frame(keys[["review_id", "segment_no"]])
    return list(segs.set_index(["review_id", "segment_no"]).loc[index, "text"])


def _aspects_block(frame, seg_text, counts, vocab, by_review, params, k, labelled) -> list[dict]:
    """One record per aspect: name, terms, size, NPMI of its terms over the reviews (a term
    pair's co-occurrence in one review, as topic coherence counts it), typical segments (and
    polar share)."""
    terms = naming.aspect_terms(
        counts, vocab, frame["aspect"].to_numpy(), top_n=params["top_terms"]
    )
    distance = frame["distance"].to_numpy()
    typical = naming.typical_segments(distance, frame["aspect"].to_numpy(), k, n=params["typical"])
    share = naming.polar_share(frame["aspect"], frame["label"], k) if labelled else [None] * k
    sizes = np.bincount(frame["aspect"], minlength=k)
    return [
        {
            "aspect": a,
            "name": naming.aspect_name(terms.get(a, [])),
            "terms": terms.get(a, []),
            "size": int(sizes[a]),
            "polar_share": None if share[a] is None or np.isnan(share[a]) else float(share[a]),
            "npmi": quality.npmi_from_counts(by_review, vocab, terms.get(a, [])),
            "typical": [str(seg_text[r]) for r in typical[a]],
        }
        for a in range(k)
    ]


def _none_nan(records: list[dict]) -> list[dict]:
    """Records with NaN floats as None (JSON null)."""
    return [
        {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
        for r in records
    ]


def _stability(labels, inputs, params, k, seed) -> dict:
    """The ARI of the chosen count's fit rows (``labels``: every kept segment's aspect) under a
    second K-means seed (seed + 1); the segment vectors are read for the fit rows only."""
    vectors = SegmentVectors(inputs["shards"], inputs["segments"], params["min_coverage"])
    mask = _fit_sample(vectors, inputs["reviews"], params, seed)
    _, again, _ = fit_aspects(vectors.rows(mask), k, params=params["kmeans"], seed=seed + 1)
    return {"stability_ari": quality.stability_ari(labels[mask], again), "seeds": [seed, seed + 1]}


def _comparisons(frame, seg_text, out_dir: Path) -> tuple[dict, pd.DataFrame]:
    """(their counts and examples, those with both sides found first in segment order; the
    rows) of the comparisons of every segment, written to aspects/detail/comparisons.parquet."""
    ids = [f"{r}:{n}" for r, n in zip(frame["review_id"], frame["segment_no"], strict=True)]
    comps = pd.DataFrame(comparison_rows(ids, seg_text))
    aspect_of = dict(zip(ids, frame["aspect"].astype(int), strict=True))
    text_of = dict(zip(ids, seg_text, strict=True))
    if len(comps):
        comps["aspect"] = comps["segment_id"].map(aspect_of).astype(int)
    comps.to_parquet(out_dir / "comparisons.parquet")
    if not len(comps):
        return {"n": 0, "negated": 0, "by_aspect": [], "examples": []}, comps
    by = comps.groupby("aspect").size()
    both = comps.assign(_one=comps["left"].isna()).sort_values("_one", kind="stable")
    examples = [
        {
            "text": text_of[r.segment_id],
            "cue": r.cue,
            "negated": bool(r.negated),
            "left": r.left,
            "right": r.right,
            "aspect": int(r.aspect),
        }
        for r in both.head(N_COMPARISON_EXAMPLES).itertuples(index=False)
    ]
    return {
        "n": len(comps),
        "negated": int(comps["negated"].sum()),
        "by_aspect": [{"aspect": int(a), "n": int(c)} for a, c in by.items()],
        "examples": examples,
    }, comps


def summarise(
    inputs: dict, *, ks, sweep_ks, params, kinds, seed, min_words, out_dir
) -> tuple[dict, pd.DataFrame]:
    """(aspects.json's content, the aspect table), with the comparisons and per kind the level
    x aspect table and heatmap written under ``out_dir``. ``inputs``: records / assignments /
    centres (in the order of ``ks``), segments, shards, reviews, and where the run has labels
    scores and per kind ``<kind>__choice``, ``<kind>__finegrained`` and ``<kind>__assignments``
    (order of ``sweep_ks``). ``min_words``: the shortest example segment
    (finegrained.opinion_min_words)."""
    out_dir = Path(out_dir)
    segs = pq.read_table(inputs["segments"]).to_pandas()
    keys = pq.read_table(inputs["assignments"][0], columns=["review_id", "segment_no"])
    keys = keys.to_pandas()
    seg_text = _segment_texts(segs, keys)
    stop, _ = stop_word_list(params["stop_words"])
    counts, vocab = term_counts(tokens(seg_text), stop_words=stop, min_df=params["min_df"])
    by_review = quality.per_document(counts, keys["review_id"].to_numpy())
    coherence = None
    if params["criterion"] == COHERENCE:
        coherence = _coherence(keys, counts, vocab, by_review, params)
    choice, records, frame = chosen_fit(
        inputs, ks, params["criterion"], coherence, params["npmi_tolerance"]
    )
    k = int(choice["k"])
    _same_segments(frame, keys, k)
    labelled = "scores" in inputs
    if labelled:
        frame = apol.join_labels(frame, pq.read_table(inputs["scores"]).to_pandas())
    doc = {"choice": choice, "sweep": records, "labels": labelled, "n_segments": len(frame)}
    doc["aspects"] = _aspects_block(frame, seg_text, counts, vocab, by_review, params, k, labelled)
    del counts
    doc["comparisons"], comps = _comparisons(frame, seg_text, out_dir)
    npmis = [a["npmi"] for a in doc["aspects"] if a["npmi"] is not None]
    doc["quality"] = {
        **_stability(frame["aspect"].to_numpy(), inputs, params, k, seed),
        "npmi": {str(a["aspect"]): a["npmi"] for a in doc["aspects"]},
        "npmi_mean": float(np.mean(npmis)) if npmis else None,
    }
    table = pd.DataFrame(doc["aspects"]).drop(columns=["typical"])
    table["terms"] = table["terms"].map(", ".join)
    if labelled:
        ratings = pq.read_table(inputs["reviews"], columns=["review_id", "rating"]).to_pandas()
        pol = apol.aspect_table(frame, k, ratings.set_index("review_id")["rating"])
        table = table.drop(columns=["polar_share"]).merge(pol, on="aspect", how="left")
        doc["polarity"] = _none_nan(pol.to_dict("records"))
        doc["levels"] = _levels(
            frame, segs, comps, inputs, sweep_ks, kinds, out_dir, doc, min_words
        )
    return doc, table


def _levels(frame, segs, comps, inputs, sweep_ks, kinds, out_dir, doc, min_words) -> dict:
    """Per kind: its chosen k's level x aspect table (parquet), heatmap (PNG), names, order
    and example segments."""
    out = {}
    for kind in kinds:
        chosen = json.loads(Path(inputs[f"{kind}__choice"]).read_text())["k"]
        path = dict(zip(sweep_ks, inputs[f"{kind}__assignments"], strict=True))[chosen]
        assign = pq.read_table(path, columns=["review_id", "cluster"]).to_pandas()
        fine = json.loads(Path(inputs[f"{kind}__finegrained"]).read_text())
        record, t = kind_levels(
            frame,
            assign.set_index("review_id")["cluster"],
            fine,
            chosen,
            segs,
            min_words=min_words,
        )
        t.to_parquet(out_dir / f"levels_{kind}.parquet")
        record["comparisons"] = _level_comparisons(comps, assign)
        out[kind] = {**record, "table": _none_nan(t.to_dict("records"))}
    for kind in out:
        grid = level_grid({**doc, "levels": out}, kind, None)
        draw_heatmap(grid, path=out_dir / f"levels_{kind}.png")
    return out


def _level_comparisons(comps: pd.DataFrame, assign: pd.DataFrame) -> list[dict]:
    """The comparisons (``comps``: :func:`_comparisons`' rows) per fine-grained level ({level,
    n}, every level; ``assign``: review_id and cluster at the chosen k)."""
    counts = pd.Series(0, index=sorted(assign["cluster"].unique()))
    if len(comps):
        review = comps["segment_id"].str.rsplit(":", n=1).str[0]
        level = review.map(assign.set_index("review_id")["cluster"])
        counts = counts.add(level.value_counts(), fill_value=0)
    return [{"level": int(lv), "n": int(n)} for lv, n in counts.items()]
