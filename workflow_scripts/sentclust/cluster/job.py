"""One job of the k-sweep (rule kmeans): one K-means run for one (embedding kind, k), its
metrics record and its tables (assignments, clusters x labels, clusters x ratings).

``meta`` is the reviews' :data:`REVIEW_COLUMNS` for the embedded reviews, in their order
(:func:`sentclust.files.read_embeddings_with_reviews`); ``params`` the rule's ``kmeans`` params.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from sentclust.cluster import metrics as cm
from sentclust.cluster.kmeans import KMeansResult, kmeans

#: the reviews' columns a job reads beside the embeddings
REVIEW_COLUMNS = ("split", "label", "rating")
#: the packages whose versions a metrics record holds
VERSIONED = ["scikit-learn", "faiss-cpu", "cuml", "torch", "numpy"]


def fit_settings(params: dict, threads: int | None) -> dict:
    """The :func:`kmeans` arguments a job's run and its stability runs share."""
    return dict(
        n_init=params["n_init"],
        max_iter=params["max_iter"],
        tol=params["tol"],
        screen_sample=params["screen_sample"],
        refine=params["refine"],
        threads=threads,
    )


def run_kmeans(x, k: int, *, params: dict, seed: int, threads: int | None, name: str):
    """The job's K-means run: ``params``' backend and settings, ``threads`` threads."""
    fit = fit_settings(params, threads)
    return kmeans(x, k, backend=params["backend"], seed=seed, name=name, **fit)


def label_columns(meta: pd.DataFrame) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """(labels as int64, ratings as nullable Float64, mask of the test split)."""
    y = meta["label"].to_numpy(dtype=np.int64)
    ratings = meta["rating"].astype("Float64")
    test = (meta["split"] == "test").to_numpy()
    return y, ratings, test


def cluster_profile(labels, y, ratings, k: int) -> pd.DataFrame:
    """Per cluster (index ``cluster``): size, positive share, the rating profile."""
    profile = cm.rating_profile(labels, ratings)
    profile.insert(0, "positive_share", cm.positive_share(labels, y))
    profile.insert(0, "size", np.bincount(labels, minlength=k))
    return profile


def label_scores(labels, y, ratings, test) -> dict:
    """The clusters against the labels and the ratings, on all reviews and on the test split.

    The cluster's sentiment score is its positive share, from the train split only when it has
    labels there, so that test-split numbers use no test label.
    """
    train = ~test
    score_all = cm.cluster_scores(labels, y)
    share_train = cm.positive_share(labels[train], y[train])
    score_from_train = share_train.reindex(labels).to_numpy(dtype=np.float64)
    return {
        "labels_all": cm.label_metrics(labels, y),
        "labels_test": cm.label_metrics(labels[test], y[test]) if test.any() else None,
        "rating_spearman_all": cm.rating_spearman(ratings, score_all),
        "rating_spearman_test": (
            cm.rating_spearman(ratings[test], score_from_train[test]) if test.any() else None
        ),
    }


def stability(x, res: KMeansResult, *, params: dict, threads: int | None) -> dict | None:
    """:func:`~sentclust.cluster.metrics.stability_ari` over the job's seed and the next
    ``stability_runs`` seeds (None when that is 0); the job's own run is reused."""
    if params["stability_runs"] <= 0:
        return None
    return cm.stability_ari(
        x,
        res.k,
        backend=res.backend,
        seeds=[res.seed + i for i in range(1 + params["stability_runs"])],
        known={res.seed: res.labels},
        **fit_settings(params, threads),
    )


def job_metrics(
    x, meta, res: KMeansResult, *, params: dict, threads: int | None, kind: str, supervision: str
) -> dict:
    """The job's metrics record (metrics.json): the run's summary, internal indices, the
    clusters against labels and ratings, per-cluster profiles, stability, package versions."""
    from sentclust.files import package_versions

    y, ratings, test = label_columns(meta)
    labels = res.labels
    profile = cluster_profile(labels, y, ratings, res.k)
    stable = stability(x, res, params=params, threads=threads)
    return {
        "kind": kind,
        "supervision": supervision,
        **res.summary(),
        **cm.internal_metrics(x, labels, sample_size=params["silhouette_sample"], seed=res.seed),
        **label_scores(labels, y, ratings, test),
        "clusters": profile.reset_index().to_dict(orient="records"),
        "stability": stable,
        "versions": package_versions(VERSIONED),
    }


def contingency_table(labels, values) -> pa.Table:
    """Clusters x values counts for Parquet: column ``cluster``, then one string-named column
    per value."""
    table = cm.contingency(labels, values)
    table.columns = [str(c) for c in table.columns]
    return pa.Table.from_pandas(table.reset_index())


def job_tables(ids, meta, res: KMeansResult) -> dict[str, pa.Table]:
    """The job's tables by the rule's output names: ``assignments`` (review_id, cluster,
    distance), ``by_label`` and ``by_rating`` (:func:`contingency_table`)."""
    y, ratings, _ = label_columns(meta)
    assignments = pa.table(
        {
            "review_id": pa.array(ids.tolist(), type=pa.string()),
            "cluster": pa.array(res.labels, type=pa.int32()),
            "distance": pa.array(res.distances, type=pa.float32()),
        }
    )
    return {
        "assignments": assignments,
        "by_label": contingency_table(res.labels, y),
        "by_rating": contingency_table(res.labels, ratings),
    }


def centre_arrays(res: KMeansResult) -> dict[str, np.ndarray]:
    """The job's centres for ``centres.npz``: ``centres`` (float32, k x d, row = cluster id)
    and ``sizes`` (reviews per cluster), what assigning a new text takes."""
    return {
        "centres": np.ascontiguousarray(res.centers, dtype=np.float32),
        "sizes": np.bincount(res.labels, minlength=res.k).astype(np.int64),
    }
