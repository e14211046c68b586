"""The fine-grained results of one embedding kind (rule finegrained): the chosen k and the k
values the config asks to explore, each ordered, named, described by the terms of the shared
count matrix and checked against the star ratings; the chosen k's table and figure.

``cfg`` is the rule's ``finegrained`` params (``mixed_band``, ``top_terms``, ``nearest``,
``snippet_chars``, ``term_weighting``, ``typical_segments``). The segment polarity
(polarity/reviews.parquet, polarity/segment_scores.parquet, segments/segments.parquet) is
optional: given, each cluster also says how polar and how mixed its reviews are inside.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sentclust.finegrained.levels import (
    cluster_profile,
    cluster_ranks,
    finegrained_table,
    order_clusters,
    rating_check,
    with_polarity,
)
from sentclust.finegrained.terms import align_counts

_log = logging.getLogger(__name__)

#: the columns read from the reviews
REVIEW_COLUMNS = ["review_id", "split", "label", "rating"]
#: the columns read from the segment scores and the segments (typical segments)
SEGMENT_SCORE_COLUMNS = ["review_id", "segment_no", "score", "label"]
SEGMENT_COLUMNS = ["review_id", "segment_no", "text"]
#: config defaults of the keys added with the segment polarity (issue 14)
DEFAULT_WEIGHTING = "log_odds"
DEFAULT_TYPICAL_SEGMENTS = 3


@dataclass
class FinegrainedRun:
    chosen: int  # the chosen k
    results: list[dict]  # one per k, the chosen k first
    table: pd.DataFrame  # the chosen k's table (finegrained_table, nearest_texts added)
    ratings: pd.DataFrame  # the chosen k's rated reviews: cluster ``name``, ``rating``
    stop_words: str  # the stop words' source of the term counts
    terms_about: dict = field(default_factory=dict)  # how the term counts were made


def explored_ks(chosen: int, explore, ks) -> list[int]:
    """The chosen k first, then each k of ``explore`` the sweep ran (``ks``), in its order."""
    return [chosen] + [k for k in explore if k in ks and k != chosen]


def assignment_frame(path, reviews: pd.DataFrame, texts: pd.DataFrame, k: int) -> pd.DataFrame:
    """One k's assignments (Parquet) joined with the reviews and the texts by ``review_id``;
    ValueError when they do not hold the same reviews."""
    a = pd.read_parquet(path)
    df = a.merge(reviews, on="review_id", validate="1:1").merge(texts, on="review_id")
    if len(df) != len(a):
        raise ValueError(f"assignments for k={k} do not match the reviews; rerun the sweep")
    return df


def read_polarity(paths) -> dict | None:
    """The segment polarity frames for :func:`finegrained_k` from the named input files
    ``polarity`` (polarity/reviews.parquet), ``segment_scores`` and ``segments`` (a dict or
    ``snakemake.input``: anything with ``items()``), only the columns used; None without
    ``polarity``, no typical segments without the other two."""
    from sentclust.finegrained.levels import POLARITY_COLUMNS

    paths = dict(paths.items())
    if paths.get("polarity") is None:
        return None

    def read(name, columns):
        return pd.read_parquet(paths[name], columns=columns) if paths.get(name) else None

    return {
        "reviews": read("polarity", POLARITY_COLUMNS),
        "segment_scores": read("segment_scores", SEGMENT_SCORE_COLUMNS),
        "segments": read("segments", SEGMENT_COLUMNS),
    }


def train_test_rating_check(clusters, labels, ratings, split) -> dict | None:
    """:func:`rating_check` measured without test labels: the clusters ordered on the train
    split, checked on the test split's ratings (None unless both splits are there)."""
    train = (split == "train").to_numpy()
    test = ~train
    if not (train.any() and test.any()):
        return None
    prof = cluster_profile(clusters[train], labels[train], ratings[train])
    order_train = order_clusters(prof)
    keep = np.isin(clusters[test], order_train)
    return rating_check(
        cluster_ranks(clusters[test][keep], order_train),
        ratings[test][keep],
    )


def _json_safe(value):
    """NaN (a cluster without polarity values) as None: finegrained.json stays valid JSON."""
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def finegrained_k(
    df: pd.DataFrame,
    k: int,
    *,
    chosen: int,
    cfg: dict,
    term_counts,
    polarity: dict | None = None,
):
    """(the table, the result record) of one k; ``df`` from :func:`assignment_frame`,
    ``term_counts`` as :func:`sentclust.finegrained.terms.read_term_counts` returns them,
    ``polarity`` None or {"reviews", "segment_scores", "segments"} DataFrames (either of the last
    two may be None: no typical segments), see
    :func:`sentclust.finegrained.levels.with_polarity`."""
    counts, vocab, count_ids, _ = term_counts
    clusters = df["cluster"].to_numpy()
    ratings = df["rating"].astype("Float64")
    table = finegrained_table(
        clusters,
        df["label"].to_numpy(),
        ratings,
        df["distance"].to_numpy(),
        None,  # the texts: described from the term counts instead
        mixed_band=cfg["mixed_band"],
        top_n=cfg["top_terms"],
        n_nearest=cfg["nearest"],
        review_ids=df["review_id"].to_numpy(),
        counts=align_counts(counts, count_ids, df["review_id"], what=f"the assignments for k={k}"),
        vocab=vocab,
        weighting=cfg.get("term_weighting", DEFAULT_WEIGHTING),
    )
    table["nearest_texts"] = [
        [df["clean_text"].iat[i][: cfg["snippet_chars"]] for i in rows]
        for rows in table["nearest_rows"]
    ]
    polarity = polarity or {}
    table = with_polarity(
        table,
        clusters,
        df["review_id"].to_numpy(),
        df["distance"].to_numpy(),
        polarity=polarity.get("reviews"),
        segment_scores=polarity.get("segment_scores"),
        segments=polarity.get("segments"),
        n_typical=cfg.get("typical_segments", DEFAULT_TYPICAL_SEGMENTS),
        snippet_chars=cfg["snippet_chars"],
    )
    ranks = cluster_ranks(clusters, table["cluster"].tolist())
    records = table.drop(columns=["nearest_rows"]).to_dict(orient="records")
    result = {
        "k": k,
        "chosen": k == chosen,
        "clusters": [{key: _json_safe(v) for key, v in r.items()} for r in records],
        "rating_check_all": rating_check(ranks, ratings),
        "rating_check_test": train_test_rating_check(clusters, df["label"], ratings, df["split"]),
    }
    return table, result


def rated_by_name(table: pd.DataFrame, df: pd.DataFrame) -> pd.DataFrame:
    """Each rated review's cluster ``name`` (from ``table``) and ``rating``."""
    clusters = df["cluster"].to_numpy()
    ratings = df["rating"].astype("Float64")
    plot = pd.DataFrame(
        {
            "name": table.set_index("cluster").loc[clusters, "name"].values,
            "rating": ratings.to_numpy(dtype=float, na_value=np.nan),
        }
    )
    return plot.dropna()


def finegrained_sweep(
    paths: dict,
    chosen: int,
    explore,
    *,
    reviews,
    texts,
    term_counts,
    cfg: dict,
    polarity: dict | None = None,
) -> FinegrainedRun:
    """The chosen k and the explored ones (:func:`explored_ks`); ``paths`` maps each k of the
    sweep to its assignments file, ``term_counts`` as
    :func:`sentclust.finegrained.terms.read_term_counts` returns them (counted once for every kind
    and k: only their rows are reordered here), ``polarity`` as for :func:`finegrained_k`."""
    results, chosen_table, rated = [], None, None
    for k in explored_ks(chosen, explore, paths):
        df = assignment_frame(paths[k], reviews, texts, k)
        table, result = finegrained_k(
            df, k, chosen=chosen, cfg=cfg, term_counts=term_counts, polarity=polarity
        )
        results.append(result)
        _log.info("k=%d: %s", k, list(table["name"]))
        if k == chosen:
            chosen_table, rated = table, rated_by_name(table, df)
    about = term_counts[3]
    return FinegrainedRun(
        chosen, results, chosen_table, rated, about.get("stop_words", ""), dict(about)
    )


def write_rating_figure(run: FinegrainedRun, *, kind: str, path) -> None:
    """The chosen k's star ratings by cluster, clusters in sentiment order."""
    from sentclust import figures

    figures.rating_by_cluster(
        run.ratings,
        order=run.table["name"].tolist(),
        title=f"{kind}, k={run.chosen}: star ratings by cluster",
        path=path,
    )


def chosen_table(run: FinegrainedRun):
    """The chosen k's table for Parquet (without the row numbers of the nearest reviews)."""
    import pyarrow as pa

    return pa.Table.from_pandas(run.table.drop(columns=["nearest_rows"]), preserve_index=False)


def finegrained_document(
    run: FinegrainedRun, *, kind: str, supervision: str, chosen_by: str | None, cfg: dict
) -> dict:
    """The record of finegrained.json: the kind, the choice, the naming rule, how the terms
    were counted and weighted, every k's result."""
    return {
        "kind": kind,
        "supervision": supervision,
        "chosen_k": run.chosen,
        "chosen_by": chosen_by,
        "naming": "clusters ordered by positive share (ties: mean rating); 'mixed' only "
        f"within {cfg['mixed_band']} of one half; names never contradict the majority label; "
        "each name ends with the cluster's two most distinctive terms",
        "stop_words": run.stop_words,
        "term_weighting": cfg.get("term_weighting", DEFAULT_WEIGHTING),
        "terms": run.terms_about,
        "typical_segments": cfg.get("typical_segments", DEFAULT_TYPICAL_SEGMENTS),
        "results": run.results,
    }
