"""The sentiment-aligned PLS projection (sentclust.cluster.pls): fitted on train labels only,
applied with numpy exactly as scikit-learn's transform, saved as plain arrays."""

import inspect

import numpy as np
import pandas as pd
import pytest
from sklearn.cross_decomposition import PLSRegression

from sentclust.cluster import job
from sentclust.cluster import pls as projection
from sentclust.cluster.errors import ClusterInputError
from sentclust.cluster.pls import PLSProjection


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
    model = PLSProjection.fit(x[:300], y[:300], n_components=2)
    z = model.transform(x[300:])
    assert z.dtype == np.float32 and z.shape == (100, 2) and model.x_rotations.shape[1] == 2
    first = model.x_rotations[:, 0]
    assert abs(first @ u) / np.linalg.norm(first) > 0.95
    # the first component separates the held-out labels
    corr = np.corrcoef(z[:, 0], y[300:])[0, 1]
    assert abs(corr) > 0.9


def test_projection_sees_only_train_arrays_and_is_deterministic():
    params = list(inspect.signature(PLSProjection.fit).parameters)
    assert params == ["x_train", "y_train", "n_components"]
    x, y, _ = _label_in_one_direction()
    a = PLSProjection.fit(x[:300], y[:300], 3).transform(x)
    b = PLSProjection.fit(x[:300].copy(), y[:300].copy(), 3).transform(x)
    np.testing.assert_array_equal(a, b)
    # test labels cannot change it: there is no way to pass them, and test rows do not matter
    c = PLSProjection.fit(x[:300], y[:300], 3).transform(x[::-1])[::-1]
    np.testing.assert_allclose(a, c, rtol=1e-6, atol=1e-6)


def test_projection_bad_inputs():
    x, y, _ = _label_in_one_direction(n=50, d=4)
    with pytest.raises(ClusterInputError, match="n_components=5"):
        PLSProjection.fit(x, y, 5)
    with pytest.raises(ClusterInputError, match="single class"):
        PLSProjection.fit(x, np.ones(50), 2)
    with pytest.raises(ClusterInputError, match="one label per row"):
        PLSProjection.fit(x, y[:10], 2)


def _meta(y, n_train):
    split = ["train"] * n_train + ["test"] * (len(y) - n_train)
    return pd.DataFrame({"split": split, "label": y})


def test_pls_on_train_fits_the_train_split_only_and_caps_the_components():
    x, y, _ = _label_in_one_direction()
    z, summary, _ = job.pls_on_train(x, _meta(y, 300), 2, source_kind="bert")
    expected = PLSProjection.fit(x[:300], y[:300], 2).transform(x)
    np.testing.assert_array_equal(z, expected)
    assert list(summary) == [
        "kind",
        "source_kind",
        "supervision",
        "method",
        "n_components",
        "n_train_fitted",
        "n_reviews",
        "input_dimensions",
        "constant_dimensions",
        "finite",
    ]
    assert summary["kind"] == "bert_pls" and summary["source_kind"] == "bert"
    assert summary["n_train_fitted"] == 300 and summary["n_reviews"] == 400
    assert summary["input_dimensions"] == 20 and summary["finite"] is True
    # n_components capped at the dimensions, and at the train rows - 1
    assert job.pls_on_train(x[:, :3], _meta(y, 300), 8, source_kind="b")[0].shape == (400, 3)
    z, summary, _ = job.pls_on_train(x[2:7], _meta(y[2:7], 3), 8, source_kind="b")
    assert z.shape == (5, 2) and summary["n_components"] == 2


def test_the_transform_and_the_saved_form_equal_scikit_learns_fit(tmp_path):
    """What the object keeps is what scikit-learn fitted (its centring and scaling computed the
    same way, its rotations), and its numpy transform equals PLSRegression.transform exactly,
    before and after a round trip through the .npz."""
    from sentclust.files import read_npz

    x, y, _ = _label_in_one_direction(n=400, d=20)
    x[:, 3] = 0.0  # a constant column: scikit-learn's std of 1 must carry over
    z, _, fitted = job.pls_on_train(x, _meta(y, 300), 4, source_kind="bert")
    fitted.save(tmp_path / "bert_pls_model.npz")
    saved = read_npz(tmp_path / "bert_pls_model.npz")
    assert sorted(saved) == ["x_mean", "x_rotations", "x_std"]
    assert saved["x_rotations"].shape == (20, 4)
    loaded = PLSProjection.load(tmp_path / "bert_pls_model.npz")
    reference = PLSRegression(n_components=4, scale=True).fit(x[:300], y[:300])
    np.testing.assert_array_equal(loaded.x_mean, reference._x_mean)
    np.testing.assert_array_equal(loaded.x_std, reference._x_std)
    np.testing.assert_array_equal(loaded.x_rotations, reference.x_rotations_)
    fresh = np.random.default_rng(5).normal(size=(50, 20)).astype(np.float32)
    for rows in (x, fresh):
        expected = np.asarray(reference.transform(rows), dtype=np.float32)
        np.testing.assert_array_equal(loaded.transform(rows), expected)
    np.testing.assert_array_equal(loaded.transform(x), z)
    with pytest.raises(ValueError, match="20-dimensional"):
        loaded.transform(fresh[:, :5])


def test_the_train_split_must_hold_both_labels():
    x, y, _ = _label_in_one_direction(n=20, d=4)
    assert job.train_rows(_meta(y, 12)).sum() == 12
    with pytest.raises(ValueError, match="train split has 0 reviews with labels"):
        job.pls_on_train(x, _meta(y, 0), 2, source_kind="b")
    with pytest.raises(
        ValueError, match=r"has 3 reviews with labels \[(np\.int64\()?1\)?\]; keep the train split"
    ):
        job.train_rows(_meta(np.array([1, 1, 1, 0]), 3))


def test_columns_constant_up_to_float_noise_get_no_weight():
    # all-MiniLM-L6-v2 (OpenVINO) has dimensions of values around 1e-32; torch writes 0 there.
    # Scaled to unit variance that noise was a feature: the same texts encoded by torch moved 6%
    # of the reviews between bert_pls clusters (tests/benchmarks/gpu_assign.py)
    x, y, _ = _label_in_one_direction(n=400, d=20)
    rng = np.random.default_rng(3)
    x[:, 5] = rng.normal(scale=1e-32, size=400).astype(np.float32)
    x[:, 6] = rng.normal(scale=1e-9, size=400).astype(np.float32)
    assert projection.constant_columns(x).tolist() == [5, 6]
    z, summary, fitted = job.pls_on_train(x, _meta(y, 300), 4, source_kind="bert")
    assert summary["constant_dimensions"] == [5, 6]
    assert (fitted.x_rotations[[5, 6]] == 0).all()
    other = x.copy()
    other[:, [5, 6]] = 0.0  # the same vectors from another backend
    np.testing.assert_allclose(fitted.transform(other), z, atol=1e-5)
