"""The clustering rules' work (rules/cluster.smk), one section per rule:

- rule pls_projection: :func:`pls_on_train`, the PLS projection of a raw kind fitted on the
  train split's labels, every review projected, its summary;
- rule kmeans: one job of the k-sweep, one K-means model for one (embedding kind, k), its
  metrics record (:func:`job_metrics`) and its tables (:func:`job_tables`: assignments,
  clusters x labels, clusters x ratings). ``meta`` is the reviews' :data:`REVIEW_COLUMNS` for the
  embedded reviews, in their order (:func:`sentclust.files.read_embeddings_with_reviews`);
  ``params`` the rule's ``kmeans`` params;
- rule choose_k: :func:`choose_k`, the sweep table, the choice of k and its figures.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sentclust.cluster import choice as k_choice
from sentclust.cluster import metrics as cm
from sentclust.cluster.kmeans import KMeansResult
from sentclust.cluster.model import KMeansModel
from sentclust.cluster.pls import PLSProjection, constant_columns
from sentclust.files import package_versions

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


def run_kmeans(
    x, k: int, *, params: dict, seed: int, threads: int | None, name: str
) -> tuple[KMeansModel, KMeansResult]:
    """The job's K-means model and fit: ``params``' backend and settings, ``threads`` threads."""
    fit = fit_settings(params, threads)
    return KMeansModel.fit(x, k, backend=params["backend"], seed=seed, name=name, **fit)


def label_columns(meta: pd.DataFrame) -> tuple[np.ndarray | None, pd.Series, np.ndarray]:
    """(labels as int64, None for a corpus without labels (an all-null label column); ratings as
    nullable Float64; mask of the test split)."""
    has = meta["label"].notna().any()
    y = meta["label"].to_numpy(dtype=np.int64) if has else None
    ratings = meta["rating"].astype("Float64")
    test = (meta["split"] == "test").to_numpy()
    return y, ratings, test


def cluster_profile(labels, y, ratings, k: int) -> pd.DataFrame:
    """Per cluster (index ``cluster``): size, positive share, the rating profile."""
    profile = cm.rating_profile(labels, ratings)
    share = np.nan if y is None else cm.positive_share(labels, y)
    profile.insert(0, "positive_share", share)
    profile.insert(0, "size", np.bincount(labels, minlength=k))
    return profile


def label_scores(labels, y, ratings, test) -> dict:
    """The clusters against the labels and the ratings, on all reviews and on the test split.

    The cluster's sentiment score is its positive share, from the train split only when it has
    labels there, so that test-split numbers use no test label. Without labels (``y`` None)
    every entry is None: no label overlap is computed.
    """
    if y is None:
        return dict.fromkeys(
            ("labels_all", "labels_test", "rating_spearman_all", "rating_spearman_test")
        )
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
        "by_label": contingency_table(res.labels, meta["label"].astype("Int64")),
        "by_rating": contingency_table(res.labels, ratings),
    }


# --------------------------------------------------------------------------- rule choose_k


def choose_k(
    metrics, by_label, by_rating, *, criterion: str, kind: str, supervision: str, ks, figures
) -> tuple[dict, pd.DataFrame]:
    """(choice.json, the sweep table) of one kind's sweep, its figures drawn into the folder
    ``figures``: ``metrics``, ``by_label`` and ``by_rating`` are the sweep's files in the
    order of ``ks``."""
    table = k_choice.sweep_table(metrics)
    choice = k_choice.choose_k(table, criterion)
    choice.update(kind=kind, supervision=supervision)
    choice["figures"] = k_choice.write_figures(
        figures, table, choice, kind=kind, ks=ks, by_label=by_label, by_rating=by_rating
    )
    return choice, table


# --------------------------------------------------------------------------- rule pls_projection


def train_rows(meta: pd.DataFrame) -> np.ndarray:
    """The train split's rows of ``meta`` (``split``, ``label``) as a boolean mask; fails unless
    they hold at least two reviews of both labels' classes."""
    train = (meta["split"] == "train").to_numpy()
    if train.sum() < 2 or meta["label"][train].nunique() < 2:
        raise ValueError(
            "the projection is fitted on the train split's labels, but the train split has "
            f"{int(train.sum())} reviews with labels {sorted(meta['label'][train].unique())}; "
            "keep the train split (ingest.splits) or set projection.enabled: false"
        )
    return train


def pls_on_train(
    x: np.ndarray, meta: pd.DataFrame, n_components: int, *, source_kind: str
) -> tuple[np.ndarray, dict[str, Any], PLSProjection]:
    """Rule pls_projection: (every review in the projection fitted on the train split only, its
    summary, the fitted :class:`PLSProjection`).

    ``meta``: the reviews' ``split`` and ``label``, row for row with ``x``. ``n_components`` is
    capped at the dimensions and the train rows - 1.
    """
    train = train_rows(meta)
    n_comp = min(int(n_components), x.shape[1], int(train.sum()) - 1)
    fitted = PLSProjection.fit(x[train], meta["label"].to_numpy()[train], n_comp)
    z = fitted.transform(x)
    summary = {
        "kind": f"{source_kind}_pls",
        "source_kind": source_kind,
        "supervision": "used labels: PLS fitted on the train split's labels only",
        "method": "sklearn PLSRegression(scale=True)",
        "n_components": n_comp,
        "n_train_fitted": int(train.sum()),
        "n_reviews": int(len(x)),
        "input_dimensions": int(x.shape[1]),
        # left out of the fit (constant up to float noise on the train split)
        "constant_dimensions": constant_columns(x[train]).tolist(),
        "finite": bool(np.isfinite(z).all()),
    }
    return z, summary, fitted
