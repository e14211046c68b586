"""What the report shows of the aspects, from aspects.json (sentclust.report.aspects renders
it): the aspect table's rows, the choice of the count, per kind the level x aspect grid with the
levels named and in their fine-grained order, the comparisons and the quality figures.

aspects.json from before the fields ``levels.<kind>.order / names / examples``,
``comparisons.by_aspect / examples`` and ``quality`` still loads: each is read with ``.get``
and its absence gives an empty list or None (the levels then take the order and names given as
``fallback``, else their K-means ids).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sentclust.layout import is_pls

#: an aspect whose share of polar (positive or negative) segments is under this is marked:
#: it holds mostly plot retelling or no opinion (kept, not hidden)
LOW_POLAR_SHARE = 0.3
#: how the stage is named among the skipped stages, and why it is left out
SKIPPED_STAGE = "aspects (what reviewers praise and pan)"
SKIPPED_WHY = (
    "polarity.bert_segments is off, so there are no segment vectors to cluster "
    "(set it to pooled or separate to get the aspects)"
)


def skipped_stages(bert_segments: str) -> dict[str, str]:
    """The aspects stage among a run's skipped stages (stage -> why): none unless
    ``bert_segments`` (config polarity.bert_segments) is off."""
    return {SKIPPED_STAGE: SKIPPED_WHY} if bert_segments == "off" else {}


def _share(value) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _number(value) -> float | None:
    return None if value is None else float(value)


def names_of(doc: Mapping[str, Any]) -> dict[int, str]:
    """Each aspect's name by its id."""
    return {int(a["aspect"]): str(a["name"]) for a in doc.get("aspects", [])}


def _polar_share(a: Mapping[str, Any], p: Mapping[str, Any]) -> float | None:
    """The aspect's polar share: the polarity block's, else the aspect's own, else from the
    positive and negative shares; None without labels."""
    for value in (p.get("polar_share"), a.get("polar_share")):
        if value is not None:
            return float(value)
    pos, neg = p.get("positive_share"), p.get("negative_share")
    return None if pos is None or neg is None else round(float(pos) + float(neg), 12)


def report_rows(doc: Mapping[str, Any], *, terms: int = 5) -> list[dict]:
    """One row per aspect, largest first: name, its first ``terms`` terms, size (count and share
    of the segments), typical segments, and where the run has labels its positive / negative /
    polar shares (``low_polar`` under :data:`LOW_POLAR_SHARE`) and rating rho (None for no
    value). ``share``, ``positive``, ``negative`` are percentages as text."""
    total = sum(a["size"] for a in doc["aspects"]) or 1
    pol = {p["aspect"]: p for p in doc.get("polarity", [])}
    rows = []
    for a in sorted(doc["aspects"], key=lambda a: (-a["size"], a["aspect"])):
        p = pol.get(a["aspect"], {})
        rho = p.get("rating_rho")
        polar = _polar_share(a, p)
        rows.append(
            {
                "aspect": a["aspect"],
                "name": a["name"],
                "terms": ", ".join(a["terms"][:terms]),
                "size": a["size"],
                "size_share": a["size"] / total,
                "share": _share(a["size"] / total),
                "positive": _share(p.get("positive_share")),
                "negative": _share(p.get("negative_share")),
                "positive_share": _number(p.get("positive_share")),
                "negative_share": _number(p.get("negative_share")),
                "polar_share": polar,
                "low_polar": polar is not None and polar < LOW_POLAR_SHARE,
                "net": _number(p.get("net")),
                "rating_rho": None if rho is None else round(rho, 2),
                "typical": [str(t) for t in a.get("typical", [])],
            }
        )
    return rows


def choice_view(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The chosen aspect count and how it was chosen (the counts tried, each criterion's pick)."""
    c = doc.get("choice") or {}
    ks = c.get("ks") or [r["k"] for r in doc.get("sweep", []) if "k" in r]
    return {
        "k": c.get("k"),
        "criterion": c.get("criterion"),
        "chosen_by": c.get("chosen_by") or c.get("criterion"),
        "rule": c.get("rule", ""),
        "fallback": c.get("fallback"),
        "ks": list(ks),
        "picks": list((c.get("picks") or {}).items()),
    }


def _order(lv: Mapping[str, Any], levels: list[int], fallback: list[int] | None) -> list[int]:
    """The levels from lowest to highest rank: ``order`` when given, else ``fallback``, else
    their ids; a level that neither names comes last, in id order."""
    given = [int(x) for x in (lv.get("order") or fallback or [])]
    first = [x for x in given if x in levels]
    return first + sorted(set(levels) - set(first))


def _level_names(lv: Mapping[str, Any], fallback: Mapping[int, str] | None) -> dict[int, str]:
    if lv.get("names"):
        return {int(k): str(v) for k, v in lv["names"].items()}
    return {int(k): str(v) for k, v in (fallback or {}).items()}


def _examples(lv, order, level_name, aspect_name, columns) -> list[dict[str, Any]]:
    """The level x aspect example segments (praised / panned), by level order then column."""
    rank = {lvl: i for i, lvl in enumerate(order)}
    col = {a: i for i, a in enumerate(columns)}
    rows = [e for e in lv.get("examples") or [] if e.get("praised") or e.get("panned")]
    rows.sort(key=lambda e: (rank.get(int(e["level"]), 1e9), col.get(int(e["aspect"]), 1e9)))
    return [
        {
            "level": level_name(int(e["level"])),
            "aspect": aspect_name.get(int(e["aspect"]), str(e["aspect"])),
            "praised": e.get("praised"),
            "panned": e.get("panned"),
        }
        for e in rows
    ]


def level_grid(
    doc: Mapping[str, Any], kind: str, fallback: tuple[list[int], Mapping[int, str]] | None
) -> dict[str, Any]:
    """One kind's level x aspect grid: rows the levels (named, lowest rank first), columns the
    aspects largest first, each cell its net polarity and segment count (None where empty)."""
    lv = doc["levels"][kind]
    cells = {(int(r["level"]), int(r["aspect"])): r for r in lv["table"]}
    columns = [r["aspect"] for r in report_rows(doc)]
    order = _order(lv, sorted({lvl for lvl, _ in cells}), fallback[0] if fallback else None)
    names = _level_names(lv, fallback[1] if fallback else None)
    aspect_name = names_of(doc)

    def level_name(level: int) -> str:
        return names.get(level, f"level {level}")

    return {
        "kind": kind,
        "k": lv.get("k"),
        "aligned": is_pls(kind),
        "aspects": [aspect_name[a] for a in columns],
        "levels": [
            {
                "level": level,
                "name": level_name(level),
                "cells": [
                    {
                        "net": _number(cells.get((level, a), {}).get("net")),
                        "n": int(cells.get((level, a), {}).get("n") or 0),
                    }
                    for a in columns
                ],
            }
            for level in order
        ],
        "examples": _examples(lv, order, level_name, aspect_name, columns),
        "comparisons": _level_comparisons(lv, order, level_name),
    }


def _level_comparisons(lv, order, level_name) -> list[dict[str, Any]]:
    """The comparisons per level ({name, n}) in level order, where aspects.json has them."""
    n = {int(c["level"]): int(c["n"]) for c in lv.get("comparisons") or []}
    return [{"name": level_name(level), "n": n[level]} for level in order if level in n]


def level_grids(
    doc: Mapping[str, Any], fallback: Mapping[str, tuple] | None = None
) -> list[dict[str, Any]]:
    """Every kind's grid (:func:`level_grid`), the sentiment-aligned (PLS) kinds first;
    ``fallback``: per kind (order, names) for levels without their own; none without labels."""
    kinds = [k for k, lv in (doc.get("levels") or {}).items() if lv and lv.get("table")]
    kinds.sort(key=lambda k: not is_pls(k))
    return [level_grid(doc, k, (fallback or {}).get(k)) for k in kinds]


def comparisons_view(doc: Mapping[str, Any], *, max_examples: int = 6) -> dict[str, Any] | None:
    """The comparisons' counts, per aspect (most first) and up to ``max_examples`` examples with
    their two sides (None where not found); None when aspects.json has no comparisons."""
    comps = doc.get("comparisons")
    if comps is None:
        return None
    names = names_of(doc)
    by_aspect = sorted(comps.get("by_aspect") or [], key=lambda r: (-r["n"], r["aspect"]))
    return {
        "n": int(comps.get("n", 0)),
        "negated": int(comps.get("negated", 0)),
        "by_aspect": [
            {"aspect": r["aspect"], "name": names.get(int(r["aspect"]), "–"), "n": int(r["n"])}
            for r in by_aspect
        ],
        "examples": [
            {
                "text": str(e.get("text", "")),
                "cue": e.get("cue"),
                "negated": bool(e.get("negated")),
                "left": e.get("left"),
                "right": e.get("right"),
                "aspect": None if e.get("aspect") is None else names.get(int(e["aspect"]), "–"),
            }
            for e in (comps.get("examples") or [])[:max_examples]
        ],
    }


def quality_view(doc: Mapping[str, Any]) -> dict[str, Any] | None:
    """Stability (ARI across two seeds) and coherence (NPMI per aspect, in the aspect table's
    order, and their mean); None when aspects.json has no quality block."""
    q = doc.get("quality")
    if not q:
        return None
    npmi = {int(a): v for a, v in (q.get("npmi") or {}).items()}
    return {
        "stability_ari": _number(q.get("stability_ari")),
        "seeds": list(q.get("seeds") or []),
        "npmi": [
            {"aspect": r["aspect"], "name": r["name"], "npmi": _number(npmi.get(r["aspect"]))}
            for r in report_rows(doc)
        ],
        "npmi_mean": _number(q.get("npmi_mean")),
    }
