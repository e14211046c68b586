"""Polarity inside reviews through the real DAG on the tiny run: segments, BERT segment vectors
from the encoding jobs, segment scores, per review polarity and its check, the explained texts."""

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import (
    assert_png,
    copy_tiny_run,
    jobs_of,
    run_snakemake,
    schema_defaults,
    tiny_overrides,
    write_config,
)
from sentclust import layout as L

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
    # the default scorer: the multiple-instance model, every segment scored
    assert np.isfinite(scores["score_mil"]).all()
    np.testing.assert_array_equal(scores["score"], scores["score_mil"])
    # the tiny run's 128-token window leaves segments past it unscored by the BERT scorer
    scored = np.isfinite(scores["score_bert"]).mean()
    assert 0.2 < scored < 1.0
    assert set(scores["label"].unique()) <= {-1, 0, 1}
    scorers = json.loads((res / "scorers.json").read_text())
    assert scorers["primary"] == "mil"
    assert set(scorers["thresholds"]) == {"wordvec", "bert", "mil"}
    assert len(scorers["bert_classifier"]["weights"]) == 384
    mil = scorers["mil"]
    assert mil["features"] == "wordvec" and mil["score"] == "polarity"
    assert mil["fit"]["target"] == "rating"
    assert len(mil["classes"]) >= 2 and set(mil["classes"]) <= {1, 2, 3, 4, 7, 8, 9, 10}
    assert mil["fit"]["n_held_out_reviews"] > 0
    reviews = pd.read_parquet(res / "reviews.parquet")
    assert len(reviews) == 160 and reviews["review_id"].is_unique
    assert reviews["dual_polarity"].dtype == bool
    summary = json.loads((res / "summary.json").read_text())
    assert summary["checked_on"] == "test"
    assert {r["rating"] for r in summary["by_rating"]} <= {1, 2, 3, 4, 7, 8, 9, 10}
    assert set(summary["segment_agreement"]) == {"wordvec", "bert", "mil"}
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
    assert all({"score_wordvec", "score_bert", "score_mil"} <= set(s) for s in item["segments"])
    assert doc["scorer"] == "mil"


def test_polarity_off_runs_without_the_bert_scorer(tiny_run, tmp_path):
    """bert_segments off: a dry run plans no BERT scorer inputs; the encoding stays as it is."""
    workdir, _, _ = tiny_run
    cfg = write_config(tmp_path / "off.yaml", **tiny_overrides(polarity={"bert_segments": "off"}))
    r = run_snakemake(workdir, "-n", "--nolock", "--configfile", str(cfg))
    assert r.returncode == 0, r.stderr[-3000:]
    jobs = jobs_of(r.stdout)
    assert "score_segments" in jobs and "encode_shard" in jobs  # the shards' params changed


def test_the_polarity_model_on_bert_segments_encoded_alone(tiny_run, tmp_path):
    """polarity.mil.features both with the BERT segments encoded alone: the shards encode every
    segment as a text of its own, and the model reads them beside the word vectors."""
    workdir = copy_tiny_run(tiny_run, tmp_path / "run")
    cfg = write_config(
        tmp_path / "both.yaml",
        **tiny_overrides(
            polarity={"bert_segments": "separate", "mil": {"features": "both"}},
        ),
    )
    target = f"results/{L.POLARITY_TEXTS}"
    r = run_snakemake(workdir, target, "--cores", "2", "--configfile", str(cfg))
    assert r.returncode == 0, r.stderr[-4000:]
    res = workdir / "results" / "polarity"
    scorers = json.loads((res / "scorers.json").read_text())
    assert scorers["mil"]["features"] == "both"
    # the network's pooled word vectors beside BERT's 384 dimensions
    assert len(scorers["mil"]["mean"]) == schema_defaults("wordvec")["embedding_dim"] + 384
    scores = pd.read_parquet(res / "segment_scores.parquet")
    assert np.isfinite(scores["score_mil"]).all()
    doc = json.loads((res / "explain_texts.json").read_text())
    assert all(np.isfinite(s["score_mil"]) for s in doc["texts"][0]["segments"])
