"""What the report shows of the aspects (for the lead to wire into sentclust.report): the aspect
table's rows from aspects.json and the level x aspect heatmaps' paths."""

from __future__ import annotations

from pathlib import Path


def _share(value) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def report_rows(doc: dict, *, terms: int = 5) -> list[dict]:
    """One row per aspect, largest first: name, its first ``terms`` terms, size (count and share
    of the segments), and where the run has labels its positive / negative shares and rating
    rho (None for no value)."""
    total = sum(a["size"] for a in doc["aspects"]) or 1
    pol = {p["aspect"]: p for p in doc.get("polarity", [])}
    rows = []
    for a in sorted(doc["aspects"], key=lambda a: (-a["size"], a["aspect"])):
        p = pol.get(a["aspect"], {})
        rho = p.get("rating_rho")
        rows.append(
            {
                "aspect": a["aspect"],
                "name": a["name"],
                "terms": ", ".join(a["terms"][:terms]),
                "size": a["size"],
                "share": _share(a["size"] / total),
                "positive": _share(p.get("positive_share")),
                "negative": _share(p.get("negative_share")),
                "rating_rho": None if rho is None else round(rho, 2),
            }
        )
    return rows


def heatmap_paths(doc: dict, detail_dir) -> dict[str, Path]:
    """Per kind, the level x aspect heatmap PNG the aspects rule drew (none without labels)."""
    return {kind: Path(detail_dir) / f"levels_{kind}.png" for kind in doc.get("levels", {})}
