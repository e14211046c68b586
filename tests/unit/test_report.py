"""The report's logic: escaping, self-containment, benchmarks, inputs by kind, summary."""

import base64
import datetime as dt
import io
import json

import pandas as pd
import pytest
from browser import tags_of

from sentclust import report

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
EVIL = f"Great film {SCRIPT} and {IMG} &amp; more | pipes"
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

INGEST = {
    "n_reviews": 4,
    "source": "a <b>source</b>",
    "format": "parquet",
    "counts_per_split": {"train": 2, "test": 2},
    "counts_per_split_label": {"train": {"0": 1, "1": 1}, "test": {"0": 1, "1": 1}},
    "counts_per_split_rating": {"train": {"1": 1, "10": 1}, "test": {"2": 1, "9": 1}},
    "duplicates": {"policy": "keep", "duplicate_text_rows": 0},
    "text_length_chars": {"median": 120.5},
}
PREPARE = {"tokens_per_review": {"median": 30.0}}
METRICS = {
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
}
PROBE = {"accuracy": 0.8, "roc_auc": 0.85, "dimensions": 4}
CHOICE = {
    "k": 2,
    "rule": "the elbow",
    "chosen_by": "elbow",
    "criterion": "elbow",
    "supervision": "unsupervised: no labels",
    "picks": {"elbow": 2, "silhouette": 2},
    "rules": {"elbow": "the elbow", "silhouette": "the max"},
}
SWEEP = pd.DataFrame(
    {"k": [2, 3], "inertia": [10.0, 8.0], "silhouette": [0.3, 0.2], "purity": [0.7, 0.6]}
)
PROJECTION_INFO = {"method": "pca", "n_points": 4, "explained_variance_ratio": [0.5, 0.2]}
PROVENANCE = {
    "date": "2026-01-01 00:00:00 UTC",
    "seed": 42,
    "git": {"commit": "abc123", "dirty": False, "note": ""},
    "versions": [("numpy", "2.0"), ("umap-learn", "missing")],
    "python": "3.11",
    "platform": "linux",
    "bert_model": "m",
    "bert_dimensions": 4,
}


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


def explanations(text: str) -> dict:
    return {
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
    }


def finegrained(text: str) -> dict:
    cluster = {
        "name": "very <i>negative</i>",
        "size": 2,
        "positive_share": 0.0,
        "mean_rating": 1.5,
        "terms": ["bad", "<b>"],
        "nearest_review_ids": ["r<1>"],
        "nearest_texts": [text],
    }
    check = {"rating_check_all": {"spearman_rho": 0.5}, "rating_check_test": {"spearman_rho": 0.4}}
    return {"results": [{"k": 2, "chosen": True, "clusters": [cluster], **check}]}


def write_figures(tmp_path):
    """The PNGs the sections embed: the kind's figure folder, a rating and a LIME figure."""
    png = tiny_png()
    figs = tmp_path / "figures"
    figs.mkdir()
    for name in ("elbow", "silhouette", "labels", "overlap_labels_k2", "overlap_ratings_k2"):
        (figs / f"{name}.png").write_bytes(png)
    (tmp_path / "rating.png").write_bytes(png)
    (tmp_path / "lime.png").write_bytes(png)
    return figs


def bert_section(tmp_path, figs, text):
    return report.kind_section(
        "bert",
        choice=CHOICE,
        sweep=SWEEP,
        figure_dir=figs,
        finegrained=finegrained(text),
        rating_figure=tmp_path / "rating.png",
        projection_figure=tmp_path / "rating.png",
        projection_info=PROJECTION_INFO,
        probe={"accuracy": 0.8},
        explore=[2, 3],
    )


def make_context(tmp_path, text=EVIL):
    """A context built through the section functions from small synthetic inputs (a run
    without the polarity section: tests/unit/test_report_polarity.py adds it)."""
    figs = write_figures(tmp_path)
    sections = report.page_sections(False, polarity=False, aspects=False)
    ctx = {"title": "Report <test>", "results_dir": "results/x", "sections": sections}
    ctx["data"] = report.data_section(INGEST, PREPARE)
    ctx["network"] = report.network_section(METRICS, {"bert": PROBE})
    ctx["lime"] = report.lime_section(explanations(text), tmp_path)
    ctx["kinds"] = [bert_section(tmp_path, figs, text)]
    jobs = report.read_benchmarks(tmp_path / "no-benchmarks")
    ctx["benchmarks"] = {
        "rules": report.benchmark_summary(jobs).to_dict(orient="records"),
        "jobs": [],
        "total_s": None,
        "n_jobs": 0,
    }
    ctx["provenance"] = {
        **PROVENANCE,
        "config_yaml": f"explain:\n  texts:\n  - '{text}'\ninput_url: https://example.org/x.tar.gz\n",
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
    ctx = make_context(tmp_path)
    page = report.render_html(ctx)
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
    assert {sid for sid, _ in ctx["sections"]} <= ids and "kind-bert" in ids
    assert 'href="#polarity"' not in page, "no polarity inputs: no polarity section"
    # the URL of the config is shown as text, not as a link
    assert "https://example.org/x.tar.gz" in page


def test_summary_has_the_headline_numbers(tmp_path):
    md = report.render_summary(make_context(tmp_path))
    assert "accuracy 0.900" in md and "k = 2 (elbow)" in md
    assert "| bert | unsupervised | 2 | elbow | 0.700 |" in md
    assert "very &lt;i&gt;negative&lt;/i&gt;" in md and "<i>" not in md
    assert "2026" not in md, "no build date: the summary diffs cleanly between runs"


BENCH_HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def write_benchmarks(bench_dir):
    (bench_dir / "kmeans").mkdir(parents=True)
    for name, s, rss in (("bert_k2", 2.0, 300.0), ("bert_k3", 5.0, 250.0)):
        (bench_dir / "kmeans" / f"{name}.tsv").write_text(
            BENCH_HEADER + f"{s}\t0:00:0{int(s)}\t{rss}\t1\t1\t1\t0\t0\t90\t{s}\n"
        )
    (bench_dir / "ingest.tsv").write_text(BENCH_HEADER + "1.5\t0:00:01\t-\t-\t-\t-\t-\t-\t-\t-\n")
    (bench_dir / "broken.tsv").write_text("")


def test_benchmarks_are_read_per_rule(tmp_path):
    write_benchmarks(tmp_path)
    jobs = report.read_benchmarks(tmp_path)
    assert sorted(jobs["job"]) == ["bert_k2", "bert_k3", "ingest"]
    assert jobs.loc[jobs["job"] == "ingest", "max_rss_mb"].isna().all()
    summary = report.benchmark_summary(jobs).set_index("rule")
    assert summary.loc["kmeans", "jobs"] == 2 and summary.loc["kmeans", "total_s"] == 7.0
    assert summary.loc["kmeans", "peak_rss_mb"] == 300.0 and summary.index[0] == "kmeans"
    assert report.hms(3725) == "1:02:05" and report.hms(65) == "1:05" and report.hms(None) == "–"


def test_benchmarks_section_with_and_without_benchmark_files(tmp_path):
    empty = report.empty_benchmarks()
    assert empty.empty and list(empty.columns) == report.BENCHMARK_COLUMNS
    pd.testing.assert_frame_equal(empty, report.read_benchmarks(tmp_path / "none"))
    for missing in (None, "", tmp_path / "none"):
        section = report.benchmarks_section(missing)
        assert section == {"rules": [], "jobs": [], "total_s": None, "n_jobs": 0}
    write_benchmarks(tmp_path / "bench")
    section = report.benchmarks_section(tmp_path / "bench")
    assert section["n_jobs"] == 3 and section["total_s"] == 8.5
    assert [j["job"] for j in section["jobs"]] == ["ingest", "bert_k2", "bert_k3"]
    assert section["rules"][0]["rule"] == "kmeans"


def test_small_helpers(tmp_path):
    with pytest.raises(ValueError, match="PNG"):
        report.data_uri(b"GIF89a")
    assert report.fmt(1234) == "1,234" and report.fmt(0.12345) == "0.123"
    assert report.fmt(float("nan")) == "–" and report.fmt(None) == "–"
    assert report.git_info(tmp_path)["commit"] is None
    info = report.git_info(report.TEMPLATES.parents[2])
    assert info["commit"] is None or len(info["commit"]) == 40
    json.dumps(report.PROVENANCE_PACKAGES)
    assert report.pct(0.1234) == "12.3%" and report.pct(None) == "–"
    assert report.md_cell("a|b\n<i>") == "a\\|b &lt;i&gt;"
    (tmp_path / "x.png").write_bytes(tiny_png())
    assert report.file_uri(tmp_path / "x.png").startswith("data:image/png;base64,")
    assert report.file_uri(tmp_path / "y.png") is None and report.file_uri(None) is None
    assert report.SENTIMENT == {0: "negative", 1: "positive"}


def test_encoding_note_says_how_the_shards_ran():
    shard = {"device": "cpu", "backend": "openvino", "precision": "bfloat16"}
    note = report.encoding_note({"shards": [shard, dict(shard)], "reviews_per_second": 52.1})
    assert note == "cpu, openvino, bfloat16: 2 shard(s), 52.1 reviews/s per job"
    assert report.encoding_note({}) is None
    old = {"device": "cpu", "precision": "float32"}  # shards from before the backend key
    assert report.encoding_note({"shards": [old]}) == "cpu, float32: 1 shard(s)"
    why = {
        "rule": "measured: the fastest of 2 path(s)",
        "machine": "CPU: AMD EPYC, 2 cores",
        "measurements": [
            {"path": "torch float32", "reviews_per_second": 12.5, "mean_cosine": 1.0},
            {"path": "openvino float32", "reviews_per_second": 9.1, "mean_cosine": 1.0},
            {"path": "torch bfloat16", "error": "RuntimeError: no"},
        ],
    }
    note = report.encoding_note({"shards": [{**old, "encoding_path": why}]})
    assert "measured: the fastest" in note and "torch float32 12.5/s (cos 1.0)" in note
    assert "torch bfloat16 failed" in note and note.endswith("AMD EPYC, 2 cores")
    fixed = {**old, "encoding_path": {"rule": "set in the config"}}
    assert report.encoding_note({"shards": [fixed]}).endswith("(set in the config)")


def test_provenance_section_names_the_model_and_the_date(tmp_path):
    config = {"seed": 7, "bert": {"model": "from-config"}}
    prov = report.provenance_section(config, {}, now=NOW)
    assert prov["date"] == "2026-01-01 00:00:00 UTC" and prov["seed"] == 7
    assert prov["git"] == {"commit": None, "note": "unknown"}
    assert prov["bert_model"] == "from-config" and prov["bert_encoding"] is None
    assert prov["config_yaml"].startswith("seed: 7\n")
    assert [name for name, _ in prov["versions"]] == report.PROVENANCE_PACKAGES
    prov = report.provenance_section(config, {"model": "m", "dimensions": 4}, workflow_dir=tmp_path)
    assert prov["bert_model"] == "m" and prov["bert_dimensions"] == 4
    assert prov["git"]["commit"] is None


def test_provenance_hides_url_credentials_and_shows_the_model_revision(tmp_path):
    url = "https://alice:s3cret@example.org/aclImdb_v1.tar.gz?token=t0k3n&sig=5ig#fr4g"
    config = {"seed": 7, "input_url": url, "bert": {"model": "m"}}
    summary = {"model": "m", "model_revision": "c0ffee", "dimensions": 4}
    prov = report.provenance_section(config, summary, now=NOW)
    assert config["input_url"] == url  # the run's config itself is untouched
    shown = prov["config_yaml"]
    assert "input_url: https://***@example.org/aclImdb_v1.tar.gz?***#***" in shown
    assert prov["bert_model"] == "m, revision c0ffee" and prov["bert_revision"] == "c0ffee"
    ctx = make_context(tmp_path)
    ctx["provenance"] = prov
    page = report.render_html(ctx)
    assert not [secret for secret in ("alice", "s3cret", "t0k3n", "5ig", "fr4g") if secret in page]
    assert "m, revision c0ffee (4 dimensions)" in page


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://ai.stanford.edu/~amaas/aclImdb_v1.tar.gz", None),  # nothing to hide
        ("https://u:p@h.org:8443/a.tgz", "https://***@h.org:8443/a.tgz"),
        ("https://token@h.org/a.tgz", "https://***@h.org/a.tgz"),
        ("https://h.org/a.tgz?X-Amz-Signature=1", "https://h.org/a.tgz?***"),
        ("file:///tmp/a.tgz", None),
        ("https://[::1/a?x=1", "[redacted URL]"),
        (None, None),
    ],
)
def test_redact_url_strips_user_info_and_queries(url, shown):
    from sentclust.redact import redact_url

    assert redact_url(url) == (url if shown is None else shown)


def _workflow_rst_html(model: str) -> str:
    """report/workflow.rst rendered as ``snakemake --report`` does (Jinja2 without
    autoescape, then docutils to HTML), for a run whose bert.model is ``model``."""
    from pathlib import Path

    from docutils.core import publish_parts
    from jinja2 import Environment

    rst = Path(__file__).resolve().parents[2] / "report" / "workflow.rst"
    env = Environment(trim_blocks=True, lstrip_blocks=True)

    class Snakemake:
        config = {"seed": 42, "bert": {"model": model}}

    text = env.from_string(rst.read_text()).render(snakemake=Snakemake)
    settings = {"report_level": 5}  # no system messages in the page
    return publish_parts(text, writer="html", settings_overrides=settings)["html_body"]


@pytest.mark.parametrize(
    "model",
    [
        "x``\n\n.. raw:: html\n\n   <script>alert(1)</script>\n\n``",
        "x`` `click <javascript:alert(1)>`_ ``y",
        "x``\n\n.. include:: /etc/passwd\n\n``",
        "x\u2028.. raw:: html\u2028\u2028   <script>alert(1)</script>",
    ],
)
def test_workflow_rst_keeps_a_free_form_model_name_literal(model):
    html = _workflow_rst_html(model)
    # no raw HTML, no link, no included file: the name stays text inside one literal
    assert "<script" not in html and "<a " not in html and "root:" not in html
    assert 'class="docutils literal"' in html


def test_workflow_rst_shows_a_plain_model_name():
    html = _workflow_rst_html("sentence-transformers/all-MiniLM-L6-v2")
    assert "sentence-transformers/all-MiniLM-L6-v2" in html and "seed 42" in html


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
    assert report.page_sections(True) == ctx["sections"]
    assert report.page_sections(False) == report.SECTIONS
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


def test_scaling_of_takes_the_folder_of_the_table(tmp_path):
    assert report.scaling_of(None) is None and report.scaling_of([]) is None
    sc = report.scaling_of(_scaling_files(tmp_path))
    assert sc["source"] == str(tmp_path) and sc["target"] == report.SCALING_TARGET


def test_per_kind_inputs_are_grouped_back_by_kind():
    patterns = {"probe": "r{x}/probe/{kind}.json", "choice": "r/clusters/{kind}/choice.json"}
    named = report.per_kind_inputs(patterns, ["bert", "bert_pls"])
    assert named == {
        "bert__probe": "r{x}/probe/bert.json",
        "bert__choice": "r/clusters/bert/choice.json",
        "bert_pls__probe": "r{x}/probe/bert_pls.json",
        "bert_pls__choice": "r/clusters/bert_pls/choice.json",
    }
    run_wide = {"ingest_summary": "r/data/ingest_summary.json", "analysis": ["a", "b"]}
    grouped = report.inputs_by_kind({**run_wide, **named}, ["bert_pls", "bert"])
    assert list(grouped) == ["bert_pls", "bert"]
    assert grouped["bert"] == {
        "probe": "r{x}/probe/bert.json",
        "choice": "r/clusters/bert/choice.json",
    }
    # only the kinds asked for
    assert list(report.inputs_by_kind(named, ["bert"])) == ["bert"]


def test_inputs_by_kind_reads_snakemake_inputs_and_refuses_gaps():
    from snakemake.iocontainers import Namedlist

    named = report.per_kind_inputs({"probe": "p/{kind}", "choice": "c/{kind}"}, ["a", "b"])
    inputs = Namedlist(fromdict={"ingest_summary": "i.json", **named})
    assert report.inputs_by_kind(inputs, ["a", "b"])["b"] == {"probe": "p/b", "choice": "c/b"}
    with pytest.raises(ValueError, match="kind 'c'"):
        report.inputs_by_kind(inputs, ["a", "b", "c"])
    del named["b__choice"]
    with pytest.raises(ValueError, match=r"kind 'b': \['probe'\], expected \['choice', 'probe'\]"):
        report.inputs_by_kind(named, ["a", "b"])


def write_run(tmp_path, text=EVIL):
    """A finished run's files for one kind: (run-wide inputs by name, {kind: {name: path}})."""
    figs = write_figures(tmp_path)
    docs = {
        "ingest.json": INGEST,
        "prepare.json": PREPARE,
        "metrics.json": METRICS,
        "explanations.json": explanations(text),
        "bert_summary.json": {"model": "m", "dimensions": 4},
        "probe.json": PROBE,
        "choice.json": CHOICE,
        "finegrained.json": finegrained(text),
        "projection.json": PROJECTION_INFO,
    }
    for name, doc in docs.items():
        (tmp_path / name).write_text(json.dumps(doc))
    SWEEP.to_csv(tmp_path / "k_sweep.tsv", sep="\t", index=False)
    inputs = {
        "ingest_summary": tmp_path / "ingest.json",
        "prepare_summary": tmp_path / "prepare.json",
        "wordvec_metrics": tmp_path / "metrics.json",
        "explanations": tmp_path / "explanations.json",
        "explain_figures": tmp_path,
        "bert_summary": tmp_path / "bert_summary.json",
    }
    files = {
        "probe": tmp_path / "probe.json",
        "choice": tmp_path / "choice.json",
        "sweep": tmp_path / "k_sweep.tsv",
        "figures": figs,
        "finegrained": tmp_path / "finegrained.json",
        "rating_figure": tmp_path / "rating.png",
        "projection_figure": tmp_path / "rating.png",
        "projection_info": tmp_path / "projection.json",
    }
    return inputs, {"bert": files}


def test_collect_reads_a_run_from_inputs_grouped_by_kind(tmp_path):
    inputs, kinds = write_run(tmp_path)
    write_benchmarks(tmp_path / "bench")
    config = {"seed": 42, "bert": {"model": "config-model"}}
    ctx = report.collect(
        inputs, kinds, config=config, explore=[2, 3], bench_dir=tmp_path / "bench", now=NOW
    )
    (tmp_path / "expected").mkdir()
    expected = make_context(tmp_path / "expected")
    assert ctx["kinds"] == [bert_section(tmp_path, kinds["bert"]["figures"], EVIL)]
    assert ctx["kinds"][0]["chosen_k"] == 2 and ctx["kinds"][0]["probe_accuracy"] == 0.8
    assert ctx["network"]["probes"] == expected["network"]["probes"]
    assert [e["segments"] for e in ctx["lime"]] == [e["segments"] for e in expected["lime"]]
    assert ctx["lime"][0]["figure"] is not None
    assert ctx["data"]["facts"] == expected["data"]["facts"]
    assert ctx["headline"] == expected["headline"]
    assert ctx["benchmarks"]["n_jobs"] == 3 and ctx["scaling"] is None
    assert ctx["sections"] == report.page_sections(False, polarity=False, aspects=False)
    assert ctx["polarity"] is None and ctx["lime"][0]["polarity"] is None
    assert ctx["provenance"]["bert_model"] == "m" and ctx["provenance"]["seed"] == 42
    assert ctx["provenance"]["date"] == "2026-01-01 00:00:00 UTC"
    assert "| bert | unsupervised | 2 | elbow | 0.700 |" in report.render_summary(ctx)
    assert 'id="kind-bert"' in report.render_html(ctx)


def test_collect_shows_scaling_and_runs_without_benchmarks(tmp_path):
    inputs, kinds = write_run(tmp_path)
    inputs["scaling"] = _scaling_files(tmp_path)
    del inputs["bert_summary"]
    ctx = report.collect(inputs, kinds, config={"bert": {"model": "c"}}, explore=[2])
    assert ctx["benchmarks"]["n_jobs"] == 0 and ctx["scaling"]["sizes"] == [6250, 50000]
    assert ctx["sections"] == report.page_sections(True, polarity=False, aspects=False)
    assert ctx["provenance"]["bert_model"] == "c" and ctx["provenance"]["git"]["commit"] is None
    assert 'id="scaling"' in report.render_html(ctx)
