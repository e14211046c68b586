"""Projections (sentclust.cluster.projection): the sentiment-aligned PLS fit and the 2-D
projection."""

import inspect
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import yaml

from conftest import ROOT
from sentclust.cluster import projection
from sentclust.cluster.errors import ClusterInputError
from sentclust.files import embeddings_table, write_parquet


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


def _meta(y, n_train):
    split = ["train"] * n_train + ["test"] * (len(y) - n_train)
    return pd.DataFrame({"split": split, "label": y})


def test_pls_on_train_fits_the_train_split_only_and_caps_the_components():
    x, y, _ = _label_in_one_direction()
    z, summary, _ = projection.pls_on_train(x, _meta(y, 300), 2, source_kind="bert")
    expected = projection.project(projection.fit_projection(x[:300], y[:300], 2), x)
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
    assert projection.pls_on_train(x[:, :3], _meta(y, 300), 8, source_kind="b")[0].shape == (400, 3)
    z, summary, _ = projection.pls_on_train(x[2:7], _meta(y[2:7], 3), 8, source_kind="b")
    assert z.shape == (5, 2) and summary["n_components"] == 2


def test_saved_pls_parameters_applied_with_numpy_equal_the_fitted_transform(tmp_path):
    from sentclust.files import read_npz, write_npz

    x, y, _ = _label_in_one_direction(n=400, d=20)
    x[:, 3] = 0.0  # a constant column: scikit-learn's std of 1 must carry over
    z, _, params = projection.pls_on_train(x, _meta(y, 300), 4, source_kind="bert")
    write_npz(params, tmp_path / "bert_pls_model.npz")
    saved = read_npz(tmp_path / "bert_pls_model.npz")
    assert sorted(saved) == ["x_mean", "x_rotations", "x_std"]
    assert saved["x_rotations"].shape == (20, 4)
    model = projection.fit_projection(x[:300], y[:300], 4)
    fresh = np.random.default_rng(5).normal(size=(50, 20)).astype(np.float32)
    for rows in (x, fresh):
        np.testing.assert_array_equal(
            projection.apply_pls(saved, rows), projection.project(model, rows)
        )
    np.testing.assert_array_equal(projection.apply_pls(saved, x), z)
    with pytest.raises(ValueError, match="20-dimensional"):
        projection.apply_pls(saved, fresh[:, :5])


def test_the_train_split_must_hold_both_labels():
    x, y, _ = _label_in_one_direction(n=20, d=4)
    assert projection.train_rows(_meta(y, 12)).sum() == 12
    with pytest.raises(ValueError, match="train split has 0 reviews with labels"):
        projection.pls_on_train(x, _meta(y, 0), 2, source_kind="b")
    with pytest.raises(
        ValueError, match=r"has 3 reviews with labels \[(np\.int64\()?1\)?\]; keep the train split"
    ):
        projection.train_rows(_meta(np.array([1, 1, 1, 0]), 3))


def test_projection_is_seeded_and_sampled():
    x = np.random.default_rng(0).normal(size=(300, 6)).astype(np.float32)
    rows, xy, info = projection.project_2d(x, sample=100, seed=3, method="pca")
    rows2, xy2, _ = projection.project_2d(x, sample=100, seed=3, method="pca")
    assert len(rows) == 100 and xy.shape == (100, 2) and np.array_equal(rows, rows2)
    assert np.allclose(xy, xy2) and info["method"] == "pca" and info["fitted_on"] == 300
    assert len(projection.project_2d(x, sample=1000, seed=3, method="pca")[0]) == 300
    assert projection.project_2d(x[:, :1], sample=10, seed=3, method="pca")[1].shape == (10, 2)
    with pytest.raises(ValueError, match=r"report.projection='tsne': use one of pca, umap"):
        projection.project_2d(x, sample=10, seed=0, method="tsne")


def test_projection_2d_is_chosen_never_guessed_from_what_is_installed(monkeypatch):
    """'auto' (UMAP if it imports, else PCA) is gone: the default is PCA wherever it runs, and
    an explicit umap without umap-learn stops with the fix instead of a bare ImportError."""
    x = np.random.default_rng(0).normal(size=(40, 5)).astype(np.float32)
    assert projection.project_2d(x, sample=10, seed=0)[2]["method"] == "pca"
    with pytest.raises(ValueError, match="report.projection='auto'"):
        projection.project_2d(x, sample=10, seed=0, method="auto")
    monkeypatch.setitem(sys.modules, "umap", None)  # import umap raises ImportError
    with pytest.raises(ValueError, match=r"umap-learn is not installed.*report.projection: pca"):
        projection.project_2d(x, sample=10, seed=0, method="umap")


def test_projection_2d_config_is_explicit():
    schema = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text())
    spec = schema["properties"]["report"]["properties"]["projection"]
    assert spec["enum"] == list(projection.PROJECTIONS_2D) and spec["default"] == "pca"
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    assert config["report"]["projection"] == "pca"


def test_projection_points_name_clusters_and_labels():
    x = np.random.default_rng(1).normal(size=(50, 4)).astype(np.float32)
    clusters = np.arange(50) % 3
    labels = np.arange(50) % 2
    names = {0: "low", 1: "mid", 2: "high"}
    points, info = projection.projection_points(
        x, clusters, labels, names, sample=20, seed=5, method="pca"
    )
    rows, xy, same = projection.project_2d(x, sample=20, seed=5, method="pca")
    assert info == same and list(points.columns) == ["x", "y", "cluster", "label"]
    np.testing.assert_array_equal(points[["x", "y"]].to_numpy(), xy)
    assert points["cluster"].tolist() == [names[c] for c in clusters[rows]]
    assert points["label"].tolist() == ["positive" if v else "negative" for v in labels[rows]]


def test_draw_projection_2d_writes_a_png_of_the_chosen_k(tmp_path):
    x, y, _ = _label_in_one_direction(n=60, d=5)
    ids = [f"r{i:02d}" for i in range(60)]
    write_parquet(embeddings_table(ids, x), tmp_path / "emb.parquet")
    reviews = pd.DataFrame({"review_id": ids[::-1], "split": "train", "label": y[::-1]})
    reviews.to_parquet(tmp_path / "reviews.parquet")
    cluster = pa.array((np.arange(60) % 2).astype(np.int32))
    assignments = pa.table({"review_id": ids, "cluster": cluster})
    write_parquet(assignments, tmp_path / "assignments.parquet")
    names = pd.DataFrame({"rank": [1, 0], "cluster": [0, 1], "name": ["good", "bad"]})
    names.to_parquet(tmp_path / "names.parquet")
    paths = [tmp_path / f"{n}.parquet" for n in ("emb", "reviews", "assignments", "names")]
    info = projection.draw_projection_2d(
        *paths, kind="bert", k=2, sample=30, seed=1, method="pca", path=tmp_path / "p.png"
    )
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
    assert info["method"] == "pca" and info["n_points"] == 30 and info["seed"] == 1


def test_columns_constant_up_to_float_noise_get_no_weight():
    # all-MiniLM-L6-v2 (OpenVINO) has dimensions of values around 1e-32; torch writes 0 there.
    # Scaled to unit variance that noise was a feature: the same texts encoded by torch moved 6%
    # of the reviews between bert_pls clusters (tests/benchmarks/gpu_assign.py)
    x, y, _ = _label_in_one_direction(n=400, d=20)
    rng = np.random.default_rng(3)
    x[:, 5] = rng.normal(scale=1e-32, size=400).astype(np.float32)
    x[:, 6] = rng.normal(scale=1e-9, size=400).astype(np.float32)
    assert projection.constant_columns(x).tolist() == [5, 6]
    z, summary, params = projection.pls_on_train(x, _meta(y, 300), 4, source_kind="bert")
    assert summary["constant_dimensions"] == [5, 6]
    assert (params["x_rotations"][[5, 6]] == 0).all()
    other = x.copy()
    other[:, [5, 6]] = 0.0  # the same vectors from another backend
    np.testing.assert_allclose(projection.apply_pls(params, other), z, atol=1e-5)
