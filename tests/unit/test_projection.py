"""The sentiment-aligned PLS projection (sentclust.projection)."""

import inspect

import numpy as np
import pytest

from sentclust import projection
from sentclust.cluster import ClusterInputError


def _label_in_one_direction(n=400, d=20, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    x = rng.normal(scale=3.0, size=(n, d))  # loud noise everywhere
    j = min(7, d - 1)
    u = np.zeros(d)
    u[j] = 1.0
    x[:, j] = (2 * y - 1) * 1.0 + rng.normal(scale=0.3, size=n)  # quiet but label-bearing
    return x.astype(np.float32), y, u


def test_projection_recovers_the_label_direction():
    x, y, u = _label_in_one_direction()
    model = projection.fit_projection(x[:300], y[:300], n_components=2)
    z = projection.project(model, x[300:])
    assert z.dtype == np.float32 and z.shape == (100, 2)
    first = model.x_weights_[:, 0]
    assert abs(first @ u) / np.linalg.norm(first) > 0.95
    # the first component separates the held-out labels
    corr = np.corrcoef(z[:, 0], y[300:])[0, 1]
    assert abs(corr) > 0.9


def test_projection_sees_only_train_arrays_and_is_deterministic():
    params = list(inspect.signature(projection.fit_projection).parameters)
    assert params == ["x_train", "y_train", "n_components"]
    x, y, _ = _label_in_one_direction()
    a = projection.project(projection.fit_projection(x[:300], y[:300], 3), x)
    b = projection.project(projection.fit_projection(x[:300].copy(), y[:300].copy(), 3), x)
    np.testing.assert_array_equal(a, b)
    # test labels cannot change it: there is no way to pass them, and test rows do not matter
    c = projection.project(projection.fit_projection(x[:300], y[:300], 3), x[::-1])[::-1]
    np.testing.assert_allclose(a, c, rtol=1e-6, atol=1e-6)


def test_projection_bad_inputs():
    x, y, _ = _label_in_one_direction(n=50, d=4)
    with pytest.raises(ClusterInputError, match="n_components=5"):
        projection.fit_projection(x, y, 5)
    with pytest.raises(ClusterInputError, match="single class"):
        projection.fit_projection(x, np.ones(50), 2)
    with pytest.raises(ClusterInputError, match="one label per row"):
        projection.fit_projection(x, y[:10], 2)
