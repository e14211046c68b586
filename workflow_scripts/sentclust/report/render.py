"""The collected run as a page (Jinja2, autoescaped) and as a Markdown summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import aspects as aspects_view
from .aspects import ASPECTS_SECTION
from .format import fmt, hms, md_cell, pct
from .polarity import POLARITY_SECTION, summary_lines

TEMPLATES = Path(__file__).parent / "templates"

#: the sections of the page, in order: (id, title); tests look for these ids
SECTIONS = [
    ("summary", "Headline numbers"),
    ("data", "Data"),
    ("network", "Word-embedding network"),
    ("lime", "LIME explanations"),
    ("clusters", "Clusters per embedding kind"),
    POLARITY_SECTION,
    ASPECTS_SECTION,
    ("benchmarks", "Run time and memory per rule"),
    ("provenance", "Provenance"),
]
#: the sections of a run with labels only, and the one that replaces them without labels
LABEL_SECTIONS = ("network", "lime")
SKIPPED_SECTION = ("skipped", "Skipped stages")
#: the optional section of a scaling run's report (config report.scaling), before provenance
SCALING_SECTION = ("scaling", "Scaling with corpus size")


def page_sections(
    scaling: bool,
    polarity: bool = True,
    *,
    labels: bool = True,
    aspects: bool = True,
    left_out: bool = False,
) -> list[tuple[str, str]]:
    """The page's sections: the scaling section when the run has one, the polarity and aspects
    sections unless the run has none (a run from before their rules, or with the stage off);
    without labels no network or LIME section; the skipped stages after the data without
    labels or with stages the config ``left_out``."""
    dropped = {POLARITY_SECTION: not polarity, ASPECTS_SECTION: not aspects}
    out = [s for s in SECTIONS if not dropped.get(s)]
    if not labels:
        out = [s for s in out if s[0] not in LABEL_SECTIONS]
    if not labels or left_out:
        out.insert(out.index(("data", "Data")) + 1, SKIPPED_SECTION)
    return [*out[:-1], SCALING_SECTION, out[-1]] if scaling else out


def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every {{ value }} is HTML-escaped: review text stays text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = fmt
    env.filters["pct"] = pct
    env.filters["hms"] = hms
    return env


def render_html(ctx: dict[str, Any]) -> str:
    """The self-contained page (figures embedded, no scripts, no external resources)."""
    return _environment().get_template("report.html.j2").render(**ctx)


def _row(cells) -> str:
    return "| " + " | ".join(md_cell(v) for v in cells) + " |"


def _choice_table(kinds: list[dict[str, Any]], labelled: bool = True) -> list[str]:
    title = (
        "Choice of k and agreement with the labels (test split, chosen k)"
        if labelled
        else "Choice of k (no labels: agreement with labels not measured)"
    )
    lines = ["", f"## {title}", ""]
    lines += [
        "| kind | supervision | k | chosen by | purity | ARI | NMI | rho (test) | probe accuracy |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for k in kinds:
        m = k["chosen_metrics"]
        chosen = next((r for r in k["finegrained"] if r["chosen"]), {})
        lines.append(
            _row(
                (
                    k["kind"],
                    k["supervision"].split(":")[0],
                    k["chosen_k"],
                    k["chosen_by"],
                    fmt(m.get("purity")),
                    fmt(m.get("ari")),
                    fmt(m.get("nmi")),
                    fmt(chosen.get("rho_test")),
                    fmt(k["probe_accuracy"]),
                )
            )
        )
    return lines


def _finegrained_tables(kinds: list[dict[str, Any]]) -> list[str]:
    lines = []
    for k in kinds:
        for r in k["finegrained"]:
            tag = "chosen" if r["chosen"] else "explored"
            lines += [
                "",
                f"## {k['kind']}, k={r['k']} ({tag}): fine-grained clusters",
                "",
                f"Spearman rho between rating and cluster rank: {fmt(r['rho_all'])} (all), "
                f"{fmt(r['rho_test'])} (test).",
                "",
                "| cluster | size | positive share | mean rating | distinctive terms |",
                "| --- | --- | --- | --- | --- |",
            ]
            for c in r["clusters"]:
                lines.append(
                    f"| {md_cell(c['name'])} | {c['size']:,} | {fmt(c['positive_share'])} | "
                    f"{c.get('mean_rating_text') or fmt(c['mean_rating'], 2)} | "
                    f"{md_cell(c['terms'])} |"
                )
    return lines


def _scaling_table(sc: dict[str, Any] | None) -> list[str]:
    if not sc:
        return []
    lines = [
        "",
        f"## Scaling with corpus size (n = {', '.join(f'{n:,}' for n in sc['sizes'])})",
        "",
        "| stage | log-log slope | slope, two largest n | seconds at the largest n | "
        f"held to <= {sc['target']} |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in sc["slopes"]:
        held = ("yes" if r["meets"] else "**no**") if r["held"] else "fixed cost"
        lines.append(
            f"| {md_cell(r['stage'])} | {fmt(r['slope'], 2)} | {fmt(r['slope_last'], 2)} | "
            f"{fmt(r['seconds_at_largest_n'], 1)} | {held} |"
        )
    return lines


def _skipped_lines(
    skipped: list[dict[str, str]] | None, left_out: list[dict[str, str]] | None = None
) -> list[str]:
    """The stages a corpus without labels left out and those the config left out, one line
    each with why."""
    if not skipped and not left_out:
        return []
    why = "the corpus has no labels" if skipped else "left out by the configuration"
    lines = ["", f"## Skipped stages ({why})", ""]
    items = [*(skipped or []), *(left_out or [])]
    return lines + [f"- **{md_cell(s['stage'])}**: {md_cell(s['why'])}" for s in items]


def render_summary(ctx: dict[str, Any]) -> str:
    """The headline numbers as Markdown (for terminals and diffs; no timings, no date)."""
    lines = [f"# {ctx['title']}: summary", ""]
    for h in ctx["headline"]:
        detail = f"; {h['detail']}" if h["detail"] else ""
        lines.append(f"- **{md_cell(h['label'])}**: {md_cell(h['value'])}{md_cell(detail)}")
    lines += _skipped_lines(ctx.get("skipped"), ctx.get("left_out"))
    # a corpus without labels is the only one with skipped stages
    lines += _choice_table(ctx["kinds"], labelled=not ctx.get("skipped"))
    lines += _finegrained_tables(ctx["kinds"])
    lines += summary_lines(ctx.get("polarity"))
    lines += aspects_view.summary_lines(ctx.get("aspects"))
    lines += _scaling_table(ctx.get("scaling"))
    lines += ["", "The full report, figures included: report.html beside this file.", ""]
    return "\n".join(lines)
