"""Placing new reviews on a run's scale (sentclust.assign.levels): nearest centre, margin,
levels."""

import numpy as np
import pandas as pd
import pytest
from cluster_data import blobs

from sentclust.assign import levels as assign
from sentclust.cluster.kmeans import kmeans
from sentclust.files import write_npz


def test_nearest_centre_distance_and_margin():
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 4.0]], dtype=np.float32)
    x = np.array([[1.0, 0.0], [9.0, 0.0], [0.0, 3.0]], dtype=np.float32)
    cluster, distance, margin = assign.nearest_centres(x, centres)
    assert cluster.tolist() == [0, 1, 2]
    np.testing.assert_allclose(distance, [1.0, 1.0, 1.0])
    np.testing.assert_allclose(margin, [np.sqrt(1 + 16) - 1, 9 - 1, 3 - 1], rtol=1e-6)
    with pytest.raises(ValueError, match="not encoded like the run"):
        assign.nearest_centres(x[:, :1], centres)


def test_the_nearest_centre_reproduces_the_kmeans_labels():
    x, _ = blobs(n_per=50, k=4, d=6, seed=3, spread=2.0)  # overlapping: boundaries matter
    for backend in ("sklearn", "torch"):
        res = kmeans(x, 4, backend=backend, seed=1, n_init=3)
        cluster, distance, _ = assign.nearest_centres(x, res.centers)
        assert (cluster == res.labels).all(), backend
        np.testing.assert_allclose(distance, res.distances, rtol=1e-4, atol=1e-5)


def _finegrained():
    clusters = [
        {"rank": 1, "cluster": 0, "name": "positive: great", "grade": "positive", "size": 5,
         "positive_share": 0.9, "mean_rating": 8.1},
        {"rank": 0, "cluster": 1, "name": "negative: bad", "grade": "negative", "size": 4,
         "positive_share": 0.1, "mean_rating": 2.5},
    ]  # fmt: skip
    return {"kind": "wordvec", "chosen_k": 2, "results": [{"k": 2, "clusters": clusters}]}


def test_levels_come_from_finegrained_json_by_cluster_id():
    table = assign.levels(_finegrained(), 2)
    assert table.index.tolist() == [0, 1]
    assert table.loc[1, "name"] == "negative: bad" and table.loc[0, "rank"] == 1
    with pytest.raises(KeyError, match=r"k = \[2\] only, not k = 5"):
        assign.levels(_finegrained(), 5)


def test_assign_vectors_gives_the_level_of_the_nearest_centre(tmp_path):
    centres = np.array([[1.0, 1.0], [-1.0, -1.0]], dtype=np.float32)
    run = tmp_path / "run"
    write_npz({"centres": centres}, run / "clusters" / "wordvec" / "k2" / "centres.npz")
    saved = assign.read_centres(run, "wordvec", 2)
    out = assign.assign_vectors(
        np.array([[0.9, 1.2], [-2.0, -1.0]]), saved, assign.levels(_finegrained(), 2)
    )
    assert out["name"].tolist() == ["positive: great", "negative: bad"]
    assert out["mean_rating"].tolist() == [8.1, 2.5]
    assert isinstance(out, pd.DataFrame) and (out["margin"] > 0).all()
    with pytest.raises(FileNotFoundError, match="only the K-means jobs rerun"):
        assign.read_centres(run, "wordvec", 3)
