"""One embedding kind's part of the page: the choice of k, the sweep, overlaps, fine-grained
clusters and its 2-D projection."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sentclust.finegrained.naming import TOPIC
from sentclust.finegrained.scale import RunScale, scale_from_summary

from .format import file_uri, finite, pct
from .polarity import segment_view

#: the k-sweep's columns the page shows, in this order, when the sweep has them
SWEEP_COLUMNS = (
    "k",
    "inertia",
    "silhouette",
    "calinski_harabasz",
    "davies_bouldin",
    "purity",
    "ari",
    "nmi",
    "rating_spearman",
    "stability_ari_mean",
)


def _overlaps(figure_dir: Path, chosen: int, shown_k: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "k": k,
            "chosen": k == chosen,
            "labels": file_uri(figure_dir / f"overlap_labels_k{k}.png"),
            "ratings": file_uri(figure_dir / f"overlap_ratings_k{k}.png"),
        }
        for k in shown_k
    ]


#: per cluster, the polarity of its reviews' segments (finegrained.json; optional: older runs)
CLUSTER_POLARITY = (
    "dual_polarity_share",
    "spread_mean",
    "positive_segment_share",
    "negative_segment_share",
)


def _interval(lo: Any, hi: Any, show) -> str:
    """ " (a–b)" of an interval's ends shown by ``show``, or "" when either is unknown."""
    lo, hi = finite(lo), finite(hi)
    return "" if lo is None or hi is None else f" ({show(lo)}–{show(hi)})"


def level_lean(c: dict, scale: RunScale) -> str:
    """A level's lean as numbers, on the run's scale: "positive share 65.0% (62.9–67.1%) · mean
    rating 6.4/10 (6.2–6.6)"; each part only when the run has it (no labels: no share; no
    ratings: no mean rating)."""
    parts = []
    share = finite(c.get("positive_share"))
    if share is not None:
        ends = _interval(c.get("positive_share_low"), c.get("positive_share_high"), pct)
        parts.append(f"positive share {pct(share)}{ends}")
    mean = scale.out_of(finite(c.get("mean_rating")))
    if mean is not None:
        ends = _interval(c.get("mean_rating_low"), c.get("mean_rating_high"), lambda v: f"{v:.1f}")
        parts.append(f"mean rating {mean}{ends}")
    return " · ".join(parts)


def _cluster_row(c: dict, scale: RunScale) -> dict[str, Any]:
    grade = c.get("grade")
    # finegrained.json from before the grading rule: every level was graded
    graded = bool(c.get("graded", grade != TOPIC))
    return {
        "name": c["name"],
        "id": c.get("cluster"),
        "rank": c.get("rank"),
        "grade": grade,
        "graded": graded,
        "naming": "graded" if graded else "topic",
        "lean": level_lean(c, scale),
        "size": int(c["size"]),
        "positive_share": finite(c.get("positive_share")),
        "mean_rating": finite(c.get("mean_rating")),
        "mean_rating_text": scale.out_of(finite(c.get("mean_rating")), 2),
        "terms": ", ".join(c.get("terms", [])),
        "nearest": list(
            zip(c.get("nearest_review_ids", []), c.get("nearest_texts", []), strict=False)
        ),
        **{key: finite(c.get(key)) for key in CLUSTER_POLARITY},
        "typical": [segment_view(s) for s in c.get("typical_segments") or []],
        # the level's opinion summary: its most positive and most negative segments
        "praised": [segment_view(s) for s in c.get("praised_segments") or []],
        "panned": [segment_view(s) for s in c.get("panned_segments") or []],
    }


def _finegrained_result(r: dict, scale: RunScale) -> dict[str, Any]:
    """One k of finegrained.json: its clusters, which are graded and by what rule, and how well
    their order follows the ratings on the run's ``scale`` (no rating parts without ratings)."""
    check_all = r.get("rating_check_all") or {}
    check_test = r.get("rating_check_test") or {}
    clusters = [_cluster_row(c, scale) for c in r["clusters"]]
    grading = r.get("grading") or {}
    # finegrained.json from before scales: IMDB's 1-star and 10-star keys
    bottom = check_all.get("bottom_rating_in_lowest", check_all.get("one_star_in_lowest"))
    top = check_all.get("top_rating_in_highest", check_all.get("ten_star_in_highest"))
    return {
        "k": r["k"],
        "chosen": bool(r.get("chosen")),
        "clusters": clusters,
        "has_typical": any(c["typical"] for c in clusters),
        "has_polarity": any(c[key] is not None for c in clusters for key in CLUSTER_POLARITY),
        "n_graded": sum(c["graded"] for c in clusters),
        "n_topics": sum(not c["graded"] for c in clusters),
        "grading": {key: finite(grading.get(key)) for key in _GRADING_NUMBERS},
        "grading_check": {
            key: finite((r.get("grading_check") or {}).get(key)) for key in _GRADING_CHECK
        },
        "grading_separated": (r.get("grading_check") or {}).get("separated"),
        "rated": scale.rated and bool(check_all.get("n_rated")),
        "rho_all": finite(check_all.get("spearman_rho")),
        "rho_test": finite(check_test.get("spearman_rho")),
        "bottom_rating": scale.lo,
        "top_rating": scale.hi,
        "bottom_rating_in_lowest": finite(bottom),
        "top_rating_in_highest": finite(top),
        "mean_rating_increasing": check_all.get("mean_rating_increasing"),
        "graded_mean_rating_increasing": check_all.get("graded_mean_rating_increasing"),
    }


#: the grading rule's numbers the page shows (finegrained.json, each result's ``grading``)
_GRADING_NUMBERS = (
    "grade_share",
    "corpus_positive_share",
    "negative_threshold",
    "positive_threshold",
)
#: the grades against the ratings (finegrained.json, each result's ``grading_check``)
_GRADING_CHECK = ("corpus_mean_rating", "graded_min_distance", "topic_max_distance")


def _weighting_text(weighting: Any) -> str | None:
    """finegrained.json's term_weighting as text (a name, or a mapping of settings)."""
    if weighting is None or weighting == "":
        return None
    if isinstance(weighting, dict):
        return ", ".join(f"{k} {v}" for k, v in weighting.items())
    return str(weighting)


def _picks(choice: dict) -> list[dict[str, Any]]:
    rules = choice.get("rules", {})
    return [
        {"criterion": c, "k": k, "rule": rules.get(c, ""), "chosen": c == choice.get("chosen_by")}
        for c, k in choice.get("picks", {}).items()
    ]


def _sweep_table(sweep: pd.DataFrame, chosen: int) -> tuple[list[str], list[dict], dict]:
    """(shown columns, the sweep's rows, the chosen k's row with the label metrics at least)."""
    columns = [c for c in SWEEP_COLUMNS if c in sweep.columns]
    rows = sweep[columns].to_dict(orient="records")
    chosen_row = {c: None for c in ("purity", "ari", "nmi", "silhouette")}
    chosen_row.update(next((r for r in rows if r["k"] == chosen), {}))
    return columns, rows, chosen_row


def kind_section(
    kind: str,
    *,
    choice: dict,
    sweep: pd.DataFrame,
    figure_dir: str | Path,
    finegrained: dict,
    rating_figure: str | Path,
    projection_figure: str | Path | None,
    projection_info: dict | None,
    probe: dict | None,
    explore: Sequence[int],
) -> dict[str, Any]:
    """Everything the page shows for one embedding kind, from its loaded outputs."""
    figure_dir = Path(figure_dir)
    chosen = choice["k"]
    shown_k = [chosen] + [k for k in explore if k != chosen and k in set(sweep["k"])]
    columns, rows, chosen_row = _sweep_table(sweep, chosen)
    scale = scale_from_summary(finegrained)
    return {
        "kind": kind,
        "supervision": choice.get("supervision", ""),
        "chosen_k": chosen,
        "rule": choice.get("rule", ""),
        "criterion": choice.get("criterion"),
        "chosen_by": choice.get("chosen_by"),
        "fallback": choice.get("fallback"),
        "picks": _picks(choice),
        "elbow": file_uri(figure_dir / "elbow.png"),
        "silhouette": file_uri(figure_dir / "silhouette.png"),
        "labels_curve": file_uri(figure_dir / "labels.png"),
        "overlaps": _overlaps(figure_dir, chosen, shown_k),
        "sweep_columns": columns,
        "sweep": rows,
        "chosen_metrics": chosen_row,
        "scale": scale.text,
        "labels": scale.labels,
        "finegrained": [_finegrained_result(r, scale) for r in finegrained.get("results", [])],
        "term_weighting": _weighting_text(finegrained.get("term_weighting")),
        # without ratings the rule's figure only says so: the page leaves it out
        "rating_figure": file_uri(rating_figure) if scale.rated else None,
        "projection": file_uri(projection_figure),
        "projection_info": projection_info or {},
        "probe_accuracy": finite((probe or {}).get("accuracy")),
    }
