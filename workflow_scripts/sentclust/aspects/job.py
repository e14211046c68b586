"""The aspects rules' functions: read, compute with the library, return what the scripts write.

- aspects_k (one job per aspect count): :func:`fit_count`;
- aspects (the choice, the names, the polarity): :func:`summarise`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sentclust.aspects import naming
from sentclust.aspects import polarity as apol
from sentclust.aspects.comparisons import comparison_rows
from sentclust.aspects.fit import choose_count, fit_aspects, fit_rows
from sentclust.bert.shards import gather_segments
from sentclust.finegrained.terms import stop_words as stop_word_list

_WORD = re.compile(r"[a-z][a-z']+")


def segment_vectors(shard_files, segments_path, min_coverage: float):
    """(keys frame review_id / segment_no, float32 vectors) of the segments whose BERT
    coverage reaches ``min_coverage`` (the others have no vector worth clustering)."""
    table = gather_segments(list(shard_files), segments_path)
    col = table.column("embedding").combine_chunks()
    x = col.flatten().to_numpy(zero_copy_only=False).astype(np.float32).reshape(len(col), -1)
    keys = table.select(["review_id", "segment_no", "coverage"]).to_pandas()
    keep = (keys["coverage"] >= min_coverage).to_numpy()
    return keys.loc[keep, ["review_id", "segment_no"]].reset_index(drop=True), x[keep]


def fit_count(shard_files, segments_path, reviews_path, *, k, params, seed, threads=None):
    """(assignments table review_id / segment_no / aspect, centres, the sweep record) of one
    aspect count ``k`` (``params``: the aspects settings with their kmeans block)."""
    keys, x = segment_vectors(shard_files, segments_path, params["min_coverage"])
    if len(keys) < k:
        raise ValueError(
            f"{segments_path}: {len(keys)} segments with BERT vectors but aspects.k has {k}: "
            "lower aspects.k or use more reviews"
        )
    meta = pq.read_table(reviews_path, columns=["review_id", "split"]).to_pandas()
    mask = fit_rows(keys["review_id"], meta, max_fit=params["max_fit_segments"], seed=seed)
    model, labels, record = fit_aspects(
        x, mask, k, params=params["kmeans"], seed=seed, threads=threads
    )
    keys["aspect"] = labels
    return pa.Table.from_pandas(keys, preserve_index=False), model, record


def tokens(texts) -> list[str]:
    """The segments' lowercased words, space-joined (the terms' input)."""
    return [" ".join(_WORD.findall(str(t).lower())) for t in texts]


def _aspects_block(frame, seg_text, x_rows, centres, params, labelled) -> list[dict]:
    """One record per aspect: name, terms, size, typical segments (and polar share)."""
    k = len(centres)
    stop, _ = stop_word_list(params["stop_words"])
    terms = naming.aspect_terms(
        tokens(seg_text),
        frame["aspect"].to_numpy(),
        top_n=params["top_terms"],
        stop_words=stop,
        min_df=params["min_df"],
    )
    typical = naming.typical_segments(
        x_rows, frame["aspect"].to_numpy(), centres, n=params["typical"]
    )
    share = naming.polar_share(frame["aspect"], frame["label"], k) if labelled else [None] * k
    sizes = np.bincount(frame["aspect"], minlength=k)
    return [
        {
            "aspect": a,
            "name": naming.aspect_name(terms.get(a, [])),
            "terms": terms.get(a, []),
            "size": int(sizes[a]),
            "polar_share": None if share[a] is None or np.isnan(share[a]) else float(share[a]),
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


def chosen_fit(inputs: dict, ks, criterion: str):
    """(the choice, the sweep records, the chosen count's assignments and centres)."""
    records = [json.loads(Path(p).read_text()) for p in inputs["records"]]
    choice = choose_count(records, criterion)
    if choice["k"] is None:
        raise ValueError(f"no criterion chose an aspect count from aspects.k={list(ks)}")
    at = list(ks).index(choice["k"])
    frame = pq.read_table(inputs["assignments"][at]).to_pandas()
    centres = np.load(inputs["centres"][at])["centres"]
    return choice, records, frame, centres


def summarise(inputs: dict, *, ks, sweep_ks, params, kinds, out_dir) -> tuple[dict, pd.DataFrame]:
    """(aspects.json's content, the aspect table), with the comparisons and per kind the level
    x aspect table and heatmap written under ``out_dir``. ``inputs``: records / assignments /
    centres (in the order of ``ks``), segments, shards, reviews, and where the run has labels
    scores and per kind ``<kind>__choice`` and ``<kind>__assignments`` (order of ``sweep_ks``)."""
    out_dir = Path(out_dir)
    choice, records, frame, centres = chosen_fit(inputs, ks, params["criterion"])
    segs = pq.read_table(inputs["segments"]).to_pandas().set_index(["review_id", "segment_no"])
    seg_text = list(segs.loc[pd.MultiIndex.from_frame(frame[["review_id", "segment_no"]]), "text"])
    _, x = segment_vectors(inputs["shards"], inputs["segments"], params["min_coverage"])
    labelled = "scores" in inputs
    if labelled:
        frame = apol.join_labels(frame, pq.read_table(inputs["scores"]).to_pandas())
    doc = {"choice": choice, "sweep": records, "labels": labelled, "n_segments": len(frame)}
    doc["aspects"] = _aspects_block(frame, seg_text, x, centres, params, labelled)
    ids = [f"{r}:{n}" for r, n in zip(frame["review_id"], frame["segment_no"], strict=True)]
    comps = pd.DataFrame(comparison_rows(ids, seg_text))
    comps.to_parquet(out_dir / "comparisons.parquet")
    doc["comparisons"] = {
        "n": len(comps),
        "negated": int(comps["negated"].sum()) if len(comps) else 0,
    }
    table = pd.DataFrame(doc["aspects"]).drop(columns=["typical"])
    table["terms"] = table["terms"].map(", ".join)
    if labelled:
        ratings = pq.read_table(inputs["reviews"], columns=["review_id", "rating"]).to_pandas()
        pol = apol.aspect_table(frame, choice["k"], ratings.set_index("review_id")["rating"])
        table = table.drop(columns=["polar_share"]).merge(pol, on="aspect", how="left")
        doc["polarity"] = _none_nan(pol.to_dict("records"))
        doc["levels"] = _levels(frame, inputs, sweep_ks, kinds, out_dir, doc["aspects"])
    return doc, table


def _levels(frame, inputs, sweep_ks, kinds, out_dir, aspects) -> dict:
    """Per kind: its chosen k's level x aspect table (parquet), heatmap (PNG), and counts."""
    names = {a["aspect"]: a["name"] for a in aspects}
    out = {}
    for kind in kinds:
        chosen = json.loads(Path(inputs[f"{kind}__choice"]).read_text())["k"]
        path = dict(zip(sweep_ks, inputs[f"{kind}__assignments"], strict=True))[chosen]
        assign = pq.read_table(path, columns=["review_id", "cluster"]).to_pandas()
        t = apol.level_table(frame, assign.set_index("review_id")["cluster"])
        t.to_parquet(out_dir / f"levels_{kind}.parquet")
        apol.heatmap(t, out_dir / f"levels_{kind}.png", title=f"{kind} (k={chosen})", names=names)
        out[kind] = {"k": chosen, "table": _none_nan(t.to_dict("records"))}
    return out
