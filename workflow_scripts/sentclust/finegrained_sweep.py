"""The fine-grained results of one embedding kind (rule finegrained): the chosen k and the k
values the config asks to explore, each ordered, named, described by the terms of the shared
count matrix and checked against the star ratings; the chosen k's table and figure.

``cfg`` is the rule's ``finegrained`` params (``mixed_band``, ``top_terms``, ``nearest``,
``snippet_chars``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sentclust.finegrained import (
    cluster_profile,
    cluster_ranks,
    finegrained_table,
    order_clusters,
    rating_check,
)
from sentclust.terms import align_counts

_log = logging.getLogger(__name__)

#: the columns read from the reviews
REVIEW_COLUMNS = ["review_id", "split", "label", "rating"]


@dataclass
class FinegrainedRun:
    chosen: int  # the chosen k
    results: list[dict]  # one per k, the chosen k first
    table: pd.DataFrame  # the chosen k's table (finegrained_table, nearest_texts added)
    ratings: pd.DataFrame  # the chosen k's rated reviews: cluster ``name``, ``rating``
    stop_words: str  # the stop words' source of the term counts


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


def finegrained_k(df: pd.DataFrame, k: int, *, chosen: int, cfg: dict, term_counts):
    """(the table, the result record) of one k; ``df`` from :func:`assignment_frame`,
    ``term_counts`` as :func:`sentclust.terms.read_term_counts` returns them."""
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
    )
    table["nearest_texts"] = [
        [df["clean_text"].iat[i][: cfg["snippet_chars"]] for i in rows]
        for rows in table["nearest_rows"]
    ]
    ranks = cluster_ranks(clusters, table["cluster"].tolist())
    result = {
        "k": k,
        "chosen": k == chosen,
        "clusters": table.drop(columns=["nearest_rows"]).to_dict(orient="records"),
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
    paths: dict, chosen: int, explore, *, reviews, texts, term_counts, cfg: dict
) -> FinegrainedRun:
    """The chosen k and the explored ones (:func:`explored_ks`); ``paths`` maps each k of the
    sweep to its assignments file, ``term_counts`` as
    :func:`sentclust.terms.read_term_counts` returns them (counted once for every kind and k:
    only their rows are reordered here)."""
    results, chosen_table, rated = [], None, None
    for k in explored_ks(chosen, explore, paths):
        df = assignment_frame(paths[k], reviews, texts, k)
        table, result = finegrained_k(df, k, chosen=chosen, cfg=cfg, term_counts=term_counts)
        results.append(result)
        _log.info("k=%d: %s", k, list(table["name"]))
        if k == chosen:
            chosen_table, rated = table, rated_by_name(table, df)
    return FinegrainedRun(chosen, results, chosen_table, rated, term_counts[3]["stop_words"])


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
    """The record of finegrained.json: the kind, the choice, the naming rule, every k's result."""
    return {
        "kind": kind,
        "supervision": supervision,
        "chosen_k": run.chosen,
        "chosen_by": chosen_by,
        "naming": "clusters ordered by positive share (ties: mean rating); 'mixed' only "
        f"within {cfg['mixed_band']} of one half; names never contradict the majority label",
        "stop_words": run.stop_words,
        "results": run.results,
    }
