"""The 2-D projection the report draws per kind (rule projection_2d): PCA or UMAP of a seeded
sample, its points named by the chosen k's clusters and by label
(:func:`sentclust.report.job.draw_projection_2d` draws them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sentclust.ingest.contract import CLASS_NAMES

#: the 2-D projections the report can draw (config report.projection)
PROJECTIONS_2D = ("pca", "umap")


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
            # a corpus without labels: every point "no label"
            "label": [CLASS_NAMES[int(v)] if not pd.isna(v) else "no label" for v in labels[rows]],
        }
    )
    return points, info
