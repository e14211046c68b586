"""The optional 'Scaling with corpus size' section (config report.scaling names the folder that
tests/benchmarks/scaling.py wrote)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .format import data_uri, finite

SCALING_TARGET = 1.15  # the slope target, also used by tests/benchmarks/scaling.py


def _slope_row(r: pd.Series) -> dict[str, Any]:
    return {
        "stage": str(r["stage"]),
        "slope": finite(r["slope"]),
        "slope_last": finite(r.get("slope_last_doubling")),
        "seconds_at_largest_n": finite(r["seconds_at_largest_n"]),
        "held": bool(r["held_to_target"]),
        "meets": None if pd.isna(r["meets_target"]) else bool(r["meets_target"]),
    }


def scaling_section(table_path, slopes_path, figure_path, *, source: str = "") -> dict[str, Any]:
    """The figure and tables written by tests/benchmarks/scaling.py (stage x n seconds, slopes)."""
    table = pd.read_csv(table_path, sep="\t", index_col=0)
    slopes = pd.read_csv(slopes_path, sep="\t")
    rows = [_slope_row(r) for _, r in slopes.iterrows()]
    return {
        "source": source,
        "figure": data_uri(figure_path),
        "sizes": [int(float(c)) for c in table.columns],
        "rows": [
            {"stage": str(stage), "seconds": [finite(v) for v in row.to_numpy()]}
            for stage, row in table.iterrows()
        ],
        "slopes": rows,
        "target": SCALING_TARGET,
        "n_held": sum(r["held"] for r in rows),
        "over_target": [r["stage"] for r in rows if r["meets"] is False],
    }


def scaling_of(files: Sequence | None) -> dict[str, Any] | None:
    """The section from a scaling.py folder's (table, slopes, figure), or None without them."""
    if not files:
        return None
    table_path, slopes_path, figure_path = files
    return scaling_section(
        table_path, slopes_path, figure_path, source=str(Path(table_path).parent)
    )
