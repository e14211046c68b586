"""Unit tests of sentclust.ingest.policies: duplicate texts, split filter, subsample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_ingest_contract import frame
from test_ingest_csv import balanced_csv

from conftest import run_ingest
from sentclust import ingest
from sentclust.ingest import IngestError, policies

# ------------------------------------------------------------------------------------------
# duplicate texts, split filter, subsample


def dup_frame() -> pd.DataFrame:
    return frame(
        [
            ("tr0", "train", "same", 0, 1),
            ("tr1", "train", "same", 0, 2),
            ("tr2", "train", "leak", 1, 9),
            ("tr3", "train", "unique", 1, 8),
            ("te0", "test", "leak", 1, 9),
            ("te1", "test", "only test", 0, 3),
            ("te2", "test", "only test", 0, 3),
            ("te3", "test", "same", 0, 4),
        ]
    )


def test_find_duplicate_texts():
    dups = ingest.find_duplicate_texts(dup_frame())
    assert dups["review_id"].tolist() == ["tr1", "te0", "te2", "te3"]
    assert dups["first_review_id"].tolist() == ["tr0", "tr2", "te1", "tr0"]
    assert dups["row"].tolist() == [1, 4, 6, 7]


def test_duplicate_policy_keep_and_drop():
    df = dup_frame()
    kept, info = ingest.apply_duplicate_policy(df, "keep")
    assert len(kept) == 8
    assert info == {
        "policy": "keep",
        "duplicate_text_rows": 4,
        "cross_split_duplicate_rows": 2,
        "dropped": 0,
    }
    dropped, info = ingest.apply_duplicate_policy(df, "drop")
    assert dropped["review_id"].tolist() == ["tr0", "tr2", "tr3", "te1"]
    assert dropped["text"].is_unique
    assert info == {
        "policy": "drop",
        "duplicate_text_rows": 4,
        "cross_split_duplicate_rows": 2,
        "dropped": 4,
    }


def test_unknown_duplicate_policy(tmp_path):
    with pytest.raises(IngestError) as err:
        ingest.apply_duplicate_policy(dup_frame(), "dedupe")
    assert "unknown duplicate_texts policy 'dedupe'" in str(err.value)
    assert "keep, drop" in str(err.value)
    f = balanced_csv(tmp_path / "reviews.csv")
    with pytest.raises(IngestError, match="unknown duplicate_texts policy"):
        run_ingest(str(f), duplicate_texts="first")


def test_ingest_drop_removes_test_rows_repeating_train(tmp_path):
    dup_frame().to_parquet(tmp_path / "reviews.parquet")
    df, summary = run_ingest(str(tmp_path / "reviews.parquet"), duplicate_texts="drop")
    assert summary["duplicates"]["dropped"] == 4
    assert "leak" not in set(df.loc[df["split"] == "test", "text"])
    assert df["text"].is_unique


def test_filter_splits():
    df = dup_frame()
    only_test = ingest.filter_splits(df, ["test"])
    assert set(only_test["split"]) == {"test"}
    assert only_test["review_id"].tolist() == ["te0", "te1", "te2", "te3"]
    assert len(ingest.filter_splits(df, ["train", "test"])) == 8
    with pytest.raises(IngestError) as err:
        ingest.filter_splits(df, ["train", "validation"])
    assert "unknown split name(s) 'validation'" in str(err.value)
    with pytest.raises(IngestError) as err:
        ingest.filter_splits(only_test, ["train"])
    assert "split(s) train requested" in str(err.value)
    assert "holds only: test" in str(err.value)


def strata_frame() -> pd.DataFrame:
    rows = []
    sizes = [("train", 0, 1, 47), ("train", 0, 2, 33), ("train", 1, 9, 13), ("test", 1, None, 7)]
    for split, label, rating, size in sizes:
        for i in range(size):
            rows.append((f"{split}_{label}_{rating}_{i}", split, f"t{len(rows)}", label, rating))
    return frame(rows)


def test_stratified_subsample_exact_proportional_deterministic_ordered():
    df = strata_frame()
    sample = ingest.stratified_subsample(df, 10, seed=7)
    assert len(sample) == 10
    key = sample["split"] + "/" + sample["label"].astype(str) + "/"
    key = key + sample["rating"].astype("Int64").astype(str).fillna("null")
    # 4.7, 3.3, 1.3, 0.7 -> floors 4, 3, 1, 0; the two largest remainders (.7) get one more
    assert key.value_counts().to_dict() == {
        "train/0/1": 5,
        "train/0/2": 3,
        "train/1/9": 1,
        "test/1/null": 1,
    }
    positions = df.reset_index().set_index("review_id").loc[sample["review_id"], "index"]
    assert positions.is_monotonic_increasing
    again = ingest.stratified_subsample(df, 10, seed=7)
    assert again["review_id"].tolist() == sample["review_id"].tolist()
    other = ingest.stratified_subsample(df, 10, seed=8)
    assert other["review_id"].tolist() != sample["review_id"].tolist()
    assert ingest.stratified_subsample(df, None, seed=7) is df
    everything = ingest.stratified_subsample(df, len(df), seed=7)
    assert everything["review_id"].tolist() == df["review_id"].tolist()


@pytest.mark.parametrize("n", [0, -3, 101])
def test_stratified_subsample_bad_size(n):
    with pytest.raises(IngestError, match=r"subsample size .* from 1 to the number of reviews"):
        ingest.stratified_subsample(strata_frame(), n, seed=1)


def test_ingest_subsample_and_split_filter(tmp_path):
    df = strata_frame()
    df.to_parquet(tmp_path / "reviews.parquet")
    out, summary = run_ingest(
        str(tmp_path / "reviews.parquet"), splits=["train"], subsample=20, seed=5
    )
    assert len(out) == 20
    assert set(out["split"]) == {"train"}
    assert out["label"].tolist() == sorted(out["label"].tolist())
    assert summary["n_read"] == 100
    assert summary["n_reviews"] == 20
    assert summary["splits_kept"] == ["train"]
    with pytest.raises(IngestError, match="unknown split name"):
        run_ingest(str(tmp_path / "reviews.parquet"), splits=["dev"])


def test_check_duplicate_policy():
    for policy in ingest.DUPLICATE_POLICIES:
        policies.check_duplicate_policy(policy)
    with pytest.raises(IngestError, match="unknown duplicate_texts policy 'first'"):
        policies.check_duplicate_policy("first")


def test_quotas_largest_remainder_ties_to_the_earlier_stratum():
    counts = np.array([47, 33, 13, 7])
    assert policies._quotas(counts, 10, 100).tolist() == [5, 3, 1, 1]
    assert policies._quotas(np.array([1, 1, 1]), 2, 3).tolist() == [1, 1, 0]
    assert policies._quotas(np.array([5, 5]), 10, 10).tolist() == [5, 5]
