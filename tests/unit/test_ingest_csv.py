"""Unit tests of sentclust.ingest.csvfile: the review,sentiment CSV, every bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_ingest_contract import COLUMNS

from conftest import run_ingest
from sentclust import ingest
from sentclust.ingest import IngestError, csvfile

# ------------------------------------------------------------------------------------------
# builders


def write_csv(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def balanced_csv(path: Path, n_per_label: int = 10) -> Path:
    rows = []
    for i in range(n_per_label):
        rows.append({"review": f"good movie number {i}, truly", "sentiment": "positive"})
        rows.append({"review": f"bad movie number {i}", "sentiment": "negative"})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


# ------------------------------------------------------------------------------------------
# CSV


def test_csv_reads_labels_ids_null_ratings_and_stratified_split(tmp_path):
    f = balanced_csv(tmp_path / "IMDB Dataset.csv", n_per_label=10)
    df = ingest.read_csv_input(str(f), test_fraction=0.3, seed=1)
    assert list(df.columns) == COLUMNS
    assert len(df) == 20
    assert df["review_id"].tolist() == [f"csv_{i}" for i in range(20)]
    assert df["label"].tolist() == [1, 0] * 10
    assert df["rating"].isna().all()
    assert str(df["rating"].dtype) == "Int8"
    counts = df.groupby(["split", "label"]).size().to_dict()
    assert counts == {("test", 0): 3, ("test", 1): 3, ("train", 0): 7, ("train", 1): 7}
    again = ingest.read_csv_input(str(f), test_fraction=0.3, seed=1)
    assert again["split"].tolist() == df["split"].tolist()
    other = ingest.read_csv_input(str(f), test_fraction=0.3, seed=2)
    assert other["split"].tolist() != df["split"].tolist()


def test_csv_through_ingest_orders_and_detects(tmp_path):
    f = balanced_csv(tmp_path / "reviews.csv", n_per_label=6)
    assert ingest.detect_format(str(f)) == "csv"
    df, summary = run_ingest(str(f), seed=3)
    assert summary["format"] == "csv"
    assert summary["n_missing_rating"] == 12
    assert summary["counts_per_split"] == {"train": 6, "test": 6}
    keys = list(zip(df["split"], df["label"], strict=True))
    assert keys == sorted(keys, key=lambda k: (k[0] != "train", k[1]))
    # source (line) order within each split and label
    for _, group in df.groupby(["split", "label"]):
        numbers = group["review_id"].str.removeprefix("csv_").astype(int).tolist()
        assert numbers == sorted(numbers)


def test_csv_bom_and_case_insensitive_header(tmp_path):
    f = tmp_path / "reviews.csv"
    f.write_bytes(b'\xef\xbb\xbfReview,Sentiment\n"nice, really",Positive\nugly,negative\n')
    df = ingest.read_csv_input(str(f), test_fraction=0.5, seed=0)
    assert df["text"].tolist() == ["nice, really", "ugly"]
    assert df["label"].tolist() == [1, 0]


def test_csv_missing_columns(tmp_path):
    f = write_csv(tmp_path / "reviews.csv", "body,stars\nnice,1\n")
    with pytest.raises(IngestError) as err:
        ingest.read_csv_input(str(f), test_fraction=0.5, seed=0)
    msg = str(err.value)
    assert "reviews.csv: missing column text" in msg
    assert "found columns 'body', 'stars' (separated by ',')" in msg
    assert "(or the pair review,sentiment)" in msg
    assert "set ingest.columns.text" in msg


@pytest.mark.parametrize(
    ("cell", "problem"), [('""', "empty review text"), ('"   "', "review text is only whitespace")]
)
def test_csv_empty_or_blank_review_names_line(tmp_path, cell, problem):
    # the first review spans two lines, so the bad record starts on line 4
    content = f'review,sentiment\n"first line\nsecond line",positive\n{cell},negative\n'
    f = write_csv(tmp_path / "reviews.csv", content)
    with pytest.raises(IngestError) as err:
        ingest.read_csv_input(str(f), test_fraction=0.5, seed=0)
    assert f"{f} line 4: {problem}" in str(err.value)
    assert "Fix: remove that line or fill in the review." in str(err.value)


def test_csv_undecodable_byte_names_line(tmp_path):
    f = tmp_path / "reviews.csv"
    f.write_bytes(b"review,sentiment\ngood,positive\nbad caf\xe9,negative\n")
    with pytest.raises(IngestError) as err:
        ingest.read_csv_input(str(f), test_fraction=0.5, seed=0)
    msg = str(err.value)
    assert f"{f} line 3:" in msg
    assert "(0xe9) is not valid UTF-8" in msg


def test_csv_bad_sentiment(tmp_path):
    f = write_csv(tmp_path / "reviews.csv", "review,sentiment\ngood,positive\nhmm,neutral\n")
    with pytest.raises(IngestError, match=r"line 3: sentiment 'neutral' is not positive or neg"):
        ingest.read_csv_input(str(f), test_fraction=0.5, seed=0)


@pytest.mark.parametrize("fraction", [0, 1, 1.5, -0.1])
def test_csv_test_fraction_must_be_inside_0_1(tmp_path, fraction):
    f = balanced_csv(tmp_path / "reviews.csv")
    with pytest.raises(IngestError, match="csv_test_fraction"):
        ingest.read_csv_input(str(f), test_fraction=fraction, seed=0)


def test_the_csv_split_is_seeded_and_stratified_by_label():
    from sentclust.ingest.policies import seeded_split

    label = np.array([0] * 3 + [1] * 5, dtype=np.int8)
    split = seeded_split(8, label, 0.5, seed=1)
    # round half up: 1.5 -> 2 of the negatives, 2.5 -> 3 of the positives
    assert (split[label == 0] == "test").sum() == 2
    assert (split[label == 1] == "test").sum() == 3
    assert set(split) == {"train", "test"}
    assert seeded_split(8, label, 0.5, seed=1).tolist() == split.tolist()
    assert (seeded_split(8, label, 0.09, seed=1) == "train").all()  # 0.45 -> 0


def test_csv_record_lines_follow_multiline_records_and_blank_lines():
    text = 'review,sentiment\n"a\nb",positive\n\nc,negative\n'
    assert csvfile._csv_record_lines(text) == [2, 5]


def test_a_long_review_beside_a_bad_row_names_the_row(tmp_path):
    """A review over csv's default field limit (131,072 characters) next to a bad row: the
    ingest error naming the row, not ``_csv.Error: field larger than field limit``."""
    import csv

    long = "great " * 30_000  # 180,000 characters
    text = f'review,sentiment\n"{long}",positive\n"a\nb",positive\nhmm,neutral\n'
    f = write_csv(tmp_path / "reviews.csv", text)
    limit = csv.field_size_limit()
    with pytest.raises(IngestError, match=r"line 5: sentiment 'neutral' is not positive or neg"):
        ingest.read_csv_input(str(f), test_fraction=0.5, seed=0)
    assert csv.field_size_limit() == limit  # the process-wide limit is left as it was
    assert csvfile._csv_record_lines(text) == [2, 3, 5]
