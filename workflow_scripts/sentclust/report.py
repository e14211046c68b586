"""The aggregated report: one self-contained HTML page and a Markdown summary of a run.

:func:`collect` reads a finished run's outputs into a plain dictionary (figures become base64 PNG
data URIs), :func:`render_html` and :func:`render_summary` turn that dictionary into the page and
the summary. The page is rendered by Jinja2 with autoescaping on: review texts, cluster terms and
config values are always text, never markup. The page has no scripts, fetches nothing (a
Content-Security-Policy forbids it) and uses the system's fonts.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import math
import platform
import re
import subprocess
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

TEMPLATES = Path(__file__).parent / "templates"

#: packages whose versions the provenance section lists
PROVENANCE_PACKAGES = [
    "snakemake",
    "numpy",
    "pandas",
    "pyarrow",
    "scikit-learn",
    "scipy",
    "kneed",
    "nltk",
    "tensorflow-cpu",
    "tensorflow",
    "keras",
    "lime",
    "torch",
    "transformers",
    "sentence-transformers",
    "faiss-cpu",
    "cuml",
    "umap-learn",
    "matplotlib",
    "seaborn",
    "Jinja2",
]

#: the sections of the page, in order: (id, title); tests look for these ids
SECTIONS = [
    ("summary", "Headline numbers"),
    ("data", "Data"),
    ("network", "Word-embedding network"),
    ("lime", "LIME explanations"),
    ("clusters", "Clusters per embedding kind"),
    ("benchmarks", "Run time and memory per rule"),
    ("provenance", "Provenance"),
]

SENTIMENT = {0: "negative", 1: "positive"}


# ---------------------------------------------------------------- small helpers


def data_uri(png: bytes | str | Path) -> str:
    """A PNG (bytes or a file) as a ``data:image/png;base64,...`` URI."""
    data = png if isinstance(png, bytes) else Path(png).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def figure_uri(draw: Callable[..., None], *args, **kwargs) -> str:
    """Call a ``sentclust.figures`` function with an in-memory ``path``; its PNG as a data URI."""
    buf = io.BytesIO()
    draw(*args, path=buf, **kwargs)
    return data_uri(buf.getvalue())


def finite(x: Any) -> float | None:
    """``x`` as a float, or None when missing or not finite."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def fmt(x: Any, digits: int = 3) -> str:
    """A number for a table cell: ``digits`` decimals for floats, thousands separators for ints."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int | np.integer):
        return f"{int(x):,}"
    if isinstance(x, float | np.floating):
        return f"{float(x):,.{digits}f}"
    return str(x)


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


def git_info(directory: str | Path) -> dict[str, Any]:
    """The workflow's git commit and whether its checkout has uncommitted changes."""

    def git(*args):
        return subprocess.run(
            ["git", "-C", str(directory), *args], capture_output=True, text=True, timeout=30
        )

    try:
        head = git("rev-parse", "HEAD")
    except (OSError, subprocess.SubprocessError) as exc:
        return {"commit": None, "dirty": None, "note": f"git not available: {exc}"}
    if head.returncode != 0:
        return {"commit": None, "dirty": None, "note": "not a git checkout"}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": head.stdout.strip(),
        "dirty": bool(status.stdout.strip()) if status.returncode == 0 else None,
        "note": "",
    }


# ---------------------------------------------------------------- benchmarks


def read_benchmarks(bench_dir: str | Path) -> pd.DataFrame:
    """Every Snakemake benchmark file under ``bench_dir``: one row per job (the last repeat).

    Columns: rule (first path component, or the file's stem), job (the rest), seconds, max_rss_mb,
    cpu_time. Missing values (``-``) become NaN.
    """
    bench_dir = Path(bench_dir)
    rows = []
    for path in sorted(bench_dir.rglob("*.tsv")):
        rel = path.relative_to(bench_dir)
        try:
            df = pd.read_csv(path, sep="\t", na_values=["-", "NA"])
        except (pd.errors.EmptyDataError, pd.errors.ParserError):
            continue
        if df.empty or "s" not in df.columns:
            continue
        last = df.iloc[-1]
        rows.append(
            {
                "rule": rel.parts[0] if len(rel.parts) > 1 else path.stem,
                "job": "/".join(rel.with_suffix("").parts[1:]) or path.stem,
                "seconds": finite(last.get("s")),
                "max_rss_mb": finite(last.get("max_rss")),
                "cpu_time": finite(last.get("cpu_time")),
            }
        )
    return pd.DataFrame(rows, columns=["rule", "job", "seconds", "max_rss_mb", "cpu_time"])


def benchmark_summary(jobs: pd.DataFrame) -> pd.DataFrame:
    """Per rule: jobs, total and longest wall time, peak memory; longest total first."""
    if jobs.empty:
        return pd.DataFrame(columns=["rule", "jobs", "total_s", "max_s", "peak_rss_mb"])
    g = jobs.groupby("rule", sort=False)
    out = pd.DataFrame(
        {
            "jobs": g.size(),
            "total_s": g["seconds"].sum(min_count=1),
            "max_s": g["seconds"].max(),
            "peak_rss_mb": g["max_rss_mb"].max(),
        }
    ).reset_index()
    return out.sort_values("total_s", ascending=False, na_position="last").reset_index(drop=True)


def hms(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "–"
    s = int(round(seconds))
    return (
        f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


# ---------------------------------------------------------------- 2-D projection


def project_2d(
    x: np.ndarray, *, sample: int, seed: int, method: str = "auto"
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """(row indices of a seeded sample, their 2-D coordinates, a description).

    ``method``: ``pca``, ``umap`` (umap-learn must be installed) or ``auto`` (UMAP when it
    imports, PCA otherwise). PCA is fitted on every row, UMAP on the sample.
    """
    n = len(x)
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(n, size=min(sample, n), replace=False))
    if method == "auto":
        try:
            import umap  # noqa: F401

            method = "umap"
        except ImportError:
            method = "pca"
    if method == "umap":
        import umap

        reducer = umap.UMAP(n_components=2, random_state=seed)
        xy = reducer.fit_transform(x[rows])
        info = {"method": "umap", "fitted_on": len(rows)}
    elif method == "pca":
        from sklearn.decomposition import PCA

        if x.shape[1] < 2:
            xy = np.column_stack([x[rows, 0], np.zeros(len(rows))])
            info = {"method": "pca", "fitted_on": n, "explained_variance_ratio": [1.0, 0.0]}
        else:
            pca = PCA(n_components=2, random_state=seed).fit(x)
            xy = pca.transform(x[rows])
            info = {
                "method": "pca",
                "fitted_on": n,
                "explained_variance_ratio": [float(v) for v in pca.explained_variance_ratio_],
            }
    else:
        raise ValueError(f"unknown projection method {method!r} (auto, pca or umap)")
    info.update(n_points=len(rows), seed=seed)
    return rows, np.asarray(xy, dtype=np.float32), info


# ---------------------------------------------------------------- collecting a run


def _load(path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def data_section(ingest: dict, prepare: dict | None) -> dict[str, Any]:
    """Counts per split, label and rating (a table and a figure)."""
    from sentclust import figures

    splits = list(ingest["counts_per_split"])
    label_rows = []
    for split in splits:
        by_label = ingest.get("counts_per_split_label", {}).get(split, {})
        label_rows.append(
            {
                "split": split,
                "negative": int(by_label.get("0", 0)),
                "positive": int(by_label.get("1", 0)),
                "total": int(ingest["counts_per_split"][split]),
            }
        )
    ratings = sorted(
        {int(r) for by in ingest.get("counts_per_split_rating", {}).values() for r in by}
    )
    rating_rows = [
        {
            "split": split,
            "counts": [
                int(ingest.get("counts_per_split_rating", {}).get(split, {}).get(str(r), 0))
                for r in ratings
            ],
        }
        for split in splits
    ]
    figure = None
    if ratings:
        long = pd.DataFrame(
            [
                {"split": row["split"], "rating": r, "n": n}
                for row in rating_rows
                for r, n in zip(ratings, row["counts"], strict=True)
            ]
        )
        figure = figure_uri(figures.rating_counts, long, title="reviews per star rating")
    dup = ingest.get("duplicates", {})
    facts = [
        ("reviews", fmt(int(ingest["n_reviews"]))),
        ("source", f"{ingest.get('source')} ({ingest.get('format')})"),
        ("missing ratings", fmt(ingest.get("n_missing_rating"))),
        ("rating–label conflicts", fmt(ingest.get("rating_label_conflicts"))),
        ("duplicate-text rows", f"{fmt(dup.get('duplicate_text_rows'))} ({dup.get('policy')})"),
        ("median length (characters)", fmt(ingest.get("text_length_chars", {}).get("median"), 0)),
    ]
    if prepare:
        tokens = prepare.get("tokens_per_review") or prepare.get("n_tokens") or {}
        if isinstance(tokens, dict) and "median" in tokens:
            facts.append(("median tokens per review", fmt(tokens["median"], 0)))
    return {
        "n_reviews": int(ingest["n_reviews"]),
        "labels": label_rows,
        "ratings": ratings,
        "rating_rows": rating_rows,
        "figure": figure,
        "facts": facts,
    }


def network_section(metrics: dict, probes: dict[str, dict]) -> dict[str, Any]:
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


def lime_section(explanations: dict, figure_dir: str | Path) -> list[dict[str, Any]]:
    """One entry per explained text: its figure, the text cut into highlighted segments."""
    figure_dir = Path(figure_dir)
    out = []
    for item in explanations.get("explanations", []):
        fig = figure_dir / Path(item.get("figure", "")).name
        label = item.get("label")
        out.append(
            {
                "category": str(item.get("category", "")).replace("_", " "),
                "source": item.get("source"),
                "review_id": item.get("review_id"),
                "label": SENTIMENT.get(label, "–") if label is not None else "–",
                "rating": item.get("rating"),
                "p_positive": finite(item.get("p_positive")),
                "figure": data_uri(fig) if fig.is_file() else None,
                "segments": highlight_segments(item.get("text", ""), item.get("weights", [])),
                "weights": [(str(w), float(v)) for w, v in item.get("weights", [])],
            }
        )
    return out


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
    figure_dir = Path(figure_dir)

    def fig(name):
        p = figure_dir / name
        return data_uri(p) if p.is_file() else None

    chosen = choice["k"]
    shown_k = [chosen] + [k for k in explore if k != chosen and k in set(sweep["k"])]
    overlaps = [
        {
            "k": k,
            "chosen": k == chosen,
            "labels": fig(f"overlap_labels_k{k}.png"),
            "ratings": fig(f"overlap_ratings_k{k}.png"),
        }
        for k in shown_k
    ]
    results = []
    for r in finegrained.get("results", []):
        clusters = [
            {
                "name": c["name"],
                "id": c.get("cluster"),
                "size": int(c["size"]),
                "positive_share": finite(c.get("positive_share")),
                "mean_rating": finite(c.get("mean_rating")),
                "terms": ", ".join(c.get("terms", [])),
                "nearest": list(
                    zip(c.get("nearest_review_ids", []), c.get("nearest_texts", []), strict=False)
                ),
            }
            for c in r["clusters"]
        ]
        check_all = r.get("rating_check_all") or {}
        check_test = r.get("rating_check_test") or {}
        results.append(
            {
                "k": r["k"],
                "chosen": bool(r.get("chosen")),
                "clusters": clusters,
                "rho_all": finite(check_all.get("spearman_rho")),
                "rho_test": finite(check_test.get("spearman_rho")),
                "one_star_in_lowest": finite(check_all.get("one_star_in_lowest")),
                "ten_star_in_highest": finite(check_all.get("ten_star_in_highest")),
                "mean_rating_increasing": check_all.get("mean_rating_increasing"),
            }
        )
    columns = [
        c
        for c in (
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
        if c in sweep.columns
    ]
    rows = sweep[columns].to_dict(orient="records")
    chosen_row = {c: None for c in ("purity", "ari", "nmi", "silhouette")}
    chosen_row.update(next((r for r in rows if r["k"] == chosen), {}))
    rules = choice.get("rules", {})
    picks = [
        {"criterion": c, "k": k, "rule": rules.get(c, ""), "chosen": c == choice.get("chosen_by")}
        for c, k in choice.get("picks", {}).items()
    ]
    return {
        "kind": kind,
        "supervision": choice.get("supervision", ""),
        "chosen_k": chosen,
        "rule": choice.get("rule", ""),
        "criterion": choice.get("criterion"),
        "chosen_by": choice.get("chosen_by"),
        "fallback": choice.get("fallback"),
        "picks": picks,
        "elbow": fig("elbow.png"),
        "silhouette": fig("silhouette.png"),
        "labels_curve": fig("labels.png"),
        "overlaps": overlaps,
        "sweep_columns": columns,
        "sweep": rows,
        "chosen_metrics": chosen_row,
        "finegrained": results,
        "rating_figure": data_uri(rating_figure) if Path(rating_figure).is_file() else None,
        "projection": data_uri(projection_figure)
        if projection_figure and Path(projection_figure).is_file()
        else None,
        "projection_info": projection_info or {},
        "probe_accuracy": finite((probe or {}).get("accuracy")),
    }


def headline(ctx: dict[str, Any]) -> list[dict[str, str]]:
    """The numbers people look for first: ``{"label", "value", "detail"}`` each."""
    net = ctx["network"]
    out = [
        {"label": "reviews", "value": fmt(ctx["data"]["n_reviews"]), "detail": ""},
        {
            "label": "word-embedding network, test split",
            "value": f"accuracy {fmt(net['accuracy'])}",
            "detail": f"ROC AUC {fmt(net['roc_auc'])}",
        },
    ]
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
    return out


#: the optional section of a scaling run's report (config report.scaling)
SCALING_SECTION = ("scaling", "Scaling with corpus size")
SCALING_TARGET = 1.15  # the slope target, also used by tests/benchmarks/scaling.py


def scaling_section(table_path, slopes_path, figure_path, *, source: str = "") -> dict[str, Any]:
    """The figure and tables written by tests/benchmarks/scaling.py (stage x n seconds, slopes)."""
    table = pd.read_csv(table_path, sep="\t", index_col=0)
    slopes = pd.read_csv(slopes_path, sep="\t")
    sizes = [int(float(c)) for c in table.columns]
    rows = [
        {
            "stage": str(r["stage"]),
            "slope": finite(r["slope"]),
            "slope_last": finite(r.get("slope_last_doubling")),
            "seconds_at_largest_n": finite(r["seconds_at_largest_n"]),
            "held": bool(r["held_to_target"]),
            "meets": None if pd.isna(r["meets_target"]) else bool(r["meets_target"]),
        }
        for _, r in slopes.iterrows()
    ]
    return {
        "source": source,
        "figure": data_uri(figure_path),
        "sizes": sizes,
        "rows": [
            {"stage": str(stage), "seconds": [finite(v) for v in row.to_numpy()]}
            for stage, row in table.iterrows()
        ],
        "slopes": rows,
        "target": SCALING_TARGET,
        "n_held": sum(r["held"] for r in rows),
        "over_target": [r["stage"] for r in rows if r["meets"] is False],
    }


def encoding_note(bert_summary: dict) -> str | None:
    """How the shards were encoded, e.g. 'cpu, openvino, bfloat16: 8 shard(s), 52.1 reviews/s'."""
    shards = bert_summary.get("shards") or []
    if not shards:
        return None
    ways = sorted(
        {
            ", ".join(str(s[k]) for k in ("device", "backend", "precision") if s.get(k))
            for s in shards
        }
    )
    rate = bert_summary.get("reviews_per_second")
    tail = f", {rate} reviews/s per job" if rate else ""
    return f"{'; '.join(ways)}: {len(shards)} shard(s){tail}"


def collect(
    *,
    ingest_summary,
    prepare_summary,
    wordvec_metrics,
    explanations,
    explain_figures,
    kinds: Sequence[str],
    probes: Sequence,
    choices: Sequence,
    sweeps: Sequence,
    figure_dirs: Sequence,
    finegrained: Sequence,
    rating_figures: Sequence,
    projection_figures: Sequence,
    projection_infos: Sequence,
    bench_dir,
    config: dict,
    explore: Sequence[int],
    bert_summary=None,
    scaling=None,
    workflow_dir=None,
    results_dir: str = "",
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Everything the page shows, read from a finished run's files (lists aligned with kinds)."""
    import yaml

    from sentclust.files import package_versions

    probe_docs = {kind: _load(p) for kind, p in zip(kinds, probes, strict=True)}
    ctx: dict[str, Any] = {
        "title": "Fine-grained sentiment by clustering",
        "results_dir": results_dir,
        "sections": SECTIONS,
    }
    ctx["data"] = data_section(
        _load(ingest_summary), _load(prepare_summary) if prepare_summary else None
    )
    ctx["network"] = network_section(_load(wordvec_metrics), probe_docs)
    ctx["lime"] = lime_section(_load(explanations), explain_figures)
    ctx["kinds"] = [
        kind_section(
            kind,
            choice=_load(choice),
            sweep=pd.read_csv(sweep, sep="\t"),
            figure_dir=fdir,
            finegrained=_load(fg),
            rating_figure=rfig,
            projection_figure=pfig,
            projection_info=_load(pinfo) if pinfo else None,
            probe=probe_docs.get(kind),
            explore=explore,
        )
        for kind, choice, sweep, fdir, fg, rfig, pfig, pinfo in zip(
            kinds,
            choices,
            sweeps,
            figure_dirs,
            finegrained,
            rating_figures,
            projection_figures,
            projection_infos,
            strict=True,
        )
    ]
    jobs = read_benchmarks(bench_dir) if bench_dir and Path(bench_dir).is_dir() else None
    if jobs is None:
        jobs = read_benchmarks("/nonexistent")
    summary = benchmark_summary(jobs)
    ctx["benchmarks"] = {
        "rules": summary.to_dict(orient="records"),
        "jobs": jobs.sort_values(["rule", "job"]).to_dict(orient="records"),
        "total_s": finite(jobs["seconds"].sum()) if len(jobs) else None,
        "n_jobs": len(jobs),
    }
    ctx["scaling"] = None
    if scaling:  # (table, slopes, figure) of a scaling.py folder: config report.scaling
        table_path, slopes_path, figure_path = scaling
        ctx["scaling"] = scaling_section(
            table_path, slopes_path, figure_path, source=str(Path(table_path).parent)
        )
        ctx["sections"] = [*SECTIONS[:-1], SCALING_SECTION, SECTIONS[-1]]
    bert = _load(bert_summary) if bert_summary else {}
    now = now or dt.datetime.now(dt.UTC)
    ctx["provenance"] = {
        "date": now.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "seed": config.get("seed"),
        "git": git_info(workflow_dir) if workflow_dir else {"commit": None, "note": "unknown"},
        "versions": [(k, v) for k, v in package_versions(PROVENANCE_PACKAGES).items()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "config_yaml": yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        "bert_model": bert.get("model") or config.get("bert", {}).get("model"),
        "bert_dimensions": bert.get("dimensions"),
        "bert_encoding": encoding_note(bert),
    }
    ctx["headline"] = headline(ctx)
    return ctx


# ---------------------------------------------------------------- rendering


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
    env.filters["pct"] = lambda x: "–" if finite(x) is None else f"{100 * float(x):.1f}%"
    env.filters["hms"] = hms
    return env


def render_html(ctx: dict[str, Any]) -> str:
    """The self-contained page (figures embedded, no scripts, no external resources)."""
    return _environment().get_template("report.html.j2").render(**ctx)


def _md(text: Any) -> str:
    """A value for a Markdown table cell: no pipes, no line breaks, no markup."""
    s = str(text).replace("|", "\\|").replace("\n", " ")
    return s.replace("<", "&lt;").replace(">", "&gt;")


def render_summary(ctx: dict[str, Any]) -> str:
    """The headline numbers as Markdown (for terminals and diffs; no timings, no date)."""
    lines = [f"# {ctx['title']}: summary", ""]
    for h in ctx["headline"]:
        detail = f"; {h['detail']}" if h["detail"] else ""
        lines.append(f"- **{_md(h['label'])}**: {_md(h['value'])}{_md(detail)}")
    lines += ["", "## Choice of k and agreement with the labels (test split, chosen k)", ""]
    lines += [
        "| kind | supervision | k | chosen by | purity | ARI | NMI | rho (test) | probe accuracy |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for k in ctx["kinds"]:
        m = k["chosen_metrics"]
        chosen = next((r for r in k["finegrained"] if r["chosen"]), {})
        lines.append(
            "| "
            + " | ".join(
                _md(v)
                for v in (
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
            + " |"
        )
    for k in ctx["kinds"]:
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
                    f"| {_md(c['name'])} | {c['size']:,} | {fmt(c['positive_share'])} | "
                    f"{fmt(c['mean_rating'], 2)} | {_md(c['terms'])} |"
                )
    sc = ctx.get("scaling")
    if sc:
        lines += [
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
                f"| {_md(r['stage'])} | {fmt(r['slope'], 2)} | {fmt(r['slope_last'], 2)} | "
                f"{fmt(r['seconds_at_largest_n'], 1)} | {held} |"
            )
    lines += ["", "The full report, figures included: report.html beside this file.", ""]
    return "\n".join(lines)
