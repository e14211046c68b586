"""The real DAG's ingest on ratings of another scale (issue 29 items 1 and 2), on 200 demo
reviews re-expressed in tmp: 1-5 stars with labels (passes the conflict check), 1-5 stars
without labels (labels derived: the same as the original's), and a 4-star negative on 1-5
(stops at ingest naming the review and the fix)."""

import json
import math

import pandas as pd
import pytest

from conftest import DEMO_REVIEWS, run_snakemake, write_config

pytestmark = pytest.mark.workflow


def _sample() -> pd.DataFrame:
    demo = pd.read_parquet(DEMO_REVIEWS)
    return demo.groupby(["split", "label"]).head(50).reset_index(drop=True)


def _ingest(tmp_path, frame: pd.DataFrame):
    path = tmp_path / "reviews.parquet"
    frame.to_parquet(path, index=False)
    cfg = write_config(tmp_path / "c.yaml", input_path=str(path), input_format="auto")
    r = run_snakemake(tmp_path, "--cores", "1", "--configfile", str(cfg), "--until", "ingest")
    summary = tmp_path / "results" / "data" / "ingest_summary.json"
    return r, (json.loads(summary.read_text()) if summary.exists() else None)


def _stars(frame: pd.DataFrame) -> pd.Series:
    return frame["rating"].map(lambda r: math.ceil(int(r) / 2))


def test_1_to_5_stars_with_labels_pass_the_conflict_check(tmp_path):
    sample = _sample()
    r, summary = _ingest(tmp_path, sample.assign(rating=_stars(sample)))
    assert r.returncode == 0, r.stderr[-3000:]
    assert summary["labels"] == "given" and summary["rating_scale"] == [1, 5]
    assert summary["rating_label_conflicts"] == 0
    assert summary["label_policy"] == {"negative": [1, 2], "positive": [4, 5]}


def test_1_to_5_stars_without_labels_get_the_original_labels(tmp_path):
    sample = _sample()
    r, summary = _ingest(tmp_path, sample.drop(columns="label").assign(rating=_stars(sample)))
    assert r.returncode == 0, r.stderr[-3000:]
    assert summary["labels"] == "from_ratings"
    assert summary["labels_from_ratings"]["neutral_dropped"] == 0
    got = pd.read_parquet(tmp_path / "results" / "data" / "reviews.parquet")
    want = sample.set_index("review_id")["label"]
    assert (got["label"].to_numpy() == want.loc[got["review_id"]].to_numpy()).all()
    assert (
        "rating scale 1-5 (detected from ratings 1..5)"
        in (tmp_path / "results" / "logs" / "ingest.log").read_text()
    )


def test_a_4_star_negative_on_1_to_5_stops_at_ingest(tmp_path):
    sample = _sample()
    stars = _stars(sample)
    first_negative = int((sample["label"] == 0).to_numpy().argmax())
    stars.iloc[first_negative] = 4
    r, summary = _ingest(tmp_path, sample.assign(rating=stars))
    assert r.returncode != 0 and summary is None
    out = r.stdout + r.stderr
    assert sample["review_id"].iloc[first_negative] in out
    assert "rated 4 stars; positive reviews have 4-5 stars and negative ones 1-2" in out
    assert "ingest.rating_conflicts: keep" in out
