"""The run-wide sections of the page: data, the word-embedding network, LIME, the headline."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sentclust.finegrained.scale import RunScale, scale_from_summary

from .format import SENTIMENT, figure_uri, file_uri, finite, fmt
from .polarity import headline_item, match_text


def _label_rows(ingest: dict, splits: list[str]) -> list[dict[str, Any]]:
    rows = []
    for split in splits:
        by_label = ingest.get("counts_per_split_label", {}).get(split, {})
        rows.append(
            {
                "split": split,
                "negative": int(by_label.get("0", 0)),
                "positive": int(by_label.get("1", 0)),
                "total": int(ingest["counts_per_split"][split]),
            }
        )
    return rows


def _rating_rows(ingest: dict, splits: list[str], ratings: list[int]) -> list[dict[str, Any]]:
    by_split = ingest.get("counts_per_split_rating", {})
    return [
        {"split": split, "counts": [int(by_split.get(split, {}).get(str(r), 0)) for r in ratings]}
        for split in splits
    ]


def _rating_figure(ratings: list[int], rating_rows: list[dict[str, Any]]) -> str | None:
    # matplotlib and seaborn: only when drawing
    from sentclust import figures

    if not ratings:
        return None
    long = pd.DataFrame(
        [
            {"split": row["split"], "rating": r, "n": n}
            for row in rating_rows
            for r, n in zip(ratings, row["counts"], strict=True)
        ]
    )
    return figure_uri(figures.rating_counts, long, title="reviews per star rating")


#: where the labels come from, as the page says it
LABEL_SOURCE_TEXT = {
    "given": "given with the reviews",
    "from_ratings": "derived from the ratings",
    "none": "none (the stages that need labels did not run)",
}


def scale_view(scale: RunScale) -> dict[str, Any]:
    """The run's rating scale and labels' source for the page (``data.scale``)."""
    return {
        "rated": scale.rated,
        "text": scale.text,
        "lo": scale.lo,
        "hi": scale.hi,
        "middle": fmt(scale.middle, 1) if scale.rated else None,
        "labels": scale.labels,
    }


def _policy_text(ingest: dict) -> str:
    """The label policy of labels derived from ratings, as a clause (ingest summary's
    ``labels_from_ratings``): " (negative 1-2, positive 4-5 stars; 120 neutral reviews left
    out)"; "" otherwise."""
    derived = ingest.get("labels_from_ratings") or {}
    if not derived.get("negative") or not derived.get("positive"):
        return ""
    (nl, nh), (pl, ph) = derived["negative"], derived["positive"]
    dropped = derived.get("neutral_dropped")
    left = f"; {fmt(dropped)} neutral reviews left out" if dropped is not None else ""
    return f" (negative {nl}-{nh}, positive {pl}-{ph} stars{left})"


def _data_facts(ingest: dict, prepare: dict | None) -> list[tuple[str, str]]:
    dup = ingest.get("duplicates", {})
    scale = scale_from_summary(ingest)
    facts = [
        ("reviews", fmt(int(ingest["n_reviews"]))),
        ("source", f"{ingest.get('source')} ({ingest.get('format')})"),
        ("labels", LABEL_SOURCE_TEXT[scale.labels] + _policy_text(ingest)),
        ("rating scale", scale.text or "no ratings"),
        ("missing ratings", fmt(ingest.get("n_missing_rating"))),
        ("rating–label conflicts", fmt(ingest.get("rating_label_conflicts"))),
        ("duplicate-text rows", f"{fmt(dup.get('duplicate_text_rows'))} ({dup.get('policy')})"),
        ("median length (characters)", fmt(ingest.get("text_length_chars", {}).get("median"), 0)),
    ]
    if prepare:
        tokens = prepare.get("tokens_per_review") or prepare.get("n_tokens") or {}
        if isinstance(tokens, dict) and "median" in tokens:
            facts.append(("median tokens per review", fmt(tokens["median"], 0)))
    return facts


def data_section(ingest: dict, prepare: dict | None) -> dict[str, Any]:
    """Counts per split, label and rating (a table and a figure)."""
    splits = list(ingest["counts_per_split"])
    # "null" counts the reviews without a rating (all of them in a text-only corpus)
    by_split = ingest.get("counts_per_split_rating", {}).values()
    ratings = sorted({int(r) for by in by_split for r in by if r != "null"})
    rating_rows = _rating_rows(ingest, splits, ratings)
    return {
        "n_reviews": int(ingest["n_reviews"]),
        "labels": _label_rows(ingest, splits),
        "ratings": ratings,
        "rating_rows": rating_rows,
        "figure": _rating_figure(ratings, rating_rows),
        "facts": _data_facts(ingest, prepare),
        "scale": scale_view(scale_from_summary(ingest)),
    }


def network_section(metrics: dict, probes: dict[str, dict]) -> dict[str, Any]:
    """The network's test scores, learning curves and hyperparameters; the probe per kind."""
    # matplotlib and seaborn: only when drawing
    from sentclust import figures

    training = metrics.get("training", {})
    history = training.get("history") or {}
    figure = None
    if history and any(history.values()):
        figure = figure_uri(
            figures.learning_curves,
            history,
            best_epoch=training.get("best_epoch"),
            title="training and validation per epoch",
        )
    test = metrics.get("test", {})
    return {
        "accuracy": finite(test.get("accuracy")),
        "roc_auc": finite(test.get("roc_auc")),
        "n_test": test.get("n"),
        "epochs_run": training.get("epochs_run"),
        "best_epoch": training.get("best_epoch"),
        "vocab_size": training.get("vocab_size"),
        "params": metrics.get("params", {}),
        "figure": figure,
        "probes": [
            {
                "kind": kind,
                "accuracy": finite(p.get("accuracy")),
                "roc_auc": finite(p.get("roc_auc")),
                "dimensions": p.get("dimensions"),
            }
            for kind, p in probes.items()
        ],
    }


def _token_pattern(words: Iterable[str]) -> re.Pattern | None:
    """One regex for the weighted tokens (longest first, so ``10/10`` wins over ``10``); tokens
    that start or end with a word character match only as whole words."""
    parts = []
    for w in sorted({w for w in words if w}, key=len, reverse=True):
        pat = re.escape(w)
        if re.match(r"\w", w):
            pat = r"(?<!\w)" + pat
        if re.search(r"\w$", w):
            pat += r"(?!\w)"
        parts.append(pat)
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def highlight_segments(text: str, weights: Iterable[Sequence]) -> list[dict[str, Any]]:
    """``text`` cut into segments ``{"t": str, "w": weight or None, "a": strength 0..1}``.

    Tokens that carry a LIME weight (compared lower-cased, as the network's tokens are) get that
    weight; everything else is plain text. The segments are plain strings: the template escapes
    them, so markup in a review is shown as text.
    """
    w = {}
    for word, weight in weights:
        w.setdefault(str(word).lower(), float(weight))
    top = max((abs(v) for v in w.values()), default=0.0) or 1.0
    pattern = _token_pattern(w)
    out: list[dict[str, Any]] = []
    pos = 0
    for m in pattern.finditer(text) if pattern else ():
        weight = w[m.group(0).lower()]
        if m.start() > pos:
            out.append({"t": text[pos : m.start()], "w": None, "a": 0.0})
        out.append({"t": m.group(0), "w": weight, "a": round(0.25 + 0.75 * abs(weight) / top, 3)})
        pos = m.end()
    if pos < len(text):
        out.append({"t": text[pos:], "w": None, "a": 0.0})
    return out


def lime_section(
    explanations: dict, figure_dir: str | Path, polarity_texts: dict | None = None
) -> list[dict[str, Any]]:
    """One entry per explained text: its figure, the text cut into highlighted segments, and
    (``polarity_texts``: :func:`sentclust.report.polarity.text_polarity`) the polarity of its
    segments when the text is one of the config's segmented texts (matched by text)."""
    figure_dir = Path(figure_dir)
    out = []
    for item in explanations.get("explanations", []):
        label = item.get("label")
        out.append(
            {
                "category": str(item.get("category", "")).replace("_", " "),
                "source": item.get("source"),
                "review_id": item.get("review_id"),
                "label": SENTIMENT.get(label, "–") if label is not None else "–",
                "rating": item.get("rating"),
                "p_positive": finite(item.get("p_positive")),
                "figure": file_uri(figure_dir / Path(item.get("figure", "")).name),
                "segments": highlight_segments(item.get("text", ""), item.get("weights", [])),
                "weights": [(str(w), float(v)) for w, v in item.get("weights", [])],
                "polarity": match_text(polarity_texts, item.get("text", "")),
            }
        )
    return out


def headline(ctx: dict[str, Any]) -> list[dict[str, str]]:
    """The numbers people look for first: ``{"label", "value", "detail"}`` each."""
    net = ctx["network"]
    out = [{"label": "reviews", "value": fmt(ctx["data"]["n_reviews"]), "detail": ""}]
    if net:  # a corpus without labels has no network
        out.append(
            {
                "label": "word-embedding network, test split",
                "value": f"accuracy {fmt(net['accuracy'])}",
                "detail": f"ROC AUC {fmt(net['roc_auc'])}",
            }
        )
    for k in ctx["kinds"]:
        m = k["chosen_metrics"]
        chosen = next((r for r in k["finegrained"] if r["chosen"]), None)
        out.append(
            {
                "label": f"{k['kind']}: chosen k",
                "value": f"k = {k['chosen_k']} ({k['chosen_by']})",
                "detail": f"purity {fmt(m.get('purity'))} · ARI {fmt(m.get('ari'))} · "
                f"NMI {fmt(m.get('nmi'))} · rating rho "
                f"{fmt(chosen['rho_test'] if chosen else None)}",
            }
        )
    polarity = headline_item(ctx.get("polarity"))
    return out + ([polarity] if polarity else [])
