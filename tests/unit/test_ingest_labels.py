"""Unit tests of corpora without labels: the all-null label column of the contract, the
Parquet reader's text-only and text+rating files, the seeded split, and the summary's
``labels`` entry (issue 29)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import run_ingest
from sentclust import ingest
from sentclust.ingest import IngestError, contract


def _unlabelled(n: int = 6) -> pd.DataFrame:
    return contract.contract_frame(
        [f"r{i}" for i in range(n)],
        ["test", "train"] * (n // 2),
        [f"review number {i}" for i in range(n)],
        None,
        [pd.NA] * n,
    )


def test_contract_frame_without_labels_has_all_null_nullable_int8_label():
    df = _unlabelled()
    assert str(df["label"].dtype) == "Int8"
    assert df["label"].isna().all()
    assert not contract.has_labels(df)
    labelled = contract.contract_frame(["a"], ["train"], ["x"], [1], [pd.NA])
    assert contract.has_labels(labelled)
    assert labelled["label"].dtype == np.int8


def test_unlabelled_frame_validates_sorts_by_split_and_writes_int8_with_nulls(tmp_path):
    df = _unlabelled()
    ingest.validate_reviews(df, "src")
    ordered = ingest.sort_reviews(df)
    assert ordered["split"].tolist() == ["train"] * 3 + ["test"] * 3
    assert ordered["review_id"].tolist() == ["r1", "r3", "r5", "r0", "r2", "r4"]  # source order
    table = ingest.to_table(ordered)
    assert table.schema == ingest.REVIEWS_SCHEMA
    assert table["label"].null_count == len(df)
    pq.write_table(table, tmp_path / "r.parquet")
    assert pq.read_schema(tmp_path / "r.parquet").field("label").type == "int8"


def test_partly_null_label_column_is_still_refused():
    df = _unlabelled()
    df["label"] = pd.array([1, None, 0, 1, 0, 1], dtype="Int8")
    with pytest.raises(IngestError, match=r"src row 1 .*label null \(missing\) is not 0 or 1") as e:
        ingest.validate_reviews(df, "src")
    assert "no labels at all" in str(e.value)


def _write(tmp_path, name: str, **columns) -> str:
    path = tmp_path / name
    pd.DataFrame(columns).to_parquet(path)
    return str(path)


TEXTS = [f"an opinion about thing {i}" for i in range(20)]


def test_parquet_text_only_reads_without_labels_and_ratings(tmp_path):
    f = _write(tmp_path, "train.parquet", text=TEXTS)
    df = ingest.read_parquet_input(f)
    assert df["label"].isna().all() and str(df["label"].dtype) == "Int8"
    assert df["rating"].isna().all()
    assert df["review_id"].tolist() == [f"train_{i}" for i in range(20)]


def test_parquet_text_and_rating_only(tmp_path):
    ratings = [1 + i % 10 for i in range(20)]
    f = _write(tmp_path, "test.parquet", text=TEXTS, rating=ratings)
    df = ingest.read_parquet_input(f)
    assert df["label"].isna().all()
    assert df["rating"].tolist() == ratings
    assert df["review_id"].iloc[0] == "test_0_1"


def test_parquet_without_split_gets_a_seeded_random_split_without_labels(tmp_path):
    f = _write(tmp_path, "reviews.parquet", text=TEXTS)
    a = ingest.read_parquet_input(f, test_fraction=0.25, seed=3)
    b = ingest.read_parquet_input(f, test_fraction=0.25, seed=3)
    c = ingest.read_parquet_input(f, test_fraction=0.25, seed=4)
    assert (a["split"] == "test").sum() == 5
    assert a["split"].tolist() == b["split"].tolist()
    assert a["split"].tolist() != c["split"].tolist()


def test_parquet_without_split_is_label_stratified_when_labels_exist(tmp_path):
    labels = [0] * 16 + [1] * 4
    f = _write(tmp_path, "reviews.parquet", text=TEXTS, label=labels)
    df = ingest.read_parquet_input(f, test_fraction=0.5, seed=0)
    test = df["split"] == "test"
    assert (test & (df["label"] == 0)).sum() == 8
    assert (test & (df["label"] == 1)).sum() == 2


def test_ingest_text_only_summary_says_no_labels_and_skips_label_checks(tmp_path):
    f = _write(tmp_path, "reviews.parquet", text=TEXTS)
    df, summary = run_ingest(f)
    assert len(df) == 20
    assert summary["labels"] == "none"
    assert summary["rating_label_conflicts"] is None
    assert summary["counts_per_split_label"] == {"train": {}, "test": {}}
    assert set(summary["counts_per_split"]) == {"train", "test"}


def test_ingest_labelled_summary_says_given(tmp_path):
    f = _write(tmp_path, "train.parquet", text=TEXTS, label=[i % 2 for i in range(20)])
    _, summary = run_ingest(f, splits=["train"])
    assert summary["labels"] == "given"


def test_ingest_unlabelled_subsample_and_duplicates(tmp_path):
    texts = TEXTS + TEXTS[:2]
    f = _write(tmp_path, "reviews.parquet", text=texts)
    df, summary = run_ingest(f, subsample=10, duplicate_texts="drop")
    assert len(df) == 10
    assert summary["duplicates"]["dropped"] == 2


def test_train_split_with_one_class_still_refused_when_labelled(tmp_path):
    f = _write(tmp_path, "train.parquet", text=TEXTS, label=[1] * 20)
    with pytest.raises(IngestError, match="only positive"):
        run_ingest(f, splits=["train"])


def test_what_was_read_must_agree_with_what_the_dag_was_planned_for(tmp_path):
    f = _write(tmp_path, "reviews.parquet", text=TEXTS)
    _, summary = run_ingest(f, expect_labels="none")
    assert summary["labels"] == "none"
    with pytest.raises(IngestError) as err:
        run_ingest(f, expect_labels="given")
    msg = str(err.value)
    assert "'none'" in msg and "'given'" in msg and "input_path" in msg and "Fix:" in msg


def test_a_rating_column_without_values_is_not_labels_from_ratings(tmp_path):
    f = _write(tmp_path, "reviews.parquet", text=TEXTS, rating=[None] * 20)
    with pytest.raises(IngestError, match="planned its jobs for 'from_ratings'"):
        run_ingest(f, expect_labels="from_ratings")
