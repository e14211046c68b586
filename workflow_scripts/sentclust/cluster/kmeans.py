"""K-means over review embeddings: input checks, screened restarts, :func:`kmeans`.

The backend that runs is resolved by :func:`sentclust.cluster.backends.select_backend`; every
backend has the same semantics (see :mod:`sentclust.cluster.backends`). Inputs and outputs are
float32; the inertia and the distances are computed here, the same way for every backend
(float64 accumulation), so that backends are compared on one measure.

The number of CPU threads matters: pass ``threads`` (the rule's ``threads``). Oversubscribed
OpenMP (more threads than the cores the job really gets) slows Lloyd iterations down many-fold.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

import numpy as np

from sentclust.cluster.backends import FIT, device_of, select_backend
from sentclust.cluster.errors import ClusterInputError
from sentclust.cluster.nearest import assignment_stats, chunked_total, nearest_centres
from sentclust.cluster.restarts import restart_seeds

# --------------------------------------------------------------------------- input checks


def check_inputs(x, k, *, name: str = "embeddings") -> np.ndarray:
    """Validate ``x`` (rows x dimensions) and ``k``; return ``x`` as C-contiguous float32.

    Raises :class:`ClusterInputError` with what to fix for: k not an integer, k < 2, k >= rows,
    a non-2-D array, an empty array, rows holding NaN or infinite values, and fewer than k
    distinct rows (:func:`check_distinct`).
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise ClusterInputError(f"k={k!r}: k must be an integer >= 2 (check kmeans.k)")
    k = int(k)
    if k < 2:
        raise ClusterInputError(f"k={k}: K-means needs k >= 2; remove it from kmeans.k")
    x = np.asarray(x)
    if x.ndim != 2:
        raise ClusterInputError(
            f"{name}: expected a 2-D array (reviews x dimensions), got shape {x.shape}; "
            "check that the embedding table has one fixed-size vector per review"
        )
    n, d = x.shape
    if n == 0 or d == 0:
        raise ClusterInputError(f"{name}: empty array of shape {x.shape}; nothing to cluster")
    if k >= n:
        raise ClusterInputError(
            f"k={k}: K-means needs fewer clusters than rows, and {name} has {n} rows; "
            f"use k <= {n - 1} (remove larger values from kmeans.k) or cluster more reviews"
        )
    if not np.issubdtype(x.dtype, np.number):
        raise ClusterInputError(f"{name}: expected numbers, got dtype {x.dtype}")
    x = np.ascontiguousarray(x, dtype=np.float32)
    bad = ~np.isfinite(x).all(axis=1)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ClusterInputError(
            f"{name}: {int(bad.sum())} of {n} rows contain NaN or infinite values "
            f"(first at review index {first}); regenerate the embeddings or drop those reviews"
        )
    check_distinct(x, k, name=name)
    return x


def n_distinct_rows(x: np.ndarray) -> int:
    """The number of distinct rows of the 2-D float array ``x`` (-0.0 counts as 0.0)."""
    rows = np.ascontiguousarray(x + x.dtype.type(0))  # -0.0 + 0.0 is +0.0: one byte pattern
    return len(np.unique(rows.view(np.dtype((np.void, rows.dtype.itemsize * x.shape[1])))))


def has_distinct_rows(x: np.ndarray, k: int) -> bool:
    """Whether ``x`` holds at least ``k`` distinct rows; the first rows usually settle it, the
    whole array is compared only when they do not."""
    return n_distinct_rows(x[: 4 * k]) >= k or n_distinct_rows(x) >= k


def check_distinct(x: np.ndarray, k: int, *, name: str = "embeddings") -> None:
    """Raise :class:`ClusterInputError` when ``x`` holds fewer than ``k`` distinct rows.

    K-means cannot make more clusters than distinct points: the extra clusters would be empty
    or copies of others (the backends returned empty clusters, and the job's metrics crashed
    on a length mismatch). An error, not a result, because nothing of such a clustering is
    meaningful to a k-sweep: its inertia equals that at k = the distinct count, and the named,
    sentiment-ordered clusters downstream would include empty ones.
    """
    if n_distinct_rows(x[: 4 * k]) >= k:  # the first rows usually settle it
        return
    distinct = n_distinct_rows(x)
    if distinct < k:
        raise ClusterInputError(
            f"k={k}: {name} holds only {distinct} distinct vectors among its {len(x)} rows "
            "(the others repeat them, e.g. reviews with the same text), and K-means cannot "
            f"make more clusters than distinct vectors; lower the k range (kmeans.k) to at "
            f"most {distinct}, or cluster more distinct reviews"
        )


def check_settings(*, n_init, max_iter, refine, screen_sample) -> None:
    """Raise :class:`ClusterInputError` naming the ``kmeans.*`` key for a bad setting:
    ``n_init``, ``max_iter`` and ``refine`` must be integers >= 1, ``screen_sample`` >= 0."""
    for label, value in (
        ("n_init", n_init),
        ("max_iter", max_iter),
        ("refine", refine),
    ):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ClusterInputError(f"kmeans.{label}={value!r}: must be an integer >= 1")
    if isinstance(screen_sample, bool) or not isinstance(screen_sample, int | np.integer):
        raise ClusterInputError(f"kmeans.screen_sample={screen_sample!r}: must be an integer")
    if screen_sample < 0:
        raise ClusterInputError(
            f"kmeans.screen_sample={screen_sample}: must be >= 0 (0 turns screening off)"
        )


# --------------------------------------------------------------------------- result


@dataclass
class KMeansResult:
    labels: np.ndarray  # int32 (n,)
    centers: np.ndarray  # float32 (k, d)
    distances: np.ndarray  # float32 (n,): euclidean distance to the point's own centre
    inertia: float  # sum of squared distances (float64 accumulation)
    n_iter: int  # Lloyd iterations of the kept restart
    backend: str
    seconds: float
    k: int = 0
    seed: int = 0
    n_init: int = 1
    max_iter: int = 0
    screen_sample: int = 0  # 0: every restart ran on all rows
    refine: int = 0
    device: str = "cpu"  # where the backend computed: cpu, cuda[:N]

    def summary(self) -> dict:
        """The scalar fields, for a metrics JSON."""
        return {
            "k": self.k,
            "backend": self.backend,
            "device": self.device,
            "seed": self.seed,
            "n_init": self.n_init,
            "max_iter": self.max_iter,
            "screen_sample": self.screen_sample,
            "refine": self.refine,
            "n_iter": self.n_iter,
            "inertia": self.inertia,
            "seconds": round(self.seconds, 3),
            "cluster_sizes": np.bincount(self.labels, minlength=self.k).tolist(),
        }


# --------------------------------------------------------------------------- fitting


def _threads(threads: int | None):
    if threads is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    # covers OpenMP (scikit-learn and faiss share libgomp) and every BLAS
    return threadpool_limits(limits=int(threads))


def _fit_screened(fit, x, k, *, seed, n_init, max_iter, tol, sample, refine):
    """Screened restarts: ``n_init`` restarts on seeded samples, the best refined on all rows.

    Each restart draws its own seeded sample of ``sample`` rows and runs k-means++ and Lloyd there
    (cheap); its centres are scored by their inertia on *all* rows; the ``refine`` best are then
    run to convergence on all rows, starting from those centres, and the lowest inertia is kept.
    The restarts explore as many starting points as plain restarts do, while the expensive
    full-data Lloyd iterations run only ``refine`` times, from points already near a minimum.
    A sample with fewer than k distinct rows (duplicate-heavy data) gives degenerate centres,
    from which faiss leaves clusters empty: such samples are skipped; None when every one is.
    """
    n = len(x)
    sq_total = float(np.einsum("ij,ij->i", x, x, dtype=np.float64).sum())
    scored = []
    for i, s in enumerate(restart_seeds(seed, n_init)):
        rows = np.sort(np.random.default_rng(s).choice(n, size=sample, replace=False))
        if not has_distinct_rows(x[rows], k):
            continue
        _, centers, _ = fit(x[rows], k, seed=s, n_init=1, max_iter=max_iter, tol=tol)
        # the inertia to about 1e-7 relative: enough to rank candidate centres
        inertia = max(chunked_total(nearest_centres(x, centers)[1]) + sq_total, 0.0)
        scored.append((inertia, i, centers))
    if not scored:
        return None
    scored.sort(key=lambda t: (t[0], t[1]))
    best = None
    for *_, start in scored[:refine]:
        labels, centers, n_iter = fit(
            x, k, seed=seed, n_init=1, max_iter=max_iter, tol=tol, init=start
        )
        _, inertia = assignment_stats(x, centers, labels)
        if best is None or inertia < best[0]:
            best = (inertia, labels, centers, n_iter)
    return best[1], best[2], best[3]


def _check_no_empty_cluster(labels: np.ndarray, k: int, backend: str) -> None:
    """Raise :class:`ClusterInputError` when a backend left clusters empty (with k distinct
    rows or more none should: scikit-learn and torch relocate empty clusters)."""
    empty = np.flatnonzero(np.bincount(labels, minlength=k) == 0)
    if len(empty):
        raise ClusterInputError(
            f"k={k}: the {backend} backend left {len(empty)} of the {k} clusters empty "
            f"(clusters {empty.tolist()}); set kmeans.backend: sklearn, which relocates empty "
            "clusters, or lower the k range (kmeans.k)"
        )


def _fit(fit, x, k: int, *, screen_sample: int, refine: int, **args):
    """((labels, centres, iterations), whether the restarts were screened) of ``fit`` on ``x``:
    screened restarts (:func:`_fit_screened`) when they pay off, else ``fit``'s own restarts."""
    # screening pays off only when the sample is much smaller than the data and can hold k
    if 0 < screen_sample < len(x) and screen_sample > 2 * k:
        fitted = _fit_screened(fit, x, k, sample=screen_sample, refine=refine, **args)
        if fitted is not None:  # else no sample held k distinct rows
            return fitted, True
    return fit(x, k, **args), False


def kmeans(
    x,
    k: int,
    *,
    backend: str = "auto",
    seed: int = 0,
    n_init: int = 3,
    max_iter: int = 300,
    tol: float = 1e-4,
    screen_sample: int = 0,
    refine: int = 1,
    threads: int | None = None,
    name: str = "embeddings",
) -> KMeansResult:
    """K-means with ``n_init`` seeded restarts (best inertia kept), ``max_iter`` per restart.

    ``backend`` is resolved by :func:`select_backend`; ``threads`` caps OpenMP and BLAS threads
    for the call (None: leave the process setting). Results depend on the thread count only
    through floating-point summation order; same inputs, seed and threads give the same labels.

    ``screen_sample`` > 0 (and smaller than the rows) makes the restarts screened (see
    :func:`_fit_screened`): each restart runs on its own seeded sample of that many rows, and the
    ``refine`` restarts with the lowest full-data inertia are run to convergence on all rows.
    0 runs every restart on all rows, as scikit-learn's ``n_init`` does; so does a run whose
    samples never hold k distinct rows (the result then records ``screen_sample`` 0).

    Raises :class:`ClusterInputError` for bad inputs (:func:`check_inputs`: fewer distinct rows
    than ``k`` among them) and when the backend leaves a cluster empty.
    """
    t0 = time.perf_counter()
    x = check_inputs(x, k, name=name)
    check_settings(n_init=n_init, max_iter=max_iter, refine=refine, screen_sample=screen_sample)
    be = select_backend(backend)
    args = dict(seed=int(seed), n_init=int(n_init), max_iter=int(max_iter), tol=float(tol))
    with _threads(threads):
        (labels, centers, n_iter), screened = _fit(
            FIT[be], x, int(k), screen_sample=int(screen_sample), refine=int(refine), **args
        )
        distances, inertia = assignment_stats(x, centers, labels)
    _check_no_empty_cluster(labels, int(k), be)
    return KMeansResult(
        labels=labels,
        centers=centers,
        distances=distances,
        inertia=inertia,
        n_iter=n_iter,
        backend=be,
        seconds=time.perf_counter() - t0,
        k=int(k),
        seed=int(seed),
        n_init=int(n_init),
        max_iter=int(max_iter),
        screen_sample=int(screen_sample) if screened else 0,
        refine=int(refine) if screened else 0,
        device=device_of(be),
    )
