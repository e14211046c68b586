"""K-means over review embeddings: backends, metrics, choosing k, sentiment-aligned projection.

Backends (``kmeans.backend`` in the config):

- ``cuml``: RAPIDS cuML on a CUDA GPU (cupy arrays);
- ``sklearn``: scikit-learn's Lloyd K-means;
- ``faiss``: faiss-cpu's ``Kmeans`` trained on all points (never its default 256-points-per-centroid
  subsample), k-means++ seeding;
- ``auto``: cuML when it imports and a GPU is present, else :data:`CPU_PREFERENCE` (measured with
  ``tests/benchmarks/bench_kmeans.py``).

Every backend has the same semantics: ``n_init`` independent restarts whose seeds derive from
``seed``, each at most ``max_iter`` Lloyd iterations, the restart with the lowest inertia kept.
Inputs and outputs are float32; the inertia and the distances are computed here, the same way for
every backend (float64 accumulation), so that backends are compared on one measure.

The number of CPU threads matters: pass ``threads`` (the rule's ``threads``). Oversubscribed
OpenMP (more threads than the cores the job really gets) slows Lloyd iterations down many-fold.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

BACKENDS = ("cuml", "faiss", "sklearn")
REQUESTS = ("auto", *BACKENDS)
#: CPU backends in order of preference for ``auto``. Measured on 50,000 x 64 and 50,000 x 384
#: float32 vectors (tests/benchmarks/bench_kmeans.py): scikit-learn's Lloyd iteration is as fast
#: or faster than faiss-cpu's at one thread, and faiss' OpenMP loop degrades badly when threads
#: outnumber the cores really available.
CPU_PREFERENCE = ("sklearn", "faiss")
CRITERIA = ("elbow", "silhouette", "calinski_harabasz", "davies_bouldin")
RATINGS = tuple(range(1, 11))


class ClusterInputError(ValueError):
    """Input or configuration that K-means cannot use; the message says what to fix."""


class BackendUnavailableError(ClusterInputError):
    """A backend was asked for explicitly but cannot run here."""


# --------------------------------------------------------------------------- input checks


def check_inputs(x, k, *, name: str = "embeddings") -> np.ndarray:
    """Validate ``x`` (rows x dimensions) and ``k``; return ``x`` as C-contiguous float32.

    Raises :class:`ClusterInputError` with what to fix for: k not an integer, k < 2, k >= rows,
    a non-2-D array, an empty array, and rows holding NaN or infinite values.
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
    return x


# --------------------------------------------------------------------------- backends


def _can_import(module: str) -> bool:
    try:
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


def select_backend(
    requested: str = "auto",
    *,
    importable: Callable[[str], bool] = _can_import,
    gpu_count: Callable[[], int] = _cuda_gpu_count,
) -> str:
    """Resolve ``auto | cuml | faiss | sklearn`` to the backend that will run.

    ``auto``: cuML when it imports and a CUDA GPU is present, else the first available of
    :data:`CPU_PREFERENCE`. An explicit request for a backend that cannot run here raises
    :class:`BackendUnavailableError` naming what is available.
    """
    if requested not in REQUESTS:
        raise ClusterInputError(
            f"kmeans.backend={requested!r} is not a backend; use one of {', '.join(REQUESTS)}"
        )
    status = backend_status(importable=importable, gpu_count=gpu_count)
    available = [b for b in BACKENDS if status[b] is None]
    if requested == "auto":
        if status["cuml"] is None:
            return "cuml"
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


def restart_seeds(seed: int, n_init: int) -> list[int]:
    """The per-restart seeds derived from ``seed`` (deterministic, 31-bit)."""
    state = np.random.SeedSequence(int(seed)).generate_state(n_init, dtype=np.uint32)
    return [int(s) & 0x7FFFFFFF for s in state]


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


_FIT = {"sklearn": _fit_sklearn, "faiss": _fit_faiss, "cuml": _fit_cuml}


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

    def summary(self) -> dict:
        """The scalar fields, for a metrics JSON."""
        return {
            "k": self.k,
            "backend": self.backend,
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


def assignment_stats(x, centers, labels, *, chunk: int = 8192) -> tuple[np.ndarray, float]:
    """(float32 distance of each row to its own centre, inertia as a float64 sum of squares)."""
    x = np.asarray(x, dtype=np.float32)
    centers = np.asarray(centers, dtype=np.float32)
    labels = np.asarray(labels)
    out = np.empty(len(x), dtype=np.float32)
    total = 0.0
    for start in range(0, len(x), chunk):
        stop = start + chunk
        diff = x[start:stop] - centers[labels[start:stop]]
        d2 = np.einsum("ij,ij->i", diff, diff, dtype=np.float64)
        total += float(d2.sum())
        out[start:stop] = np.sqrt(d2)
    return out, total


def _threads(threads: int | None):
    if threads is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    # covers OpenMP (scikit-learn and faiss share libgomp) and every BLAS
    return threadpool_limits(limits=int(threads))


def nearest_centres(
    x, centers, *, sq_total: float | None = None, chunk: int = 4096
) -> tuple[np.ndarray, float]:
    """(int32 label of each row's nearest centre, inertia), by |x|^2 - 2 x.c + |c|^2.

    One matrix product per chunk; ``sq_total`` (the sum of the rows' squared norms, float64) can
    be passed in when it is reused. The inertia is accurate to about 1e-7 relative: enough to
    rank candidate centres; :func:`assignment_stats` gives the exact one.
    """
    x = np.asarray(x, dtype=np.float32)
    centers = np.asarray(centers, dtype=np.float32)
    if sq_total is None:
        sq_total = float(np.einsum("ij,ij->i", x, x, dtype=np.float64).sum())
    c2 = np.einsum("ij,ij->i", centers, centers)
    minus_2c = np.ascontiguousarray(-2.0 * centers.T, dtype=np.float32)
    labels = np.empty(len(x), dtype=np.int32)
    total = 0.0
    for start in range(0, len(x), chunk):
        d2 = x[start : start + chunk] @ minus_2c
        d2 += c2
        labels[start : start + chunk] = d2.argmin(axis=1)
        total += float(d2.min(axis=1).sum(dtype=np.float64))
    return labels, max(total + sq_total, 0.0)


def _fit_screened(fit, x, k, *, seed, n_init, max_iter, tol, sample, refine):
    """Screened restarts: ``n_init`` restarts on seeded samples, the best refined on all rows.

    Each restart draws its own seeded sample of ``sample`` rows and runs k-means++ and Lloyd there
    (cheap); its centres are scored by their inertia on *all* rows; the ``refine`` best are then
    run to convergence on all rows, starting from those centres, and the lowest inertia is kept.
    The restarts explore as many starting points as plain restarts do, while the expensive
    full-data Lloyd iterations run only ``refine`` times, from points already near a minimum.
    """
    n = len(x)
    sq_total = float(np.einsum("ij,ij->i", x, x, dtype=np.float64).sum())
    scored = []
    for i, s in enumerate(restart_seeds(seed, n_init)):
        rows = np.sort(np.random.default_rng(s).choice(n, size=sample, replace=False))
        _, centers, _ = fit(x[rows], k, seed=s, n_init=1, max_iter=max_iter, tol=tol)
        _, inertia = nearest_centres(x, centers, sq_total=sq_total)
        scored.append((inertia, i, centers))
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
    0 runs every restart on all rows, as scikit-learn's ``n_init`` does.
    """
    t0 = time.perf_counter()
    x = check_inputs(x, k, name=name)
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
    be = select_backend(backend)
    # screening pays off only when the sample is much smaller than the data and can hold k
    screened = 0 < screen_sample < len(x) and screen_sample > 2 * k
    args = dict(seed=int(seed), n_init=int(n_init), max_iter=int(max_iter), tol=float(tol))
    with _threads(threads):
        if screened:
            labels, centers, n_iter = _fit_screened(
                _FIT[be], x, int(k), sample=int(screen_sample), refine=int(refine), **args
            )
        else:
            labels, centers, n_iter = _FIT[be](x, int(k), **args)
        distances, inertia = assignment_stats(x, centers, labels)
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
    )


# --------------------------------------------------------------------------- internal indices


def silhouette_sampled(x, labels, sample_size: int, seed: int) -> float:
    """Silhouette on a seeded sample of ``sample_size`` rows (all rows when n <= sample_size).

    The full silhouette is O(n^2) in time; on 50,000 reviews a 10,000-row sample is accurate to
    about two decimals and takes seconds.
    """
    from sklearn.metrics import silhouette_score

    labels = np.asarray(labels)
    if len(np.unique(labels)) < 2:
        return float("nan")
    if len(labels) <= sample_size:
        return float(silhouette_score(x, labels))
    return float(silhouette_score(x, labels, sample_size=sample_size, random_state=seed))


def calinski_harabasz(x, labels) -> float:
    from sklearn.metrics import calinski_harabasz_score

    return float(calinski_harabasz_score(x, labels))


def davies_bouldin(x, labels) -> float:
    from sklearn.metrics import davies_bouldin_score

    return float(davies_bouldin_score(x, labels))


def internal_metrics(x, labels, *, sample_size: int, seed: int) -> dict:
    return {
        "silhouette": silhouette_sampled(x, labels, sample_size, seed),
        "silhouette_sample_size": int(min(sample_size, len(labels))),
        "calinski_harabasz": calinski_harabasz(x, labels),
        "davies_bouldin": davies_bouldin(x, labels),
    }


# --------------------------------------------------------------------------- against labels


def _nullable_float(values) -> np.ndarray:
    """Any nullable numeric column as float64 with NaN for nulls."""
    arr = pd.array(values)
    if pd.api.types.is_numeric_dtype(arr.dtype) or len(arr) == 0:
        return pd.array(arr, dtype="Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.to_numeric(pd.Series(values), errors="raise").to_numpy(dtype=np.float64)


def _countable(values) -> tuple[np.ndarray, np.ndarray]:
    """(mask of non-null entries, the non-null values): integral numbers as int64."""
    s = (
        values.reset_index(drop=True)
        if isinstance(values, pd.Series)
        else pd.Series(pd.array(values))
    )
    keep = s.notna().to_numpy()
    v = s[keep]
    if pd.api.types.is_bool_dtype(v.dtype) or pd.api.types.is_numeric_dtype(v.dtype):
        f = v.to_numpy(dtype=np.float64)
        return keep, f.astype(np.int64) if np.array_equal(f, np.round(f)) else f
    return keep, v.to_numpy(dtype=object)


def contingency(clusters, values, *, levels: Sequence | None = None) -> pd.DataFrame:
    """Counts of clusters (rows, index ``cluster``) x values (columns); nulls in ``values`` skipped.

    ``levels`` fixes the columns (e.g. ratings 1..10 or labels 0, 1), absent ones counted as 0.
    Every cluster in ``clusters`` has a row, even one whose values are all null.
    """
    clusters = np.asarray(clusters)
    keep, vals = _countable(values)
    if len(keep) != len(clusters):
        raise ClusterInputError(f"{len(clusters)} cluster ids but {len(keep)} values")
    table = pd.crosstab(pd.Series(clusters[keep], name="cluster"), pd.Series(vals, name="value"))
    table = table.reindex(index=np.unique(clusters), fill_value=0)
    if levels is not None:
        table = table.reindex(columns=list(levels), fill_value=0)
    table.index.name = "cluster"
    table.columns.name = "value"
    return table.astype(np.int64)


def purity(clusters, labels) -> float:
    """Sum over clusters of the majority label's count, over n (1.0: every cluster is pure)."""
    table = contingency(clusters, labels)
    n = int(table.to_numpy().sum())
    return float(table.max(axis=1).sum() / n) if n else float("nan")


def label_metrics(clusters, labels) -> dict:
    """purity, ARI, NMI and V-measure of the clusters against the binary labels."""
    from sklearn.metrics import (
        adjusted_rand_score,
        normalized_mutual_info_score,
        v_measure_score,
    )

    clusters = np.asarray(clusters)
    labels = np.asarray(labels)
    return {
        "n": int(len(labels)),
        "purity": purity(clusters, labels),
        "ari": float(adjusted_rand_score(labels, clusters)),
        "nmi": float(normalized_mutual_info_score(labels, clusters)),
        "v_measure": float(v_measure_score(labels, clusters)),
    }


def positive_share(clusters, labels) -> pd.Series:
    """Per cluster (sorted index), the share of reviews labelled positive (label 1)."""
    s = pd.Series(np.asarray(labels, dtype=np.float64)).groupby(np.asarray(clusters)).mean()
    s.index.name = "cluster"
    return s.rename("positive_share")


def cluster_scores(clusters, labels) -> np.ndarray:
    """Each review's cluster sentiment score: its cluster's positive share."""
    share = positive_share(clusters, labels)
    return share.reindex(np.asarray(clusters)).to_numpy(dtype=np.float64)


def rating_profile(clusters, ratings) -> pd.DataFrame:
    """Per cluster: ``n_rated``, ``mean_rating`` (nulls skipped), counts ``rating_1..rating_10``."""
    clusters = np.asarray(clusters)
    r = _nullable_float(ratings)
    counts = contingency(clusters, pd.array(r, dtype="Float64"), levels=RATINGS)
    counts.columns = [f"rating_{v}" for v in RATINGS]
    mean = pd.Series(r).groupby(clusters).mean()  # NaN skipped; NaN when none rated
    out = pd.DataFrame({"n_rated": counts.sum(axis=1), "mean_rating": mean.reindex(counts.index)})
    return pd.concat([out, counts], axis=1)


def rating_spearman(ratings, cluster_score) -> float:
    """Spearman rho between each review's rating and its cluster's score (null ratings skipped)."""
    from scipy.stats import spearmanr

    r = _nullable_float(ratings)
    s = np.asarray(cluster_score, dtype=np.float64)
    keep = ~np.isnan(r) & ~np.isnan(s)
    if keep.sum() < 3 or np.unique(r[keep]).size < 2 or np.unique(s[keep]).size < 2:
        return float("nan")
    return float(spearmanr(r[keep], s[keep])[0])


def stability_ari(
    x,
    k: int,
    *,
    backend: str,
    seeds: Sequence[int],
    known: dict[int, np.ndarray] | None = None,
    **fit,
) -> dict:
    """ARI between the assignments of runs with different seeds: mean and min over all pairs.

    ``known`` maps seeds already run to their labels (e.g. the job's own run) to skip rerunning;
    ``fit`` holds the other :func:`kmeans` arguments (n_init, max_iter, tol, screening, threads).
    """
    from sklearn.metrics import adjusted_rand_score

    seeds = [int(s) for s in seeds]
    if len(set(seeds)) < 2:
        raise ClusterInputError("stability needs at least two different seeds")
    runs = dict(known or {})
    for s in seeds:
        if s not in runs:
            runs[s] = kmeans(x, k, backend=backend, seed=s, **fit).labels
    pairs = [
        {"seeds": [a, b], "ari": float(adjusted_rand_score(runs[a], runs[b]))}
        for a, b in itertools.combinations(seeds, 2)
    ]
    aris = [p["ari"] for p in pairs]
    return {
        "seeds": seeds,
        "mean": float(np.mean(aris)),
        "min": float(np.min(aris)),
        "pairs": pairs,
    }


# --------------------------------------------------------------------------- choosing k


def kneedle_elbow(ks, inertias) -> int | None:
    """The elbow of a decreasing, convex inertia curve by the Kneedle method (None if undefined)."""
    ks = np.asarray(ks, dtype=float)
    y = np.asarray(inertias, dtype=float)
    if len(ks) < 3 or not np.isfinite(y).all():
        return None
    order = np.argsort(ks)
    from kneed import KneeLocator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kneed warns when there is no knee; we return None
        knee = KneeLocator(ks[order], y[order], curve="convex", direction="decreasing", S=1.0).knee
    return None if knee is None else int(round(float(knee)))


_RULES = {
    "elbow": "the elbow of the inertia curve (Kneedle, convex and decreasing)",
    "silhouette": "the k with the largest (sampled) silhouette",
    "calinski_harabasz": "the k with the largest Calinski-Harabasz index",
    "davies_bouldin": "the k with the smallest Davies-Bouldin index",
}
#: When the elbow is undefined (a curve with no knee), k is chosen by this criterion instead.
ELBOW_FALLBACK = "silhouette"


def choose_k(table: pd.DataFrame, criterion: str) -> dict:
    """Every criterion's pick side by side, and the k chosen by ``criterion`` with its rule.

    ``table`` has one row per k with columns ``k``, ``inertia``, ``silhouette``,
    ``calinski_harabasz`` and ``davies_bouldin`` (more are ignored). Ties go to the smaller k.
    """
    if criterion not in CRITERIA:
        raise ClusterInputError(
            f"choose_k.criterion={criterion!r}: use one of {', '.join(CRITERIA)}"
        )
    missing = [c for c in ("k", "inertia", *CRITERIA[1:]) if c not in table.columns]
    if missing:
        raise ClusterInputError(f"the k-sweep table lacks columns {missing}")
    t = table.sort_values("k").reset_index(drop=True)
    if t["k"].duplicated().any():
        raise ClusterInputError("the k-sweep table has a k more than once")

    def pick(col: str, best: str) -> int | None:
        s = t[col].astype(float)
        if s.isna().all():
            return None
        i = s.idxmax() if best == "max" else s.idxmin()
        return int(t.loc[i, "k"])

    picks = {
        "elbow": kneedle_elbow(t["k"], t["inertia"]),
        "silhouette": pick("silhouette", "max"),
        "calinski_harabasz": pick("calinski_harabasz", "max"),
        "davies_bouldin": pick("davies_bouldin", "min"),
    }
    used, fallback = criterion, None
    if picks[criterion] is None:
        order = [c for c in (ELBOW_FALLBACK, *CRITERIA) if c != criterion]
        used = next((c for c in order if picks[c] is not None), None)
        fallback = f"{criterion} is undefined for this curve" + (
            f"; fell back to {used}: {_RULES[used]}" if used else "; no criterion defined k"
        )
    return {
        "criterion": criterion,
        "k": picks[used] if used else None,
        "rule": _RULES[used] if used else None,
        "chosen_by": used,
        "fallback": fallback,
        "picks": picks,
        "rules": dict(_RULES),
        "ks": [int(k) for k in t["k"]],
    }
