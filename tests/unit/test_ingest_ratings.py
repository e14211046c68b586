"""Unit tests of sentclust.ingest.ratings and of ingest on other rating scales (issue 29 items 1
and 2): the scale (given or detected), whole-number ratings, the label policy (default reproduces
IMDB's 1-4 / 7-10), labels derived from ratings with neutral ratings dropped, conflicts checked
against the policy, and IMDB re-expressed on 1-5 stars."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from conftest import DEMO_REVIEWS, SHARED_IMDB, require_shared_imdb, run_ingest
from sentclust import ingest
from sentclust.ingest import IngestError, ratings
from sentclust.ingest.ratings import LabelPolicy, RatingScale

# ------------------------------------------------------------------------------------------
# the scale


@pytest.mark.parametrize(
    ("values", "scale"),
    [
        ([1, 2, 5], (1, 5)),
        ([0, 3, 5], (0, 5)),
        ([1, 7, 10], (1, 10)),
        ([2, 4], (1, 5)),
        ([2, 6], (1, 10)),
        ([0, 10], (0, 10)),
        ([0, 55, 100], (0, 100)),
        ([3, 4, None], (1, 5)),
    ],
)
def test_scale_detected_is_the_smallest_usual_one_that_holds_the_ratings(values, scale):
    found = ratings.detect_scale(pd.Series(pd.array(values, dtype="Int8")))
    assert (found.lo, found.hi) == scale
    assert found.detected_from == (
        min(v for v in values if v is not None),
        max(v for v in values if v is not None),
    )


def test_no_ratings_no_scale():
    assert ratings.detect_scale(pd.Series(pd.array([None, None], dtype="Int8"))) is None
    assert ratings.resolve_scale(None, pd.Series(pd.array([None], dtype="Int8"))) is None


def test_given_scale_is_checked_and_kept():
    r = pd.Series(pd.array([1, 2], dtype="Int8"))
    scale = ratings.resolve_scale([1, 10], r)
    assert (scale.lo, scale.hi, scale.detected_from) == (1, 10, None)
    for bad in ([5, 1], [1], [1, 1000], "1-5", [1.5, 5]):
        with pytest.raises(IngestError, match=r"ingest\.rating_scale.*Fix:"):
            ratings.resolve_scale(bad, r)


def test_rating_outside_a_given_scale_is_refused_naming_row_value_scale(tmp_path):
    f = tmp_path / "train.parquet"
    pd.DataFrame({"text": ["a", "b", "c"], "label": [1, 0, 1], "rating": [5, 1, 7]}).to_parquet(f)
    with pytest.raises(IngestError) as err:
        run_ingest(f, splits=["train"], rating_scale=[1, 5])
    msg = str(err.value)
    assert "rating 7" in msg and "outside the rating scale 1-5" in msg
    assert "train_pos_2_7" in msg  # the row's review id
    assert "ingest.rating_scale" in msg and "Fix:" in msg


def test_fractional_ratings_refused_with_a_fix_saying_so(tmp_path):
    f = tmp_path / "train.parquet"
    pd.DataFrame({"text": ["a", "b"], "rating": [4.0, 4.5]}).to_parquet(f)
    with pytest.raises(IngestError) as err:
        ingest.read_parquet_input(str(f))
    msg = str(err.value)
    assert "row 1" in msg and "rating 4.5" in msg and "whole number" in msg
    assert "half" in msg  # the fix says how to store half stars
    g = tmp_path / "test.parquet"
    pd.DataFrame({"text": ["a", "b"], "rating": [4.0, 2.0]}).to_parquet(g)
    assert ingest.read_parquet_input(str(g))["rating"].tolist() == [4, 2]


def test_scale_is_reported_in_the_summary(tmp_path):
    f = tmp_path / "train.parquet"
    pd.DataFrame(
        {"text": ["a", "b", "c", "d"], "label": [1, 0, 1, 0], "rating": [5, 1, 4, 2]}
    ).to_parquet(f)
    _, summary = run_ingest(f, splits=["train"])
    assert summary["rating_scale"] == [1, 5]
    assert summary["rating_scale_source"] == {"detected_from": [1, 5]}
    _, summary = run_ingest(f, splits=["train"], rating_scale=[0, 10], rating_conflicts="keep")
    assert summary["rating_scale"] == [0, 10]
    assert summary["rating_scale_source"] == "ingest.rating_scale"


def test_no_ratings_scale_is_null_in_the_summary(tmp_path):
    f = tmp_path / "train.parquet"
    pd.DataFrame({"text": ["a", "b"], "label": [1, 0]}).to_parquet(f)
    _, summary = run_ingest(f, splits=["train"])
    assert summary["rating_scale"] is None


# ------------------------------------------------------------------------------------------
# the label policy


@pytest.mark.parametrize(
    ("scale", "negative", "positive"),
    [
        ((1, 10), (1, 4), (7, 10)),
        ((1, 5), (1, 2), (4, 5)),
        ((0, 10), (0, 4), (6, 10)),
        ((0, 5), (0, 2), (3, 5)),
        ((0, 100), (0, 40), (60, 100)),
    ],
)
def test_default_policy_from_the_scale(scale, negative, positive):
    policy = ratings.resolve_policy({}, RatingScale(*scale))
    assert (policy.negative, policy.positive) == (negative, positive)
    policy = ratings.resolve_policy({"negative": None, "positive": None}, RatingScale(*scale))
    assert (policy.negative, policy.positive) == (negative, positive)


def test_policy_parts_given_and_checked():
    scale = RatingScale(1, 5)
    policy = ratings.resolve_policy({"negative": [1, 3]}, scale)
    assert (policy.negative, policy.positive) == ((1, 3), (4, 5))
    for bad in ({"negative": [1, 4]}, {"positive": [0, 5]}, {"negative": [3, 1]}, {"x": [1, 2]}):
        with pytest.raises(IngestError, match=r"ingest\.labels_from_ratings.*Fix:"):
            ratings.resolve_policy(bad, scale)


def test_policy_labels_and_neutral():
    policy = LabelPolicy(negative=(1, 4), positive=(7, 10))
    r = pd.Series(pd.array([1, 4, 5, 6, 7, 10], dtype="Int8"))
    label, neutral = policy.labels(r)
    assert neutral.tolist() == [False, False, True, True, False, False]
    assert label[~neutral].tolist() == [0, 0, 1, 1]
    assert policy.conflicts(np.array([1, 0, 1, 0, 0, 1]), r).tolist() == [
        True,
        False,
        False,
        False,
        True,
        False,
    ]


# ------------------------------------------------------------------------------------------
# labels from ratings at ingest


def _rated(tmp_path, stars, name="reviews.parquet", **extra):
    f = tmp_path / name
    texts = [f"review text number {i}" for i in range(len(stars))]
    pd.DataFrame({"text": texts, "rating": stars, **extra}).to_parquet(f)
    return f


def test_labels_derived_from_ratings_neutral_dropped_and_counted(tmp_path):
    stars = [1, 2, 3, 4, 5] * 4
    df, summary = run_ingest(_rated(tmp_path, stars))
    assert summary["labels"] == "from_ratings"
    assert summary["labels_from_ratings"] == {
        "negative": [1, 2],
        "positive": [4, 5],
        "neutral_dropped": 4,
    }
    assert len(df) == 16 and not (df["rating"] == 3).any()
    assert df["label"].dtype == np.int8
    assert ((df["rating"] <= 2) == (df["label"] == 0)).all()
    assert summary["rating_scale"] == [1, 5]
    assert summary["n_read"] == 20


def test_labels_from_ratings_null_leaves_the_corpus_unlabelled(tmp_path):
    df, summary = run_ingest(_rated(tmp_path, [1, 5] * 5), labels_from_ratings=None)
    assert summary["labels"] == "none"
    assert df["label"].isna().all()


def test_rating_less_review_refused_when_labels_come_from_ratings(tmp_path):
    f = _rated(tmp_path, [1.0, 5.0, None, 4.0, 2.0, 5.0])
    with pytest.raises(IngestError) as err:
        run_ingest(f)
    msg = str(err.value)
    assert "no rating" in msg and "labels_from_ratings" in msg and "Fix:" in msg


def test_a_1_to_5_corpus_with_labels_passes_the_conflict_check(tmp_path):
    f = _rated(tmp_path, [1, 2, 4, 5, 3, 3], name="train.parquet", label=[0, 0, 1, 1, 0, 1])
    df, summary = run_ingest(f, splits=["train"])
    assert summary["labels"] == "given" and summary["rating_label_conflicts"] == 0
    assert len(df) == 6  # neutral ratings keep their given labels


def test_a_4_star_negative_on_1_to_5_is_a_conflict(tmp_path):
    f = _rated(tmp_path, [1, 4, 5], name="train.parquet", label=[0, 0, 1])
    with pytest.raises(IngestError) as err:
        run_ingest(f, splits=["train"])
    msg = str(err.value)
    assert "rated 4" in msg and "positive reviews have 4-5" in msg and "negative ones 1-2" in msg
    _, summary = run_ingest(f, splits=["train"], rating_conflicts="keep")
    assert summary["rating_label_conflicts"] == 1


# ------------------------------------------------------------------------------------------
# IMDB re-expressed on 1-5 stars, labels dropped: the same labels


def _stars5(df: pd.DataFrame) -> pd.DataFrame:
    stars = [math.ceil(int(r) / 2) for r in df["rating"]]
    return pd.DataFrame(
        {"review_id": df["review_id"], "split": df["split"], "text": df["text"], "rating": stars}
    )


def _same_labels(original: pd.DataFrame, path) -> None:
    df, summary = run_ingest(path)
    assert summary["labels"] == "from_ratings"
    assert summary["rating_scale"] == [1, 5]
    assert summary["labels_from_ratings"]["neutral_dropped"] == 0
    got = df.set_index("review_id")["label"]
    want = original.set_index("review_id")["label"]
    assert len(got) == len(want)
    assert (got.loc[want.index].to_numpy() == want.to_numpy()).all()


def test_demo_sample_on_1_to_5_stars_without_labels_gives_the_same_labels(tmp_path):
    original = pd.read_parquet(DEMO_REVIEWS)
    path = tmp_path / "stars5.parquet"
    _stars5(original).to_parquet(path)
    _same_labels(original, path)


@pytest.mark.full_data
def test_full_imdb_on_1_to_5_stars_without_labels_gives_the_same_labels(tmp_path):
    require_shared_imdb()
    original = pd.concat(
        [pd.read_parquet(SHARED_IMDB / f"{s}.parquet") for s in ("train", "test")],
        ignore_index=True,
    )
    path = tmp_path / "stars5.parquet"
    _stars5(original).to_parquet(path)
    _same_labels(original, path)
