"""How good the aspects are, measured without people's labels: stability across seeds (the
adjusted Rand index of two fits' segment assignments) and the coherence of each aspect's top
terms (mean NPMI of their pairs over the segments as documents)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np


def stability_ari(labels_a, labels_b) -> float:
    """The adjusted Rand index of two assignments of the same segments (1: the same split)."""
    from sklearn.metrics import adjusted_rand_score

    a, b = np.asarray(labels_a), np.asarray(labels_b)
    if a.shape != b.shape:
        raise ValueError(f"the assignments differ in length ({len(a)} and {len(b)} segments)")
    return float(adjusted_rand_score(a, b))


def npmi(terms: Sequence[str], documents: Sequence[str]) -> float | None:
    """Mean normalised PMI of the pairs of unigram ``terms`` over ``documents`` (space-joined
    tokens; a term is in a document when it is one of its words): 1 always together, 0
    independent, -1 never together. None with fewer than two terms found in any document."""
    sets = [set(d.split()) for d in documents]
    n = len(sets)
    present = [t for t in terms if any(t in s for s in sets)]
    if len(present) < 2 or n == 0:
        return None
    df = {t: sum(t in s for s in sets) / n for t in present}
    scores = []
    for a, b in combinations(present, 2):
        joint = sum(a in s and b in s for s in sets) / n
        if joint == 0:
            scores.append(-1.0)
        elif joint == 1:
            scores.append(1.0)
        else:
            scores.append(float(np.log(joint / (df[a] * df[b])) / -np.log(joint)))
    return float(np.mean(scores))
