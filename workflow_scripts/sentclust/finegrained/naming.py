"""Names of the fine-grained levels, from the data (never hard-coded). A level that the rule of
:mod:`.grading` grades gets a grade from its positive share among the graded levels in sentiment
order ("very negative", ..., "mixed, leaning positive", ..., "very positive"; a level whose
majority is positive never gets a negative grade, and the other way round); every other level
is a topic, "topic". Then the level's two most distinctive terms that do not repeat a word
("very positive: superb, wonderful", "topic: japanese, war").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

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


def _leaning_names(word: str, m: int) -> list[str]:
    """``m`` distinct mixed names that lean to one side, the most extreme first."""
    if m == 1:
        return [f"mixed, leaning {word}"]
    if m == 2:
        return [f"mixed, leaning {word}", f"mixed, slightly {word}"]
    return [f"mixed, leaning {word} ({m - j} of {m})" for j in range(m)]


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
    # in sentiment order: the negative ones most negative first, the positive ones least first
    for i, name in zip(neg, _leaning_names("negative", len(neg)), strict=True):
        out[i] = name
    for j, i in enumerate(bal):
        out[i] = "mixed, balanced" if len(bal) == 1 else f"mixed, balanced ({j + 1} of {len(bal)})"
    for i, name in zip(pos, reversed(_leaning_names("positive", len(pos))), strict=True):
        out[i] = name
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


#: words of the grades: a term holding one would blur the grade ("positive: negative reviews")
_GRADE_WORDS = frozenset({"negative", "positive", "mixed", "balanced"})


def _name_terms(terms: Sequence[str], n: int) -> list[str]:
    """The first ``n`` terms, skipping one that holds a grade word (:data:`_GRADE_WORDS`) or
    shares a word with a term already taken, a plural "s" aside ("waste", "waste time",
    "awful" -> "waste", "awful"; "episode", "episodes", "tv" -> "episode", "tv")."""

    def keys(term: str) -> set[str]:
        return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in term.split()}

    taken: list[str] = []
    seen: set[str] = set(_GRADE_WORDS)  # as if taken already
    for term in terms:
        if len(taken) == n:
            break
        if seen.isdisjoint(keys(term)):
            taken.append(term)
            seen.update(keys(term))
    return taken


#: the grade of a level the rule of :mod:`.grading` does not grade
TOPIC = "topic"


def level_grades(shares_in_order: Sequence[float], sides, *, mixed_band: float) -> list[str]:
    """Each level's grade: :func:`name_clusters` over the graded levels' shares (``sides``
    not None, from :func:`sentclust.finegrained.grading.grade_sides`), :data:`TOPIC` for
    the others. ``shares_in_order`` ascending (sentiment order)."""
    graded = [i for i, side in enumerate(sides) if side is not None]
    out = [TOPIC] * len(sides)
    if graded:
        shares = np.asarray(shares_in_order, dtype=np.float64)[graded]
        for i, grade in zip(graded, name_clusters(shares, mixed_band=mixed_band), strict=True):
            out[i] = grade
    return out


def level_names(grades: Sequence[str], terms: Sequence[Sequence[str]], *, n_terms: int = 2):
    """Level names: each grade (:func:`level_grades`) and the level's ``n_terms`` most
    distinctive terms ("topic: japanese, war"). Graded names are unique by their grades; two
    topics with the same terms take one more term each until they differ, and a number
    ("topic 2: ...") when their terms run out. The names serve as keys of tables and figures."""
    if len(grades) != len(terms):
        raise ValueError(f"{len(grades)} grades but terms for {len(terms)} levels")
    graded = [g for g in grades if g != TOPIC]
    if len(set(graded)) != len(graded):
        raise ValueError(f"level grades must be unique to name levels, got {list(grades)}")
    names = names_with_terms(
        [g if g != TOPIC else f"{TOPIC} {i}" for i, g in enumerate(grades)], terms, n_terms=n_terms
    )
    topics = [i for i, g in enumerate(grades) if g == TOPIC]
    width = {i: n_terms for i in topics}
    for _ in range(max((len(terms[i]) for i in topics), default=0)):
        picked = {i: ", ".join(_name_terms(list(terms[i]), width[i])) for i in topics}
        clash = [i for i in topics if list(picked.values()).count(picked[i]) > 1]
        if not clash:
            break
        for i in clash:
            width[i] += 1
    seen: dict[str, int] = {}
    for i in topics:
        picked = ", ".join(_name_terms(list(terms[i]), width[i]))
        seen[picked] = seen.get(picked, 0) + 1
        head = TOPIC if seen[picked] == 1 else f"{TOPIC} {seen[picked]}"
        names[i] = f"{head}: {picked}" if picked else f"{TOPIC} {i + 1}"
    return names


def names_with_terms(
    grades: Sequence[str], terms: Sequence[Sequence[str]], *, n_terms: int = 2
) -> list[str]:
    """Cluster names: each grade (:func:`name_clusters`) followed by the cluster's ``n_terms``
    most distinctive terms that do not repeat a word ("mixed, slightly positive: episode,
    series"); the grade alone when a cluster has no terms.

    The grades are unique, so the names are too, whatever terms clusters share; they serve as
    keys of tables and figures. ValueError if ``grades`` repeat.
    """
    if len(set(grades)) != len(grades):
        raise ValueError(f"cluster grades must be unique to name clusters, got {list(grades)}")
    if len(grades) != len(terms):
        raise ValueError(f"{len(grades)} grades but terms for {len(terms)} clusters")
    out = []
    for grade, ts in zip(grades, terms, strict=True):
        picked = _name_terms(list(ts), n_terms)
        out.append(f"{grade}: {', '.join(picked)}" if picked else grade)
    return out
