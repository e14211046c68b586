import sys

import numpy as np
import pytest
from cluster_data import blobs, probes

from sentclust.cluster import backends as kb
from sentclust.cluster.backends import BackendUnavailableError
from sentclust.cluster.errors import ClusterInputError
from sentclust.cluster.kmeans import kmeans
from sentclust.cluster.nearest import assignment_stats
from sentclust.cluster.restarts import restart_seeds

CPU_BACKENDS = ["sklearn", "faiss"]

# --------------------------------------------------------------------------- backend selection


def test_auto_takes_cuml_only_with_import_and_gpu():
    assert kb.select_backend("auto", **probes(modules=("cuml", "faiss", "sklearn"), gpus=1)) == (
        "cuml"
    )
    # cuml installed but no GPU: the preferred CPU backend
    no_gpu = probes(modules=("cuml", "faiss", "sklearn"), gpus=0)
    assert kb.select_backend("auto", **no_gpu) == kb.CPU_PREFERENCE[0]
    # a GPU but no cuml
    assert kb.select_backend("auto", **probes(gpus=2)) == kb.CPU_PREFERENCE[0]


def test_auto_falls_back_along_the_cpu_preference():
    first, second = kb.CPU_PREFERENCE
    assert kb.select_backend("auto", **probes(modules=(second,))) == second
    with pytest.raises(BackendUnavailableError, match="no K-means backend"):
        kb.select_backend("auto", **probes(modules=()))


def test_gpu_probe_is_not_called_without_cuml():
    def boom():
        raise AssertionError("gpu probe called")

    assert kb.select_backend("auto", importable=lambda m: m != "cuml", gpu_count=boom)


def test_explicit_unavailable_backend_names_what_is_installed():
    with pytest.raises(BackendUnavailableError, match=r"'cuml' cannot run here: cuml is not inst"):
        kb.select_backend("cuml", **probes())
    with pytest.raises(BackendUnavailableError, match=r"Available here: faiss, sklearn"):
        kb.select_backend("cuml", **probes())
    with pytest.raises(BackendUnavailableError, match="no CUDA GPU"):
        kb.select_backend("cuml", **probes(modules=("cuml", "sklearn"), gpus=0))
    with pytest.raises(BackendUnavailableError, match=r"'faiss' .* Available here: sklearn"):
        kb.select_backend("faiss", **probes(modules=("sklearn",)))
    assert kb.select_backend("faiss", **probes()) == "faiss"


def test_unknown_backend_name():
    with pytest.raises(ClusterInputError, match="auto, cuml, torch, faiss, sklearn"):
        kb.select_backend("gpu")


def test_auto_takes_torch_on_a_cuda_gpu_after_cuml():
    with_torch = probes(modules=("torch", "faiss", "sklearn"), gpus=1)
    assert kb.select_backend("auto", torch_cuda=lambda: True, **with_torch) == "torch"
    # torch on the CPU is slower than scikit-learn: auto does not take it there
    assert kb.select_backend("auto", torch_cuda=lambda: False, **with_torch) == "sklearn"
    both = probes(modules=("cuml", "torch", "sklearn"), gpus=1)
    assert kb.select_backend("auto", torch_cuda=lambda: True, **both) == "cuml"


def test_torch_can_be_asked_for_without_a_gpu():
    assert kb.select_backend("torch", torch_cuda=lambda: False) == "torch"
    with pytest.raises(BackendUnavailableError, match="torch is not installed"):
        kb.select_backend("torch", **probes(modules=("sklearn",)))
    assert kb.device_of("torch") == "cpu"  # this machine: torch sees no GPU
    assert kb.device_of("sklearn") == "cpu" and kb.device_of("cuml") == "cuda"


def test_the_torch_backend_through_kmeans_records_backend_and_device():
    x, _ = blobs(k=4, n_per=50)
    ours = kmeans(x, 4, backend="torch", seed=0, n_init=2, max_iter=50, threads=1)
    ref = kmeans(x, 4, backend="sklearn", seed=0, n_init=2, max_iter=50, threads=1)
    assert ours.summary()["backend"] == "torch" and ours.summary()["device"] == "cpu"
    assert ref.summary()["device"] == "cpu"
    assert ours.inertia == pytest.approx(ref.inertia, rel=1e-5)
    # screened restarts call the same fit function
    big, _ = blobs(k=3, n_per=400)
    screened = kmeans(big, 3, backend="torch", seed=1, n_init=4, screen_sample=300, refine=2)
    assert screened.screen_sample == 300 and screened.backend == "torch"
    plain = kmeans(big, 3, backend="sklearn", seed=1, n_init=4)
    assert screened.inertia == pytest.approx(plain.inertia, rel=1e-5)


def test_available_backends_here():
    avail = kb.available_backends()
    assert {"sklearn", "faiss"} <= set(avail)
    assert kb.available_backends(**probes(modules=("cuml", "sklearn"), gpus=1)) == [
        "cuml",
        "sklearn",
    ]


def test_auto_prefers_the_gpu_backends():
    assert kb.GPU_PREFERENCE[0] == "cuml"
    assert set(kb.GPU_PREFERENCE + kb.CPU_PREFERENCE) == set(kb.BACKENDS)
    assert set(kb.FIT) == set(kb.BACKENDS)


# --------------------------------------------------------------------------- the fit functions


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_fit_functions_share_one_contract(backend):
    x, truth = blobs(k=3)
    labels, centers, n_iter = kb.FIT[backend](x, 3, seed=0, n_init=2, max_iter=50, tol=1e-4)
    assert labels.dtype == np.int32 and labels.shape == (len(x),)
    assert centers.dtype == np.float32 and centers.shape == (3, x.shape[1])
    assert isinstance(n_iter, int) and 1 <= n_iter <= 50
    # from given centres: one restart that starts there
    again, _, _ = kb.FIT[backend](x, 3, seed=0, n_init=5, max_iter=50, tol=1e-4, init=centers)
    assert (again == labels).all()


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
    kmeans(x, 2, backend="faiss", seed=0, n_init=3, max_iter=20, threads=1)
    assert len(seen) == 3
    assert all(kw["max_points_per_centroid"] * 2 >= len(x) and kw["niter"] == 20 for kw in seen)
    assert len({kw["seed"] for kw in seen}) == 3
    assert seen[0]["seed"] == restart_seeds(0, 3)[0]


def test_backends_agree_on_separated_blobs():
    x, _ = blobs(k=4, n_per=50)
    res = {
        b: kmeans(x, 4, backend=b, seed=0, n_init=2, max_iter=50, threads=1) for b in CPU_BACKENDS
    }
    assert res["sklearn"].inertia == pytest.approx(res["faiss"].inertia, rel=1e-5)


def test_restart_seeds_are_deterministic_and_distinct():
    assert restart_seeds(42, 5) == restart_seeds(42, 5)
    assert len(set(restart_seeds(42, 5))) == 5
    assert restart_seeds(42, 2) != restart_seeds(43, 2)
    assert all(0 <= s < 2**31 for s in restart_seeds(1, 10))


def test_assignment_stats_chunks_match_direct():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1000, 4)).astype(np.float32)
    centers = rng.normal(size=(3, 4)).astype(np.float32)
    labels = rng.integers(0, 3, size=1000)
    dist, inertia = assignment_stats(x, centers, labels, chunk=128)
    direct = ((x.astype(np.float64) - centers[labels]) ** 2).sum(axis=1)
    np.testing.assert_allclose(dist, np.sqrt(direct), rtol=1e-6)
    # float32 differences, squares summed in float64
    assert inertia == pytest.approx(direct.sum(), rel=1e-6)


def test_cuml_backend_on_gpu():
    pytest.importorskip("cuml", reason="cuML is not installed (needs RAPIDS and a CUDA GPU)")
    if "cuml" not in kb.available_backends():
        pytest.skip("cuML is installed but no CUDA GPU is visible")
    from sklearn.metrics import adjusted_rand_score

    x, truth = blobs()
    r = kmeans(x, 3, backend="cuml", seed=1, n_init=2, max_iter=50)
    assert r.backend == "cuml" and adjusted_rand_score(truth, r.labels) == 1.0
    assert r.centers.dtype == np.float32 and r.distances.dtype == np.float32
    again = kmeans(x, 3, backend="cuml", seed=1, n_init=2, max_iter=50)
    assert (r.labels == again.labels).all()


def test_probe_finds_installed_packages_without_importing_them(tmp_path, monkeypatch):
    """A CPU backend counts once installed (its fit imports it); cuML is imported to probe it,
    since an installed cuML can fail to load its CUDA libraries."""
    (tmp_path / "broken_backend_pkg.py").write_text("raise ImportError('no CUDA libraries')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert not kb._can_import("no_such_backend_pkg_here")
    assert kb._can_import("broken_backend_pkg")
    monkeypatch.setattr(kb, "IMPORT_TO_PROBE", ("broken_backend_pkg",))
    assert not kb._can_import("broken_backend_pkg")
    assert "broken_backend_pkg" not in sys.modules
