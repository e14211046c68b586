import numpy as np
import pytest
from cluster_data import blobs

from sentclust.cluster import kmeans as km
from sentclust.cluster.backends import available_backends
from sentclust.cluster.errors import ClusterInputError
from sentclust.cluster.nearest import nearest_centres

CPU_BACKENDS = ["sklearn", "faiss"]

# --------------------------------------------------------------------------- input checks


@pytest.mark.parametrize("k", [1, 0, -3])
def test_k_below_two_is_a_clear_error(k):
    x, _ = blobs()
    with pytest.raises(ClusterInputError, match=rf"k={k}: K-means needs k >= 2; remove it"):
        km.check_inputs(x, k, name="wordvec")


def test_k_not_below_rows_is_a_clear_error():
    x = np.zeros((5, 2), dtype=np.float32)
    with pytest.raises(ClusterInputError, match=r"k=5: .*wordvec has 5 rows; use k <= 4"):
        km.check_inputs(x, 5, name="wordvec")


def test_non_integer_k_and_non_2d_input_are_clear_errors():
    with pytest.raises(ClusterInputError, match="must be an integer"):
        km.check_inputs(np.zeros((5, 2)), 2.5)
    with pytest.raises(ClusterInputError, match="expected a 2-D array"):
        km.check_inputs(np.zeros(10), 2)


def test_nan_rows_are_counted_and_located():
    x, _ = blobs()
    x[7, 1] = np.nan
    x[9, 0] = np.inf
    with pytest.raises(ClusterInputError, match=r"bert: 2 of 180 rows .*first at review index 7"):
        km.check_inputs(x, 3, name="bert")
    with pytest.raises(ClusterInputError, match="NaN"):
        km.kmeans(x, 3, backend="sklearn", n_init=1, max_iter=5)


def test_check_inputs_returns_contiguous_float32():
    x = np.asfortranarray(np.arange(20, dtype=np.float64).reshape(10, 2))
    out = km.check_inputs(x, 2)
    assert out.dtype == np.float32 and out.flags["C_CONTIGUOUS"]


def test_bad_n_init_or_max_iter():
    x, _ = blobs()
    with pytest.raises(ClusterInputError, match="kmeans.n_init=0"):
        km.kmeans(x, 3, backend="sklearn", n_init=0)
    with pytest.raises(ClusterInputError, match="kmeans.max_iter"):
        km.kmeans(x, 3, backend="sklearn", max_iter=0)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (dict(n_init=0), "kmeans.n_init=0: must be an integer >= 1"),
        (dict(max_iter=True), "kmeans.max_iter=True: must be an integer >= 1"),
        (dict(refine=2.0), "kmeans.refine=2.0: must be an integer >= 1"),
        (dict(screen_sample=1.5), "kmeans.screen_sample=1.5: must be an integer"),
        (dict(screen_sample=-2), "kmeans.screen_sample=-2: must be >= 0"),
    ],
)
def test_check_settings_names_the_key(settings, message):
    good = dict(n_init=1, max_iter=1, refine=1, screen_sample=0)
    km.check_settings(**good)
    with pytest.raises(ClusterInputError, match=message):
        km.check_settings(**{**good, **settings})


# --------------------------------------------------------------------------- kmeans


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_kmeans_recovers_blobs_with_float32_outputs(backend):
    from sklearn.metrics import adjusted_rand_score

    x, truth = blobs()
    r = km.kmeans(x, 3, backend=backend, seed=1, n_init=2, max_iter=50, threads=1)
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
    a = km.kmeans(x, 4, backend=backend, seed=7, n_init=2, max_iter=30, threads=1)
    b = km.kmeans(x, 4, backend=backend, seed=7, n_init=2, max_iter=30, threads=1)
    assert (a.labels == b.labels).all()
    np.testing.assert_array_equal(a.centers, b.centers)
    assert a.inertia == b.inertia


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_screened_restarts_find_the_blobs_and_record_the_settings(backend):
    from sklearn.metrics import adjusted_rand_score

    x, truth = blobs(n_per=400, k=4, spread=0.5, seed=3)
    r = km.kmeans(x, 4, backend=backend, seed=2, n_init=5, screen_sample=200, refine=2, threads=1)
    assert adjusted_rand_score(truth, r.labels) == 1.0
    s = r.summary()
    assert (s["screen_sample"], s["refine"], s["n_init"]) == (200, 2, 5)
    # the result is a converged Lloyd solution on all rows: nearest centres, centres = means
    labels, *_ = nearest_centres(x, r.centers)
    assert (labels == r.labels).all()
    for c in range(4):
        np.testing.assert_allclose(r.centers[c], x[r.labels == c].mean(axis=0), atol=1e-4)
    again = km.kmeans(
        x, 4, backend=backend, seed=2, n_init=5, screen_sample=200, refine=2, threads=1
    )
    assert (again.labels == r.labels).all() and again.inertia == r.inertia


def test_screening_is_off_when_the_sample_holds_all_rows_or_is_zero():
    x, _ = blobs(n_per=50, k=3, spread=2.0, seed=1)
    plain = km.kmeans(x, 3, backend="sklearn", seed=4, n_init=3, threads=1)
    for sample in (0, len(x), 10 * len(x)):
        r = km.kmeans(x, 3, backend="sklearn", seed=4, n_init=3, screen_sample=sample)
        assert r.summary()["screen_sample"] == 0 and r.summary()["refine"] == 0
        assert (r.labels == plain.labels).all()


def test_screened_restarts_keep_the_best_of_the_refined():
    """Refining more of the screened restarts can only lower (or keep) the inertia."""
    x, _ = blobs(n_per=300, k=6, spread=6.0, seed=9)  # heavy overlap: restarts differ
    inertias = [
        km.kmeans(
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
        km.kmeans(x, 3, backend="sklearn", **{field: value})


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_max_iter_and_n_init_are_honoured(backend):
    x, _ = blobs(n_per=100, k=5, spread=4.0, seed=2)
    one = km.kmeans(x, 5, backend=backend, seed=3, n_init=1, max_iter=1, threads=1)
    assert one.n_iter == 1
    # more restarts never do worse than the first restart of the same seed sequence
    runs = [
        km.kmeans(x, 5, backend=backend, seed=3, n_init=n, max_iter=100, threads=1).inertia
        for n in (1, 4)
    ]
    assert runs[1] <= runs[0] + 1e-6 * runs[0]


# --------------------------------------------------------------------------- duplicate vectors

#: every CPU backend installed here (torch runs on the CPU too)
ALL_CPU_BACKENDS = [b for b in ("sklearn", "faiss", "torch") if b in available_backends()]


def _repeated(distinct: int, rows: int, d: int = 8, seed: int = 0) -> np.ndarray:
    """``rows`` vectors that repeat ``distinct`` distinct ones in turn (duplicate reviews)."""
    base = np.random.default_rng(seed).normal(size=(distinct, d)).astype(np.float32)
    return base[np.arange(rows) % distinct]


def test_n_distinct_rows_counts_minus_zero_as_zero():
    x = np.array([[0.0, 1.0], [-0.0, 1.0], [1.0, 1.0], [0.0, 1.0]], dtype=np.float32)
    assert km.n_distinct_rows(x) == 2 and km.has_distinct_rows(x, 2)
    assert not km.has_distinct_rows(x, 3)


@pytest.mark.parametrize("backend", ALL_CPU_BACKENDS)
def test_fewer_distinct_vectors_than_k_is_a_clear_error(backend):
    """Each backend used to return a clustering with empty clusters (sklearn, torch, faiss),
    which the job then crashed on; now K-means stops first, naming k, the distinct count and
    the fix."""
    x = _repeated(3, 40)
    with pytest.raises(
        ClusterInputError,
        match=r"k=5: bert holds only 3 distinct vectors among its 40 rows .*"
        r"lower the k range \(kmeans.k\) to at most 3",
    ):
        km.kmeans(x, 5, backend=backend, seed=7, n_init=2, max_iter=50, threads=1, name="bert")


@pytest.mark.parametrize("backend", ALL_CPU_BACKENDS)
def test_as_many_distinct_vectors_as_k_gives_k_clusters(backend):
    x = np.repeat(_repeated(6, 6), [100, 1, 1, 1, 1, 1], axis=0)
    r = km.kmeans(x, 6, backend=backend, seed=3, n_init=2, threads=1)
    assert sorted(r.summary()["cluster_sizes"]) == [1, 1, 1, 1, 1, 100]
    assert r.inertia == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("backend", ALL_CPU_BACKENDS)
def test_screened_restarts_skip_samples_without_k_distinct_rows(backend):
    """990 copies of one vector and 10 others: a 30-row sample rarely holds 6 distinct rows.
    faiss refined such a sample's centres into empty clusters; now those samples are skipped
    and, none left, the restarts run on all rows, recorded as unscreened."""
    rng = np.random.default_rng(0)
    x = np.concatenate([_repeated(1, 990), rng.normal(size=(10, 8)).astype(np.float32)])
    x = x[rng.permutation(len(x))]
    for seed in range(3):
        r = km.kmeans(x, 6, backend=backend, seed=seed, n_init=2, screen_sample=30, refine=2)
        plain = km.kmeans(x, 6, backend=backend, seed=seed, n_init=2)
        assert min(r.summary()["cluster_sizes"]) >= 1
        assert r.screen_sample == 0 and r.refine == 0
        assert (r.labels == plain.labels).all()


def test_a_backend_leaving_a_cluster_empty_is_a_clear_error():
    with pytest.raises(
        ClusterInputError, match=r"k=3: the faiss backend left 1 of the 3 clusters empty .*\[1\]"
    ):
        km._check_no_empty_cluster(np.array([0, 0, 2], dtype=np.int32), 3, "faiss")
    km._check_no_empty_cluster(np.array([0, 1, 2], dtype=np.int32), 3, "faiss")
