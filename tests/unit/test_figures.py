import numpy as np
import pandas as pd
import pytest

from conftest import assert_png
from sentclust import figures


@pytest.fixture
def sweep():
    return pd.DataFrame(
        {
            "k": [2, 3, 4],
            "inertia": [9.0, 6.0, 5.0],
            "purity": [0.7, 0.72, 0.74],
            "ari": [0.2, 0.15, 0.1],
            "nmi": [0.15, 0.14, 0.12],
        }
    )


@pytest.mark.parametrize("chosen", [3, None])
def test_sweep_curve(tmp_path, sweep, chosen):
    path = tmp_path / "inertia.png"
    marks = {"elbow": 3, "silhouette": None}
    figures.sweep_curve(sweep, "inertia", title="inertia", chosen=chosen, marks=marks, path=path)
    assert_png(path)


def test_label_curves(tmp_path, sweep):
    figures.label_curves(sweep, title="labels", path=tmp_path / "labels.png")
    assert_png(tmp_path / "labels.png")


def test_heatmap_with_an_empty_row(tmp_path):
    counts = pd.DataFrame([[5, 1], [0, 0], [2, 8]], columns=["negative", "positive"])
    path = tmp_path / "heat.png"
    figures.heatmap(counts, title="overlap", xlabel="label", path=path, row_labels=["a", "b", "c"])
    assert_png(path)
    figures.heatmap(counts, title="overlap", xlabel="label", path=tmp_path / "plain.png")
    assert_png(tmp_path / "plain.png")


def test_rating_by_cluster(tmp_path):
    df = pd.DataFrame({"name": ["low", "low", "high", "high"], "rating": [1, 3, 8, 10]})
    path = tmp_path / "ratings.png"
    figures.rating_by_cluster(
        df,
        order=["low", "high"],
        title="ratings",
        path=path,
        scale=range(1, 11),
        xlabel="star rating (1-10)",
    )
    assert_png(path)


def test_rating_counts(tmp_path):
    counts = pd.DataFrame(
        {"split": ["train", "train", "test"], "rating": [1, 10, 1], "n": [5, 7, 3]}
    )
    figures.rating_counts(counts, title="counts", path=tmp_path / "counts.png")
    assert_png(tmp_path / "counts.png")


@pytest.mark.parametrize("best_epoch", [2, None])
def test_learning_curves(tmp_path, best_epoch):
    history = {
        "loss": [0.7, 0.5, 0.4],
        "accuracy": [0.5, 0.7, 0.8],
        "val_loss": [0.69, 0.55, 0.6],
        "val_accuracy": [0.5, 0.68, 0.66],
    }
    path = tmp_path / "curves.png"
    figures.learning_curves(history, best_epoch=best_epoch, title="training", path=path)
    assert_png(path)


@pytest.mark.parametrize("order", [["negative-ish", "positive-ish"], ["only"]])
def test_projection_scatter(tmp_path, order):
    rng = np.random.default_rng(0)
    n = 40
    points = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "y": rng.normal(size=n),
            "cluster": [order[i % len(order)] for i in range(n)],
            "label": ["negative", "positive"] * (n // 2),
        }
    )
    path = tmp_path / "scatter.png"
    figures.projection_scatter(points, cluster_order=order, title="2-D", path=path)
    assert_png(path)


def test_a_figure_into_a_file_object(tmp_path):
    import io

    buf = io.BytesIO()
    figures.label_curves(
        pd.DataFrame({"k": [2], "purity": [1.0], "ari": [1.0], "nmi": [1.0]}), title="t", path=buf
    )
    (tmp_path / "buf.png").write_bytes(buf.getvalue())
    assert_png(tmp_path / "buf.png")
