"""How distinctive each term is of each cluster: the weighted log-odds ratio with an
informative Dirichlet prior (Monroe et al. 2008), z-scored, or class-based TF-IDF
(config finegrained.term_weighting), and each cluster's most distinctive terms by that weight.
The term counts come from :mod:`sentclust.finegrained.counts`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sentclust.finegrained.counts import term_counts
from sentclust.finegrained.terms import NGRAM_RANGE

#: how the terms are weighted (config finegrained.term_weighting)
WEIGHTINGS = ("log_odds", "ctfidf")
#: the Dirichlet prior of the log-odds weighs as much as this many average reviews
PRIOR_REVIEWS = 10


def class_counts(counts, classes) -> tuple[np.ndarray, np.ndarray]:
    """(the sorted class ids, a classes x terms float matrix of summed counts): one sparse
    product, no Python loop over reviews."""
    from scipy import sparse

    classes = np.asarray(classes)
    uniq, inv = np.unique(classes, return_inverse=True)
    n = counts.shape[0]
    member = sparse.csr_matrix(
        (np.ones(n, dtype=np.float64), (inv, np.arange(n))), shape=(len(uniq), n)
    )
    return uniq, np.asarray((member @ counts).todense(), dtype=np.float64)


def ctfidf(counts, classes) -> tuple[np.ndarray, np.ndarray]:
    """Class-based TF-IDF (BERTopic's c-TF-IDF) of a documents x terms count matrix.

    Returns (the sorted class ids, a classes x terms weight matrix): term frequency per class
    normalised by the class's number of words, times log(1 + A / f_t), A the average number of
    words per class and f_t the term's frequency over all classes.
    """
    uniq, per_class = class_counts(counts, classes)
    words = per_class.sum(axis=1, keepdims=True)
    tf = np.divide(per_class, words, out=np.zeros_like(per_class), where=words > 0)
    f_t = per_class.sum(axis=0)
    avg = per_class.sum() / len(uniq)
    idf = np.log1p(np.divide(avg, f_t, out=np.zeros_like(f_t), where=f_t > 0))
    return uniq, tf * idf


def prior_strength(counts) -> float:
    """alpha0, the total weight of the log-odds prior: :data:`PRIOR_REVIEWS` (10) times the mean
    number of counted terms per review of ``counts``.

    The prior is worth ten average reviews whatever the corpus size (demo or full data): small
    beside any real cluster (hundreds of reviews), so frequent terms are left to the data,
    while a term seen in only a handful of reviews is pulled towards its corpus rate instead
    of getting a huge log-odds from a near-zero count. (A prior as heavy as the whole corpus
    ranked the review's own "4/10" and "8/ 10" first on the demo sample.)
    """
    n_rows = max(counts.shape[0], 1)
    return float(PRIOR_REVIEWS * max(float(counts.sum()), 1.0) / n_rows)


def log_odds_z(
    counts, classes, *, alpha0: float | None = None, binary: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """The weighted log-odds ratio with an informative Dirichlet prior, z-scored (Monroe,
    Colaresi & Quinn 2008, "Fightin' Words", eq. 22 and its variance), of each class against
    the rest of the corpus.

    Returns (the sorted class ids, a classes x terms matrix of z-scores). With y_w the term's
    count in the class, n its total, y'_w and n' the same for the rest of the corpus, and the
    prior alpha_w = alpha0 * (corpus count of w) / (corpus total):

        delta_w = log((y_w + a_w) / (n + a0 - y_w - a_w))
                  - log((y'_w + a_w) / (n' + a0 - y'_w - a_w))
        var_w   = 1 / (y_w + a_w) + 1 / (y'_w + a_w),    z_w = delta_w / sqrt(var_w)

    ``binary`` (default) counts each term once per review, so y_w is the number of reviews
    using it: a name repeated twenty times in a few reviews of one film ("custer", "batman")
    otherwise outranks words many reviews share. alpha0 defaults to :func:`prior_strength` of
    those counts. Terms never counted get z = 0, and so does every term of a class without a
    rest to compare against (one class).
    """
    from scipy import sparse

    if binary:
        counts = sparse.csr_matrix(counts, copy=True)
        counts.data = np.minimum(counts.data, 1)
    uniq, y = class_counts(counts, classes)
    total = y.sum(axis=0)  # corpus count per term
    n_all = float(total.sum())
    a0 = prior_strength(counts) if alpha0 is None else float(alpha0)
    if a0 <= 0:
        raise ValueError(f"alpha0={a0}: the prior's weight must be positive")
    a = a0 * total / n_all if n_all > 0 else np.zeros_like(total)  # alpha_w
    n = y.sum(axis=1, keepdims=True)
    y_rest, n_rest = total - y, n_all - n
    z = np.zeros_like(y)
    ok = (a > 0) & (n_rest > 0)  # a counted term, a class with a rest to compare against
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((y + a) / (n + a0 - y - a)) - np.log(
            (y_rest + a) / (n_rest + a0 - y_rest - a)
        )
        var = 1 / (y + a) + 1 / (y_rest + a)
        np.divide(delta, np.sqrt(var), out=z, where=ok)
    return uniq, z


def term_weights(counts, classes, weighting: str):
    """(the sorted class ids, classes x terms weights) by ``weighting``: "log_odds"
    (:func:`log_odds_z`) or "ctfidf" (:func:`ctfidf`)."""
    if weighting == "log_odds":
        return log_odds_z(counts, classes)
    if weighting == "ctfidf":
        return ctfidf(counts, classes)
    raise ValueError(
        f"term_weighting={weighting!r}: unknown; use one of {', '.join(WEIGHTINGS)} "
        "(config finegrained.term_weighting)"
    )


def terms_from_counts(
    counts, vocab, clusters, *, top_n: int, weighting: str
) -> dict[int, list[str]]:
    """Each cluster's ``top_n`` most distinctive terms of a count matrix, by ``weighting``
    (:func:`term_weights`).

    ``counts`` is documents x terms (:func:`term_counts`), its rows aligned with ``clusters``;
    ``vocab`` names its columns. Ties go to the first term in ``vocab`` (alphabetical from
    :func:`term_counts`); terms of weight 0 or less (not over-represented) are left out.
    """
    clusters = np.asarray(clusters)
    vocab = np.asarray(vocab, dtype=object)
    if counts.shape[0] != len(clusters):
        raise ValueError(f"{counts.shape[0]} count rows but {len(clusters)} cluster ids")
    if counts.shape[1] != len(vocab):
        raise ValueError(f"{counts.shape[1]} count columns but {len(vocab)} vocabulary terms")
    uniq, weights = term_weights(counts, clusters, weighting)
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
    top_n: int,
    stop_words: Sequence[str],
    min_df: int,
    max_df: float = 1.0,
    ngram_range: tuple[int, int] = NGRAM_RANGE,
    weighting: str,
) -> dict[int, list[str]]:
    """Each cluster's ``top_n`` most distinctive unigrams and bigrams: :func:`term_counts` of
    the token strings ``texts``, then :func:`terms_from_counts` (see both for the parameters).
    """
    texts = list(texts)
    clusters = np.asarray(clusters)
    if len(texts) != len(clusters):
        raise ValueError(f"{len(texts)} texts but {len(clusters)} cluster ids")
    counts, vocab = term_counts(
        texts, stop_words=stop_words, min_df=min_df, max_df=max_df, ngram_range=ngram_range
    )
    return terms_from_counts(counts, vocab, clusters, top_n=top_n, weighting=weighting)
