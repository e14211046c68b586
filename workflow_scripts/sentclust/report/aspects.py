"""The page's 'What reviewers praise and pan: aspects' section (issue 30) and its lines in
summary.md: the aspect table (names, terms, sizes, polarity, rho with the rating), typical
segments, the chosen count, per kind the level x aspect heatmap with example segments, the
comparisons and the quality figures.

Input: aspects/aspects.json (``inputs["aspects"]``, read through
:mod:`sentclust.aspects.summary`) and its detail folder (``inputs["aspects_detail"]``: the
comparisons and the aspects rule's own heatmaps, which the page names). The page draws each
kind's heatmap from aspects.json's level x aspect table with the aspects rule's own drawing
(:func:`sentclust.aspects.figure.draw_heatmap`), so that its levels are named and in their
fine-grained order even in an aspects.json without ``order`` and ``names`` (then taken from
the kind's finegrained.json). Without the input (the
stage is off: polarity.bert_segments off) there is no section; the report lists the stage
among the skipped ones (:func:`sentclust.aspects.summary.skipped_stages`). Without labels the
section shows names, sizes, terms, typical segments and comparisons, and says that polarity
per aspect needs labels. Every text stays a plain string here: the template escapes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sentclust.aspects import summary as asum
from sentclust.aspects.figure import draw_heatmap

from .format import figure_uri, fmt, md_cell, pct
from .polarity import read_json_if

#: the page's title of the section (its id is "aspects")
ASPECTS_SECTION = ("aspects", "What reviewers praise and pan: aspects")
#: what the page says of the quality figures
QUALITY_TEXT = (
    "Stability is the adjusted Rand index between the segment assignments of two fits with "
    "different seeds (1: the same aspects, 0: no better than chance); coherence is the mean "
    "normalised PMI of the pairs of each aspect's top terms, counted in the reviews (1: the "
    "terms always occur together, 0: independently, below 0: apart)."
)
NO_LABELS_TEXT = (
    "The corpus has no labels, so there is no segment polarity: polarity per aspect and per "
    "fine-grained level needs labels (the polarity models train on them)."
)


def level_fallback(kinds: Iterable[Mapping[str, Any]]) -> dict[str, tuple[list, dict]]:
    """Per kind, (its levels' ids from lowest to highest rank, their names) at every k of its
    finegrained.json as the report read it: keyed ``(kind, k)``."""
    out: dict = {}
    for kind in kinds:
        for r in kind.get("finegrained", []):
            ranked = sorted(
                (c for c in r["clusters"] if c.get("id") is not None),
                key=lambda c: (c.get("rank") is None, c.get("rank") or 0, c["id"]),
            )
            out[(kind["kind"], r["k"])] = (
                [int(c["id"]) for c in ranked],
                {int(c["id"]): str(c["name"]) for c in ranked},
            )
    return out


def _grids(doc, kinds) -> list[dict[str, Any]]:
    """Every kind's level x aspect grid with its heatmap drawn (levels named, in order)."""
    fallback = level_fallback(kinds)
    levels = doc.get("levels") or {}
    by_kind = {k: fallback.get((k, (lv or {}).get("k"))) for k, lv in levels.items()}
    return [
        {**grid, "figure": figure_uri(draw_heatmap, grid)}
        for grid in asum.level_grids(doc, {k: v for k, v in by_kind.items() if v})
    ]


def aspects_section(
    doc: Mapping[str, Any], *, detail_dir=None, kinds: Iterable[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """Everything the section shows, from aspects.json's content ``doc``; ``kinds``: the kind
    sections (their levels' names and order for an aspects.json without its own)."""
    labelled = bool(doc.get("labels"))
    rows = asum.report_rows(doc)
    return {
        "labels": labelled,
        "n_segments": doc.get("n_segments", sum(r["size"] for r in rows)),
        "choice": asum.choice_view(doc),
        "rows": rows,
        "has_low": any(r["low_polar"] for r in rows),
        "low_polar_share": asum.LOW_POLAR_SHARE,
        "grids": _grids(doc, list(kinds)) if labelled else [],
        "detail_dir": str(detail_dir) if detail_dir else None,
        "comparisons": asum.comparisons_view(doc),
        "quality": asum.quality_view(doc),
        "quality_text": QUALITY_TEXT,
        "no_labels_text": NO_LABELS_TEXT,
    }


def aspects_of(inputs: Any, kinds: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The section from the report's inputs (a dict or ``snakemake.input``), or None when the
    run has no aspects/aspects.json (the stage is off, or a run from before it)."""
    doc = read_json_if(inputs.get("aspects"))
    if doc is None:
        return None
    return aspects_section(doc, detail_dir=inputs.get("aspects_detail") or None, kinds=kinds)


def _table_lines(sec: Mapping[str, Any]) -> list[str]:
    head = "| aspect | top terms | segments | share |"
    if sec["labels"]:
        head += " positive | negative | polar | rho with rating |"
    lines = [head, "|" + " --- |" * head.count(" |")]
    for r in sec["rows"]:
        line = f"| {md_cell(r['name'])} | {md_cell(r['terms'])} | {fmt(r['size'])} | {r['share']} |"
        if sec["labels"]:
            low = " (low: mostly plot or no opinion)" if r["low_polar"] else ""
            line += (
                f" {pct(r['positive_share'])} | {pct(r['negative_share'])} | "
                f"{pct(r['polar_share'])}{low} | {fmt(r['rating_rho'], 2)} |"
            )
        lines.append(line)
    return lines


def _grid_lines(grid: Mapping[str, Any]) -> list[str]:
    tag = "sentiment-aligned" if grid["aligned"] else "other kind"
    lines = [
        "",
        f"### {md_cell(grid['kind'])} ({tag}), k={grid['k']}: net polarity per level x aspect",
        "",
        "| level | " + " | ".join(md_cell(a) for a in grid["aspects"]) + " |",
        "|" + " --- |" * (len(grid["aspects"]) + 1),
    ]
    for lv in grid["levels"]:
        cells = [
            f"{'–' if c['net'] is None else format(c['net'], '+.2f')} ({c['n']:,})"
            for c in lv["cells"]
        ]
        lines.append(f"| {md_cell(lv['name'])} | " + " | ".join(cells) + " |")
    if grid.get("comparisons"):
        per = "; ".join(f"{md_cell(c['name'])} {fmt(c['n'])}" for c in grid["comparisons"])
        lines += ["", f"Comparisons per level: {per}."]
    return lines


def summary_lines(sec: Mapping[str, Any] | None) -> list[str]:
    """The section's numbers for summary.md (nothing without the section)."""
    if not sec:
        return []
    c = sec["choice"]
    ks = ", ".join(str(k) for k in c["ks"])
    lines = [
        "",
        f"## {ASPECTS_SECTION[1]}",
        "",
        f"{fmt(c['k'])} aspects, chosen by {md_cell(c['chosen_by'])} from {ks} "
        f"({md_cell(c['rule'])}); {fmt(sec['n_segments'])} segments.",
        "",
        *_table_lines(sec),
    ]
    if not sec["labels"]:
        lines += ["", sec["no_labels_text"]]
    for grid in sec["grids"]:
        lines += _grid_lines(grid)
    comps = sec["comparisons"]
    if comps:
        by = ", ".join(f"{md_cell(r['name'])} {fmt(r['n'])}" for r in comps["by_aspect"])
        lines += [
            "",
            f"- comparisons: {fmt(comps['n'])}, {fmt(comps['negated'])} negated"
            + (f"; by aspect: {by}" if by else ""),
        ]
    q = sec["quality"]
    if q:
        lines.append(
            f"- stability ARI across seeds {', '.join(map(str, q['seeds']))}: "
            f"{fmt(q['stability_ari'])}; mean NPMI of the top terms: {fmt(q['npmi_mean'])}"
        )
    return lines
