"""K-means on PyTorch tensors (CUDA when present, else the CPU): scikit-learn's Lloyd, step by step.

:func:`fit_torch` has the contract of the other backends' fit functions (``labels, centers,
n_iter`` as int32 / float32 NumPy arrays and an int) and mirrors scikit-learn's ``KMeans(
algorithm="lloyd")``:

- the data are centred on their mean first (as scikit-learn does, for accurate float32 distances);
- seeding: scikit-learn's greedy k-means++ (``2 + int(log k)`` candidates per centre, the one
  lowering the potential most kept), drawn from ``numpy.random.RandomState(restart seed)``;
  ``n_init`` restarts with the seeds of ``restart_seeds(seed, n_init)``, the lowest inertia kept
  (a restart replaces the best only when it is also a different clustering, as in scikit-learn);
- each iteration: labels by float32 ``|c|^2 - 2 x.c`` matrix products in chunks sized to the
  device's free memory; new centres as means (sums by one-hot matrix products, deterministic on
  CUDA unlike atomic scatter-adds, chunks added in float64); empty clusters relocated to the points
  farthest from their centres (``_relocate_empty_clusters_dense``); stop when the labels do not
  change (strict convergence) or when the squared centre shift total <= ``tol`` x the mean of the
  per-feature variances; otherwise after ``max_iter``, with a final assignment to the last centres
  (``_kmeans_single_lloyd``).

The same inputs, seed and device give the same result. ``torch`` is imported only when used.
"""

from __future__ import annotations

import contextlib
import os

import numpy as np

from sentclust.cluster.restarts import restart_seeds

#: rows per distance chunk on the CPU (on CUDA the chunk follows the free memory)
CPU_CHUNK_ROWS = 8192
#: share of the GPU's free memory that one chunk's temporaries may take
GPU_MEMORY_SHARE = 0.25
DTYPES = ("float32", "float64")


#: files one of which a machine with a GPU driver has (NVIDIA, AMD ROCm, WSL2): without any, no
#: CUDA GPU can be visible and torch (about 2 s to import) is not imported to ask
GPU_DRIVER_FILES = (
    "/proc/driver/nvidia/version",
    "/dev/nvidiactl",
    "/dev/nvidia0",
    "/dev/kfd",
    "/dev/dxg",
)


def gpu_driver_visible(files=GPU_DRIVER_FILES) -> bool:
    """Whether any of ``files`` exists: a cheap check that a GPU could be visible at all."""
    return any(os.path.exists(f) for f in files)


def cuda_available() -> bool:
    """True when torch imports and sees a CUDA GPU (False, not an error, without torch).

    Without a GPU driver (:func:`gpu_driver_visible` False) torch is not imported: False at once.
    """
    if not gpu_driver_visible():
        return False
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:  # ImportError, or a CUDA library failing to load
        return False


def torch_device(requested: str | None = "auto") -> str:
    """``auto``: ``cuda`` when torch sees a CUDA GPU, else ``cpu``; ``cuda[:N]`` needs a GPU."""
    requested = "auto" if requested is None else str(requested)
    if requested == "auto":
        return "cuda" if cuda_available() else "cpu"
    if requested.startswith("cuda") and not cuda_available():
        raise RuntimeError(f"K-means device {requested!r}: torch sees no CUDA GPU; use auto or cpu")
    if requested != "cpu" and not requested.startswith("cuda"):
        raise ValueError(f"K-means device {requested!r}: use auto, cpu or cuda[:N]")
    return requested


def chunk_rows(n: int, width: int, dim: int, device) -> int:
    """Rows per chunk: a fixed count on the CPU, a share of the free memory on CUDA.

    ``width``: columns of the distance block (clusters or candidates); ``dim``: features.
    A row's temporaries: its distances, a one-hot row and a copy (8 bytes a value at most).
    """
    import torch

    device = torch.device(device)
    if device.type != "cuda":
        return max(1, min(n, CPU_CHUNK_ROWS))
    free, _ = torch.cuda.mem_get_info(device)
    per_row = 8 * (2 * width + dim + 2)
    return max(1, min(n, max(256, int(free * GPU_MEMORY_SHARE) // per_row)))


def scaled_tolerance(x: np.ndarray, tol: float) -> float:
    """scikit-learn's ``_tolerance``: ``tol`` times the mean of the per-feature variances."""
    if tol == 0:
        return 0.0
    return float(np.var(x, axis=0, dtype=np.float64).mean() * tol)


def _sq_distances(x, centers, chunk: int, x_sq=None):
    """(n, m) float squared distances ``|x|^2 - 2 x.c + |c|^2`` (clamped at 0), chunked."""
    import torch

    x_sq = (x * x).sum(1) if x_sq is None else x_sq
    c_sq = (centers * centers).sum(1)
    out = torch.empty((len(x), len(centers)), dtype=x.dtype, device=x.device)
    for a in range(0, len(x), chunk):
        block = torch.addmm(c_sq, x[a : a + chunk], centers.T, alpha=-2.0)
        out[a : a + chunk] = (block + x_sq[a : a + chunk, None]).clamp_(min=0)
    return out


def assign(x, centers, chunk: int):
    """int64 label of each row's nearest centre (first on ties), by chunked matrix products."""
    import torch

    c_sq = (centers * centers).sum(1)
    labels = torch.empty(len(x), dtype=torch.int64, device=x.device)
    for a in range(0, len(x), chunk):
        labels[a : a + chunk] = torch.addmm(c_sq, x[a : a + chunk], centers.T, alpha=-2.0).argmin(1)
    return labels


def kmeans_plusplus(x, k: int, rng: np.random.RandomState, chunk: int):
    """scikit-learn's greedy k-means++ on the (centred) rows ``x``: the chosen rows as centres.

    The draws come from ``rng`` in scikit-learn's order (the first centre by ``rng.choice`` with
    uniform weights, then ``rng.uniform`` for each centre's candidates); the cumulative
    potential is summed on the host in float64.
    """
    import torch

    n = len(x)
    trials = 2 + int(np.log(k))
    weights = np.ones(n, dtype=np.float32)
    chosen = [int(rng.choice(n, p=weights / weights.sum()))]
    x_sq = (x * x).sum(1)
    closest = _sq_distances(x, x[chosen], chunk, x_sq)[:, 0]
    potential = float(closest.sum(dtype=torch.float64))
    for _ in range(1, k):
        draws = rng.uniform(size=trials) * potential
        cumulative = np.cumsum(closest.double().cpu().numpy())
        candidates = np.minimum(np.searchsorted(cumulative, draws), n - 1)
        rows = x[torch.as_tensor(candidates, device=x.device)]
        dist = torch.minimum(_sq_distances(x, rows, chunk, x_sq), closest[:, None])
        potentials = dist.sum(0, dtype=torch.float64)
        best = int(torch.argmin(potentials))
        potential = float(potentials[best])
        closest = dist[:, best].contiguous()
        chosen.append(int(candidates[best]))
    return x[chosen].clone()


def _cluster_sums(x, labels, k: int, chunk: int):
    """(per-cluster sums of the rows (k, d), counts (k,)), float64 across chunks.

    Within a chunk the sum is a one-hot matrix product in the compute precision (deterministic
    on CUDA, unlike atomic scatter-adds); the chunks' sums are added in float64.
    """
    import torch

    sums = torch.zeros((k, x.shape[1]), dtype=torch.float64, device=x.device)
    counts = torch.zeros(k, dtype=torch.float64, device=x.device)
    for a in range(0, len(x), chunk):
        lab = labels[a : a + chunk]
        onehot = torch.zeros((len(lab), k), dtype=x.dtype, device=x.device)
        onehot.scatter_(1, lab[:, None], 1.0)
        sums += onehot.T @ x[a : a + chunk]
        counts += torch.bincount(lab, minlength=k)
    return sums, counts


def _relocate_empty(x, centers_old, labels, sums, counts, chunk: int) -> None:
    """scikit-learn's ``_relocate_empty_clusters_dense``, in place on ``sums`` and ``counts``.

    Each empty cluster takes one of the rows farthest from their own (old) centres, farthest
    first; that row leaves its cluster's sum (its label is kept, as scikit-learn keeps it).
    Nothing moves when every row sits on its centre (more clusters than distinct rows).
    """
    import torch

    empty = torch.nonzero(counts == 0).flatten().tolist()
    if not empty:
        return
    dist = torch.cat(
        [
            ((x[a : a + chunk] - centers_old[labels[a : a + chunk]]) ** 2).sum(1)
            for a in range(0, len(x), chunk)
        ]
    )
    if float(dist.max()) == 0:
        return
    far = torch.topk(dist, len(empty)).indices.tolist()
    for new, row in zip(empty, far, strict=True):
        old = int(labels[row])
        point = x[row].double()
        sums[old] -= point
        sums[new] = point
        counts[new] = 1.0
        counts[old] -= 1.0


def update_centers(x, centers_old, labels, chunk: int):
    """The M-step: means of the clusters (empty ones relocated, as in scikit-learn)."""
    sums, counts = _cluster_sums(x, labels, len(centers_old), chunk)
    _relocate_empty(x, centers_old, labels, sums, counts, chunk)
    full = counts > 0
    sums[full] /= counts[full, None]
    # still empty (every row on its centre): scikit-learn puts it on the largest cluster
    if not bool(full.all()):
        sums[~full] = sums[int(counts.argmax())].clone()
    return sums.to(x.dtype)


def lloyd(x, centers, *, max_iter: int, tol: float, chunk: int):
    """scikit-learn's ``_kmeans_single_lloyd`` from ``centers``: (labels, centers, n_iter).

    ``tol`` is the absolute tolerance on the squared centre shift total (see
    :func:`scaled_tolerance`).
    """
    import torch

    labels_old, strict, n_iter = None, False, 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        labels = assign(x, centers, chunk)
        new = update_centers(x, centers, labels, chunk)
        shift = float(((new - centers).double() ** 2).sum())
        centers = new
        if labels_old is not None and torch.equal(labels, labels_old):
            strict = True
            break
        if shift <= tol:
            break
        labels_old = labels
    if not strict:  # the labels of the last centres
        labels = assign(x, centers, chunk)
    return labels, centers, n_iter


def inertia(x, centers, labels, chunk: int) -> float:
    """Sum of squared distances of the rows to their own centres (float64 accumulation)."""
    import torch

    total = torch.zeros((), dtype=torch.float64, device=x.device)
    for a in range(0, len(x), chunk):
        diff = x[a : a + chunk] - centers[labels[a : a + chunk]]
        total += (diff * diff).sum(1).sum(dtype=torch.float64)
    return float(total)


def same_clustering(labels1, labels2, k: int) -> bool:
    """scikit-learn's ``_is_same_clustering``: ``labels1`` maps onto ``labels2`` as a function."""
    import torch

    pairs = torch.unique(labels1 * k + labels2)
    return len(pairs) == len(torch.unique(labels1))


def _rng(seed: int) -> np.random.RandomState:
    """A restart's generator: scikit-learn's kind, so that its k-means++ draws are the same."""
    return np.random.RandomState(seed)


@contextlib.contextmanager
def ieee_float32(torch):
    """float32 matrix products in full float32 (never TF32) inside, the setting restored after."""
    before = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision("highest")
    try:
        yield
    finally:
        torch.set_float32_matmul_precision(before)


def fit_torch(
    x,
    k: int,
    *,
    seed: int,
    n_init: int,
    max_iter: int,
    tol: float,
    init=None,
    device: str | None = None,
    dtype: str = "float32",
):
    """K-means with PyTorch: (int32 labels (n,), float32 centres (k, d), Lloyd iterations).

    ``init`` (k x d) replaces the seeding and makes it one restart; ``device``: ``auto`` (None),
    ``cpu`` or ``cuda[:N]`` (:func:`torch_device`); ``dtype``: the compute precision.
    """
    import torch

    if dtype not in DTYPES:
        raise ValueError(f"fit_torch dtype must be one of {DTYPES}, got {dtype!r}")
    dev = torch.device(torch_device(device))
    host = np.ascontiguousarray(x, dtype=np.float32)
    if not host.flags.writeable:  # e.g. zero-copy from Arrow: torch wants a writable buffer
        host = host.copy()
    n, dim = host.shape
    limit = scaled_tolerance(host, tol)
    mean = torch.from_numpy(host.mean(axis=0, dtype=np.float64)).to(dev)
    xt = (torch.from_numpy(host).to(dev, torch.float64) - mean).to(getattr(torch, dtype))
    mean = mean.to(xt.dtype)
    chunk = chunk_rows(n, max(k, 2 + int(np.log(k))), dim, dev)
    given = None if init is None else torch.as_tensor(np.asarray(init)).to(xt) - mean
    best = None
    with ieee_float32(torch):
        for s in restart_seeds(seed, n_init) if given is None else [seed]:
            start = given if given is not None else kmeans_plusplus(xt, k, _rng(s), chunk)
            labels, centers, n_iter = lloyd(xt, start, max_iter=max_iter, tol=limit, chunk=chunk)
            score = inertia(xt, centers, labels, chunk)
            if best is None or (score < best[0] and not same_clustering(labels, best[1], k)):
                best = (score, labels, centers, n_iter)
    _, labels, centers, n_iter = best
    centers = (centers + mean).float().cpu().numpy()
    return labels.cpu().numpy().astype(np.int32), np.ascontiguousarray(centers), int(n_iter)
