"""The page's 'Polarity inside reviews' section (issue 14): segments per review, how segment
polarity agrees with the review labels, dual polarity and spread by star rating, the clusters'
polarity, example reviews with their segments coloured; the same numbers for summary.md.

Inputs (all optional: a run from before the polarity rules has none of them, and then the
section is left out): polarity/summary.json (:func:`sentclust.polarity.check.polarity_summary`),
segments/summary.json (keys vary with the splitter: shown generically), polarity/by_rating.png,
and polarity/explain_texts.json (the config's explained texts, matched to the LIME items by text).
Every text stays a plain string here: the template escapes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sentclust.polarity.contract import LABEL_NAMES

from .format import SENTIMENT, file_uri, finite, fmt, md_cell, pct

#: a segment label (-1, 0, 1) as the CSS class that colours it, and as a word
LABEL_CLASS = {1: "pos", 0: "neu", -1: "neg"}
LABEL_WORD = LABEL_NAMES
#: the page's title of the section (its id is "polarity")
POLARITY_SECTION = ("polarity", "Polarity inside reviews")
#: at most this many facts of segments/summary.json are shown
MAX_SEGMENT_FACTS = 16


def read_json_if(path) -> Any:
    """The JSON document at ``path``, or None when no path is given or there is no such file."""
    if not path or not Path(path).is_file():
        return None
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _label(x: Any) -> int:
    """A segment label as -1, 0 or 1 (anything else, e.g. a missing label: neutral)."""
    try:
        v = int(x)
    except (TypeError, ValueError):
        return 0
    return v if v in LABEL_CLASS else 0


def segment_view(seg: Mapping[str, Any], primary: str | None = None) -> dict[str, Any]:
    """One segment as shown: text, score (``score``, else ``score_<primary>``), label word, CSS
    class, a tooltip, and every ``score_<scorer>`` it has as ``scores``."""
    label = _label(seg.get("label"))
    scores = {k[len("score_") :]: finite(v) for k, v in seg.items() if k.startswith("score_")}
    score = finite(seg["score"]) if "score" in seg else scores.get(primary or "")
    word = LABEL_WORD[label]
    return {
        "text": str(seg.get("text", "")),
        "review_id": seg.get("review_id"),
        "score": score,
        "label": word,
        "cls": LABEL_CLASS[label],
        "tip": word if score is None else f"{word}, score {score:+.3f}",
        "scores": scores,
    }


def _fact_value(key: str, value: Any) -> str | None:
    """A value of segments/summary.json as text, or None when it is not shown."""
    if isinstance(value, bool | str):
        return str(value)
    if isinstance(value, int | float):
        return pct(value) if "share" in key and isinstance(value, float) else fmt(value)
    if isinstance(value, Mapping) and ({"mean", "median"} & set(value)):
        parts = [f"{s} {fmt(value[s], 2)}" for s in ("mean", "median", "min", "max") if s in value]
        return " · ".join(parts)
    short = isinstance(value, list | tuple) and len(value) <= 12
    if short and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value)
    return None


def segment_facts(summary: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """segments/summary.json as (label, value) rows: scalars, mean/median blocks, short lists,
    and one level of nested scalars (``parent: key``); whatever else it holds is left out."""
    out: list[tuple[str, str]] = []
    for key, value in (summary or {}).items():
        shown = _fact_value(key, value)
        if shown is not None:
            out.append((key.replace("_", " "), shown))
        elif isinstance(value, Mapping):
            for sub, v in value.items():
                sub_shown = _fact_value(str(sub), v)
                if sub_shown is not None and not isinstance(v, Mapping):
                    out.append(
                        (f"{key.replace('_', ' ')}: {str(sub).replace('_', ' ')}", sub_shown)
                    )
    return out[:MAX_SEGMENT_FACTS]


def thresholds_text(t: Mapping[str, Any] | None) -> str:
    """The fitted thresholds in words; an infinite one (never that confident) says so."""
    if not t:
        return "–"
    neg, posv = finite(t.get("negative")), finite(t.get("positive"))
    neg_s = f"score ≤ {neg:+.3f}" if neg is not None else "none (never that confident)"
    pos_s = f"score ≥ {posv:+.3f}" if posv is not None else "none (never that confident)"
    conf = finite(t.get("confidence"))
    tail = f" (confidence {conf:g})" if conf is not None else ""
    return f"negative at {neg_s}, positive at {pos_s}{tail}"


def _overview_row(part: str, h: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if h is None:
        return None
    return {
        "part": part,
        "n_reviews": h.get("n_reviews"),
        "segments_mean": finite(h.get("segments_per_review_mean")),
        "segments_median": finite(h.get("segments_per_review_median")),
        "dual_polarity_share": finite(h.get("dual_polarity_share")),
        "spread_std_mean": finite(h.get("spread_std_mean")),
    }


def overview_rows(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every review, the test split, then the checked split's negative and positive reviews."""
    checked = summary.get("checked_on", "test")
    by_label = summary.get("by_label") or {}
    rows = [
        _overview_row("all reviews", summary.get("all")),
        _overview_row("test split", summary.get("test")),
        _overview_row(f"negative reviews ({checked})", by_label.get("0")),
        _overview_row(f"positive reviews ({checked})", by_label.get("1")),
    ]
    return [r for r in rows if r is not None]


def agreement_rows(agreement: Mapping[str, Any] | None, primary: str) -> list[dict[str, Any]]:
    """Per scorer (the primary first): polar segments on their review's side, label shares."""
    names = sorted(agreement or {}, key=lambda n: (n != primary, n))
    return [
        {
            "scorer": name,
            "primary": name == primary,
            "split": agreement[name].get("split", ""),
            "n_segments": agreement[name].get("n_segments"),
            **{
                key: finite(agreement[name].get(key))
                for key in (
                    "polar_agreement",
                    "share_positive",
                    "share_neutral",
                    "share_negative",
                    "share_unscored",
                )
            },
        }
        for name in names
    ]


def by_rating_rows(curve: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """The per-rating curve as table rows (missing columns show as a dash)."""
    keys = (
        "dual_polarity_share",
        "spread_std_mean",
        "spread_range_mean",
        "share_positive_mean",
        "share_negative_mean",
    )
    return [
        {"rating": int(r["rating"]), "n": r.get("n"), **{k: finite(r.get(k)) for k in keys}}
        for r in curve or []
    ]


def _rho(block: Mapping[str, Any] | None, *keys: str) -> dict[str, Any]:
    block = block or {}
    return {"n": block.get("n"), **{k: finite(block.get(k)) for k in keys}}


def example_views(examples: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """The dual-polarity example reviews with their segments ready to colour."""
    out = []
    for ex in examples or []:
        label = ex.get("label")
        out.append(
            {
                "review_id": ex.get("review_id"),
                "rating": ex.get("rating"),
                "label": SENTIMENT.get(label, "–") if label is not None else "–",
                "segments": [segment_view(s) for s in ex.get("segments", [])],
            }
        )
    return out


def _cluster_polarity_row(c: Mapping[str, Any]) -> dict[str, Any]:
    keys = (
        "dual_polarity_share",
        "spread_mean",
        "positive_segment_share",
        "negative_segment_share",
    )
    return {
        "name": c["name"],
        "size": c["size"],
        "positive_share": c.get("positive_share"),
        "mean_rating": c.get("mean_rating"),
        **{k: c.get(k) for k in keys},
    }


def cluster_polarity(kinds: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per kind, its chosen k's clusters in sentiment order (rank) with their polarity columns;
    kinds whose finegrained.json has no polarity columns (an older run) are left out."""
    out = []
    for kind in kinds:
        chosen = next((r for r in kind.get("finegrained", []) if r.get("chosen")), None)
        if not chosen or not chosen.get("has_polarity"):
            continue
        ranked = sorted(
            chosen["clusters"],
            key=lambda c: (c.get("rank") is None, c.get("rank") or 0),
        )
        out.append(
            {
                "kind": kind["kind"],
                "k": chosen["k"],
                "clusters": [_cluster_polarity_row(c) for c in ranked],
            }
        )
    return out


def polarity_section(
    summary: Mapping[str, Any],
    *,
    segments_summary: Mapping[str, Any] | None = None,
    figure=None,
    kinds: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Everything the section shows, from polarity/summary.json (and the optional rest)."""
    primary = str(summary.get("scorer", ""))
    checked = summary.get("checked_on", "test")
    rank = summary.get("rank_correlation") or {}
    focus = summary.get(checked) or summary.get("all") or {}
    agreement = agreement_rows(summary.get("segment_agreement"), primary)
    return {
        "scorer": primary,
        "checked_on": checked,
        "thresholds": dict(summary.get("thresholds") or {}),
        "thresholds_text": thresholds_text(summary.get("thresholds")),
        "focus": _overview_row(checked, focus),
        "overview": overview_rows(summary),
        "segments": segment_facts(segments_summary),
        "agreement": agreement,
        "primary_agreement": next((a for a in agreement if a["primary"]), None),
        "rho_reviews": _rho(rank.get("reviews"), "dual_polarity", "spread_std"),
        "rho_ratings": _rho(rank.get("ratings"), "dual_polarity_share", "spread_std_mean"),
        "by_rating": by_rating_rows(summary.get("by_rating")),
        "figure": file_uri(figure),
        "examples": example_views(summary.get("examples")),
        "clusters": cluster_polarity(kinds),
    }


def polarity_of(inputs: Any, kinds: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The section from the report's inputs (a dict or ``snakemake.input``), or None when the
    run has no polarity/summary.json (an older run, or polarity not among the inputs)."""
    summary = read_json_if(inputs.get("polarity_summary"))
    if summary is None:
        return None
    return polarity_section(
        summary,
        segments_summary=read_json_if(inputs.get("segments_summary")),
        figure=inputs.get("polarity_figure"),
        kinds=kinds,
    )


def _key(text: str) -> str:
    return " ".join(str(text).split())


def text_polarity(doc: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """polarity/explain_texts.json as a lookup by text (whitespace-normalised): per text its
    segments ready to colour, the scorers that scored them, the primary one, dual polarity."""
    if not doc:
        return {}
    primary = str(doc.get("scorer", ""))
    out = {}
    for item in doc.get("texts", []):
        segs = [segment_view(s, primary) for s in item.get("segments", [])]
        scorers = sorted({n for s in segs for n in s["scores"]}, key=lambda n: (n != primary, n))
        out[_key(item.get("text", ""))] = {
            "scorer": primary,
            "scorers": scorers,
            "dual_polarity": bool(item.get("dual_polarity")),
            "segments": segs,
        }
    return out


def match_text(lookup: Mapping[str, dict] | None, text: str) -> dict[str, Any] | None:
    """The segments of an explained text (None when that text was not segmented)."""
    return (lookup or {}).get(_key(text)) if text else None


def headline_item(pol: Mapping[str, Any] | None) -> dict[str, str] | None:
    """The section's card among the headline numbers, or None without the section."""
    if not pol:
        return None
    f, a = pol["focus"], pol["primary_agreement"] or {}
    return {
        "label": f"polarity inside reviews ({pol['checked_on']} split)",
        "value": f"dual polarity {pct(f['dual_polarity_share'])}",
        "detail": f"{fmt(f['segments_mean'], 1)} segments per review · polar segments agreeing "
        f"with the review label {pct(a.get('polar_agreement'))} ({pol['scorer']})",
    }


def summary_lines(pol: Mapping[str, Any] | None) -> list[str]:
    """The section's numbers for summary.md (nothing without the section)."""
    if not pol:
        return []
    f, rr, rc = pol["focus"], pol["rho_reviews"], pol["rho_ratings"]
    agree = ", ".join(
        f"{a['scorer']} {pct(a['polar_agreement'])}{' (primary)' if a['primary'] else ''}"
        for a in pol["agreement"]
    )
    lines = [
        "",
        f"## Polarity inside reviews ({md_cell(pol['checked_on'])} split, "
        f"{md_cell(pol['scorer'])} scorer)",
        "",
        f"- segments per review: mean {fmt(f['segments_mean'], 2)}, median "
        f"{fmt(f['segments_median'], 1)} ({fmt(f['n_reviews'])} reviews)",
        f"- segment thresholds (train split): {md_cell(pol['thresholds_text'])}",
        f"- polar segments agreeing with their review's label: {md_cell(agree or '–')}",
        f"- dual-polarity share {pct(f['dual_polarity_share'])}, mean spread "
        f"{fmt(f['spread_std_mean'])}",
        "- Spearman rho with the distance from the middle of the scale: per review dual "
        f"polarity {fmt(rr['dual_polarity'])}, spread {fmt(rr['spread_std'])} "
        f"(n = {fmt(rr['n'])}); per rating dual-polarity share "
        f"{fmt(rc['dual_polarity_share'])}, mean spread {fmt(rc['spread_std_mean'])} "
        f"(n = {fmt(rc['n'])})",
    ]
    if pol["by_rating"]:
        lines += [
            "",
            "| rating | reviews | dual polarity | mean spread |",
            "| --- | --- | --- | --- |",
        ]
        lines += [
            f"| {r['rating']} | {fmt(r['n'])} | {pct(r['dual_polarity_share'])} | "
            f"{fmt(r['spread_std_mean'])} |"
            for r in pol["by_rating"]
        ]
    return lines
