"""Distances to centres: the nearest-centre kernel, and each row's distance to its own centre.

:func:`nearest_centres` is the stage's one nearest-centre kernel: the sweep's screened restarts
score candidate centres with it (float32) and :meth:`sentclust.cluster.model.KMeansModel.assign`
places new vectors with it (float64, with the margin to the second nearest).
:func:`assignment_stats` gives the distances and the inertia of a fit's own labels, the same way
for every backend, so that backends are compared on one measure.
"""

from __future__ import annotations

import numpy as np

from sentclust.cluster.errors import ClusterInputError

#: rows per matrix product of :func:`nearest_centres`
CHUNK = 4096


def nearest_centres(
    x, centres, *, dtype=np.float32, second: bool = False, chunk: int = CHUNK
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(int32 label of each row's nearest centre, its squared distance less the row's own
    squared norm, the same for the second nearest when ``second``, else None), in ``dtype``.

    By ``-2 x.c + |c|^2`` (one matrix product per ``chunk`` rows): ``|x|^2`` is the same for
    every centre, so the nearest centre does not depend on it; callers add it where they need
    distances (:meth:`KMeansModel.assign`) or an inertia (screened restarts).
    """
    x = np.asarray(x, dtype=dtype)
    c = np.asarray(centres, dtype=dtype)
    if x.ndim != 2 or c.ndim != 2 or x.shape[1] != c.shape[1]:
        raise ClusterInputError(
            f"vectors of shape {x.shape} cannot be assigned to centres of shape {c.shape}: "
            "the texts were not encoded like the run's reviews"
        )
    c2 = np.einsum("ij,ij->i", c, c)
    minus_2c = np.ascontiguousarray(-2.0 * c.T, dtype=dtype)
    labels = np.empty(len(x), dtype=np.int32)
    best = np.empty(len(x), dtype=dtype)
    runner_up = np.full(len(x), np.inf, dtype=dtype) if second else None
    for start in range(0, len(x), chunk):
        d2 = x[start : start + chunk] @ minus_2c
        d2 += c2
        nearest = d2.argmin(axis=1)
        rows = np.arange(len(d2))
        labels[start : start + chunk] = nearest
        best[start : start + chunk] = d2[rows, nearest]
        if second and c.shape[0] > 1:
            d2[rows, nearest] = np.inf
            runner_up[start : start + chunk] = d2.min(axis=1)
    return labels, best, runner_up


def chunked_total(values: np.ndarray, chunk: int = CHUNK) -> float:
    """The float64 sum of ``values``, chunk by chunk as :func:`nearest_centres` computes them."""
    return sum(
        float(values[s : s + chunk].sum(dtype=np.float64)) for s in range(0, len(values), chunk)
    )


def assignment_stats(x, centers, labels, *, chunk: int = 8192) -> tuple[np.ndarray, float]:
    """(float32 distance of each row to its own centre, inertia as a float64 sum of squares)."""
    x = np.asarray(x, dtype=np.float32)
    centers = np.asarray(centers, dtype=np.float32)
    labels = np.asarray(labels)
    out = np.empty(len(x), dtype=np.float32)
    total = 0.0
    for start in range(0, len(x), chunk):
        stop = start + chunk
        diff = x[start:stop] - centers[labels[start:stop]]
        d2 = np.einsum("ij,ij->i", diff, diff, dtype=np.float64)
        total += float(d2.sum())
        out[start:stop] = np.sqrt(d2)
    return out, total
