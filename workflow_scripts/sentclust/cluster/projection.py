"""Projections of review vectors: the sentiment-aligned PLS projection fitted on train labels,
and the 2-D projection (PCA or UMAP) the report draws per kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sentclust.cluster.errors import ClusterInputError
from sentclust.wordvec.explain import CLASS_NAMES

#: the 2-D projections the report can draw (config report.projection)
PROJECTIONS_2D = ("pca", "umap")
#: a column whose train standard deviation is below this share of the median column's is
#: constant up to float noise (all-MiniLM-L6-v2 has such dimensions: values around 1e-32)
CONSTANT_STD_SHARE = 1e-4


def constant_columns(x) -> np.ndarray:
    """Indices of the columns of ``x`` that are constant up to float noise (standard deviation
    below :data:`CONSTANT_STD_SHARE` of the median column's). Scaled to unit variance, as PLS
    scales, their noise would become a feature: a vector encoded another way (torch instead of
    OpenVINO, another device or precision) differs there by more than the whole column varies."""
    std = np.asarray(x, dtype=np.float64).std(axis=0)
    return np.flatnonzero(std < CONSTANT_STD_SHARE * np.median(std))


def fit_projection(x_train, y_train, n_components: int):
    """A sentiment-aligned linear projection: PLS regression of the train labels on the vectors.

    Takes only the train split (vectors and labels), so no test label can reach it.
    Deterministic (NIPALS, no random state). Columns constant up to float noise
    (:func:`constant_columns`) get no weight.
    """
    from sklearn.cross_decomposition import PLSRegression

    x = np.asarray(x_train, dtype=np.float32)
    y = np.asarray(y_train, dtype=np.float64).reshape(-1)
    if x.ndim != 2 or len(x) != len(y):
        raise ClusterInputError(
            f"projection: x_train {x.shape} and y_train {y.shape} must have one label per row"
        )
    if not 1 <= int(n_components) <= min(x.shape[1], len(x) - 1):
        raise ClusterInputError(
            f"projection.n_components={n_components}: must be between 1 and "
            f"{min(x.shape[1], len(x) - 1)} (dimensions and train rows - 1)"
        )
    if np.unique(y).size < 2:
        raise ClusterInputError("projection: the train labels have a single class")
    # constant columns are fitted as exact zeros: scikit-learn then keeps their scale at 1 and
    # their rotation rows are 0, so their float noise reaches no projected vector
    x = x.copy()
    x[:, constant_columns(x)] = 0.0
    model = PLSRegression(n_components=int(n_components), scale=True)
    model.fit(x, y)
    return model


def project(model, x) -> np.ndarray:
    """The vectors in the fitted projection's component space, float32 (n, n_components)."""
    return np.ascontiguousarray(model.transform(np.asarray(x, dtype=np.float32)), dtype=np.float32)


def pls_parameters(model) -> dict[str, np.ndarray]:
    """What applying a fitted PLS projection takes, as plain arrays (saved as .npz, no pickle):
    the train split's column means and standard deviations and the X rotations."""
    return {
        "x_mean": np.asarray(model._x_mean, dtype=np.float64),
        "x_std": np.asarray(model._x_std, dtype=np.float64),
        "x_rotations": np.asarray(model.x_rotations_, dtype=np.float64),
    }


def apply_pls(params: dict[str, np.ndarray], x) -> np.ndarray:
    """:func:`project` from :func:`pls_parameters` with numpy alone: centre and scale as the
    fit did, then rotate (the steps of ``PLSRegression.transform``, in its dtypes)."""
    x = np.array(x, dtype=np.float32)  # a copy: scaled in place, as scikit-learn does
    if x.ndim != 2 or x.shape[1] != params["x_mean"].shape[0]:
        raise ValueError(
            f"the PLS projection was fitted on {params['x_mean'].shape[0]}-dimensional vectors, "
            f"got shape {x.shape}"
        )
    x -= params["x_mean"]
    x /= params["x_std"]
    return np.ascontiguousarray(x @ params["x_rotations"], dtype=np.float32)


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
) -> tuple[np.ndarray, dict[str, Any], dict[str, np.ndarray]]:
    """(every review in the PLS projection fitted on the train split only, its summary, the
    fitted parameters of :func:`pls_parameters`).

    ``meta``: the reviews' ``split`` and ``label``, row for row with ``x``. ``n_components`` is
    capped at the dimensions and the train rows - 1.
    """
    train = train_rows(meta)
    n_comp = min(int(n_components), x.shape[1], int(train.sum()) - 1)
    model = fit_projection(x[train], meta["label"].to_numpy()[train], n_comp)
    z = project(model, x)
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
    return z, summary, pls_parameters(model)


def _umap_reducer(seed: int):
    """A seeded 2-D ``umap.UMAP``; ValueError naming the fix when umap-learn is not installed."""
    try:
        import umap
    except ImportError:
        raise ValueError(
            "report.projection=umap, but umap-learn is not installed here; install it "
            "(pip install umap-learn) or set report.projection: pca"
        ) from None
    return umap.UMAP(n_components=2, random_state=seed)


def project_2d(
    x: np.ndarray, *, sample: int, seed: int, method: str = "pca"
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """(row indices of a seeded sample, their 2-D coordinates, a description).

    ``method`` (config report.projection): ``pca``, fitted on every row, or ``umap``, fitted on
    the sample (umap-learn must be installed: the method is chosen, never guessed from what is
    installed, so the figure does not change with the machine). Raises ValueError for another
    method or when umap-learn is missing, naming the fix.
    """
    if method not in PROJECTIONS_2D:
        raise ValueError(f"report.projection={method!r}: use one of {', '.join(PROJECTIONS_2D)}")
    n = len(x)
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(n, size=min(sample, n), replace=False))
    if method == "umap":
        reducer = _umap_reducer(seed)
        xy = reducer.fit_transform(x[rows])
        info = {"method": "umap", "fitted_on": len(rows)}
    else:  # pca
        from sklearn.decomposition import PCA

        if x.shape[1] < 2:
            xy = np.column_stack([x[rows, 0], np.zeros(len(rows))])
            info = {"method": "pca", "fitted_on": n, "explained_variance_ratio": [1.0, 0.0]}
        else:
            pca = PCA(n_components=2, random_state=seed).fit(x)
            xy = pca.transform(x[rows])
            info = {
                "method": "pca",
                "fitted_on": n,
                "explained_variance_ratio": [float(v) for v in pca.explained_variance_ratio_],
            }
    info.update(n_points=len(rows), seed=seed)
    return rows, np.asarray(xy, dtype=np.float32), info


def projection_points(
    x: np.ndarray,
    clusters: np.ndarray,
    labels: np.ndarray,
    cluster_names: Mapping[Any, str],
    *,
    sample: int,
    seed: int,
    method: str,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """(a seeded sample's 2-D points: ``x``, ``y``, ``cluster`` name, ``label`` word; the
    projection's description). ``clusters`` and ``labels`` are row for row with ``x``."""
    rows, xy, info = project_2d(x, sample=sample, seed=seed, method=method)
    points = pd.DataFrame(
        {
            "x": xy[:, 0],
            "y": xy[:, 1],
            "cluster": [cluster_names[c] for c in clusters[rows]],
            "label": [CLASS_NAMES[int(v)] for v in labels[rows]],
        }
    )
    return points, info


def draw_projection_2d(
    embeddings,
    reviews,
    assignments,
    names,
    *,
    kind: str,
    k: int,
    sample: int,
    seed: int,
    method: str,
    path,
) -> dict[str, Any]:
    """Draw one kind's 2-D projection at its chosen ``k`` to ``path`` (PNG), coloured by cluster
    name and by label; returns the projection's description.

    ``assignments``: the chosen k's assignments.parquet; ``names``: finegrained.parquet (rank,
    cluster, name); ``sample``, ``seed``, ``method``: as for :func:`project_2d`.
    """
    from sentclust import figures
    from sentclust.files import read_embeddings_with_reviews

    ids, x, meta = read_embeddings_with_reviews(embeddings, reviews)
    clusters = pd.read_parquet(assignments).set_index("review_id").loc[ids, "cluster"]
    names = pd.read_parquet(names, columns=["rank", "cluster", "name"]).sort_values("rank")
    points, info = projection_points(
        x,
        clusters.to_numpy(),
        meta["label"].to_numpy(),
        dict(zip(names["cluster"], names["name"], strict=True)),
        sample=sample,
        seed=seed,
        method=method,
    )
    figures.projection_scatter(
        points,
        cluster_order=names["name"].tolist(),
        title=f"{kind}: {info['method'].upper()} of {len(points):,} reviews, k={k}",
        path=path,
        axis_names=("PC 1", "PC 2") if info["method"] == "pca" else ("UMAP 1", "UMAP 2"),
    )
    return info
