"""The torch K-means backend against scikit-learn from the same initial centres (shared by the
unit tests and the workflow test on a tiny run's real review vectors)."""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus

from sentclust.cluster import torch_kmeans as tk

SETTINGS = dict(max_iter=300, tol=1e-4)


def sse(x, labels, centers) -> float:
    diff = x.astype(np.float64) - centers[labels].astype(np.float64)
    return float((diff * diff).sum())


def same_up_to_permutation(a, b) -> bool:
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def sklearn_from(x, init, **settings):
    model = KMeans(len(init), init=init, n_init=1, algorithm="lloyd", **settings).fit(x)
    return model.labels_, model.cluster_centers_, model.n_iter_


def assert_parity(x, k, seed, **settings):
    settings = {**SETTINGS, **settings}
    init, _ = kmeans_plusplus(x, k, random_state=seed)
    labels, centers, n_iter = tk.fit_torch(x, k, seed=0, n_init=1, init=init, **settings)
    ref_labels, ref_centers, ref_iter = sklearn_from(x, init, **settings)
    assert labels.dtype == np.int32 and labels.shape == (len(x),)
    assert centers.dtype == np.float32 and centers.shape == (k, x.shape[1])
    ours, theirs = sse(x, labels, centers), sse(x, ref_labels, ref_centers)
    assert abs(ours - theirs) <= 1e-4 * theirs
    assert same_up_to_permutation(labels, ref_labels)
    assert abs(n_iter - ref_iter) <= 1
