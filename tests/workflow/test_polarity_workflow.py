"""Polarity inside reviews through the real DAG on the tiny run: segments, BERT segment vectors
from the encoding jobs, segment scores, per review polarity and its check, the explained texts."""

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import assert_png, jobs_of, run_snakemake, tiny_overrides, write_config

pytestmark = pytest.mark.workflow


def test_segments_cover_every_review_with_offsets_into_the_clean_text(tiny_run):
    workdir, _, _ = tiny_run
    res = workdir / "results"
    segments = pd.read_parquet(res / "segments" / "segments.parquet")
    prepared = pd.read_parquet(res / "data" / "prepared.parquet")
    assert set(segments["review_id"]) == set(
        prepared.loc[prepared["clean_text"] != "", "review_id"]
    )
    text = dict(zip(prepared["review_id"], prepared["clean_text"], strict=True))
    for row in segments.itertuples():
        assert text[row.review_id][row.start : row.end] == row.text
    # segment numbers run 0.. within each review, in order
    for _, g in segments.groupby("review_id", sort=False):
        assert g["segment_no"].tolist() == list(range(len(g)))
    summary = json.loads((res / "segments" / "summary.json").read_text())
    assert summary  # written


def test_bert_segment_vectors_come_from_the_encoding_jobs(tiny_run):
    workdir, _, _ = tiny_run
    shards = sorted((workdir / "results" / "embeddings" / "bert_shards").glob("segments_*.parquet"))
    assert len(shards) == 2
    n = sum(pq.read_metadata(p).num_rows for p in shards)
    assert n == pq.read_metadata(workdir / "results" / "segments" / "segments.parquet").num_rows
    record = json.loads(
        (workdir / "results" / "embeddings" / "bert_shards" / "shard_000_of_002.json").read_text()
    )
    assert record["n_segments"] > 0


def test_segment_scores_and_review_polarity(tiny_run):
    workdir, _, _ = tiny_run
    res = workdir / "results" / "polarity"
    scores = pd.read_parquet(res / "segment_scores.parquet")
    segments = pd.read_parquet(workdir / "results" / "segments" / "segments.parquet")
    assert scores[["review_id", "segment_no"]].equals(segments[["review_id", "segment_no"]])
    assert np.isfinite(scores["score_wordvec"]).all()
    # the tiny run's 128-token window leaves segments past it unscored by the BERT scorer
    scored = np.isfinite(scores["score_bert"]).mean()
    assert 0.2 < scored < 1.0
    assert set(scores["label"].unique()) <= {-1, 0, 1}
    scorers = json.loads((res / "scorers.json").read_text())
    assert scorers["primary"] in ("wordvec", "bert")
    assert set(scorers["thresholds"]) == {"wordvec", "bert"}
    assert len(scorers["bert_classifier"]["weights"]) == 384
    reviews = pd.read_parquet(res / "reviews.parquet")
    assert len(reviews) == 160 and reviews["review_id"].is_unique
    assert reviews["dual_polarity"].dtype == bool
    summary = json.loads((res / "summary.json").read_text())
    assert summary["checked_on"] == "test"
    assert {r["rating"] for r in summary["by_rating"]} <= {1, 2, 3, 4, 7, 8, 9, 10}
    assert set(summary["segment_agreement"]) == {"wordvec", "bert"}
    assert_png(res / "by_rating.png")


def test_the_explained_text_is_segmented_and_scored(tiny_run):
    workdir, _, _ = tiny_run
    doc = json.loads((workdir / "results" / "polarity" / "explain_texts.json").read_text())
    (item,) = doc["texts"]
    texts = [s["text"] for s in item["segments"]]
    assert texts == [
        "The location was truly disgusting ...",
        "but the people there were glorious.",
    ]
    assert all("score_wordvec" in s and "score_bert" in s for s in item["segments"])


def test_polarity_off_runs_without_the_bert_scorer(tiny_run, tmp_path):
    """bert_segments off: a dry run plans no BERT scorer inputs; the encoding stays as it is."""
    workdir, _, _ = tiny_run
    cfg = write_config(tmp_path / "off.yaml", **tiny_overrides(polarity={"bert_segments": "off"}))
    r = run_snakemake(workdir, "-n", "--nolock", "--configfile", str(cfg))
    assert r.returncode == 0, r.stderr[-3000:]
    jobs = jobs_of(r.stdout)
    assert "score_segments" in jobs and "encode_shard" in jobs  # the shards' params changed
