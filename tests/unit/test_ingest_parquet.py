"""Unit tests of sentclust.ingest.parquet: Parquet files and folders, every bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_ingest_contract import COLUMNS, frame

from conftest import run_ingest
from sentclust import ingest
from sentclust.ingest import IngestError

# ------------------------------------------------------------------------------------------
# Parquet


def test_parquet_folder_reads_contract_in_order(tmp_path):
    train = frame(
        [
            ("train_pos_0_9", "train", "loved it", 1, 9),
            ("train_neg_0_2", "train", "hated it", 0, 2),
            ("train_neg_1_3", "train", "dull", 0, 3),
        ]
    )
    test = frame(
        [
            ("test_pos_0_8", "test", "fine work", 1, 8),
            ("test_neg_0_1", "test", "terrible", 0, 1),
        ]
    )
    # written in an order the reader must fix: test file sorts first by name
    test.to_parquet(tmp_path / "a_test.parquet")
    train.to_parquet(tmp_path / "b_train.parquet")
    df, summary = run_ingest(str(tmp_path))
    assert list(df.columns) == COLUMNS
    assert df["review_id"].tolist() == [
        "train_neg_0_2",
        "train_neg_1_3",
        "train_pos_0_9",
        "test_neg_0_1",
        "test_pos_0_8",
    ]
    assert df["label"].dtype == np.int8
    assert str(df["rating"].dtype) == "Int8"
    assert df["text"].tolist()[0] == "hated it"
    assert df["rating"].tolist() == [2, 3, 9, 1, 8]
    assert summary["format"] == "parquet"
    assert summary["n_reviews"] == 5


def test_parquet_split_from_file_name_and_generated_ids(tmp_path):
    pd.DataFrame(
        {"text": ["a b", "c d", "e f"], "label": [1, 0, 1], "rating": [9, None, 7]}
    ).to_parquet(tmp_path / "train.parquet")
    pd.DataFrame({"text": ["g h"], "label": [0]}).to_parquet(tmp_path / "test.parquet")
    df = ingest.read_parquet_input(str(tmp_path))
    by_text = dict(zip(df["text"], df["review_id"], strict=True))
    assert by_text == {
        "a b": "train_pos_0_9",
        "c d": "train_neg_1",
        "e f": "train_pos_2_7",
        "g h": "test_neg_0",
    }
    assert set(df.loc[df["text"] == "g h", "split"]) == {"test"}
    assert df["text"].tolist() == ["g h", "a b", "c d", "e f"]  # files in sorted name order
    assert df["rating"].isna().tolist() == [True, False, True, False]


def test_parquet_generated_ids_stay_unique_across_files(tmp_path):
    for name in ("train-00000-of-00002", "train-00001-of-00002"):
        pd.DataFrame({"text": [f"{name} x", f"{name} y"], "label": [0, 1]}).to_parquet(
            tmp_path / f"{name}.parquet"
        )
    df = ingest.read_parquet_input(str(tmp_path))
    assert df["review_id"].is_unique
    assert df["review_id"].tolist() == [
        "train-00000-of-00002_train_neg_0",
        "train-00000-of-00002_train_pos_1",
        "train-00001-of-00002_train_neg_0",
        "train-00001-of-00002_train_pos_1",
    ]
    assert set(df["split"]) == {"train"}


def test_parquet_accepts_label_forms(tmp_path):
    base = {"split": ["train"] * 4, "text": ["a", "b", "c", "d"]}
    forms = {
        "ints": pd.Series([1, 0, 1, 0], dtype="int16"),
        "bools": [True, False, True, False],
        "words": ["pos", "NEG", " Positive ", "negative"],
    }
    for name, labels in forms.items():
        pd.DataFrame({**base, "label": labels}).to_parquet(tmp_path / f"{name}.parquet")
        df = ingest.read_parquet_input(str(tmp_path / f"{name}.parquet"))
        assert df["label"].tolist() == [1, 0, 1, 0], name
        assert df["label"].dtype == np.int8


def test_parquet_missing_columns(tmp_path):
    f = tmp_path / "train.parquet"
    pd.DataFrame({"review": ["a"], "label": [1]}).to_parquet(f)
    with pytest.raises(IngestError) as err:
        ingest.read_parquet_input(str(f))
    msg = str(err.value)
    assert "train.parquet" in msg
    assert "missing required column(s) text" in msg
    assert "found columns review, label" in msg
    assert "Fix:" in msg


def test_parquet_without_split_needs_split_column_or_file_name(tmp_path):
    f = tmp_path / "reviews.parquet"
    pd.DataFrame({"text": ["a"], "label": [1]}).to_parquet(f)
    with pytest.raises(IngestError, match="no `split` column") as err:
        ingest.read_parquet_input(str(f))
    assert "reviews.parquet" in str(err.value)
    assert "train.parquet and test.parquet" in str(err.value)


@pytest.mark.parametrize(
    ("labels", "shown"),
    [([1, 2, 0], "label 2"), (["pos", "maybe", "neg"], "label 'maybe'")],
)
def test_parquet_bad_label_names_file_row_value(tmp_path, labels, shown):
    f = tmp_path / "train.parquet"
    pd.DataFrame({"text": ["a", "b", "c"], "label": labels}).to_parquet(f)
    with pytest.raises(IngestError) as err:
        ingest.read_parquet_input(str(f))
    msg = str(err.value)
    assert f"{f} row 1 (0-based row within this file)" in msg
    assert shown in msg
    assert "not a valid label" in msg


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", "empty review text"), ("  \t ", "review text is only whitespace")],
)
def test_parquet_empty_or_blank_text(tmp_path, text, problem):
    f = tmp_path / "test.parquet"
    pd.DataFrame({"text": ["fine", "ok", text], "label": [1, 0, 1]}).to_parquet(f)
    with pytest.raises(IngestError) as err:
        ingest.read_parquet_input(str(f))
    assert f"{f} row 2 (0-based row within this file): {problem}" in str(err.value)


def test_parquet_integral_float_labels_are_accepted(tmp_path):
    f = tmp_path / "train.parquet"
    pd.DataFrame({"text": ["a", "b"], "label": [1.0, 0.0]}).to_parquet(f)
    df = ingest.read_parquet_input(str(f))
    assert df["label"].tolist() == [1, 0]
    assert df["label"].dtype == np.int8


def test_parquet_fractional_float_labels_are_rejected(tmp_path):
    f = tmp_path / "train.parquet"
    pd.DataFrame({"text": ["a", "b", "c"], "label": [1.0, 0.5, 0.25]}).to_parquet(f)
    with pytest.raises(IngestError) as err:
        ingest.read_parquet_input(str(f))
    msg = str(err.value)
    assert f"{f} row 1 (0-based row within this file): label 0.5" in msg
    assert "column type double" in msg
    assert "2 rows have this problem" in msg


def test_parquet_bad_rating(tmp_path):
    f = tmp_path / "train.parquet"
    pd.DataFrame({"text": ["a", "b"], "label": [1, 0], "rating": [9, 101]}).to_parquet(f)
    with pytest.raises(IngestError, match=r"row 1 .*rating 101 is not a whole number 0-100"):
        ingest.read_parquet_input(str(f))


def test_parquet_float_ratings_with_nan_are_nullable(tmp_path):
    f = tmp_path / "train.parquet"
    pd.DataFrame({"text": ["a", "b"], "label": [1, 0], "rating": [9.0, np.nan]}).to_parquet(f)
    df = ingest.read_parquet_input(str(f))
    assert str(df["rating"].dtype) == "Int8"
    assert df["rating"].iloc[0] == 9
    assert pd.isna(df["rating"].iloc[1])


def test_parquet_duplicate_ids_within_and_across_files(tmp_path):
    one = tmp_path / "one"
    one.mkdir()
    f = one / "train.parquet"
    pd.DataFrame(
        {"review_id": ["x", "y", "x"], "text": ["a", "b", "c"], "label": [1, 0, 1]}
    ).to_parquet(f)
    with pytest.raises(IngestError) as err:
        ingest.read_parquet_input(str(f))
    assert "review_id 'x' appears in rows 0, 2" in str(err.value)
    assert "train.parquet" in str(err.value)

    two = tmp_path / "two"
    two.mkdir()
    pd.DataFrame({"review_id": ["x", "y"], "text": ["a", "b"], "label": [1, 0]}).to_parquet(
        two / "train.parquet"
    )
    pd.DataFrame({"review_id": ["z", "y"], "text": ["c", "d"], "label": [1, 0]}).to_parquet(
        two / "test.parquet"
    )
    with pytest.raises(IngestError) as err:
        ingest.read_parquet_input(str(two))
    msg = str(err.value)
    assert "review_id 'y' appears twice" in msg
    assert f"{two / 'test.parquet'} row 1" in msg
    assert f"{two / 'train.parquet'} row 1" in msg


def test_parquet_bad_split_value(tmp_path):
    f = tmp_path / "data.parquet"
    pd.DataFrame({"split": ["train", "valid"], "text": ["a", "b"], "label": [1, 0]}).to_parquet(f)
    with pytest.raises(IngestError, match=r"row 1 .*split 'valid' is not one of train, test"):
        ingest.read_parquet_input(str(f))


def test_parquet_corrupt_file(tmp_path):
    f = tmp_path / "train.parquet"
    f.write_bytes(b"this is not parquet at all")
    with pytest.raises(IngestError, match="could not read it as Parquet") as err:
        ingest.read_parquet_input(str(f))
    assert "train.parquet" in str(err.value)
