"""A text-only corpus (no label, no rating): the DAG keeps every stage that needs no labels and
leaves out, by name, those that do (sentclust.workflow.label_stages)."""

from html import unescape

import pyarrow.parquet as pq
import pytest

from conftest import (
    DEMO_REVIEWS,
    jobs_of,
    run_sentclust,
    run_snakemake,
    tiny_overrides,
    write_config,
)
from sentclust.workflow.label_stages import NEEDS_LABELS

pytestmark = pytest.mark.workflow

#: the rules of the stages that need labels: none of them may be in an unlabelled DAG
LABEL_RULES = {
    "train_wordvec",
    "wordvec_vectors",
    "explain",
    "probe",
    "pls_projection",
    "polarity_model",
    "score_segments",
    "polarity",
    "polarity_texts",
}


def texts_only(tmp_path):
    """The demo sample with its label and rating columns dropped."""
    table = pq.read_table(DEMO_REVIEWS).drop_columns(["label", "rating"])
    path = tmp_path / "texts.parquet"
    pq.write_table(table, path)
    return path


def unlabelled_config(tmp_path):
    return write_config(
        tmp_path / "tiny.yaml", **tiny_overrides(input_path=str(texts_only(tmp_path)))
    )


def test_unlabelled_dry_run_leaves_out_exactly_the_label_stages(tmp_path):
    r = run_snakemake(tmp_path, "-n", "--configfile", str(unlabelled_config(tmp_path)))
    assert r.returncode == 0, r.stderr[-4000:]
    jobs = jobs_of(r.stdout)
    assert not LABEL_RULES & set(jobs), jobs
    # one kind (bert): its sweep, its choice, its levels, its projection
    assert jobs == {
        "ingest": 1,
        "prepare": 1,
        "segment": 1,
        "term_counts": 1,
        "encode_shard": 2,
        "gather_bert": 1,
        "kmeans": 2,
        "choose_k": 1,
        "finegrained": 1,
        "projection_2d": 1,
        "aspects_k": 2,  # rules/aspects.smk (the tiny run's 2 aspect counts): they need no labels
        "aspects": 1,
        "model_manifest": 1,
        "report": 1,
        "all": 1,
    }


def test_labelled_dry_run_is_unchanged_by_the_label_table(tmp_path, tiny_config):
    r = run_snakemake(tmp_path, "-n", "--configfile", str(tiny_config))
    assert r.returncode == 0, r.stderr[-4000:]
    jobs = jobs_of(r.stdout)
    assert set(jobs) >= LABEL_RULES
    assert jobs["probe"] == 4 and jobs["finegrained"] == 4 and jobs["pls_projection"] == 2


@pytest.fixture(scope="module")
def unlabelled_run(tmp_path_factory):
    """The tiny text-only run, once for this module: (workdir, snakemake result)."""
    workdir = tmp_path_factory.mktemp("unlabelled_run")
    result = run_snakemake(workdir, "--cores", "2", "--configfile", str(unlabelled_config(workdir)))
    return workdir, result


def test_unlabelled_run_reaches_the_report_and_names_the_skipped_stages(unlabelled_run):
    workdir, result = unlabelled_run
    assert result.returncode == 0, result.stderr[-6000:]
    results = workdir / "results"
    summary = (results / "report" / "summary.md").read_text()
    html = (results / "report" / "report.html").read_text()
    for stage, why in NEEDS_LABELS.items():
        assert f"**{stage}**: {why}" in summary
        assert stage in unescape(html) and why in unescape(html)
    assert 'id="skipped"' in html and 'id="network"' not in html and 'id="lime"' not in html
    assert not (results / "wordvec").exists() and not (results / "polarity").exists()


def test_assign_places_a_text_on_the_bert_kind_of_an_unlabelled_run(unlabelled_run):
    workdir, result = unlabelled_run
    assert result.returncode == 0, result.stderr[-6000:]
    r = run_sentclust(
        "assign",
        "--run",
        str(workdir / "results"),
        "One of the best films I have ever seen.",
        cwd=workdir,
    )
    assert r.returncode == 0, r.stderr[-4000:]
    assert "bert" in r.stdout and "network p(positive)" not in r.stdout
    r = run_sentclust(
        "assign",
        "--run",
        str(workdir / "results"),
        "--kind",
        "wordvec",
        "A fine film.",
        cwd=workdir,
    )
    assert r.returncode != 0 and "no labels" in r.stderr
