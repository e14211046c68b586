import numpy as np
import pandas as pd
import pytest

from sentclust import cluster
from sentclust.cluster import BackendUnavailableError, ClusterInputError

CPU_BACKENDS = ["sklearn", "faiss"]


def blobs(n_per=60, d=8, k=3, seed=0, spread=0.3):
    """``k`` well-separated Gaussian blobs, float32, and their true membership."""
    rng = np.random.default_rng(seed)
    centres = np.eye(k, d, dtype=np.float32) * 10
    truth = np.repeat(np.arange(k), n_per)
    x = centres[truth] + rng.normal(scale=spread, size=(k * n_per, d)).astype(np.float32)
    return x.astype(np.float32), truth


def probes(*, modules=("faiss", "sklearn"), gpus=0):
    return {"importable": lambda m: m in modules, "gpu_count": lambda: gpus}


# --------------------------------------------------------------------------- input checks


@pytest.mark.parametrize("k", [1, 0, -3])
def test_k_below_two_is_a_clear_error(k):
    x, _ = blobs()
    with pytest.raises(ClusterInputError, match=rf"k={k}: K-means needs k >= 2; remove it"):
        cluster.check_inputs(x, k, name="wordvec")


def test_k_not_below_rows_is_a_clear_error():
    x = np.zeros((5, 2), dtype=np.float32)
    with pytest.raises(ClusterInputError, match=r"k=5: .*wordvec has 5 rows; use k <= 4"):
        cluster.check_inputs(x, 5, name="wordvec")


def test_non_integer_k_and_non_2d_input_are_clear_errors():
    with pytest.raises(ClusterInputError, match="must be an integer"):
        cluster.check_inputs(np.zeros((5, 2)), 2.5)
    with pytest.raises(ClusterInputError, match="expected a 2-D array"):
        cluster.check_inputs(np.zeros(10), 2)


def test_nan_rows_are_counted_and_located():
    x, _ = blobs()
    x[7, 1] = np.nan
    x[9, 0] = np.inf
    with pytest.raises(ClusterInputError, match=r"bert: 2 of 180 rows .*first at review index 7"):
        cluster.check_inputs(x, 3, name="bert")
    with pytest.raises(ClusterInputError, match="NaN"):
        cluster.kmeans(x, 3, backend="sklearn", n_init=1, max_iter=5)


def test_check_inputs_returns_contiguous_float32():
    x = np.asfortranarray(np.arange(20, dtype=np.float64).reshape(10, 2))
    out = cluster.check_inputs(x, 2)
    assert out.dtype == np.float32 and out.flags["C_CONTIGUOUS"]


def test_bad_n_init_or_max_iter():
    x, _ = blobs()
    with pytest.raises(ClusterInputError, match="kmeans.n_init=0"):
        cluster.kmeans(x, 3, backend="sklearn", n_init=0)
    with pytest.raises(ClusterInputError, match="kmeans.max_iter"):
        cluster.kmeans(x, 3, backend="sklearn", max_iter=0)


# --------------------------------------------------------------------------- backend selection


def test_auto_takes_cuml_only_with_import_and_gpu():
    assert cluster.select_backend(
        "auto", **probes(modules=("cuml", "faiss", "sklearn"), gpus=1)
    ) == ("cuml")
    # cuml installed but no GPU: the preferred CPU backend
    no_gpu = probes(modules=("cuml", "faiss", "sklearn"), gpus=0)
    assert cluster.select_backend("auto", **no_gpu) == cluster.CPU_PREFERENCE[0]
    # a GPU but no cuml
    assert cluster.select_backend("auto", **probes(gpus=2)) == cluster.CPU_PREFERENCE[0]


def test_auto_falls_back_along_the_cpu_preference():
    first, second = cluster.CPU_PREFERENCE
    assert cluster.select_backend("auto", **probes(modules=(second,))) == second
    with pytest.raises(BackendUnavailableError, match="no K-means backend"):
        cluster.select_backend("auto", **probes(modules=()))


def test_gpu_probe_is_not_called_without_cuml():
    def boom():
        raise AssertionError("gpu probe called")

    assert cluster.select_backend("auto", importable=lambda m: m != "cuml", gpu_count=boom)


def test_explicit_unavailable_backend_names_what_is_installed():
    with pytest.raises(BackendUnavailableError, match=r"'cuml' cannot run here: cuml is not inst"):
        cluster.select_backend("cuml", **probes())
    with pytest.raises(BackendUnavailableError, match=r"Available here: faiss, sklearn"):
        cluster.select_backend("cuml", **probes())
    with pytest.raises(BackendUnavailableError, match="no CUDA GPU"):
        cluster.select_backend("cuml", **probes(modules=("cuml", "sklearn"), gpus=0))
    with pytest.raises(BackendUnavailableError, match=r"'faiss' .* Available here: sklearn"):
        cluster.select_backend("faiss", **probes(modules=("sklearn",)))
    assert cluster.select_backend("faiss", **probes()) == "faiss"


def test_unknown_backend_name():
    with pytest.raises(ClusterInputError, match="auto, cuml, faiss, sklearn"):
        cluster.select_backend("torch")


def test_available_backends_here():
    avail = cluster.available_backends()
    assert {"sklearn", "faiss"} <= set(avail)
    assert cluster.available_backends(**probes(modules=("cuml", "sklearn"), gpus=1)) == [
        "cuml",
        "sklearn",
    ]


# --------------------------------------------------------------------------- kmeans


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_kmeans_recovers_blobs_with_float32_outputs(backend):
    from sklearn.metrics import adjusted_rand_score

    x, truth = blobs()
    r = cluster.kmeans(x, 3, backend=backend, seed=1, n_init=2, max_iter=50, threads=1)
    assert r.backend == backend and r.k == 3
    assert adjusted_rand_score(truth, r.labels) == 1.0
    assert r.labels.dtype == np.int32 and r.labels.shape == (180,)
    assert r.centers.dtype == np.float32 and r.centers.shape == (3, 8)
    assert r.distances.dtype == np.float32 and r.distances.shape == (180,)
    # distances are to the point's own centre, and the inertia is their sum of squares
    own = np.linalg.norm(x.astype(np.float64) - r.centers[r.labels], axis=1)
    np.testing.assert_allclose(r.distances, own, rtol=1e-5)
    assert r.inertia == pytest.approx(float((own**2).sum()), rel=1e-6)
    # each label is the nearest centre
    d = np.linalg.norm(x[:, None, :] - r.centers[None], axis=2)
    assert (d.argmin(axis=1) == r.labels).all()
    # centres are the means of their members
    for c in range(3):
        np.testing.assert_allclose(r.centers[c], x[r.labels == c].mean(axis=0), atol=1e-4)
    assert 1 <= r.n_iter <= 50 and r.seconds >= 0
    assert r.summary()["cluster_sizes"] == [60, 60, 60]


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_same_seed_same_labels(backend):
    x, _ = blobs(n_per=80, k=4, spread=3.0, seed=5)  # overlapping: the seed matters
    a = cluster.kmeans(x, 4, backend=backend, seed=7, n_init=2, max_iter=30, threads=1)
    b = cluster.kmeans(x, 4, backend=backend, seed=7, n_init=2, max_iter=30, threads=1)
    assert (a.labels == b.labels).all()
    np.testing.assert_array_equal(a.centers, b.centers)
    assert a.inertia == b.inertia


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_screened_restarts_find_the_blobs_and_record_the_settings(backend):
    from sklearn.metrics import adjusted_rand_score

    x, truth = blobs(n_per=400, k=4, spread=0.5, seed=3)
    r = cluster.kmeans(
        x, 4, backend=backend, seed=2, n_init=5, screen_sample=200, refine=2, threads=1
    )
    assert adjusted_rand_score(truth, r.labels) == 1.0
    s = r.summary()
    assert (s["screen_sample"], s["refine"], s["n_init"]) == (200, 2, 5)
    # the result is a converged Lloyd solution on all rows: nearest centres, centres = means
    labels, inertia = cluster.nearest_centres(x, r.centers)
    assert (labels == r.labels).all() and inertia == pytest.approx(r.inertia, rel=1e-6)
    for c in range(4):
        np.testing.assert_allclose(r.centers[c], x[r.labels == c].mean(axis=0), atol=1e-4)
    again = cluster.kmeans(
        x, 4, backend=backend, seed=2, n_init=5, screen_sample=200, refine=2, threads=1
    )
    assert (again.labels == r.labels).all() and again.inertia == r.inertia


def test_screening_is_off_when_the_sample_holds_all_rows_or_is_zero():
    x, _ = blobs(n_per=50, k=3, spread=2.0, seed=1)
    plain = cluster.kmeans(x, 3, backend="sklearn", seed=4, n_init=3, threads=1)
    for sample in (0, len(x), 10 * len(x)):
        r = cluster.kmeans(x, 3, backend="sklearn", seed=4, n_init=3, screen_sample=sample)
        assert r.summary()["screen_sample"] == 0 and r.summary()["refine"] == 0
        assert (r.labels == plain.labels).all()


def test_screened_restarts_keep_the_best_of_the_refined():
    """Refining more of the screened restarts can only lower (or keep) the inertia."""
    x, _ = blobs(n_per=300, k=6, spread=6.0, seed=9)  # heavy overlap: restarts differ
    inertias = [
        cluster.kmeans(
            x, 6, backend="sklearn", seed=5, n_init=8, screen_sample=150, refine=r, threads=1
        ).inertia
        for r in (1, 3, 8)
    ]
    assert inertias[1] <= inertias[0] * (1 + 1e-9)
    assert inertias[2] <= inertias[1] * (1 + 1e-9)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("screen_sample", -1, "screen_sample=-1: must be >= 0"),
        ("screen_sample", True, "screen_sample=True: must be an integer"),
        ("refine", 0, "refine=0: must be an integer >= 1"),
    ],
)
def test_bad_screening_settings_are_clear_errors(field, value, message):
    x, _ = blobs()
    with pytest.raises(ClusterInputError, match=message):
        cluster.kmeans(x, 3, backend="sklearn", **{field: value})


def test_nearest_centres_matches_brute_force():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 7)).astype(np.float32)
    c = rng.normal(size=(5, 7)).astype(np.float32)
    labels, inertia = cluster.nearest_centres(x, c, chunk=64)
    d2 = ((x[:, None, :].astype(np.float64) - c[None]) ** 2).sum(axis=2)
    assert (labels == d2.argmin(axis=1)).all()
    assert inertia == pytest.approx(d2.min(axis=1).sum(), rel=1e-6)


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_max_iter_and_n_init_are_honoured(backend):
    x, _ = blobs(n_per=100, k=5, spread=4.0, seed=2)
    one = cluster.kmeans(x, 5, backend=backend, seed=3, n_init=1, max_iter=1, threads=1)
    assert one.n_iter == 1
    # more restarts never do worse than the first restart of the same seed sequence
    runs = [
        cluster.kmeans(x, 5, backend=backend, seed=3, n_init=n, max_iter=100, threads=1).inertia
        for n in (1, 4)
    ]
    assert runs[1] <= runs[0] + 1e-6 * runs[0]


def test_faiss_trains_on_every_point(monkeypatch):
    import faiss

    seen = []
    real = faiss.Kmeans

    class Spy(real):
        def __init__(self, d, k, **kw):
            seen.append(kw)
            super().__init__(d, k, **kw)

    monkeypatch.setattr(faiss, "Kmeans", Spy)
    x, _ = blobs(n_per=400, k=2)  # 800 points, k=2: faiss' default would cap at 512
    cluster.kmeans(x, 2, backend="faiss", seed=0, n_init=3, max_iter=20, threads=1)
    assert len(seen) == 3
    assert all(kw["max_points_per_centroid"] * 2 >= len(x) and kw["niter"] == 20 for kw in seen)
    assert len({kw["seed"] for kw in seen}) == 3
    assert seen[0]["seed"] == cluster.restart_seeds(0, 3)[0]


def test_backends_agree_on_separated_blobs():
    x, _ = blobs(k=4, n_per=50)
    res = {
        b: cluster.kmeans(x, 4, backend=b, seed=0, n_init=2, max_iter=50, threads=1)
        for b in CPU_BACKENDS
    }
    assert res["sklearn"].inertia == pytest.approx(res["faiss"].inertia, rel=1e-5)


def test_restart_seeds_are_deterministic_and_distinct():
    assert cluster.restart_seeds(42, 5) == cluster.restart_seeds(42, 5)
    assert len(set(cluster.restart_seeds(42, 5))) == 5
    assert cluster.restart_seeds(42, 2) != cluster.restart_seeds(43, 2)
    assert all(0 <= s < 2**31 for s in cluster.restart_seeds(1, 10))


def test_assignment_stats_chunks_match_direct():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1000, 4)).astype(np.float32)
    centers = rng.normal(size=(3, 4)).astype(np.float32)
    labels = rng.integers(0, 3, size=1000)
    dist, inertia = cluster.assignment_stats(x, centers, labels, chunk=128)
    direct = ((x.astype(np.float64) - centers[labels]) ** 2).sum(axis=1)
    np.testing.assert_allclose(dist, np.sqrt(direct), rtol=1e-6)
    # float32 differences, squares summed in float64
    assert inertia == pytest.approx(direct.sum(), rel=1e-6)


def test_cuml_backend_on_gpu():
    pytest.importorskip("cuml", reason="cuML is not installed (needs RAPIDS and a CUDA GPU)")
    if "cuml" not in cluster.available_backends():
        pytest.skip("cuML is installed but no CUDA GPU is visible")
    from sklearn.metrics import adjusted_rand_score

    x, truth = blobs()
    r = cluster.kmeans(x, 3, backend="cuml", seed=1, n_init=2, max_iter=50)
    assert r.backend == "cuml" and adjusted_rand_score(truth, r.labels) == 1.0
    assert r.centers.dtype == np.float32 and r.distances.dtype == np.float32
    again = cluster.kmeans(x, 3, backend="cuml", seed=1, n_init=2, max_iter=50)
    assert (r.labels == again.labels).all()


# --------------------------------------------------------------------------- internal indices


def test_silhouette_full_and_sampled():
    from sklearn.metrics import silhouette_score

    x, truth = blobs()
    full = cluster.silhouette_sampled(x, truth, sample_size=1000, seed=0)
    assert full == pytest.approx(silhouette_score(x, truth))
    assert full > 0.9  # separated blobs
    a = cluster.silhouette_sampled(x, truth, sample_size=50, seed=3)
    b = cluster.silhouette_sampled(x, truth, sample_size=50, seed=3)
    assert a == b and a > 0.9
    assert np.isnan(cluster.silhouette_sampled(x, np.zeros(len(x)), sample_size=50, seed=0))


def test_silhouette_known_value():
    # two points per cluster, 1 apart, clusters 10 apart: s = 1 - 1/10 for the inner points
    x = np.array([[0.0], [1.0], [11.0], [12.0]], dtype=np.float32)
    labels = [0, 0, 1, 1]
    # a(i)=1 everywhere; b = 11.5,10.5,10.5,11.5 -> s = 1 - a/b
    expect = np.mean([1 - 1 / 11.5, 1 - 1 / 10.5, 1 - 1 / 10.5, 1 - 1 / 11.5])
    assert cluster.silhouette_sampled(x, labels, 100, 0) == pytest.approx(expect)


def test_calinski_harabasz_and_davies_bouldin_known_values():
    x = np.array([[0.0], [2.0], [10.0], [12.0]])
    labels = [0, 0, 1, 1]
    # between: 2 * (2 * 5^2) = 100 over (k-1)=1; within: 4 * 1 = 4 over (n-k)=2 -> 50
    assert cluster.calinski_harabasz(x, labels) == pytest.approx(50.0)
    # scatter 1 per cluster, centres 10 apart -> (1 + 1) / 10
    assert cluster.davies_bouldin(x, labels) == pytest.approx(0.2)
    m = cluster.internal_metrics(x, labels, sample_size=10, seed=0)
    assert set(m) == {"silhouette", "silhouette_sample_size", "calinski_harabasz", "davies_bouldin"}


# --------------------------------------------------------------------------- against labels


def test_purity_of_perfect_and_half_mixed_clusterings():
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    assert cluster.purity([5, 5, 5, 5, 9, 9, 9, 9], labels) == 1.0
    assert cluster.purity([0, 1, 0, 1, 0, 1, 0, 1], labels) == 0.5
    # one cluster 3:1, the other 1:3
    assert cluster.purity([0, 0, 0, 1, 0, 1, 1, 1], labels) == 0.75


def test_label_metrics_known_answers():
    labels = np.array([0, 0, 1, 1])
    same = cluster.label_metrics(np.array([1, 1, 0, 0]), labels)  # renamed ids: identical
    assert same == {"n": 4, "purity": 1.0, "ari": 1.0, "nmi": 1.0, "v_measure": 1.0}
    independent = cluster.label_metrics(np.array([0, 1, 0, 1]), labels)
    assert independent["purity"] == 0.5
    assert independent["nmi"] == pytest.approx(0.0, abs=1e-12)
    assert independent["v_measure"] == pytest.approx(0.0, abs=1e-12)
    assert independent["ari"] < 0  # worse than chance: adjusted below zero


def test_contingency_counts():
    clusters = np.array([0, 0, 1, 1, 1, 2])
    labels = np.array([1, 0, 1, 1, 0, 0])
    t = cluster.contingency(clusters, labels)
    assert t.index.tolist() == [0, 1, 2] and t.columns.tolist() == [0, 1]
    assert t.to_numpy().tolist() == [[1, 1], [1, 2], [1, 0]]
    ratings = pd.array([1, None, 10, 10, 2, None], dtype="Int8")
    tr = cluster.contingency(clusters, ratings, levels=cluster.RATINGS)
    assert tr.columns.tolist() == list(range(1, 11))
    assert tr.loc[0].sum() == 1 and tr.loc[1, 10] == 2 and tr.loc[1, 2] == 1
    assert tr.loc[2].sum() == 0  # a cluster whose ratings are all null keeps its row
    assert tr.to_numpy().dtype == np.int64


def test_positive_share_and_cluster_scores():
    clusters = np.array([2, 2, 0, 0, 0, 0])
    labels = np.array([1, 1, 1, 0, 0, 0])
    share = cluster.positive_share(clusters, labels)
    assert share.to_dict() == {0: 0.25, 2: 1.0}
    np.testing.assert_allclose(
        cluster.cluster_scores(clusters, labels), [1, 1, 0.25, 0.25, 0.25, 0.25]
    )


def test_rating_profile_skips_nulls():
    clusters = np.array([0, 0, 0, 1, 1])
    ratings = pd.array([1, 3, None, 10, None], dtype="Int8")
    p = cluster.rating_profile(clusters, ratings)
    assert p.loc[0, "mean_rating"] == 2.0 and p.loc[1, "mean_rating"] == 10.0
    assert p.loc[0, "n_rated"] == 2 and p.loc[0, "rating_1"] == 1 and p.loc[0, "rating_3"] == 1
    assert p.loc[1, "rating_10"] == 1
    all_null = cluster.rating_profile(np.array([0, 1]), pd.array([None, 4], dtype="Int8"))
    assert np.isnan(all_null.loc[0, "mean_rating"]) and all_null.loc[0, "n_rated"] == 0


def test_rating_spearman_sign_and_nulls():
    ratings = pd.array([1, 2, 3, 8, 9, 10, None], dtype="Int8")
    score = np.array([0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.1])
    rho = cluster.rating_spearman(ratings, score)
    # ranks 1..6 against two tied groups (2, 2, 2, 5, 5, 5): rho = sqrt(13.5 / 17.5)
    assert rho == pytest.approx(np.sqrt(13.5 / 17.5))
    assert cluster.rating_spearman(ratings, 1 - score) == pytest.approx(-rho)
    # a single cluster score: undefined
    assert np.isnan(cluster.rating_spearman(ratings, np.full(7, 0.5)))
    # float ratings with NaN for nulls work too
    assert cluster.rating_spearman(np.array([1.0, np.nan, 10.0, 9.0]), [0, 1, 1, 1]) > 0


def test_stability_ari_on_separated_and_on_noise():
    x, _ = blobs(k=3)
    s = cluster.stability_ari(
        x, 3, backend="sklearn", seeds=[0, 1, 2], n_init=1, max_iter=50, threads=1
    )
    assert s["mean"] == 1.0 and s["min"] == 1.0 and len(s["pairs"]) == 3
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(300, 6)).astype(np.float32)
    t = cluster.stability_ari(
        noise, 6, backend="faiss", seeds=[0, 1, 2], n_init=1, max_iter=20, threads=1
    )
    assert t["min"] <= t["mean"] < 1.0
    with pytest.raises(ClusterInputError, match="two different seeds"):
        cluster.stability_ari(x, 3, backend="sklearn", seeds=[1, 1], n_init=1, max_iter=5)


def test_stability_reuses_known_runs(monkeypatch):
    x, _ = blobs(k=3)
    calls = []
    real = cluster.kmeans
    monkeypatch.setattr(
        cluster, "kmeans", lambda *a, **kw: calls.append(kw["seed"]) or real(*a, **kw)
    )
    known = {0: real(x, 3, backend="sklearn", seed=0, n_init=1, max_iter=20).labels}
    cluster.stability_ari(x, 3, backend="sklearn", seeds=[0, 1], n_init=1, max_iter=20, known=known)
    assert calls == [1]


# --------------------------------------------------------------------------- choosing k


def test_kneedle_finds_a_planted_elbow():
    ks = np.arange(2, 13)
    # steep until k=5, then nearly flat
    inertia = np.where(ks <= 5, 1000 - 200 * (ks - 2), 400 - 10 * (ks - 5)).astype(float)
    assert cluster.kneedle_elbow(ks, inertia) == 5
    # order of the input does not matter
    perm = np.random.default_rng(0).permutation(len(ks))
    assert cluster.kneedle_elbow(ks[perm], inertia[perm]) == 5


def test_kneedle_undefined_cases():
    assert cluster.kneedle_elbow([2, 3], [10, 5]) is None
    assert cluster.kneedle_elbow([2, 3, 4, 5], [10, 8, 6, 4]) is None  # a straight line


def _sweep():
    return pd.DataFrame(
        {
            "k": [2, 3, 4, 5, 6],
            "inertia": [1000.0, 500.0, 300.0, 280.0, 270.0],
            "silhouette": [0.30, 0.35, 0.50, 0.40, 0.20],
            "calinski_harabasz": [100.0, 300.0, 200.0, 150.0, 120.0],
            "davies_bouldin": [1.2, 1.1, 0.9, 0.7, 0.8],
        }
    )


@pytest.mark.parametrize(
    ("criterion", "k"),
    [("elbow", 4), ("silhouette", 4), ("calinski_harabasz", 3), ("davies_bouldin", 5)],
)
def test_choose_k_per_criterion(criterion, k):
    out = cluster.choose_k(_sweep().sample(frac=1, random_state=1), criterion)
    assert out["k"] == k and out["criterion"] == criterion and out["chosen_by"] == criterion
    assert out["picks"] == {
        "elbow": 4,
        "silhouette": 4,
        "calinski_harabasz": 3,
        "davies_bouldin": 5,
    }
    assert out["fallback"] is None and out["rule"] == cluster._RULES[criterion]
    assert out["ks"] == [2, 3, 4, 5, 6]


def test_choose_k_elbow_fallback_is_recorded():
    t = _sweep().assign(inertia=[1000.0, 800.0, 600.0, 400.0, 200.0])  # no knee
    out = cluster.choose_k(t, "elbow")
    assert out["picks"]["elbow"] is None
    assert out["k"] == 4 and out["chosen_by"] == "silhouette"
    assert "elbow is undefined" in out["fallback"] and "silhouette" in out["fallback"]


def test_choose_k_ties_go_to_smaller_k_and_bad_criterion():
    t = _sweep().assign(silhouette=[0.5, 0.5, 0.1, 0.1, 0.1])
    assert cluster.choose_k(t, "silhouette")["k"] == 2
    with pytest.raises(ClusterInputError, match="choose_k.criterion='gap'"):
        cluster.choose_k(t, "gap")
    with pytest.raises(ClusterInputError, match="lacks columns"):
        cluster.choose_k(t.drop(columns="davies_bouldin"), "elbow")
