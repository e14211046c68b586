"""Placing new reviews on a run's scale (sentclust.assign.levels): the level of the nearest
centre of the saved K-means model."""

import numpy as np
import pandas as pd
import pytest

from sentclust.assign import levels as assign
from sentclust.cluster.model import KMeansModel


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
    path = tmp_path / "run" / "clusters" / "wordvec" / "k2" / "centres.npz"
    KMeansModel(centres=centres, sizes=np.array([5, 4])).save(path)
    saved = KMeansModel.load(path)
    out = assign.assign_vectors(
        np.array([[0.9, 1.2], [-2.0, -1.0]]), saved, assign.levels(_finegrained(), 2)
    )
    assert out["name"].tolist() == ["positive: great", "negative: bad"]
    assert out["mean_rating"].tolist() == [8.1, 2.5]
    assert isinstance(out, pd.DataFrame) and (out["margin"] > 0).all()
    three = KMeansModel(centres=np.zeros((3, 2), dtype=np.float32), sizes=np.ones(3))
    with pytest.raises(ValueError, match=r"no row for cluster\(s\) \[2\]"):
        assign.assign_vectors(np.zeros((1, 2)), three, assign.levels(_finegrained(), 2))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_vector_that_is_not_finite_is_refused_with_its_row(tmp_path, bad):
    model = KMeansModel(centres=np.array([[1.0, 1.0], [-1.0, -1.0]], np.float32), sizes=np.ones(2))
    x = np.array([[0.9, 1.2], [bad, 0.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match=r"not finite.*row 1"):
        assign.assign_vectors(x, model, assign.levels(_finegrained(), 2))
    with pytest.raises(ValueError, match=r"not finite.*text b \(row 1\).*Fix:"):
        assign.assign_vectors(x, model, assign.levels(_finegrained(), 2), ids=["a", "b", "c"])
