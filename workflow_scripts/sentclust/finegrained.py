"""Fine-grained sentiment from clusters: order, name from the data, describe, check against ratings.

Clusters are ordered along the sentiment axis by their positive share (ties by mean rating), named
from their shares (never hard-coded: a cluster whose majority is positive never gets a negative
name, and the other way round), described by their most distinctive terms (class-based TF-IDF)
and the reviews nearest their centres, and checked: the ordered clusters must order the star
ratings.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sentclust.cluster import _nullable_float, positive_share, rating_profile


def cluster_profile(clusters, labels, ratings) -> pd.DataFrame:
    """Per cluster (index ``cluster``): size, positive share, n_rated, mean rating (nulls
    skipped) and the counts ``rating_1..rating_10``."""
    clusters = np.asarray(clusters)
    size = pd.Series(clusters).value_counts().sort_index()
    out = pd.DataFrame({"size": size, "positive_share": positive_share(clusters, labels)})
    out.index.name = "cluster"
    return out.join(rating_profile(clusters, ratings))


def order_clusters(profile: pd.DataFrame) -> list[int]:
    """Cluster ids along the sentiment axis: positive share ascending, ties by mean rating
    ascending (unrated last), then by id."""
    t = profile.reset_index()
    t = t.assign(_unrated=t["mean_rating"].isna(), _id=t["cluster"])
    t = t.sort_values(
        ["positive_share", "_unrated", "mean_rating", "_id"], kind="stable", na_position="last"
    )
    return [int(c) for c in t["cluster"]]


def cluster_ranks(clusters, order: Sequence[int]) -> np.ndarray:
    """Each review's cluster rank (0 = the most negative cluster in ``order``)."""
    rank_of = {int(c): r for r, c in enumerate(order)}
    clusters = np.asarray(clusters)
    missing = set(np.unique(clusters).tolist()) - set(rank_of)
    if missing:
        raise ValueError(f"clusters {sorted(missing)} are not in the order")
    lookup = np.full(int(clusters.max()) + 1, -1, dtype=np.int32)
    for c, r in rank_of.items():
        if 0 <= c < len(lookup):
            lookup[c] = r
    return lookup[clusters]


# --------------------------------------------------------------------------- naming

#: Graded qualifiers per side, most extreme first, by the number of clusters on that side.
_GRADES = {
    1: [""],
    2: ["very", ""],
    3: ["very", "", "somewhat"],
    4: ["extremely", "very", "", "somewhat"],
    5: ["extremely", "very", "", "somewhat", "slightly"],
}


def _side_names(word: str, m: int) -> list[str]:
    """``m`` distinct names for one side, most extreme first."""
    if m in _GRADES:
        return [f"{g} {word}".strip() for g in _GRADES[m]]
    return [f"{word} (degree {m - i} of {m})" for i in range(m)]


def _mixed_names(sides: list[str]) -> list[str]:
    """Names for the clusters within the mixed band, in order; ``sides`` holds each one's
    majority: 'negative', 'balanced' or 'positive'."""
    if len(sides) == 1:
        return ["mixed"]
    groups = {
        s: [i for i, v in enumerate(sides) if v == s] for s in ("negative", "balanced", "positive")
    }
    out = [""] * len(sides)
    neg, bal, pos = groups["negative"], groups["balanced"], groups["positive"]
    if len(neg) == 1:
        out[neg[0]] = "mixed, leaning negative"
    elif len(neg) == 2:  # most negative first
        out[neg[0]], out[neg[1]] = "mixed, leaning negative", "mixed, slightly negative"
    for j, i in enumerate(neg if len(neg) > 2 else []):
        out[i] = f"mixed, leaning negative ({len(neg) - j} of {len(neg)})"
    for j, i in enumerate(bal):
        out[i] = "mixed, balanced" if len(bal) == 1 else f"mixed, balanced ({j + 1} of {len(bal)})"
    if len(pos) == 1:
        out[pos[0]] = "mixed, leaning positive"
    elif len(pos) == 2:  # least positive first
        out[pos[0]], out[pos[1]] = "mixed, slightly positive", "mixed, leaning positive"
    for j, i in enumerate(pos if len(pos) > 2 else []):
        out[i] = f"mixed, leaning positive ({j + 1} of {len(pos)})"
    return out


def name_clusters(pos_shares_in_order: Sequence[float], *, mixed_band: float) -> list[str]:
    """Names for clusters given their positive shares in sentiment order (ascending).

    A cluster is "mixed" only when its share is within ``mixed_band`` of 0.5; the others are
    named by their own majority (share < 0.5: negative names, > 0.5: positive names), graded
    from the most extreme outward on each side (k=5 on typical data: very negative, negative,
    mixed, positive, very positive). Several near-0.5 clusters get distinct mixed names that
    lean the way of their own majority. Names are unique.
    """
    shares = np.asarray(pos_shares_in_order, dtype=np.float64)
    if shares.ndim != 1 or len(shares) == 0:
        raise ValueError("name_clusters needs a non-empty list of positive shares")
    if not np.isfinite(shares).all() or (shares < 0).any() or (shares > 1).any():
        raise ValueError(f"positive shares must be within [0, 1], got {shares.tolist()}")
    if (np.diff(shares) < 0).any():
        raise ValueError("positive shares must be in sentiment order (ascending)")
    if not 0 <= mixed_band < 0.5:
        raise ValueError(f"mixed_band={mixed_band}: must be in [0, 0.5)")
    mixed = np.abs(shares - 0.5) <= mixed_band
    neg = np.flatnonzero(~mixed & (shares < 0.5))
    pos = np.flatnonzero(~mixed & (shares > 0.5))
    mid = np.flatnonzero(mixed)
    names = [""] * len(shares)
    for i, name in zip(neg, _side_names("negative", len(neg)), strict=True):
        names[i] = name
    for i, name in zip(pos, reversed(_side_names("positive", len(pos))), strict=True):
        names[i] = name
    sides = [
        "negative" if shares[i] < 0.5 else "positive" if shares[i] > 0.5 else "balanced"
        for i in mid
    ]
    for i, name in zip(mid, _mixed_names(sides), strict=True):
        names[i] = name
    return names


# --------------------------------------------------------------------------- terms


def stop_words() -> tuple[list[str], str]:
    """(English stop words, their source): NLTK's list when its data is installed, else
    scikit-learn's ``ENGLISH_STOP_WORDS``."""
    try:
        from nltk.corpus import stopwords

        words = stopwords.words("english")
        return sorted(set(words)), "nltk"
    except (LookupError, ImportError, OSError):
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return sorted(ENGLISH_STOP_WORDS), "scikit-learn"


_default_stop_words = stop_words


def ctfidf(counts, classes) -> tuple[np.ndarray, np.ndarray]:
    """Class-based TF-IDF (BERTopic's c-TF-IDF) of a documents x terms count matrix.

    Returns (the sorted class ids, a classes x terms weight matrix): term frequency per class
    normalised by the class's number of words, times log(1 + A / f_t), A the average number of
    words per class and f_t the term's frequency over all classes.
    """
    from scipy import sparse

    classes = np.asarray(classes)
    uniq, inv = np.unique(classes, return_inverse=True)
    n = counts.shape[0]
    member = sparse.csr_matrix(
        (np.ones(n, dtype=np.float64), (inv, np.arange(n))), shape=(len(uniq), n)
    )
    per_class = np.asarray((member @ counts).todense(), dtype=np.float64)  # classes x terms
    words = per_class.sum(axis=1, keepdims=True)
    tf = np.divide(per_class, words, out=np.zeros_like(per_class), where=words > 0)
    f_t = per_class.sum(axis=0)
    avg = per_class.sum() / len(uniq)
    idf = np.log1p(np.divide(avg, f_t, out=np.zeros_like(f_t), where=f_t > 0))
    return uniq, tf * idf


def term_counts(
    texts,
    *,
    stop_words: Sequence[str] | None = None,
    min_df: int = 5,
    max_df: float = 1.0,
    ngram_range: tuple[int, int] = (1, 2),
):
    """The documents x terms count matrix (CSR, int32) of ``texts`` and its vocabulary.

    Unigrams and bigrams (CountVectorizer, lower-cased) in a terms array in column order
    (alphabetical). ``stop_words`` None uses :func:`stop_words`. ``max_df`` < 1 drops terms
    found in more than that share of reviews: with few clusters c-TF-IDF favours frequent words
    ("movie", "film"); 0.3 leaves telling ones. The counts depend on neither the clusters nor
    k: build them once (50,000 reviews: ~15 s), describe every clustering with
    :func:`terms_from_counts`. Row order, hence the result up to a row permutation, follows
    ``texts``.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    texts = list(texts)
    words = list(stop_words) if stop_words is not None else _default_stop_words()[0]
    vec = CountVectorizer(
        ngram_range=tuple(ngram_range),
        min_df=min_df,
        max_df=max_df,
        stop_words=words,
        dtype=np.int32,
    )
    with warnings.catch_warnings():
        # stop words with apostrophes ("don't") are tokenised differently; harmless
        warnings.simplefilter("ignore", category=UserWarning)
        try:
            counts = vec.fit_transform(texts)
        except ValueError as err:
            raise ValueError(f"no terms left to describe clusters ({err}); lower min_df") from err
    return counts.tocsr(), vec.get_feature_names_out()


def terms_from_counts(counts, vocab, clusters, *, top_n: int = 10) -> dict[int, list[str]]:
    """Each cluster's ``top_n`` most distinctive terms by c-TF-IDF of a count matrix.

    ``counts`` is documents x terms (:func:`term_counts`), its rows aligned with ``clusters``;
    ``vocab`` names its columns. The counts are summed per cluster by a sparse product (no
    Python loop over reviews). Ties go to the first term in ``vocab`` (alphabetical from
    :func:`term_counts`); terms of weight 0 are left out.
    """
    clusters = np.asarray(clusters)
    vocab = np.asarray(vocab, dtype=object)
    if counts.shape[0] != len(clusters):
        raise ValueError(f"{counts.shape[0]} count rows but {len(clusters)} cluster ids")
    if counts.shape[1] != len(vocab):
        raise ValueError(f"{counts.shape[1]} count columns but {len(vocab)} vocabulary terms")
    uniq, weights = ctfidf(counts, clusters)
    out = {}
    for row, c in enumerate(uniq):
        w = weights[row]
        order = np.lexsort((np.arange(len(w)), -w))  # weight desc, then vocabulary (alphabetical)
        order = order[w[order] > 0][:top_n]
        out[int(c)] = [str(t) for t in vocab[order]]
    return out


def distinctive_terms(
    texts,
    clusters,
    *,
    top_n: int = 10,
    stop_words: Sequence[str] | None = None,
    min_df: int = 5,
    max_df: float = 1.0,
    ngram_range: tuple[int, int] = (1, 2),
) -> dict[int, list[str]]:
    """Each cluster's ``top_n`` most distinctive unigrams and bigrams by c-TF-IDF:
    :func:`term_counts` of ``texts``, then :func:`terms_from_counts` (see both for the
    parameters). Ties go to the alphabetically first term.
    """
    texts = list(texts)
    clusters = np.asarray(clusters)
    if len(texts) != len(clusters):
        raise ValueError(f"{len(texts)} texts but {len(clusters)} cluster ids")
    counts, vocab = term_counts(
        texts, stop_words=stop_words, min_df=min_df, max_df=max_df, ngram_range=ngram_range
    )
    return terms_from_counts(counts, vocab, clusters, top_n=top_n)


def align_counts(counts, count_ids, review_ids, *, what: str = "the reviews"):
    """The rows of ``counts`` (one per id of ``count_ids``) in the order of ``review_ids``.

    Both must hold the same reviews, each once: the vocabulary (``min_df``, ``max_df``) was
    counted over exactly the rows of ``counts``, so a subset or a superset would describe the
    clusters with other terms than counting ``review_ids``' texts would. Raises ValueError
    otherwise, naming ``what`` the ids come from.
    """
    count_ids = pd.Index(np.asarray(count_ids, dtype=object))
    review_ids = pd.Index(np.asarray(review_ids, dtype=object))
    if len(count_ids) != counts.shape[0]:
        raise ValueError(f"{len(count_ids)} count row ids but {counts.shape[0]} count rows")
    if not count_ids.is_unique or not review_ids.is_unique:
        raise ValueError(
            f"duplicate review ids in the term counts or in {what}; rerun the workflow"
        )
    missing = review_ids.difference(count_ids)
    extra = count_ids.difference(review_ids)
    if len(missing) or len(extra):
        first = missing[0] if len(missing) else extra[0]
        raise ValueError(
            f"the term counts ({len(count_ids)} reviews) do not hold the reviews of {what} "
            f"({len(review_ids)}): {len(missing)} missing, {len(extra)} extra (first: {first}); "
            "they come from different runs: rerun the workflow (delete the term counts and "
            "the outputs that disagree with them if Snakemake sees nothing to do)"
        )
    return counts[count_ids.get_indexer(review_ids)]


def write_term_counts(counts, vocab, review_ids, *, counts_path, vocab_path, rows_path, about):
    """Save a count matrix atomically: ``counts_path`` (scipy ``.npz``, CSR int32),
    ``vocab_path`` (Parquet, string column ``term`` in column order, ``about`` as JSON in the
    schema metadata under ``sentclust``) and ``rows_path`` (Parquet, ``review_id`` per row)."""
    import json

    import pyarrow as pa
    from scipy import sparse

    from sentclust.files import atomic_path, write_parquet

    counts = sparse.csr_matrix(counts, dtype=np.int32)
    if counts.shape != (len(review_ids), len(vocab)):
        raise ValueError(
            f"count matrix {counts.shape} for {len(review_ids)} reviews and {len(vocab)} terms"
        )
    with atomic_path(counts_path) as tmp, open(tmp, "wb") as fh:
        sparse.save_npz(fh, counts)
    terms = pa.table({"term": pa.array([str(t) for t in vocab], type=pa.string())})
    write_parquet(terms.replace_schema_metadata({"sentclust": json.dumps(about)}), vocab_path)
    ids = pa.array([str(i) for i in review_ids], type=pa.string())
    write_parquet(pa.table({"review_id": ids}), rows_path)


def read_term_counts(counts_path, vocab_path, rows_path):
    """(counts CSR, vocabulary as an object array, row review ids, ``about`` dict) as written by
    :func:`write_term_counts`."""
    import json

    import pyarrow.parquet as pq
    from scipy import sparse

    counts = sparse.csr_matrix(sparse.load_npz(counts_path))
    terms = pq.read_table(vocab_path, columns=["term"])
    meta = terms.schema.metadata or {}
    about = json.loads(meta[b"sentclust"]) if b"sentclust" in meta else {}
    vocab = np.asarray(terms.column("term").to_pylist(), dtype=object)
    ids = np.asarray(pq.read_table(rows_path).column("review_id").to_pylist(), dtype=object)
    if counts.shape != (len(ids), len(vocab)):
        raise ValueError(
            f"{counts_path}: count matrix {counts.shape} for {len(ids)} row ids and "
            f"{len(vocab)} terms; the files come from different runs: delete them and rerun"
        )
    return counts, vocab, ids, about


# --------------------------------------------------------------------------- examples, check


def nearest_reviews(distances, clusters, n: int = 3) -> dict[int, list[int]]:
    """Row indices of the ``n`` reviews nearest each cluster's centre (ties by row index)."""
    distances = np.asarray(distances)
    clusters = np.asarray(clusters)
    idx = np.arange(len(clusters))
    order = np.lexsort((idx, distances, clusters))
    sorted_clusters = clusters[order]
    uniq, starts = np.unique(sorted_clusters, return_index=True)
    ends = np.append(starts[1:], len(order))
    return {
        int(c): order[s : min(s + n, e)].tolist()
        for c, s, e in zip(uniq, starts, ends, strict=True)
    }


def rating_check(clusters_rank, ratings) -> dict:
    """Do the ordered clusters order the star ratings?

    ``clusters_rank`` is each review's cluster rank (0 = most negative). Reports Spearman's rho
    between rating and rank, the share of 1-star reviews that land in the lowest-ranked cluster
    and of 10-star reviews in the highest-ranked one (beside each extreme cluster's share of all
    rated reviews, what chance would give), and the mean rating per rank. Null ratings skipped.
    """
    from scipy.stats import spearmanr

    rank = np.asarray(clusters_rank)
    r = _nullable_float(ratings)
    keep = ~np.isnan(r)
    rank, r = rank[keep], r[keep]
    n = int(len(r))
    out: dict = {"n_rated": n}
    if n == 0:
        return {
            **out,
            "spearman_rho": None,
            "one_star_in_lowest": None,
            "ten_star_in_highest": None,
        }
    lo, hi = int(rank.min()), int(rank.max())
    rho = spearmanr(r, rank)[0] if np.unique(r).size > 1 and np.unique(rank).size > 1 else None
    ones, tens = r == 1, r == 10
    out.update(
        {
            "spearman_rho": None if rho is None or np.isnan(rho) else float(rho),
            "lowest_rank": lo,
            "highest_rank": hi,
            "n_one_star": int(ones.sum()),
            "one_star_in_lowest": float((rank[ones] == lo).mean()) if ones.any() else None,
            "lowest_share_of_rated": float((rank == lo).mean()),
            "n_ten_star": int(tens.sum()),
            "ten_star_in_highest": float((rank[tens] == hi).mean()) if tens.any() else None,
            "highest_share_of_rated": float((rank == hi).mean()),
        }
    )
    means = pd.Series(r).groupby(rank).mean()
    out["mean_rating_by_rank"] = {int(k): float(v) for k, v in means.items()}
    out["mean_rating_increasing"] = bool(np.all(np.diff(means.to_numpy()) > 0))
    return out


def finegrained_table(
    clusters,
    labels,
    ratings,
    distances,
    texts,
    *,
    mixed_band: float,
    top_n: int = 10,
    stop_words: Sequence[str] | None = None,
    min_df: int = 5,
    max_df: float = 1.0,
    n_nearest: int = 3,
    review_ids=None,
    counts=None,
    vocab=None,
) -> pd.DataFrame:
    """One row per cluster in sentiment order: rank, cluster, name, size, positive share,
    n_rated, mean rating, rating counts, distinctive terms, nearest review rows (and ids).

    The terms come from ``counts`` and ``vocab`` when given (:func:`term_counts`, rows aligned
    with ``clusters``: see :func:`align_counts`; ``texts``, ``stop_words``, ``min_df`` and
    ``max_df`` are then unused), else from counting ``texts``.
    """
    profile = cluster_profile(clusters, labels, ratings)
    order = order_clusters(profile)
    t = profile.loc[order].reset_index()
    t.insert(0, "rank", np.arange(len(t), dtype=np.int32))
    t.insert(2, "name", name_clusters(t["positive_share"].to_numpy(), mixed_band=mixed_band))
    if counts is not None:
        if vocab is None:
            raise ValueError("counts given without their vocabulary")
        terms = terms_from_counts(counts, vocab, clusters, top_n=top_n)
    else:
        terms = distinctive_terms(
            texts, clusters, top_n=top_n, stop_words=stop_words, min_df=min_df, max_df=max_df
        )
    near = nearest_reviews(distances, clusters, n=n_nearest)
    t["terms"] = [terms.get(int(c), []) for c in t["cluster"]]
    t["nearest_rows"] = [near[int(c)] for c in t["cluster"]]
    if review_ids is not None:
        ids = np.asarray(review_ids)
        t["nearest_review_ids"] = [[str(ids[i]) for i in rows] for rows in t["nearest_rows"]]
    t["cluster"] = t["cluster"].astype(np.int32)
    t["size"] = t["size"].astype(np.int64)
    return t
