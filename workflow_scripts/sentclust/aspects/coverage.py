"""Which of the aspects film criticism names the clustering finds on its own: for each named
aspect (acting, story/script, direction, music, visuals/effects, ending, characters, humour)
the segments that use its usual words, and how they spread over the found aspects. A named
aspect is *found* when one found aspect holds its segments well above that aspect's share of
all segments, *merged* when the found aspect that holds it holds another named one too, and
*missed* when its segments spread over the aspects as all segments do. The words are the
categories' plain vocabulary, written down once here, not fitted to any run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

#: the aspects film criticism names, each with its plain words (lowercased tokens)
FILM_CRITICISM: dict[str, tuple[str, ...]] = {
    "acting": (
        "acting",
        "actor",
        "actors",
        "actress",
        "actresses",
        "performance",
        "performances",
        "cast",
        "acted",
    ),
    "story/script": (
        "story",
        "plot",
        "script",
        "screenplay",
        "writing",
        "written",
        "dialogue",
        "storyline",
        "writers",
    ),
    "direction": ("director", "directed", "direction", "directing", "directors"),
    "music": ("music", "score", "soundtrack", "song", "songs", "musical"),
    "visuals/effects": (
        "effects",
        "cgi",
        "cinematography",
        "visual",
        "visuals",
        "photography",
        "camera",
        "shot",
        "shots",
        "scenery",
    ),
    "ending": ("ending", "finale", "climax", "twist"),
    "characters": ("character", "characters", "characterization", "hero", "villain"),
    "humour": ("funny", "humor", "humour", "comedy", "laugh", "laughs", "jokes", "hilarious"),
}
MIN_LIFT = 2.0  # a named aspect's segments at least this much more concentrated than all segments


def _mentions(tokens: Sequence[str], words) -> np.ndarray:
    """Whether each segment's space-joined ``tokens`` hold one of ``words``."""
    want = frozenset(words)
    return np.fromiter((not want.isdisjoint(t.split()) for t in tokens), bool, len(tokens))


def coverage(
    tokens: Sequence[str],
    aspects,
    k: int,
    *,
    names: Mapping[int, str] | None = None,
    lexicon: Mapping[str, Sequence[str]] = FILM_CRITICISM,
) -> list[dict]:
    """Per named aspect: its segments (those using its words), the found aspect holding most
    of them, that share, its lift (the share over the found aspect's share of all segments),
    and ``status`` found / merged / missed (see the module)."""
    aspects = np.asarray(aspects)
    size = np.bincount(aspects, minlength=k).astype(float) / max(len(aspects), 1)
    rows = []
    for named, words in lexicon.items():
        hit = _mentions(tokens, words)
        n = int(hit.sum())
        by = np.bincount(aspects[hit], minlength=k).astype(float)
        best = int(np.argmax(by)) if n else None
        share = float(by[best] / n) if n else None
        lift = float(share / size[best]) if n and size[best] > 0 else None
        rows.append(
            {
                "named": named,
                "segments": n,
                "aspect": best,
                "aspect_name": None if best is None or names is None else names.get(best),
                "share": share,
                "lift": lift,
                "status": "found" if lift is not None and lift >= MIN_LIFT else "missed",
            }
        )
    held: dict[int, list[str]] = {}
    for r in rows:
        if r["status"] == "found":
            held.setdefault(r["aspect"], []).append(r["named"])
    for r in rows:
        others = [o for o in held.get(r["aspect"], []) if o != r["named"]]
        if r["status"] == "found" and others:
            r["status"] = "merged"
            r["merged_with"] = others
    return rows
