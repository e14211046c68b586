"""K-means backends: which one can run here, and one fit function per backend.

Backends (``kmeans.backend`` in the config):

- ``cuml``: RAPIDS cuML on a CUDA GPU (cupy arrays);
- ``torch``: PyTorch tensors (:mod:`sentclust.cluster.torch_kmeans`), on CUDA when torch sees a GPU,
  else on the CPU (there about half scikit-learn's speed: ``auto`` takes it only on a GPU);
- ``sklearn``: scikit-learn's Lloyd K-means;
- ``faiss``: faiss-cpu's ``Kmeans`` trained on all points (never its default 256-points-per-centroid
  subsample), k-means++ seeding;
- ``auto``: the first of :data:`GPU_PREFERENCE` that can run on a GPU here, else the first of
  :data:`CPU_PREFERENCE` (measured with ``tests/benchmarks/bench_kmeans.py``).

Every backend has the same semantics: ``n_init`` independent restarts whose seeds derive from
``seed`` (:func:`~sentclust.cluster.restarts.restart_seeds`), each at most ``max_iter`` Lloyd
iterations, the restart with the lowest inertia kept. A fit function has the signature
``(x, k, *, seed, n_init, max_iter, tol, init=None) -> (labels int32, centers float32, n_iter)``
(``init``: starting centres, one restart); the inertia and the distances are computed by
:func:`~sentclust.cluster.nearest.assignment_stats`, the same way for every backend.

To add a backend: its name in :data:`BACKENDS` (and in :data:`GPU_PREFERENCE` or
:data:`CPU_PREFERENCE` for ``auto``), why it cannot run in :func:`backend_status`, and its fit
function in :data:`FIT`.
"""

from __future__ import annotations

import importlib
import importlib.util
import warnings
from collections.abc import Callable

import numpy as np

from sentclust.cluster.errors import ClusterInputError
from sentclust.cluster.nearest import assignment_stats
from sentclust.cluster.restarts import restart_seeds
from sentclust.cluster.torch_kmeans import cuda_available, fit_torch, torch_device

BACKENDS = ("cuml", "torch", "faiss", "sklearn")
REQUESTS = ("auto", *BACKENDS)
#: GPU backends in order of preference for ``auto``: taken whenever one can run on a GPU here
#: (cuML needs RAPIDS; torch needs only a CUDA build of PyTorch).
GPU_PREFERENCE = ("cuml", "torch")
#: CPU backends in order of preference for ``auto``. Measured on 50,000 x 64 and 50,000 x 384
#: float32 vectors (tests/benchmarks/bench_kmeans.py): scikit-learn's Lloyd iteration is as fast
#: or faster than faiss-cpu's at one thread, and faiss' OpenMP loop degrades badly when threads
#: outnumber the cores really available.
CPU_PREFERENCE = ("sklearn", "faiss")


class BackendUnavailableError(ClusterInputError):
    """A backend was asked for explicitly but cannot run here."""


# --------------------------------------------------------------------------- which can run


#: backends whose package can be installed but fail to import (CUDA libraries missing): these
#: are imported to probe them; the others count as available once installed (importing torch
#: alone takes about 2 s, in every one of the sweep's jobs), and are imported by their fit
IMPORT_TO_PROBE = ("cuml",)


def _can_import(module: str) -> bool:
    """Whether ``module`` is installed, and for :data:`IMPORT_TO_PROBE` also imports."""
    try:
        if importlib.util.find_spec(module) is None:
            return False
        if module in IMPORT_TO_PROBE:
            importlib.import_module(module)
    except Exception:  # ImportError, or a CUDA library failing to load
        return False
    return True


def _cuda_gpu_count() -> int:
    try:
        import cupy

        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:
        return 0


def backend_status(
    *,
    importable: Callable[[str], bool] = _can_import,
    gpu_count: Callable[[], int] = _cuda_gpu_count,
) -> dict[str, str | None]:
    """``{backend: None if it can run here, else why not}``; the probes are injectable."""
    status: dict[str, str | None] = {}
    if not importable("cuml"):
        status["cuml"] = "cuml is not installed (import cuml failed)"
    elif gpu_count() < 1:
        status["cuml"] = "cuml is installed but no CUDA GPU is visible"
    else:
        status["cuml"] = None
    status["torch"] = None if importable("torch") else "torch is not installed (import failed)"
    status["faiss"] = None if importable("faiss") else "faiss is not installed (import failed)"
    status["sklearn"] = None if importable("sklearn") else "scikit-learn is not installed"
    return status


def available_backends(
    *,
    importable: Callable[[str], bool] = _can_import,
    gpu_count: Callable[[], int] = _cuda_gpu_count,
) -> list[str]:
    """The backends that can run here, in :data:`BACKENDS` order."""
    status = backend_status(importable=importable, gpu_count=gpu_count)
    return [b for b in BACKENDS if status[b] is None]


def on_gpu(
    backend: str,
    status: dict[str, str | None],
    *,
    torch_cuda: Callable[[], bool] = cuda_available,
) -> bool:
    """Whether ``backend`` can run here on a GPU (cuML: whenever it can run at all)."""
    if status.get(backend) is not None:
        return False
    return backend == "cuml" or (backend == "torch" and torch_cuda())


def select_backend(
    requested: str = "auto",
    *,
    importable: Callable[[str], bool] = _can_import,
    gpu_count: Callable[[], int] = _cuda_gpu_count,
    torch_cuda: Callable[[], bool] = cuda_available,
) -> str:
    """Resolve ``auto | cuml | torch | faiss | sklearn`` to the backend that will run.

    ``auto``: the first of :data:`GPU_PREFERENCE` that can run on a GPU here (cuML: it imports
    and a CUDA GPU is present; torch: torch sees a CUDA GPU), else the first available of
    :data:`CPU_PREFERENCE`. An explicit request for a backend that cannot run here raises
    :class:`BackendUnavailableError` naming what is available (``torch`` runs on the CPU too).
    """
    if requested not in REQUESTS:
        raise ClusterInputError(
            f"kmeans.backend={requested!r} is not a backend; use one of {', '.join(REQUESTS)}"
        )
    status = backend_status(importable=importable, gpu_count=gpu_count)
    available = [b for b in BACKENDS if status[b] is None]
    if requested == "auto":
        for b in GPU_PREFERENCE:
            if on_gpu(b, status, torch_cuda=torch_cuda):
                return b
        for b in CPU_PREFERENCE:
            if status[b] is None:
                return b
        raise BackendUnavailableError(
            "no K-means backend can run here: " + "; ".join(s for s in status.values() if s)
        )
    if status[requested] is not None:
        avail = ", ".join(available) or "none"
        raise BackendUnavailableError(
            f"kmeans.backend={requested!r} cannot run here: {status[requested]}. "
            f"Available here: {avail}; set kmeans.backend to one of them or to 'auto'"
        )
    return requested


# --------------------------------------------------------------------------- one fit per backend


def _fit_sklearn(x, k, *, seed, n_init, max_iter, tol, init=None):
    from sklearn.cluster import KMeans

    model = KMeans(
        n_clusters=k,
        init="k-means++" if init is None else init,
        n_init=n_init if init is None else 1,
        max_iter=max_iter,
        tol=tol,
        random_state=seed,
        algorithm="lloyd",
    )
    with warnings.catch_warnings():
        # duplicate points: fewer distinct clusters than k is reported by our own checks
        warnings.simplefilter("ignore", category=UserWarning)
        model.fit(x)
    return (
        model.labels_.astype(np.int32),
        model.cluster_centers_.astype(np.float32),
        int(model.n_iter_),
    )


def _fit_faiss(x, k, *, seed, n_init, max_iter, tol, init=None):
    """Restarts run here (one faiss ``Kmeans`` each) so that every restart is scored by our inertia.

    Each restart: k-means++ seeding, Lloyd on all points until the objective stops decreasing or
    ``max_iter``. ``tol`` (scikit-learn's centre-shift tolerance) has no faiss equivalent and
    is not used.
    """
    import faiss

    n, d = x.shape
    pp = getattr(faiss, "ClusteringInitMethod_KMEANS_PLUS_PLUS", None)
    given = None if init is None else np.ascontiguousarray(init, dtype=np.float32)
    best = None
    for s in restart_seeds(seed, 1 if given is not None else n_init):
        params = dict(
            niter=max_iter,
            nredo=1,
            seed=s,
            max_points_per_centroid=n,  # >= n / k: train on every point, no subsample
            min_points_per_centroid=1,  # only silences a warning on small inputs
            verbose=False,
        )
        start = given
        if start is None and pp is not None:
            params["init_method"] = pp
        elif start is None:  # older faiss: seed it with scikit-learn's k-means++
            from sklearn.cluster import kmeans_plusplus

            start, _ = kmeans_plusplus(x, k, random_state=s)
            start = np.ascontiguousarray(start, dtype=np.float32)
        km = faiss.Kmeans(d, k, **params)
        km.train(x, init_centroids=start)
        _, labels = km.assign(x)
        labels = labels.astype(np.int32)
        centers = np.ascontiguousarray(km.centroids, dtype=np.float32)
        _, inertia = assignment_stats(x, centers, labels)
        if best is None or inertia < best[0]:
            best = (inertia, labels, centers, len(km.obj))
    return best[1], best[2], int(best[3])


def _fit_cuml(x, k, *, seed, n_init, max_iter, tol, init=None):  # pragma: no cover - needs a GPU
    import cupy as cp
    from cuml.cluster import KMeans

    model = KMeans(
        n_clusters=k,
        n_init=n_init if init is None else 1,
        max_iter=max_iter,
        tol=tol,
        random_state=seed,
        init="scalable-k-means++" if init is None else cp.asarray(init, dtype=cp.float32),
        output_type="cupy",
    )
    model.fit(cp.asarray(x, dtype=cp.float32))
    labels = cp.asnumpy(model.labels_).astype(np.int32)
    centers = np.ascontiguousarray(cp.asnumpy(model.cluster_centers_), dtype=np.float32)
    return labels, centers, int(getattr(model, "n_iter_", -1))


#: backend name -> fit function (the signature in the module's docstring)
FIT = {"sklearn": _fit_sklearn, "faiss": _fit_faiss, "cuml": _fit_cuml, "torch": fit_torch}


def device_of(backend: str) -> str:
    """Where a backend computes: ``cuda`` for cuML, torch's device, else ``cpu``."""
    if backend == "cuml":
        return "cuda"
    return torch_device("auto") if backend == "torch" else "cpu"
