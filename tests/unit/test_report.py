"""The report's logic: escaping, self-containment, benchmarks, 2-D projection, summary."""

import base64
import io
import json

import numpy as np
import pandas as pd
import pytest
from browser import tags_of

from sentclust import report

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
EVIL = f"Great film {SCRIPT} and {IMG} &amp; more | pipes"


def tiny_png() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1, 1))
    ax.plot([0, 1], [0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=20)
    plt.close(fig)
    return buf.getvalue()


def make_context(tmp_path, text=EVIL):
    """A context built through the section functions from small synthetic inputs."""
    png = tiny_png()
    figs = tmp_path / "figures"
    figs.mkdir()
    for name in ("elbow", "silhouette", "labels", "overlap_labels_k2", "overlap_ratings_k2"):
        (figs / f"{name}.png").write_bytes(png)
    (tmp_path / "rating.png").write_bytes(png)
    (tmp_path / "lime.png").write_bytes(png)
    ctx = {"title": "Report <test>", "results_dir": "results/x", "sections": report.SECTIONS}
    ctx["data"] = report.data_section(
        {
            "n_reviews": 4,
            "source": "a <b>source</b>",
            "format": "parquet",
            "counts_per_split": {"train": 2, "test": 2},
            "counts_per_split_label": {"train": {"0": 1, "1": 1}, "test": {"0": 1, "1": 1}},
            "counts_per_split_rating": {"train": {"1": 1, "10": 1}, "test": {"2": 1, "9": 1}},
            "duplicates": {"policy": "keep", "duplicate_text_rows": 0},
            "text_length_chars": {"median": 120.5},
        },
        {"tokens_per_review": {"median": 30.0}},
    )
    ctx["network"] = report.network_section(
        {
            "test": {"accuracy": 0.9, "roc_auc": 0.95, "n": 2},
            "training": {
                "epochs_run": 2,
                "best_epoch": 1,
                "history": {
                    "loss": [0.6, 0.4],
                    "val_loss": [0.65, 0.5],
                    "accuracy": [0.7, 0.8],
                    "val_accuracy": [0.6, 0.7],
                },
            },
            "params": {"embedding_dim": 8},
        },
        {"bert": {"accuracy": 0.8, "roc_auc": 0.85, "dimensions": 4}},
    )
    ctx["lime"] = report.lime_section(
        {
            "explanations": [
                {
                    "source": "config text",
                    "category": "user text",
                    "review_id": None,
                    "label": None,
                    "p_positive": 0.7,
                    "text": text,
                    "weights": [["great", 0.2], ["alert", -0.1]],
                    "figure": "figures/lime.png",
                }
            ]
        },
        tmp_path,
    )
    sweep = pd.DataFrame(
        {"k": [2, 3], "inertia": [10.0, 8.0], "silhouette": [0.3, 0.2], "purity": [0.7, 0.6]}
    )
    cluster = {
        "name": "very <i>negative</i>",
        "size": 2,
        "positive_share": 0.0,
        "mean_rating": 1.5,
        "terms": ["bad", "<b>"],
        "nearest_review_ids": ["r<1>"],
        "nearest_texts": [text],
    }
    ctx["kinds"] = [
        report.kind_section(
            "bert",
            choice={
                "k": 2,
                "rule": "the elbow",
                "chosen_by": "elbow",
                "criterion": "elbow",
                "supervision": "unsupervised: no labels",
                "picks": {"elbow": 2, "silhouette": 2},
                "rules": {"elbow": "the elbow", "silhouette": "the max"},
            },
            sweep=sweep,
            figure_dir=figs,
            finegrained={
                "results": [
                    {
                        "k": 2,
                        "chosen": True,
                        "clusters": [cluster],
                        "rating_check_all": {"spearman_rho": 0.5},
                        "rating_check_test": {"spearman_rho": 0.4},
                    }
                ]
            },
            rating_figure=tmp_path / "rating.png",
            projection_figure=tmp_path / "rating.png",
            projection_info={
                "method": "pca",
                "n_points": 4,
                "explained_variance_ratio": [0.5, 0.2],
            },
            probe={"accuracy": 0.8},
            explore=[2, 3],
        )
    ]
    jobs = report.read_benchmarks(tmp_path / "no-benchmarks")
    ctx["benchmarks"] = {
        "rules": report.benchmark_summary(jobs).to_dict(orient="records"),
        "jobs": [],
        "total_s": None,
        "n_jobs": 0,
    }
    ctx["provenance"] = {
        "date": "2026-01-01 00:00:00 UTC",
        "seed": 42,
        "git": {"commit": "abc123", "dirty": False, "note": ""},
        "versions": [("numpy", "2.0"), ("umap-learn", "missing")],
        "python": "3.11",
        "platform": "linux",
        "config_yaml": f"explain:\n  texts:\n  - '{text}'\ninput_url: https://example.org/x.tar.gz\n",
        "bert_model": "m",
        "bert_dimensions": 4,
    }
    ctx["headline"] = report.headline(ctx)
    return ctx


def test_highlight_segments_keep_the_text_and_mark_weighted_words():
    segs = report.highlight_segments("A great film. GREAT!", [["great", 0.5], ["film", -0.25]])
    assert "".join(s["t"] for s in segs) == "A great film. GREAT!"
    marked = [(s["t"], s["w"]) for s in segs if s["w"] is not None]
    assert marked == [("great", 0.5), ("film", -0.25), ("GREAT", 0.5)]
    assert max(s["a"] for s in segs) == 1.0
    segs = report.highlight_segments("It's 10/10, a 10. Not bad", [["10/10", 0.3], ["it's", 0.1]])
    assert [s["t"] for s in segs if s["w"] is not None] == ["It's", "10/10"]
    segs = report.highlight_segments("a<b> c", [["<b>", 1.0], ["a", -1.0]])
    assert [s["t"] for s in segs if s["w"] is not None] == ["a", "<b>"]
    assert report.highlight_segments("no weights here", []) == [
        {"t": "no weights here", "w": None, "a": 0.0}
    ]


def test_review_text_is_escaped_everywhere(tmp_path):
    page = report.render_html(make_context(tmp_path))
    assert SCRIPT not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=" in page
    assert "very &lt;i&gt;negative&lt;/i&gt;" in page and "r&lt;1&gt;" in page
    tags = tags_of(page)
    assert not [t for t, _ in tags if t in ("script", "iframe", "object", "embed", "link")]
    for tag, attrs in tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)


def test_page_is_self_contained(tmp_path):
    page = report.render_html(make_context(tmp_path))
    tags = tags_of(page)
    images = [a["src"] for t, a in tags if t == "img"]
    # data, network, LIME, elbow, silhouette, labels, 2 overlaps, rating, projection
    assert len(images) == 10
    assert len([s for s in images if s]) == len(images)
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:4] == b"\x89PNG"
    for _, attrs in tags:
        for key in ("src", "href", "action", "poster", "data"):
            value = attrs.get(key) or ""
            assert not value.lower().startswith(("http:", "https:", "//")), (key, value)
    assert "@import" not in page and "url(" not in page
    csp = [a for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]["content"]
    ids = {a.get("id") for _, a in tags}
    assert {sid for sid, _ in report.SECTIONS} <= ids and "kind-bert" in ids
    # the URL of the config is shown as text, not as a link
    assert "https://example.org/x.tar.gz" in page


def test_summary_has_the_headline_numbers(tmp_path):
    md = report.render_summary(make_context(tmp_path))
    assert "accuracy 0.900" in md and "k = 2 (elbow)" in md
    assert "| bert | unsupervised | 2 | elbow | 0.700 |" in md
    assert "very &lt;i&gt;negative&lt;/i&gt;" in md and "<i>" not in md
    assert "2026" not in md, "no build date: the summary diffs cleanly between runs"


def test_benchmarks_are_read_per_rule(tmp_path):
    header = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    (tmp_path / "kmeans").mkdir()
    for name, s, rss in (("bert_k2", 2.0, 300.0), ("bert_k3", 5.0, 250.0)):
        (tmp_path / "kmeans" / f"{name}.tsv").write_text(
            header + f"{s}\t0:00:0{int(s)}\t{rss}\t1\t1\t1\t0\t0\t90\t{s}\n"
        )
    (tmp_path / "ingest.tsv").write_text(header + "1.5\t0:00:01\t-\t-\t-\t-\t-\t-\t-\t-\n")
    (tmp_path / "broken.tsv").write_text("")
    jobs = report.read_benchmarks(tmp_path)
    assert sorted(jobs["job"]) == ["bert_k2", "bert_k3", "ingest"]
    assert jobs.loc[jobs["job"] == "ingest", "max_rss_mb"].isna().all()
    summary = report.benchmark_summary(jobs).set_index("rule")
    assert summary.loc["kmeans", "jobs"] == 2 and summary.loc["kmeans", "total_s"] == 7.0
    assert summary.loc["kmeans", "peak_rss_mb"] == 300.0 and summary.index[0] == "kmeans"
    assert report.hms(3725) == "1:02:05" and report.hms(65) == "1:05" and report.hms(None) == "–"


def test_projection_is_seeded_and_sampled():
    x = np.random.default_rng(0).normal(size=(300, 6)).astype(np.float32)
    rows, xy, info = report.project_2d(x, sample=100, seed=3, method="pca")
    rows2, xy2, _ = report.project_2d(x, sample=100, seed=3, method="pca")
    assert len(rows) == 100 and xy.shape == (100, 2) and np.array_equal(rows, rows2)
    assert np.allclose(xy, xy2) and info["method"] == "pca" and info["fitted_on"] == 300
    assert len(report.project_2d(x, sample=1000, seed=3, method="pca")[0]) == 300
    assert report.project_2d(x[:, :1], sample=10, seed=3, method="pca")[1].shape == (10, 2)
    with pytest.raises(ValueError, match="projection method"):
        report.project_2d(x, sample=10, seed=0, method="tsne")


def test_small_helpers(tmp_path):
    with pytest.raises(ValueError, match="PNG"):
        report.data_uri(b"GIF89a")
    assert report.fmt(1234) == "1,234" and report.fmt(0.12345) == "0.123"
    assert report.fmt(float("nan")) == "–" and report.fmt(None) == "–"
    assert report.git_info(tmp_path)["commit"] is None
    info = report.git_info(report.TEMPLATES.parents[2])
    assert info["commit"] is None or len(info["commit"]) == 40
    json.dumps(report.PROVENANCE_PACKAGES)


def test_encoding_note_says_how_the_shards_ran():
    shard = {"device": "cpu", "backend": "openvino", "precision": "bfloat16"}
    note = report.encoding_note({"shards": [shard, dict(shard)], "reviews_per_second": 52.1})
    assert note == "cpu, openvino, bfloat16: 2 shard(s), 52.1 reviews/s per job"
    assert report.encoding_note({}) is None
    old = {"device": "cpu", "precision": "float32"}  # shards from before the backend key
    assert report.encoding_note({"shards": [old]}) == "cpu, float32: 1 shard(s)"


def _scaling_files(tmp_path):
    (tmp_path / "scaling.tsv").write_text(
        "\t6250\t50000\nencode_shard\t100.0\t800.0\nreport\t2.0\t2.1\n"
        "workflow (wall)\t300.0\t1100.0\n"
    )
    (tmp_path / "slopes.tsv").write_text(
        "stage\tslope\tslope_last_doubling\tseconds_at_largest_n\theld_to_target\tmeets_target\n"
        "encode_shard\t1.000\t0.980\t800.0\tTrue\tTrue\n"
        "report\t0.020\t\t2.1\tFalse\t\n"
        "workflow (wall)\t0.625\t0.700\t1100.0\tTrue\tTrue\n"
    )
    (tmp_path / "scaling.png").write_bytes(tiny_png())
    return [tmp_path / n for n in ("scaling.tsv", "slopes.tsv", "scaling.png")]


def test_scaling_section_is_shown_only_when_configured(tmp_path):
    ctx = make_context(tmp_path)
    ctx["scaling"] = None
    assert 'id="scaling"' not in report.render_html(ctx)
    sc = report.scaling_section(*_scaling_files(tmp_path), source="results/scaling")
    assert sc["sizes"] == [6250, 50000] and sc["n_held"] == 2 and sc["over_target"] == []
    assert sc["rows"][0] == {"stage": "encode_shard", "seconds": [100.0, 800.0]}
    assert sc["slopes"][1]["meets"] is None and not sc["slopes"][1]["held"]
    ctx["scaling"] = sc
    ctx["sections"] = [*report.SECTIONS[:-1], report.SCALING_SECTION, report.SECTIONS[-1]]
    page = report.render_html(ctx)
    tags = tags_of(page)
    assert 'id="scaling"' in page and 'href="#scaling"' in page
    assert "every one of them meets it" in page and "6,250" in page
    assert sum(1 for t, a in tags if t == "img") == 11
    md = report.render_summary(ctx)
    assert (
        "| encode_shard | 1.00 | 0.98 | 800.0 | yes |" in md
        and "| report | 0.02 | – | 2.1 | fixed cost |" in md
    )
