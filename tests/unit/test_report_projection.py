"""The 2-D projection of the report (sentclust.report.projection): seeded, chosen (never guessed),
points named by cluster and label, a PNG of the chosen k."""

import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import yaml
from test_cluster_pls import _label_in_one_direction

from conftest import ROOT, full_config
from sentclust.files import embeddings_table, write_parquet
from sentclust.report import job, projection


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
    assert full_config()["report"]["projection"] == "pca"


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
    info = job.draw_projection_2d(
        *paths, kind="bert", k=2, sample=30, seed=1, method="pca", path=tmp_path / "p.png"
    )
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
    assert info["method"] == "pca" and info["n_points"] == 30 and info["seed"] == 1
