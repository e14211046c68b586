"""The level x aspect heatmap of one kind: net polarity per fine-grained level (rows, lowest
rank first, named) and aspect (columns, largest first), each cell with its segment count. The
aspects rule draws it (aspects/detail/levels_<kind>.png) and the report draws it again from
aspects.json with the same function (:func:`sentclust.aspects.summary.level_grid` makes the
grid)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def draw_heatmap(grid: Mapping[str, Any], *, path) -> None:
    """One kind's level x aspect net polarity (levels top to bottom lowest rank first), each
    cell annotated with its net polarity and segment count."""
    import numpy as np

    from sentclust import figures  # matplotlib and seaborn: only when drawing

    plt, sns = figures.plt, figures.sns
    net = np.array(
        [[np.nan if c["net"] is None else c["net"] for c in lv["cells"]] for lv in grid["levels"]]
    )
    notes = [
        [("" if c["net"] is None else f"{c['net']:+.2f}\n") + f"n={c['n']}" for c in lv["cells"]]
        for lv in grid["levels"]
    ]
    w = 4.0 + 1.1 * len(grid["aspects"])
    h = 2.6 + 0.6 * len(grid["levels"])
    fig, ax = plt.subplots(figsize=(min(w, 16), min(h, 12)))
    sns.heatmap(
        net,
        vmin=-1,
        vmax=1,
        cmap="RdBu",
        annot=np.array(notes, dtype=object),
        fmt="",
        annot_kws={"fontsize": 8},
        xticklabels=grid["aspects"],
        yticklabels=[lv["name"] for lv in grid["levels"]],
        cbar_kws={"label": "net polarity"},
        ax=ax,
    )
    ax.grid(False)  # an empty cell (no segments) stays blank
    ax.set_xlabel("aspect")
    ax.set_ylabel("level")
    ax.tick_params(axis="x", labelrotation=35)
    ax.tick_params(axis="y", labelrotation=0)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    ax.set_title(f"{grid['kind']}, k={grid['k']}: net polarity", loc="left", fontsize=11)
    figures.save(fig, path, dpi=100)
