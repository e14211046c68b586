import numpy as np
import pandas as pd
import pytest
from cluster_data import blobs

from sentclust.cluster import metrics as cm
from sentclust.cluster.errors import ClusterInputError

# --------------------------------------------------------------------------- internal indices


def test_silhouette_full_and_sampled():
    from sklearn.metrics import silhouette_score

    x, truth = blobs()
    full = cm.silhouette_sampled(x, truth, sample_size=1000, seed=0)
    assert full == pytest.approx(silhouette_score(x, truth))
    assert full > 0.9  # separated blobs
    a = cm.silhouette_sampled(x, truth, sample_size=50, seed=3)
    b = cm.silhouette_sampled(x, truth, sample_size=50, seed=3)
    assert a == b and a > 0.9
    assert np.isnan(cm.silhouette_sampled(x, np.zeros(len(x)), sample_size=50, seed=0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_silhouette_equals_scikit_learn(dtype):
    """The same sample and the same value as silhouette_score, on overlapping clusters with a
    singleton (scored 0), string labels and rows that are not a multiple of the block size."""
    from sklearn.metrics import silhouette_samples, silhouette_score

    rng = np.random.default_rng(5)
    x = rng.normal(size=(1203, 7)).astype(dtype)
    labels = np.array(["a", "b", "c"])[rng.integers(0, 3, len(x))]
    labels[17] = "lonely"
    expect = silhouette_samples(x, labels)
    got = cm.silhouette_values(x, labels, block=100)
    assert got[17] == 0.0
    np.testing.assert_allclose(got, expect, rtol=1e-5, atol=1e-6)
    sampled = silhouette_score(x, labels, sample_size=500, random_state=11)
    assert cm.silhouette_sampled(x, labels, 500, 11) == pytest.approx(sampled, abs=1e-6)


def test_silhouette_known_value():
    # two points per cluster, 1 apart, clusters 10 apart: s = 1 - 1/10 for the inner points
    x = np.array([[0.0], [1.0], [11.0], [12.0]], dtype=np.float32)
    labels = [0, 0, 1, 1]
    # a(i)=1 everywhere; b = 11.5,10.5,10.5,11.5 -> s = 1 - a/b
    expect = np.mean([1 - 1 / 11.5, 1 - 1 / 10.5, 1 - 1 / 10.5, 1 - 1 / 11.5])
    assert cm.silhouette_sampled(x, labels, 100, 0) == pytest.approx(expect)


def test_calinski_harabasz_and_davies_bouldin_known_values():
    x = np.array([[0.0], [2.0], [10.0], [12.0]])
    labels = [0, 0, 1, 1]
    # between: 2 * (2 * 5^2) = 100 over (k-1)=1; within: 4 * 1 = 4 over (n-k)=2 -> 50
    assert cm.calinski_harabasz(x, labels) == pytest.approx(50.0)
    # scatter 1 per cluster, centres 10 apart -> (1 + 1) / 10
    assert cm.davies_bouldin(x, labels) == pytest.approx(0.2)
    m = cm.internal_metrics(x, labels, sample_size=10, seed=0)
    assert set(m) == {"silhouette", "silhouette_sample_size", "calinski_harabasz", "davies_bouldin"}


# --------------------------------------------------------------------------- against labels


def test_purity_of_perfect_and_half_mixed_clusterings():
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    assert cm.purity([5, 5, 5, 5, 9, 9, 9, 9], labels) == 1.0
    assert cm.purity([0, 1, 0, 1, 0, 1, 0, 1], labels) == 0.5
    # one cluster 3:1, the other 1:3
    assert cm.purity([0, 0, 0, 1, 0, 1, 1, 1], labels) == 0.75


def test_label_metrics_known_answers():
    labels = np.array([0, 0, 1, 1])
    same = cm.label_metrics(np.array([1, 1, 0, 0]), labels)  # renamed ids: identical
    assert same == {"n": 4, "purity": 1.0, "ari": 1.0, "nmi": 1.0, "v_measure": 1.0}
    independent = cm.label_metrics(np.array([0, 1, 0, 1]), labels)
    assert independent["purity"] == 0.5
    assert independent["nmi"] == pytest.approx(0.0, abs=1e-12)
    assert independent["v_measure"] == pytest.approx(0.0, abs=1e-12)
    assert independent["ari"] < 0  # worse than chance: adjusted below zero


def test_contingency_counts():
    clusters = np.array([0, 0, 1, 1, 1, 2])
    labels = np.array([1, 0, 1, 1, 0, 0])
    t = cm.contingency(clusters, labels)
    assert t.index.tolist() == [0, 1, 2] and t.columns.tolist() == [0, 1]
    assert t.to_numpy().tolist() == [[1, 1], [1, 2], [1, 0]]
    ratings = pd.array([1, None, 10, 10, 2, None], dtype="Int8")
    tr = cm.contingency(clusters, ratings, levels=cm.RATINGS)
    assert tr.columns.tolist() == list(range(1, 11))
    assert tr.loc[0].sum() == 1 and tr.loc[1, 10] == 2 and tr.loc[1, 2] == 1
    assert tr.loc[2].sum() == 0  # a cluster whose ratings are all null keeps its row
    assert tr.to_numpy().dtype == np.int64


def test_positive_share_and_cluster_scores():
    clusters = np.array([2, 2, 0, 0, 0, 0])
    labels = np.array([1, 1, 1, 0, 0, 0])
    share = cm.positive_share(clusters, labels)
    assert share.to_dict() == {0: 0.25, 2: 1.0}
    np.testing.assert_allclose(cm.cluster_scores(clusters, labels), [1, 1, 0.25, 0.25, 0.25, 0.25])


def test_rating_profile_skips_nulls():
    clusters = np.array([0, 0, 0, 1, 1])
    ratings = pd.array([1, 3, None, 10, None], dtype="Int8")
    p = cm.rating_profile(clusters, ratings)
    assert p.loc[0, "mean_rating"] == 2.0 and p.loc[1, "mean_rating"] == 10.0
    assert p.loc[0, "n_rated"] == 2 and p.loc[0, "rating_1"] == 1 and p.loc[0, "rating_3"] == 1
    assert p.loc[1, "rating_10"] == 1
    all_null = cm.rating_profile(np.array([0, 1]), pd.array([None, 4], dtype="Int8"))
    assert np.isnan(all_null.loc[0, "mean_rating"]) and all_null.loc[0, "n_rated"] == 0


def test_rating_profile_counts_the_run_scale():
    clusters = np.array([0, 0, 1, 1])
    ratings = pd.array([1, 5, 4, None], dtype="Int8")
    five = cm.rating_profile(clusters, ratings, range(1, 6))
    assert [c for c in five if c.startswith("rating_")] == [f"rating_{v}" for v in range(1, 6)]
    assert five.loc[0, "rating_5"] == 1 and five.loc[1, "rating_4"] == 1
    # no scale named: 1-5 data on IMDB's 1-10 as before; 0-100 data on their own range
    assert cm.rating_values(ratings) == cm.RATINGS
    assert cm.rating_values(pd.array([0, 40, 100], dtype="Int8")) == tuple(range(0, 101))
    # no ratings: no rating columns, not zeros
    none = cm.rating_profile(clusters, pd.array([None] * 4, dtype="Int8"))
    assert [c for c in none if c.startswith("rating_")] == [] and none["n_rated"].tolist() == [0, 0]
    assert none["mean_rating"].isna().all()


def test_rating_spearman_sign_and_nulls():
    ratings = pd.array([1, 2, 3, 8, 9, 10, None], dtype="Int8")
    score = np.array([0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.1])
    rho = cm.rating_spearman(ratings, score)
    # ranks 1..6 against two tied groups (2, 2, 2, 5, 5, 5): rho = sqrt(13.5 / 17.5)
    assert rho == pytest.approx(np.sqrt(13.5 / 17.5))
    assert cm.rating_spearman(ratings, 1 - score) == pytest.approx(-rho)
    # a single cluster score: undefined
    assert np.isnan(cm.rating_spearman(ratings, np.full(7, 0.5)))
    # float ratings with NaN for nulls work too
    assert cm.rating_spearman(np.array([1.0, np.nan, 10.0, 9.0]), [0, 1, 1, 1]) > 0


def test_stability_ari_on_separated_and_on_noise():
    x, _ = blobs(k=3)
    s = cm.stability_ari(x, 3, backend="sklearn", seeds=[0, 1, 2], n_init=1, max_iter=50, threads=1)
    assert s["mean"] == 1.0 and s["min"] == 1.0 and len(s["pairs"]) == 3
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(300, 6)).astype(np.float32)
    t = cm.stability_ari(
        noise, 6, backend="faiss", seeds=[0, 1, 2], n_init=1, max_iter=20, threads=1
    )
    assert t["min"] <= t["mean"] < 1.0
    with pytest.raises(ClusterInputError, match="two different seeds"):
        cm.stability_ari(x, 3, backend="sklearn", seeds=[1, 1], n_init=1, max_iter=5)


def test_stability_reuses_known_runs(monkeypatch):
    x, _ = blobs(k=3)
    calls = []
    real = cm.kmeans
    monkeypatch.setattr(cm, "kmeans", lambda *a, **kw: calls.append(kw["seed"]) or real(*a, **kw))
    known = {0: real(x, 3, backend="sklearn", seed=0, n_init=1, max_iter=20).labels}
    cm.stability_ari(x, 3, backend="sklearn", seeds=[0, 1], n_init=1, max_iter=20, known=known)
    assert calls == [1]


def test_nullable_float_nulls_to_nan():
    out = cm.nullable_float(pd.array([1, None, 10], dtype="Int8"))
    assert out.dtype == np.float64 and out[0] == 1.0 and np.isnan(out[1]) and out[2] == 10.0
    assert cm.nullable_float(pd.Series(["3", "4"])).tolist() == [3.0, 4.0]
    assert cm.nullable_float([]).size == 0
