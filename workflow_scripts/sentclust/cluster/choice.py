"""Choosing k from the sweep (rule choose_k): the sweep table built from the jobs' metrics
records, every criterion's pick (Kneedle elbow, silhouette, Calinski-Harabasz,
Davies-Bouldin), the chosen k with its rule, and the figures (curves, overlap heatmaps)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sentclust.cluster.errors import ClusterInputError
from sentclust.files import atomic_dir, atomic_path

CRITERIA = ("elbow", "silhouette", "calinski_harabasz", "davies_bouldin")
#: the sweep table's label metrics: None in every row of a corpus without labels
LABEL_METRICS = ("purity", "ari", "nmi", "v_measure")

# --------------------------------------------------------------------------- the sweep table


def sweep_row(m: dict) -> dict:
    """One row of the sweep table from one job's metrics record (metrics.json): label metrics
    and the rating correlation of the test split where there is one, else of all reviews."""
    lab = m["labels_test"] or m["labels_all"] or dict.fromkeys(LABEL_METRICS)
    return {
        "k": m["k"],
        "inertia": m["inertia"],
        "silhouette": m["silhouette"],
        "calinski_harabasz": m["calinski_harabasz"],
        "davies_bouldin": m["davies_bouldin"],
        "purity": lab["purity"],
        "ari": lab["ari"],
        "nmi": lab["nmi"],
        "v_measure": lab["v_measure"],
        "rating_spearman": m["rating_spearman_test"]
        if m["rating_spearman_test"] is not None
        else m["rating_spearman_all"],
        "stability_ari_mean": m["stability"]["mean"] if m["stability"] else None,
        "seconds": m["seconds"],
        "backend": m["backend"],
    }


def sweep_table(metrics_paths: Sequence) -> pd.DataFrame:
    """The sweep table: one :func:`sweep_row` per metrics file, sorted by k."""
    rows = [sweep_row(json.loads(Path(path).read_text())) for path in metrics_paths]
    return pd.DataFrame(rows).sort_values("k").reset_index(drop=True)


def write_sweep_table(table: pd.DataFrame, path) -> None:
    """The sweep table as TSV, written atomically."""

    with atomic_path(path) as tmp:
        table.to_csv(tmp, sep="\t", index=False)


# --------------------------------------------------------------------------- choosing k


def kneedle_elbow(ks, inertias) -> int | None:
    """The elbow of a decreasing, convex inertia curve by the Kneedle method (None if undefined)."""
    ks = np.asarray(ks, dtype=float)
    y = np.asarray(inertias, dtype=float)
    if len(ks) < 3 or not np.isfinite(y).all():
        return None
    order = np.argsort(ks)
    from kneed import KneeLocator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kneed warns when there is no knee; we return None
        knee = KneeLocator(ks[order], y[order], curve="convex", direction="decreasing", S=1.0).knee
    return None if knee is None else int(round(float(knee)))


_RULES = {
    "elbow": "the elbow of the inertia curve (Kneedle, convex and decreasing)",
    "silhouette": "the k with the largest (sampled) silhouette",
    "calinski_harabasz": "the k with the largest Calinski-Harabasz index",
    "davies_bouldin": "the k with the smallest Davies-Bouldin index",
}
#: When the elbow is undefined (a curve with no knee), k is chosen by this criterion instead.
ELBOW_FALLBACK = "silhouette"


def choose_k(table: pd.DataFrame, criterion: str) -> dict:
    """Every criterion's pick side by side, and the k chosen by ``criterion`` with its rule.

    ``table`` has one row per k with columns ``k``, ``inertia``, ``silhouette``,
    ``calinski_harabasz`` and ``davies_bouldin`` (more are ignored). Ties go to the smaller k.
    """
    if criterion not in CRITERIA:
        raise ClusterInputError(
            f"choose_k.criterion={criterion!r}: use one of {', '.join(CRITERIA)}"
        )
    missing = [c for c in ("k", "inertia", *CRITERIA[1:]) if c not in table.columns]
    if missing:
        raise ClusterInputError(f"the k-sweep table lacks columns {missing}")
    t = table.sort_values("k").reset_index(drop=True)
    if t["k"].duplicated().any():
        raise ClusterInputError("the k-sweep table has a k more than once")

    def pick(col: str, best: str) -> int | None:
        s = t[col].astype(float)
        if s.isna().all():
            return None
        i = s.idxmax() if best == "max" else s.idxmin()
        return int(t.loc[i, "k"])

    picks = {
        "elbow": kneedle_elbow(t["k"], t["inertia"]),
        "silhouette": pick("silhouette", "max"),
        "calinski_harabasz": pick("calinski_harabasz", "max"),
        "davies_bouldin": pick("davies_bouldin", "min"),
    }
    used, fallback = criterion, None
    if picks[criterion] is None:
        order = [c for c in (ELBOW_FALLBACK, *CRITERIA) if c != criterion]
        used = next((c for c in order if picks[c] is not None), None)
        fallback = f"{criterion} is undefined for this curve" + (
            f"; fell back to {used}: {_RULES[used]}" if used else "; no criterion defined k"
        )
    return {
        "criterion": criterion,
        "k": picks[used] if used else None,
        "rule": _RULES[used] if used else None,
        "chosen_by": used,
        "fallback": fallback,
        "picks": picks,
        "rules": dict(_RULES),
        "ks": [int(k) for k in t["k"]],
    }


# --------------------------------------------------------------------------- figures

#: the sweep's curves: (column, file name, title, label of the criterion's pick)
CURVES = (
    ("inertia", "elbow", "inertia (elbow by Kneedle)", "elbow"),
    ("silhouette", "silhouette", "silhouette (sampled)", "max"),
    ("calinski_harabasz", "calinski_harabasz", "Calinski-Harabasz", "max"),
    ("davies_bouldin", "davies_bouldin", "Davies-Bouldin", "min"),
)


def curve_figures(out: Path, table: pd.DataFrame, choice: dict, *, kind: str) -> None:
    """``out``/<name>.png for each of :data:`CURVES`, the chosen k and the criterion's pick
    marked, and ``labels.png`` (the clusters against the labels along k)."""
    # matplotlib and seaborn: only when drawing
    from sentclust import figures

    for column, name, title, mark in CURVES:
        criterion = "elbow" if column == "inertia" else column
        figures.sweep_curve(
            table,
            column,
            title=f"{kind}: {title}",
            chosen=choice["k"],
            marks={mark: choice["picks"][criterion]},
            path=out / f"{name}.png",
        )
    if "purity" in table and table["purity"].isna().all():
        return  # no labels: no label curves
    figures.label_curves(
        table,
        title=f"{kind}: clusters against the labels (test split)",
        path=out / "labels.png",
    )


def overlap_figures(out: Path, *, kind: str, k: int, by_label_path, by_rating_path) -> None:
    """``out``/overlap_labels_k<k>.png and overlap_ratings_k<k>.png: heatmaps of one k's
    contingency tables (the kmeans rule's Parquet files)."""
    # matplotlib and seaborn: only when drawing
    from sentclust import figures

    by_label = pd.read_parquet(by_label_path).set_index("cluster")
    by_label.columns = ["negative" if c == "0" else "positive" for c in by_label.columns]
    if len(by_label.columns):  # no labels: no label heatmap
        figures.heatmap(
            by_label,
            title=f"{kind}, k{k}: clusters x labels",
            xlabel="label",
            path=out / f"overlap_labels_k{k}.png",
        )
    by_rating = pd.read_parquet(by_rating_path).set_index("cluster")
    if len(by_rating.columns):  # no ratings: no rating heatmap
        figures.heatmap(
            by_rating,
            title=f"{kind}, k{k}: clusters x star ratings",
            xlabel="rating",
            path=out / f"overlap_ratings_k{k}.png",
        )


def write_figures(
    folder, table: pd.DataFrame, choice: dict, *, kind: str, ks, by_label, by_rating
) -> list[str]:
    """Fill ``folder`` atomically with the curve figures and one pair of overlap heatmaps per
    k (``ks`` in the order of the ``by_label`` and ``by_rating`` files); the file names, sorted.
    """

    with atomic_dir(folder) as out:
        curve_figures(out, table, choice, kind=kind)
        for k, lab_path, rat_path in zip(ks, by_label, by_rating, strict=True):
            overlap_figures(out, kind=kind, k=k, by_label_path=lab_path, by_rating_path=rat_path)
    return sorted(p.name for p in Path(folder).iterdir())
