"""The real DAG on tiny data in a temporary directory: ingest and preparation."""

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import run_snakemake, write_config

pytestmark = pytest.mark.workflow


def jobs_of(dry_run_output: str) -> dict[str, int]:
    """The 'Job stats' table of a dry run as {rule: count}."""
    lines = dry_run_output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Job stats:"))
    out = {}
    for line in lines[start + 3 :]:
        parts = line.split()
        if len(parts) != 2 or parts[0] == "total":
            break
        out[parts[0]] = int(parts[1])
    return out


def test_dry_run_lists_the_dag(tmp_path, tiny_config):
    r = run_snakemake(tmp_path, "-n", "--configfile", str(tiny_config))
    assert r.returncode == 0, r.stderr
    assert jobs_of(r.stdout) == {"ingest": 1, "prepare": 1, "all": 1}


def test_tiny_run_outputs_and_nothing_left_to_do(tmp_path, tiny_config):
    r = run_snakemake(tmp_path, "--cores", "2", "--configfile", str(tiny_config))
    assert r.returncode == 0, r.stderr[-4000:]
    data = tmp_path / "results" / "data"

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

    for rule in ("ingest", "prepare"):
        assert (tmp_path / "results" / "logs" / f"{rule}.log").exists()
        assert (tmp_path / "results" / "benchmarks" / f"{rule}.tsv").exists()
    assert not list(data.glob(".*.tmp")), "temporary files left behind"

    again = run_snakemake(tmp_path, "-n", "--configfile", str(tiny_config))
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
