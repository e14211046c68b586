"""Seaborn figures of the k-sweep and the fine-grained clusters (PNG, headless)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from sentclust.files import atomic_path

sns.set_theme(style="whitegrid", context="notebook")


def save(fig, path, **savefig_kw) -> None:
    """Write ``fig`` to a file path atomically (a killed writer leaves no half PNG at ``path``),
    or to a file object (PNG), and close it."""

    fig.tight_layout()
    if hasattr(path, "write"):
        fig.savefig(path, format="png", **savefig_kw)
    else:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=Path(path).suffix.lstrip(".") or "png", **savefig_kw)
    plt.close(fig)


def _save(fig, path) -> None:
    save(fig, path, dpi=100)


def sweep_curve(
    table: pd.DataFrame,
    column: str,
    *,
    title: str,
    chosen: int | None,
    marks: dict[str, int | None],
    path,
) -> None:
    """One metric against k, the chosen k and other criteria's picks marked."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    sns.lineplot(data=table, x="k", y=column, marker="o", ax=ax, color="#3465a4")
    for label, k in marks.items():
        if k is not None:
            ax.axvline(k, ls=":", color="#888", lw=1)
            ax.text(k, ax.get_ylim()[1], f" {label}", rotation=90, va="top", fontsize=8)
    if chosen is not None:
        row = table[table["k"] == chosen]
        ax.scatter(
            row["k"],
            row[column],
            s=160,
            facecolors="none",
            edgecolors="#cc0000",
            lw=2,
            zorder=5,
            label=f"chosen k = {chosen}",
        )
        ax.legend(loc="best")
    ax.set_xticks(table["k"])
    ax.set_title(title, loc="left", fontsize=11)
    _save(fig, path)


def label_curves(table: pd.DataFrame, *, title: str, path) -> None:
    """Purity, ARI and NMI against k (test split when present)."""
    long = table.melt(id_vars="k", value_vars=["purity", "ari", "nmi"], var_name="metric")
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    sns.lineplot(data=long, x="k", y="value", hue="metric", marker="o", ax=ax)
    ax.set_xticks(table["k"])
    ax.set_title(title, loc="left", fontsize=11)
    _save(fig, path)


def heatmap(counts: pd.DataFrame, *, title: str, xlabel: str, path, row_labels=None) -> None:
    """Counts as a heatmap, each row normalised to shares (annotated with counts)."""
    shares = counts.div(counts.sum(axis=1).where(lambda s: s > 0, 1), axis=0)
    h = 1.2 + 0.45 * len(counts)
    w = 2.5 + 0.75 * counts.shape[1]
    fig, ax = plt.subplots(figsize=(min(w, 12), min(h, 9)))
    sns.heatmap(
        shares,
        annot=counts.values,
        fmt="d",
        cmap="RdYlGn",
        vmin=0,
        vmax=1,
        ax=ax,
        cbar_kws={"label": "share of the cluster"},
        yticklabels=row_labels if row_labels is not None else True,
    )
    ax.set_xlabel(xlabel)
    ax.set_ylabel("cluster")
    ax.set_title(title, loc="left", fontsize=11)
    _save(fig, path)


def _rating_axis(ax, scale, xlabel: str | None) -> None:
    """The x axis of a per-rating figure on the run's ``scale`` (its ratings, lowest first;
    ticks thinned to at most 11), labelled ``xlabel`` ("star rating (1-5)")."""
    values = list(scale)
    if values:
        step = max(1, -(-len(values) // 11))
        ax.set_xticks(values[::step])
        ax.set_xlim(values[0] - 0.5, values[-1] + 0.5)
    ax.set_xlabel(xlabel or "star rating")


def no_data(*, title: str, text: str, path) -> None:
    """A small figure that says why there is nothing to draw (``text``)."""
    fig, ax = plt.subplots(figsize=(6, 1.4))
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=11)
    ax.set_title(title, loc="left", fontsize=11)
    _save(fig, path)


def rating_by_cluster(
    df: pd.DataFrame,
    *,
    order: list[str],
    title: str,
    path,
    scale,
    xlabel: str,
) -> None:
    """Star-rating distribution per named cluster (sentiment order), as box plots, on the
    run's ``scale`` (its ratings) labelled ``xlabel``."""
    fig, ax = plt.subplots(figsize=(7, 1.2 + 0.5 * len(order)))
    sns.boxplot(
        data=df,
        y="name",
        x="rating",
        order=order,
        ax=ax,
        color="#9ecae1",
        showmeans=True,
        meanprops={"marker": "D", "markerfacecolor": "#cc0000"},
    )
    _rating_axis(ax, scale, xlabel)
    ax.set_ylabel("")
    ax.set_title(title, loc="left", fontsize=11)
    _save(fig, path)


def rating_counts(counts: pd.DataFrame, *, title: str, path) -> None:
    """Reviews per star rating, one bar colour per split (``counts``: split, rating, n)."""
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    sns.barplot(data=counts, x="rating", y="n", hue="split", ax=ax, palette="Set2")
    sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1), title="split")
    ax.set_xlabel("star rating")
    ax.set_ylabel("reviews")
    ax.set_title(title, loc="left", fontsize=11)
    _save(fig, path)


def learning_curves(history: dict[str, list[float]], *, best_epoch: int | None, title: str, path):
    """Loss and accuracy per epoch, training and validation, the kept epoch marked."""
    rows = []
    for key, values in history.items():
        metric = key.removeprefix("val_")
        subset = "validation" if key.startswith("val_") else "training"
        rows += [
            {"epoch": i + 1, "metric": metric, "subset": subset, "value": v}
            for i, v in enumerate(values)
        ]
    long = pd.DataFrame(rows)
    metrics = [m for m in ("loss", "accuracy") if m in set(long["metric"])]
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.4), squeeze=False)
    for ax, metric in zip(axes[0], metrics, strict=True):
        part = long[long["metric"] == metric]
        sns.lineplot(data=part, x="epoch", y="value", hue="subset", marker="o", ax=ax)
        if best_epoch:
            ax.axvline(best_epoch, ls=":", color="#cc0000", lw=1.5, label="kept")
        ax.set_ylabel(metric)
        ax.set_xticks(sorted(part["epoch"].unique()))
        ax.legend(loc="best", fontsize=8)
    fig.suptitle(title, x=0.01, ha="left", fontsize=11)
    _save(fig, path)


def projection_scatter(
    points: pd.DataFrame,
    *,
    cluster_order: list[str],
    title: str,
    path,
    axis_names: tuple[str, str] = ("component 1", "component 2"),
):
    """Two panels of the same 2-D points (x, y): coloured by cluster name and by label."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharex=True, sharey=True)
    size = 6 if len(points) > 2000 else 14
    palette = sns.color_palette("RdYlGn", n_colors=max(len(cluster_order), 2))
    if len(cluster_order) == 1:
        palette = palette[-1:]
    sns.scatterplot(
        data=points,
        x="x",
        y="y",
        hue="cluster",
        hue_order=cluster_order,
        palette=palette[: len(cluster_order)],
        s=size,
        linewidth=0,
        alpha=0.7,
        ax=axes[0],
    )
    sns.scatterplot(
        data=points,
        x="x",
        y="y",
        hue="label",
        hue_order=["negative", "positive"],
        palette={"negative": "#d7301f", "positive": "#1a9850"},
        s=size,
        linewidth=0,
        alpha=0.7,
        ax=axes[1],
    )
    axes[0].set_title("coloured by cluster", loc="left", fontsize=10)
    axes[1].set_title("coloured by label", loc="left", fontsize=10)
    for ax in axes:
        ax.legend(loc="best", fontsize=8, markerscale=2)
        ax.set_xlabel(axis_names[0])
    axes[0].set_ylabel(axis_names[1])
    fig.suptitle(title, x=0.01, ha="left", fontsize=11)
    _save(fig, path)


def polarity_by_rating(
    curve: pd.DataFrame,
    *,
    title: str,
    path,
    scale,
    xlabel: str,
) -> None:
    """Dual-polarity share and mean spread of segment scores per star rating (``curve``:
    rating, dual_polarity_share, spread_std_mean), side by side, on the run's ``scale``
    labelled ``xlabel``; ratings missing from the data (IMDB's 5 and 6) stay a gap."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    curve = curve.sort_values("rating")
    runs = (curve["rating"].diff() != 1).cumsum()  # a new line after each missing rating
    for ax, col, label in (
        (axes[0], "dual_polarity_share", "dual-polarity share"),
        (axes[1], "spread_std_mean", "mean spread (sd of segment scores)"),
    ):
        for _, part in curve.groupby(runs):
            sns.lineplot(data=part, x="rating", y=col, marker="o", ax=ax, color="#3465a4")
        _rating_axis(ax, scale, xlabel)
        ax.set_ylabel(label)
    axes[0].set_title(title, loc="left", fontsize=11)
    _save(fig, path)
