"""Unit tests of sentclust.ingest.job (the whole stage), also on the full shared dataset."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_ingest_aclimdb import write_tar, write_tree
from test_ingest_contract import COLUMNS

from conftest import run_ingest
from sentclust import ingest
from sentclust.ingest import REVIEWS_SCHEMA, IngestError, job

# ------------------------------------------------------------------------------------------
# the full shared dataset


FULL_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "imdb"
skip_without_full_data = pytest.mark.skipif(
    not ((FULL_DATA / "train.parquet").is_file() and (FULL_DATA / "test.parquet").is_file()),
    reason=f"full IMDB dataset not found at {FULL_DATA} (needs train.parquet and test.parquet)",
)


@pytest.fixture(scope="module")
def full_parquet() -> pd.DataFrame:
    return pd.concat(
        [pd.read_parquet(FULL_DATA / f"{s}.parquet") for s in ("train", "test")],
        ignore_index=True,
    )


@pytest.mark.full_data
@skip_without_full_data
def test_full_parquet_ingest(full_parquet):
    start = time.perf_counter()
    df, summary = run_ingest(str(FULL_DATA))
    elapsed = time.perf_counter() - start
    assert len(df) == 50_000
    assert summary["counts_per_split"] == {"train": 25_000, "test": 25_000}
    for split in ("train", "test"):
        assert summary["counts_per_split_label"][split] == {"0": 12_500, "1": 12_500}
    assert summary["n_missing_rating"] == 0
    assert df["rating"].notna().all()
    assert df["review_id"].is_unique
    assert summary["rating_label_conflicts"] == 0
    assert summary["duplicates"]["duplicate_text_rows"] == len(df) - df["text"].nunique()
    # same rows, same order as the shared files
    assert df["review_id"].tolist() == full_parquet["review_id"].tolist()
    assert df["text"].equals(full_parquet["text"])
    assert ingest.to_table(df).schema.equals(REVIEWS_SCHEMA)
    assert elapsed < 30, f"ingest took {elapsed:.1f} s"


@pytest.mark.full_data
@skip_without_full_data
def test_full_csv_form(full_parquet, tmp_path):
    csv = tmp_path / "IMDB Dataset.csv"
    pd.DataFrame(
        {
            "review": full_parquet["text"],
            "sentiment": np.where(full_parquet["label"] == 1, "positive", "negative"),
        }
    ).to_csv(csv, index=False)
    df, summary = run_ingest(str(csv))
    assert len(df) == 50_000
    assert df["rating"].isna().all()
    assert summary["counts_per_split"] == {"train": 25_000, "test": 25_000}
    for split in ("train", "test"):
        assert summary["counts_per_split_label"][split] == {"0": 12_500, "1": 12_500}
    assert sorted(df["text"]) == sorted(full_parquet["text"])


@pytest.mark.full_data
@skip_without_full_data
def test_full_aclimdb_folder_and_tar_round_trip(full_parquet, tmp_path):
    sample = full_parquet.groupby(["split", "label"]).head(75)  # 300 real rows
    members = {}
    for rid, text in zip(sample["review_id"], sample["text"], strict=True):
        split, lab, num, rating = rid.split("_")
        members[f"{split}/{lab}/{num}_{rating}.txt"] = text.encode("utf-8")
    folder = write_tree(tmp_path / "aclImdb", members)
    archive = write_tar(tmp_path / "aclImdb_v1.tar.gz", members)
    expected = sample.reset_index(drop=True)
    expected["rating"] = expected["rating"].astype("Int8")
    for path in (folder, archive):
        df, _ = run_ingest(str(path))
        pd.testing.assert_frame_equal(df[COLUMNS], expected[COLUMNS], check_dtype=False)
        assert df["rating"].tolist() == expected["rating"].tolist()


# ------------------------------------------------------------------------------------------
# files written by the stage


# ------------------------------------------------------------------------------------------
# reading and the format


def test_read_input_uses_the_reader_of_each_format(tmp_path):
    members = {"train/pos/1_9.txt": b"good", "test/neg/2_1.txt": b"bad"}
    acl = write_tree(tmp_path / "aclImdb", members)
    tar = write_tar(tmp_path / "a.tar.gz", members)
    pq_file = tmp_path / "train.parquet"
    pd.DataFrame({"text": ["x"], "label": [1]}).to_parquet(pq_file)
    csv = tmp_path / "r.csv"
    csv.write_text("review,sentiment\nnice,positive\nbad,negative\n")
    assert job.read_input(str(acl), "aclimdb", seed=0, csv_test_fraction=0.5)[
        "review_id"
    ].tolist() == ["train_pos_1_9", "test_neg_2_1"]
    assert len(job.read_input(str(tar), "aclimdb_tar", seed=0, csv_test_fraction=0.5)) == 2
    assert job.read_input(str(pq_file), "parquet", seed=0, csv_test_fraction=0.5)[
        "review_id"
    ].tolist() == ["train_pos_0"]
    df = job.read_input(str(csv), "csv", seed=0, csv_test_fraction=0.5)
    assert df["review_id"].tolist() == ["csv_0", "csv_1"]
    assert list(df.columns) == COLUMNS


def test_resolve_format(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("review,sentiment\n")
    assert job._resolve_format(str(f), "auto") == "csv"
    assert job._resolve_format(str(f), "parquet") == "parquet"  # as told, not detected
    with pytest.raises(IngestError, match="unknown input_format 'xlsx'"):
        job._resolve_format(str(f), "xlsx")
    with pytest.raises(IngestError, match="does not exist"):
        job._resolve_format(str(tmp_path / "none.csv"), "csv")


def test_ingest_summary_extra_keys(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("review,sentiment\nnice,positive\nbad,negative\nok,positive\nmeh,negative\n")
    _, summary = run_ingest(str(f), splits="test", seed=3, csv_test_fraction=0.5)
    assert summary["n_read"] == 4
    assert summary["splits_kept"] == ["test"]
    assert (summary["subsample"], summary["seed"], summary["csv_test_fraction"]) == (None, 3, 0.5)
    assert list(summary)[-6:] == [
        "n_read",
        "splits_kept",
        "subsample",
        "seed",
        "rating_conflicts",
        "csv_test_fraction",
    ]
    assert summary["rating_conflicts"] == {"policy": "error", "read": 0}
