"""The real DAG on tiny data in a temporary directory: ingest and preparation."""

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import jobs_of, run_snakemake, write_config

pytestmark = pytest.mark.workflow

ALL_JOBS = {
    "ingest": 1,
    "prepare": 1,
    "train_wordvec": 1,
    "wordvec_vectors": 1,
    "explain": 1,
    "probe": 4,
    "encode_shard": 2,
    "gather_bert": 1,
    "pls_projection": 2,
    "kmeans": 8,
    "choose_k": 4,
    "term_counts": 1,
    "segment": 1,
    "polarity_model": 1,
    "score_segments": 1,
    "polarity": 1,
    "polarity_texts": 1,
    "finegrained": 4,
    "projection_2d": 4,
    "aspects_k": 2,
    "aspects": 1,
    "report": 1,
    "model_manifest": 1,
    "all": 1,
}


def test_dry_run_lists_the_dag(tmp_path, tiny_config):
    r = run_snakemake(tmp_path, "-n", "--configfile", str(tiny_config))
    assert r.returncode == 0, r.stderr
    assert jobs_of(r.stdout) == ALL_JOBS


def test_ingest_and_prepare_outputs(tiny_run):
    workdir, cfg, _ = tiny_run
    data = workdir / "results" / "data"
    reviews = pq.read_table(data / "reviews.parquet")
    assert reviews.schema.names == ["review_id", "split", "text", "label", "rating"]
    assert str(reviews.schema.field("label").type) == "int8"
    assert str(reviews.schema.field("rating").type) == "int8"
    df = reviews.to_pandas()
    assert len(df) == 160 and df["review_id"].is_unique
    assert df.groupby("split").size().to_dict() == {"test": 80, "train": 80}
    assert df.groupby(["split", "label"]).size().eq(40).all()
    # documented order: train before test, negative before positive
    order = df["split"].map({"train": 0, "test": 1}) * 2 + df["label"]
    assert order.is_monotonic_increasing

    prepared = pd.read_parquet(data / "prepared.parquet")
    assert prepared["review_id"].tolist() == df["review_id"].tolist()
    assert not prepared["clean_text"].str.contains("<br", case=False).any()
    assert (prepared["n_tokens"] > 0).all()
    assert prepared["tokens"].str.split(" ").str.len().tolist() == prepared["n_tokens"].tolist()

    summary = json.loads((data / "ingest_summary.json").read_text())
    assert summary["n_reviews"] == 160
    assert json.loads((data / "prepare_summary.json").read_text())["n_reviews"] == 160

    for rule in ("ingest", "prepare", "train_wordvec", "wordvec_vectors", "explain"):
        assert (workdir / "results" / "logs" / f"{rule}.log").exists()
        assert (workdir / "results" / "benchmarks" / f"{rule}.tsv").exists()
    assert not list((workdir / "results").rglob(".*.tmp*")), "temporary files left behind"


def test_nothing_left_to_do_after_a_clean_finish(tiny_run):
    workdir, cfg, _ = tiny_run
    again = run_snakemake(workdir, "-n", "--configfile", str(cfg))
    assert again.returncode == 0
    assert "Nothing to be done" in again.stdout + again.stderr


def test_bad_input_stops_with_a_clear_message_and_leaves_no_output(tmp_path):
    bad = tmp_path / "reviews.csv"
    bad.write_text("review,sentiment\nGreat film,positive\nAwful,meh\n", encoding="utf-8")
    cfg = write_config(tmp_path / "bad.yaml", input_path=str(bad), input_format="auto")
    r = run_snakemake(tmp_path, "--cores", "1", "--configfile", str(cfg))
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert "reviews.csv" in out and "meh" in out
    assert not (tmp_path / "results" / "data" / "reviews.parquet").exists()


def test_config_schema_rejects_bad_values(tmp_path, tiny_config):
    r = run_snakemake(
        tmp_path, "-n", "--configfile", str(tiny_config), "--config", "input_format=xlsx"
    )
    assert r.returncode != 0
    assert "input_format" in r.stdout + r.stderr
