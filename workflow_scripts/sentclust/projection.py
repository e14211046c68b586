"""Projections of review vectors: the sentiment-aligned PLS projection fitted on train labels."""

from __future__ import annotations

import numpy as np

from .cluster import ClusterInputError


def fit_projection(x_train, y_train, n_components: int):
    """A sentiment-aligned linear projection: PLS regression of the train labels on the vectors.

    Takes only the train split (vectors and labels), so no test label can reach it.
    Deterministic (NIPALS, no random state).
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
    model = PLSRegression(n_components=int(n_components), scale=True)
    model.fit(x, y)
    return model


def project(model, x) -> np.ndarray:
    """The vectors in the fitted projection's component space, float32 (n, n_components)."""
    return np.ascontiguousarray(model.transform(np.asarray(x, dtype=np.float32)), dtype=np.float32)
