"""How good the aspects are, measured without people's labels: stability across seeds (the
adjusted Rand index of two fits' segment assignments) and the coherence of each aspect's top
terms (mean NPMI of their pairs, with the reviews as the documents: two words of one aspect
rarely meet in one short segment, "actor" and "actress" do in one review)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd


def stability_ari(labels_a, labels_b) -> float:
    """The adjusted Rand index of two assignments of the same segments (1: the same split)."""
    from sklearn.metrics import adjusted_rand_score

    a, b = np.asarray(labels_a), np.asarray(labels_b)
    if a.shape != b.shape:
        raise ValueError(f"the assignments differ in length ({len(a)} and {len(b)} segments)")
    return float(adjusted_rand_score(a, b))


def npmi(terms: Sequence[str], documents: Sequence[str]) -> float | None:
    """:func:`npmi_from_counts` of unigram ``terms`` over ``documents`` (space-joined tokens;
    a term is in a document when it is one of its words)."""
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(token_pattern=r"\S+", lowercase=False, binary=True)
    counts = vec.fit_transform(list(documents))
    return npmi_from_counts(counts, vec.get_feature_names_out(), terms)


def npmi_from_counts(counts, vocab, terms: Sequence[str]) -> float | None:
    """Mean normalised PMI of the pairs of ``terms`` over the documents of a sparse count
    matrix (documents x ``vocab``, as :func:`sentclust.finegrained.counts.term_counts` makes
    it; a term is in a document when its count there is above 0): 1 always together, 0
    independent, -1 never together. None with fewer than two terms found in any document.
    One sparse product, so it takes seconds on a million segments."""
    index = {t: i for i, t in enumerate(np.asarray(vocab, dtype=object).tolist())}
    cols = [index[t] for t in terms if t in index]
    n = counts.shape[0]
    if len(cols) < 2 or n == 0:
        return None
    present = (counts[:, cols] > 0).astype(np.float64).tocsc()
    df = np.asarray(present.sum(axis=0)).ravel() / n
    found = np.flatnonzero(df > 0)
    if len(found) < 2:
        return None
    present, df = present[:, found], df[found]
    joint = (present.T @ present).toarray() / n
    scores = []
    for a, b in combinations(range(len(found)), 2):
        p = joint[a, b]
        if p == 0:
            scores.append(-1.0)
        elif p >= 1:
            scores.append(1.0)
        else:
            scores.append(float(np.log(p / (df[a] * df[b])) / -np.log(p)))
    return float(np.mean(scores))


def per_document(counts, documents):
    """The rows of a sparse count matrix summed per document (``documents``: each row's
    document id), documents in order of first appearance."""
    import scipy.sparse as sp

    codes, _ = pd.factorize(np.asarray(documents, dtype=object))
    n = len(codes)
    indicator = sp.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(codes.max() + 1, n))
    return (indicator @ counts).tocsr()
