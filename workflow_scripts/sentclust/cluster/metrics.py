"""How good a clustering is: internal indices, the clusters against the binary labels and the
star ratings, contingency tables, stability across seeds."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sentclust.cluster.errors import ClusterInputError
from sentclust.cluster.kmeans import kmeans

#: IMDB's 1-10 stars: the ratings counted when the caller names no scale and the data hold
#: nothing else (the run's scale: :func:`sentclust.finegrained.scale.run_scale`)
RATINGS = tuple(range(1, 11))


# --------------------------------------------------------------------------- internal indices


def silhouette_sampled(x, labels, sample_size: int, seed: int) -> float:
    """Silhouette on a seeded sample of ``sample_size`` rows (all rows when n <= sample_size).

    The full silhouette is O(n^2) in time; on 50,000 reviews a 10,000-row sample is accurate to
    about two decimals. The sample is the one scikit-learn's ``silhouette_score(...,
    sample_size, random_state=seed)`` draws, and the value equals it up to float rounding
    (:func:`silhouette_values`, a unit test compares them); NaN when fewer than two clusters
    are in the sample.
    """
    labels = np.asarray(labels)
    x = np.asarray(x)
    if len(labels) > sample_size:
        idx = np.random.RandomState(seed).permutation(len(labels))[:sample_size]
        x, labels = x[idx], labels[idx]
    if len(np.unique(labels)) < 2:
        return float("nan")
    return float(np.mean(silhouette_values(x, labels)))


def silhouette_values(x, labels, *, block: int = 512) -> np.ndarray:
    """Each row's silhouette (Rousseeuw 1987) with Euclidean distances, as scikit-learn's
    ``silhouette_samples`` defines it (a row alone in its cluster scores 0), 1.5-3x faster
    (10,000 rows, one thread): the distances of a block of rows come from one matrix product,
    and their sums per cluster from a second one (against the rows' one-hot cluster matrix)
    instead of a ``bincount`` per row. Memory: ``block`` x rows doubles at a time."""
    codes = np.unique(np.asarray(labels), return_inverse=True)[1].ravel()
    n, k = len(codes), int(codes.max()) + 1
    freqs = np.bincount(codes, minlength=k).astype(np.float64)
    x = np.asarray(x)
    xf = np.ascontiguousarray(x, dtype=np.float64 if x.dtype == np.float64 else np.float32)
    sq = np.einsum("ij,ij->i", xf, xf, dtype=np.float64)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), codes] = 1.0
    sums = np.empty((n, k))
    for a in range(0, n, block):
        b = min(a + block, n)
        d = sq[a:b, None] + sq[None, :] - 2.0 * (xf[a:b] @ xf.T)
        np.sqrt(np.maximum(d, 0.0, out=d), out=d)
        d[np.arange(b - a), np.arange(a, b)] = 0.0  # a row's distance to itself
        sums[a:b] = d @ onehot
    rows = np.arange(n)
    intra = sums[rows, codes].copy()
    sums[rows, codes] = np.inf
    inter = (sums / freqs).min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        intra /= freqs[codes] - 1
        values = (inter - intra) / np.maximum(intra, inter)
    return np.nan_to_num(values)


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


def nullable_float(values) -> np.ndarray:
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


# --------------------------------------------------------------------------- against ratings


def rating_values(ratings, scale: Sequence[int] | None = None) -> tuple[int, ...]:
    """The ratings to count: every value of ``scale`` (the run's, e.g. ``range(1, 6)``) when
    given; otherwise :data:`RATINGS` when the known ratings all lie on it, else the whole
    numbers from the lowest to the highest known rating (none without ratings)."""
    if scale is not None:
        return tuple(int(v) for v in scale)
    r = nullable_float(ratings)
    r = r[~np.isnan(r)]
    if not len(r):
        return ()
    if np.isin(r, RATINGS).all():
        return RATINGS
    return tuple(range(int(r.min()), int(r.max()) + 1))


def rating_profile(clusters, ratings, scale: Sequence[int] | None = None) -> pd.DataFrame:
    """Per cluster: ``n_rated``, ``mean_rating`` (nulls skipped; NaN when none rated), counts
    ``rating_<v>`` for each ``v`` of :func:`rating_values` (none without ratings: the columns
    are absent, not zeros)."""
    clusters = np.asarray(clusters)
    r = nullable_float(ratings)
    values = rating_values(r, scale)
    index = pd.Index(np.unique(clusters), name="cluster")
    if values:
        counts = contingency(clusters, pd.array(r, dtype="Float64"), levels=values)
        counts.columns = [f"rating_{v}" for v in values]
    else:
        counts = pd.DataFrame(index=index)
    by = pd.Series(r).groupby(clusters)  # NaN skipped
    out = pd.DataFrame(
        {
            "n_rated": by.count().reindex(index).astype(np.int64),
            "mean_rating": by.mean().reindex(index),
        }
    )
    return pd.concat([out, counts.reindex(index)], axis=1)


def rating_spearman(ratings, cluster_score) -> float:
    """Spearman rho between each review's rating and its cluster's score (null ratings skipped)."""
    from scipy.stats import spearmanr

    r = nullable_float(ratings)
    s = np.asarray(cluster_score, dtype=np.float64)
    keep = ~np.isnan(r) & ~np.isnan(s)
    if keep.sum() < 3 or np.unique(r[keep]).size < 2 or np.unique(s[keep]).size < 2:
        return float("nan")
    return float(spearmanr(r[keep], s[keep])[0])


# --------------------------------------------------------------------------- stability


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
