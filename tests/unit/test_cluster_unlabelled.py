"""The K-means stage on a corpus without labels: no label metrics, the sweep table and the
choice of k from the label-free indices only."""

import numpy as np
import pandas as pd

from sentclust.cluster import job
from sentclust.cluster.choice import choose_k, sweep_row


def unlabelled_meta(n=6):
    return pd.DataFrame(
        {
            "split": ["train", "test"] * (n // 2),
            "label": pd.array([None] * n, dtype="Int8"),
            "rating": pd.array([None] * n, dtype="Int8"),
        }
    )


def test_label_columns_say_there_are_no_labels():
    y, ratings, test = job.label_columns(unlabelled_meta())
    assert y is None
    assert ratings.isna().all() and test.sum() == 3


def test_no_label_scores_and_no_positive_share_without_labels():
    clusters = np.array([0, 0, 1, 1, 0, 1])
    y, ratings, test = job.label_columns(unlabelled_meta())
    scores = job.label_scores(clusters, y, ratings, test)
    assert set(scores.values()) == {None}
    profile = job.cluster_profile(clusters, y, ratings, 2)
    assert profile["positive_share"].isna().all() and list(profile["size"]) == [3, 3]


def test_labelled_columns_are_unchanged():
    meta = unlabelled_meta()
    meta["label"] = pd.array([1, 0, 1, 0, 1, 0], dtype="Int8")
    y, _, _ = job.label_columns(meta)
    assert y.dtype == np.int64 and list(y) == [1, 0, 1, 0, 1, 0]


def metrics(k, inertia, silhouette):
    return {
        "k": k,
        "inertia": inertia,
        "silhouette": silhouette,
        "calinski_harabasz": 10.0 * k,
        "davies_bouldin": 1.0 / k,
        "labels_all": None,
        "labels_test": None,
        "rating_spearman_all": None,
        "rating_spearman_test": None,
        "stability": None,
        "seconds": 0.1,
        "backend": "sklearn",
    }


def test_unlabelled_sweep_has_no_label_metrics_and_k_is_still_chosen():
    rows = [metrics(2, 100.0, 0.2), metrics(3, 60.0, 0.4), metrics(4, 50.0, 0.3)]
    table = pd.DataFrame([sweep_row(m) for m in rows])
    assert table[["purity", "ari", "nmi", "v_measure"]].isna().all().all()
    choice = choose_k(table, "silhouette")
    assert choice["k"] == 3 and choice["chosen_by"] == "silhouette"
