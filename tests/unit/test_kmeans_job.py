import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from cluster_data import blobs

from sentclust.cluster import job as job
from sentclust.cluster import metrics as cm
from sentclust.cluster.backends import available_backends
from sentclust.cluster.errors import ClusterInputError
from sentclust.cluster.kmeans import kmeans

PARAMS = {
    "backend": "sklearn",
    "n_init": 2,
    "max_iter": 50,
    "tol": 1e-4,
    "screen_sample": 0,
    "refine": 2,
    "silhouette_sample": 100,
    "stability_runs": 1,
}


def _data():
    """Three blobs of 60 reviews: blob 0 negative, blob 2 positive, blob 1 half and half; every
    other review in the test split; some ratings null."""
    x, truth = blobs(k=3)
    n = len(truth)
    label = np.where(truth == 0, 0, np.where(truth == 2, 1, np.arange(n) % 2))
    rating = np.where(label == 1, 8 + truth % 3, 1 + truth)
    meta = pd.DataFrame(
        {
            "split": np.where(np.arange(n) % 2 == 0, "train", "test"),
            "label": label.astype(np.int8),
            "rating": pd.array(np.where(np.arange(n) % 7 == 0, None, rating), dtype="Int8"),
        },
        index=pd.Index([f"r{i:03d}" for i in range(n)], name="review_id"),
    )
    return x, meta


def _run(x, params=PARAMS):
    return job.run_kmeans(x, 3, params=params, seed=7, threads=1, name="bert")[1]


def test_fit_settings_and_run_kmeans():
    fit = job.fit_settings(PARAMS, 2)
    assert fit == dict(n_init=2, max_iter=50, tol=1e-4, screen_sample=0, refine=2, threads=2)
    x, _ = _data()
    model, res = job.run_kmeans(x, 3, params=PARAMS, seed=7, threads=1, name="bert")
    direct = kmeans(x, 3, backend="sklearn", seed=7, **job.fit_settings(PARAMS, 1))
    assert model.centres.dtype == np.float32 and model.centres.shape == (3, x.shape[1])
    assert model.sizes.tolist() == np.bincount(res.labels, minlength=3).tolist()
    assert res.backend == "sklearn" and (res.k, res.seed, res.n_init) == (3, 7, 2)
    assert (res.labels == direct.labels).all() and res.inertia == direct.inertia


def test_label_columns():
    _, meta = _data()
    y, ratings, test = job.label_columns(meta)
    assert y.dtype == np.int64 and ratings.dtype == "Float64" and test.dtype == bool
    assert test.sum() == 90 and not test[0] and test[1]
    assert ratings.isna().sum() == 26


def test_cluster_profile_columns():
    labels = np.array([0, 0, 2, 2, 2, 1])
    y = np.array([1, 0, 1, 1, 1, 0])
    ratings = pd.array([9, None, 10, 8, 7, 2], dtype="Float64")
    p = job.cluster_profile(labels, y, ratings, 3)
    assert p.columns.tolist()[:4] == ["size", "positive_share", "n_rated", "mean_rating"]
    assert p.columns.tolist()[4:] == [f"rating_{r}" for r in range(1, 11)]
    assert p.index.tolist() == [0, 1, 2] and p["size"].tolist() == [2, 1, 3]
    assert p["positive_share"].tolist() == [0.5, 0.0, 1.0] and p.loc[0, "n_rated"] == 1


def test_label_scores_on_test_use_train_shares_only():
    labels = np.array([0, 0, 1, 1, 0, 1, 0, 1])
    y = np.array([0, 0, 1, 1, 1, 0, 1, 0])  # the test split's labels contradict the train's
    ratings = pd.Series(pd.array([1, 2, 9, 10, 1, 10, 2, 9], dtype="Float64"))
    test = np.array([False] * 4 + [True] * 4)
    s = job.label_scores(labels, y, ratings, test)
    assert list(s) == ["labels_all", "labels_test", "rating_spearman_all", "rating_spearman_test"]
    assert s["labels_all"] == cm.label_metrics(labels, y)
    assert s["labels_test"] == cm.label_metrics(labels[test], y[test])
    # the train split's shares (cluster 0: 0, cluster 1: 1) score the test reviews
    from_train = cm.rating_spearman(ratings[test], np.array([0.0, 1.0, 0.0, 1.0]))
    assert s["rating_spearman_test"] == pytest.approx(from_train) and from_train > 0.8
    assert cm.rating_spearman(ratings[test], cm.cluster_scores(labels[test], y[test])) < 0
    # on all reviews, each cluster is half positive: no correlation can be measured
    assert np.isnan(s["rating_spearman_all"])
    none = job.label_scores(labels, y, ratings, np.zeros(8, dtype=bool))
    assert none["labels_test"] is None and none["rating_spearman_test"] is None


def test_stability_reuses_the_job_run_and_can_be_off():
    x, _ = _data()
    res = _run(x)
    assert job.stability(x, res, params={**PARAMS, "stability_runs": 0}, threads=1) is None
    s = job.stability(x, res, params=PARAMS, threads=1)
    assert s["seeds"] == [7, 8] and s["mean"] == 1.0  # separated blobs


def test_job_metrics_record():
    x, meta = _data()
    res = _run(x)
    m = job.job_metrics(x, meta, res, params=PARAMS, threads=1, kind="bert", supervision="none")
    summary = list(res.summary())
    assert list(m) == [
        "kind",
        "supervision",
        *summary,
        "silhouette",
        "silhouette_sample_size",
        "calinski_harabasz",
        "davies_bouldin",
        "labels_all",
        "labels_test",
        "rating_spearman_all",
        "rating_spearman_test",
        "clusters",
        "stability",
        "versions",
    ]
    assert (m["kind"], m["supervision"], m["k"], m["seed"]) == ("bert", "none", 3, 7)
    assert m["silhouette_sample_size"] == 100 and m["labels_test"]["n"] == 90
    assert [c["cluster"] for c in m["clusters"]] == [0, 1, 2]
    assert sum(c["size"] for c in m["clusters"]) == 180
    assert m["stability"]["seeds"] == [7, 8]
    assert set(m["versions"]) == set(job.VERSIONED)


def test_contingency_table_for_parquet():
    t = job.contingency_table(np.array([0, 0, 1]), np.array([1, 0, 1]))
    assert t.column_names == ["cluster", "0", "1"]
    assert t.to_pydict() == {"cluster": [0, 1], "0": [1, 0], "1": [1, 1]}


def test_job_tables():
    x, meta = _data()
    res = _run(x)
    tables = job.job_tables(meta.index.to_numpy(), meta, res)
    assert list(tables) == ["assignments", "by_label", "by_rating"]
    a = tables["assignments"]
    assert a.schema == pa.schema(
        [("review_id", pa.string()), ("cluster", pa.int32()), ("distance", pa.float32())]
    )
    assert a.column("review_id").to_pylist() == meta.index.tolist()
    assert a.column("cluster").to_pylist() == res.labels.tolist()
    assert tables["by_label"].column_names == ["cluster", "0", "1"]
    by_rating = tables["by_rating"]
    assert by_rating.column_names[0] == "cluster"
    assert all(name.isdigit() for name in by_rating.column_names[1:])
    assert sum(sum(by_rating.column(c).to_pylist()) for c in by_rating.column_names[1:]) == 154


#: every CPU backend installed here (torch runs on the CPU too)
CPU_BACKENDS = [b for b in ("sklearn", "faiss", "torch") if b in available_backends()]


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_a_job_with_fewer_distinct_vectors_than_k_stops_with_the_fix(backend):
    """Duplicate reviews: 180 rows holding 3 distinct vectors, k=5. The job used to crash in
    its metrics on a length mismatch (5 cluster sizes for 3 clusters); now K-means stops
    first, naming k, the distinct count and the fix. k=3 still runs, every cluster filled."""
    x, meta = _data()
    x = x[np.arange(len(x)) % 3 * 60]  # rows 0, 60, 120 (one per blob) repeated
    params = {**PARAMS, "backend": backend}
    with pytest.raises(ClusterInputError, match=r"k=5: bert holds only 3 distinct vectors"):
        _, res = job.run_kmeans(x, 5, params=params, seed=7, threads=1, name="bert")
        job.job_metrics(x, meta, res, params=params, threads=1, kind="bert", supervision="none")
    _, res = job.run_kmeans(x, 3, params=params, seed=7, threads=1, name="bert")
    m = job.job_metrics(x, meta, res, params=params, threads=1, kind="bert", supervision="none")
    assert [c["size"] for c in m["clusters"]] == [60, 60, 60]
