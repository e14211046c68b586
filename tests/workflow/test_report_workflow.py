"""The report in the real DAG: the page, its summary, a headless browser, `snakemake --report`,
and review text carrying markup through the whole workflow to the page, escaped."""

import base64
import json
import zipfile

import pandas as pd
import pytest
from browser import find_chromium, inspect_page, tags_of

from conftest import DEMO_REVIEWS, ROOT, jobs_of, run_snakemake, tiny_overrides, write_config

pytestmark = pytest.mark.workflow
KINDS = ("wordvec", "bert", "wordvec_pls", "bert_pls")
SECTIONS = {
    "summary",
    "data",
    "network",
    "lime",
    "clusters",
    "polarity",
    "aspects",
    "benchmarks",
    "provenance",
}
#: where screenshots of the test runs are kept (results/ is git-ignored)
KEEP = ROOT / "results" / "tests"

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
# in a review's text, markup that was text (entity-escaped) survives preparation as markup
ESCAPED_IN_SOURCE = "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt;"


def require_chromium() -> str:
    binary = find_chromium()
    if not binary:
        pytest.skip(
            "headless Chromium is not installed (Debian package 'chromium'; "
            "`make test` installs it as root through tests/setup/deps.d/chromium.sh)"
        )
    return binary


def check_markup_free(page: str) -> None:
    """No script tags, no event-handler attributes, nothing fetched from elsewhere."""
    tags = tags_of(page)
    assert not [t for t, _ in tags if t in ("script", "iframe", "object", "embed")]
    for tag, attrs in tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for key in ("src", "href"):
            value = (attrs.get(key) or "").lower()
            assert not value.startswith(("http:", "https:", "//")), (tag, attrs)


def test_the_dag_builds_the_report_last(tiny_run):
    workdir, _, _ = tiny_run
    res = workdir / "results"
    page = (res / "report/report.html").read_text()
    tags = tags_of(page)
    ids = {a.get("id") for _, a in tags}
    assert ids >= SECTIONS and {f"kind-{k}" for k in KINDS} <= ids
    images = [a["src"] for t, a in tags if t == "img"]
    # data, network, 5 LIME texts, 4 kinds x (3 curves, 2 overlaps at k=2 and k=3 when
    # chosen differs, rating, projection)
    assert len(images) >= 2 + 5 + 4 * 6
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    check_markup_free(page)
    # the benchmark table covers every rule that ran before the report
    for rule in (
        "ingest",
        "train_wordvec",
        "encode_shard",
        "kmeans",
        "finegrained",
        "projection_2d",
    ):
        assert f"<td>{rule}</td>" in page, rule
    metrics = json.loads((res / "wordvec/metrics.json").read_text())
    assert f"{metrics['test']['accuracy']:.3f}" in page
    for kind in KINDS:
        choice = json.loads((res / f"clusters/{kind}/choice.json").read_text())
        assert f"Chosen k = {choice['k']}</strong> by <em>{choice['chosen_by']}</em>" in page
        info = json.loads((res / f"report/projection/{kind}.json").read_text())
        assert info["method"] in ("pca", "umap") and info["n_points"] == 160
        assert (res / f"report/projection/{kind}.png").read_bytes()[:4] == b"\x89PNG"
    summary = (res / "report/summary.md").read_text()
    assert summary.startswith("# ") and "word-embedding network" in summary
    for kind in KINDS:
        assert f"| {kind} |" in summary
    # the benchmark of the report itself exists once the DAG is done
    assert (res / "benchmarks/report.tsv").exists()


def test_the_report_shows_the_aspects(tiny_run):
    from markupsafe import escape

    from sentclust import layout as L

    workdir, _, _ = tiny_run
    res = workdir / "results"
    doc = json.loads((res / L.ASPECTS).read_text())
    page = (res / "report/report.html").read_text()
    sec = page.split('<section id="aspects">', 1)[1].split("</section>", 1)[0]
    assert "<h2>What reviewers praise and pan: aspects</h2>" in sec
    assert f"<strong>{doc['choice']['k']} aspects</strong>" in sec
    for a in doc["aspects"]:
        assert f"<td><strong>{escape(a['name'])}</strong></td>" in sec
    # a heatmap per kind, the sentiment-aligned kinds first
    order = [sec.index(f'id="aspects-{kind}"') for kind in ("wordvec_pls", "bert_pls", "wordvec")]
    assert order == sorted(order) and len(tags_of_images(sec)) == len(KINDS)
    assert f"<strong>{doc['comparisons']['n']:,}</strong> comparisons of two things" in sec
    summary = (res / "report/summary.md").read_text()
    assert "## What reviewers praise and pan: aspects" in summary
    assert summary.index("## Polarity inside reviews") < summary.index("## What reviewers praise")
    for kind in KINDS:
        assert f"### {kind} (" in summary


def tags_of_images(html: str) -> list[str]:
    return [a["src"] for t, a in tags_of(html) if t == "img"]


def test_report_in_headless_chromium(tiny_run):
    binary = require_chromium()
    workdir, _, _ = tiny_run
    res = workdir / "results"
    # kept under the project's results/, not in the shared run's folder: other tests compare
    # that folder's files with another run's
    KEEP.mkdir(parents=True, exist_ok=True)
    shot = KEEP / "report_screenshot.png"
    seen = inspect_page(
        res / "report/report.html",
        screenshot=shot,
        full_page=KEEP / "report_screenshot_full.png",
        binary=binary,
    )
    assert seen.console_errors == [], seen.console_errors
    assert seen.dialogs == []
    facts = seen.facts
    assert facts["title"].endswith("report") and facts["scripts"] == 0
    assert set(facts["sections"]) >= SECTIONS
    assert "LIME explanations" in facts["headings"] and "Provenance" in facts["headings"]
    bad = [i for i in facts["images"] if not i["ok"]]
    assert facts["images"] and not bad, bad
    # the aspects section (issue 30): present, with a heatmap per kind that loads
    assert "What reviewers praise and pan: aspects" in facts["headings"]
    heatmaps = [i for i in facts["images"] if i["section"] == "aspects"]
    assert len(heatmaps) == len(KINDS) and all(i["ok"] and i["width"] > 100 for i in heatmaps)
    assert shot.read_bytes()[:4] == b"\x89PNG" and shot.stat().st_size > 20_000


def test_snakemake_report(tiny_run):
    workdir, cfg, _ = tiny_run
    for name in ("snakemake_report.html", "snakemake_report.zip"):
        out = workdir / name
        r = run_snakemake(workdir, "--report", str(out), "--configfile", str(cfg))
        assert r.returncode == 0, r.stderr[-4000:]
        assert out.stat().st_size > 100_000
    html = (workdir / "snakemake_report.html").read_text()
    assert "Fine-grained sentiment" in html  # the workflow description
    names = zipfile.ZipFile(workdir / "snakemake_report.zip").namelist()
    assert any(n.endswith("report/report.html") for n in names)
    assert any(n.endswith("rating_by_cluster.png") for n in names)
    # the zip stores each file under a hash folder, by its base name
    base = {n.rsplit("/", 1)[-1] for n in names}
    assert {f"{kind}.png" for kind in KINDS} <= base, "the 2-D projections"
    assert {"elbow.png", "silhouette.png", "00_confident_positive.png"} <= base


def test_a_scaling_folder_adds_its_section_and_reruns_only_the_report(tiny_run, tmp_path):
    import shutil
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))
    import scaling

    workdir, cfg, _ = tiny_run
    copy = tmp_path / "run"  # a copy: the shared tiny run keeps its default report
    shutil.copytree(workdir, copy, symlinks=True)
    # a scaling folder as scaling.py writes it, from the tiny run's benchmark files
    folder = tmp_path / "scaling"
    (folder / "n96").mkdir(parents=True)
    shutil.copytree(copy / "results" / "benchmarks", folder / "n96" / "benchmarks")
    shutil.copytree(copy / "results" / "benchmarks", folder / "n192" / "benchmarks")
    table = scaling.collect(folder, [96, 192])
    fitted = scaling.slopes(table)
    table.to_csv(folder / "scaling.tsv", sep="\t", float_format="%.2f")
    fitted.to_csv(folder / "slopes.tsv", sep="\t", index=False, float_format="%.3f")
    scaling.figure(table, fitted, folder / "scaling.png")

    overlay = tmp_path / "scaling.yaml"  # merged into the run's config: only this key changes
    overlay.write_text(f"report:\n  scaling: {folder}\n")
    args = ("--configfile", str(cfg), str(overlay))
    r = run_snakemake(copy, "-n", *args)
    assert r.returncode == 0, r.stderr[-4000:]
    assert jobs_of(r.stdout) == {"report": 1, "all": 1}
    r = run_snakemake(copy, "--cores", "1", *args)
    assert r.returncode == 0, r.stderr[-4000:]
    page = (copy / "results" / "report" / "report.html").read_text()
    ids = {a.get("id") for _, a in tags_of(page)}
    assert SECTIONS | {"scaling"} <= ids and 'href="#scaling"' in page
    assert "Scaling with corpus size" in (copy / "results" / "report" / "summary.md").read_text()


@pytest.fixture(scope="module")
def xss_run(tmp_path_factory):
    """A small DAG run whose reviews and LIME texts hold markup, raw and entity-escaped."""
    workdir = tmp_path_factory.mktemp("xss_run")
    demo = pd.read_parquet(DEMO_REVIEWS)
    parts = [g.head(20) for _, g in demo.groupby(["split", "label"], sort=True)]
    df = pd.concat(parts, ignore_index=True)
    for i, payload in ((0, ESCAPED_IN_SOURCE), (25, f"{SCRIPT} {IMG}"), (45, ESCAPED_IN_SOURCE)):
        df.loc[i, "text"] = f"{payload} {df.loc[i, 'text']}"
    source = workdir / "xss.parquet"
    df.to_parquet(source, index=False)
    cfg = write_config(
        workdir / "xss.yaml",
        **tiny_overrides(
            input_path=str(source),
            ingest={"subsample": None},
            explain={"texts": [f"Awful. {SCRIPT} {IMG}", f"Lovely. {ESCAPED_IN_SOURCE}"]},
            bert={"shards": 1},
            kmeans={"k": [2, 3], "stability_runs": 0},
            # every review of a cluster is among its "nearest": each one reaches the page
            finegrained={"nearest": len(df), "min_df": 2},
        ),
    )
    r = run_snakemake(workdir, "--cores", "2", "--configfile", str(cfg))
    assert r.returncode == 0, r.stderr[-6000:]
    return workdir


def test_markup_in_reviews_reaches_the_report_only_escaped(xss_run):
    res = xss_run / "results"
    # the markup did travel through the DAG, as text, to the report's sources
    texts = [
        e["text"]
        for e in json.loads((res / "explain/explanations.json").read_text())["explanations"]
    ]
    assert any(SCRIPT in t and IMG in t for t in texts)
    nearest = [
        t
        for kind in KINDS
        for result in json.loads((res / f"clusters/{kind}/finegrained.json").read_text())["results"]
        for c in result["clusters"]
        for t in c["nearest_texts"]
    ]
    assert sum(SCRIPT in t for t in nearest) >= 2 * len(KINDS)
    page = (res / "report/report.html").read_text()
    assert SCRIPT not in page and "<script" not in page.lower()
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    check_markup_free(page)
    summary = (res / "report/summary.md").read_text()
    assert SCRIPT not in summary


def test_markup_in_reviews_runs_nothing_in_a_browser(xss_run):
    binary = require_chromium()
    seen = inspect_page(xss_run / "results/report/report.html", binary=binary)
    assert seen.dialogs == [] and seen.console_errors == []
    assert seen.facts["scripts"] == 0
    assert all(i["src"].startswith("data:image/png") for i in seen.facts["images"])
