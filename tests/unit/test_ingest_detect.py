"""Unit tests of sentclust.ingest.detect: input forms and paths."""

from __future__ import annotations

import pandas as pd
import pytest
from test_ingest_aclimdb import write_tar, write_tree
from test_ingest_csv import balanced_csv, write_csv

from conftest import run_ingest
from sentclust import ingest
from sentclust.ingest import IngestError, detect

# ------------------------------------------------------------------------------------------
# format detection and paths


def test_detect_format_each_form(tmp_path):
    single = tmp_path / "one.parquet"
    pd.DataFrame({"text": ["a"], "label": [1]}).to_parquet(single)
    folder = tmp_path / "pq"
    folder.mkdir()
    pd.DataFrame({"text": ["a"], "label": [1]}).to_parquet(folder / "train.parquet")
    acl = write_tree(tmp_path / "aclImdb", {"test/neg/0_1.txt": b"bad"})
    csv = write_csv(tmp_path / "IMDB Dataset.csv", "review,sentiment\n")
    tgz = write_tar(tmp_path / "aclImdb_v1.tar.gz", {"test/neg/0_1.txt": b"bad"})
    assert ingest.detect_format(str(single)) == "parquet"
    assert ingest.detect_format(str(folder)) == "parquet"
    assert ingest.detect_format(str(acl)) == "aclimdb"
    assert ingest.detect_format(str(csv)) == "csv"
    assert ingest.detect_format(str(tgz)) == "aclimdb_tar"


def test_detect_format_unknown(tmp_path):
    f = write_csv(tmp_path / "reviews.json", "{}")
    with pytest.raises(IngestError) as err:
        ingest.detect_format(str(f))
    msg = str(err.value)
    assert "reviews.json" in msg
    for form in (".parquet", "aclImdb/", ".tar.gz", "review,sentiment"):
        assert form in msg
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(IngestError, match="no \\*.parquet files and no aclImdb layout"):
        ingest.detect_format(str(empty))


def test_nonexistent_path(tmp_path):
    missing = tmp_path / "nowhere" / "aclImdb_v1.tar.gz"
    with pytest.raises(IngestError) as err:
        ingest.detect_format(str(missing))
    assert f"input path '{missing}' does not exist" in str(err.value)
    assert "input_path" in str(err.value)
    with pytest.raises(IngestError, match="does not exist"):
        run_ingest(str(missing), fmt="aclimdb_tar")


def test_unknown_format_argument(tmp_path):
    f = balanced_csv(tmp_path / "reviews.csv")
    with pytest.raises(IngestError, match="unknown input_format 'xlsx'"):
        run_ingest(str(f), fmt="xlsx")


def test_aclimdb_root_is_the_folder_or_its_aclimdb_subfolder(tmp_path):
    acl = write_tree(tmp_path / "data" / "aclImdb", {"train/pos/0_9.txt": b"good"})
    assert detect.aclimdb_root(acl) == acl
    assert detect.aclimdb_root(tmp_path / "data") == acl
    assert detect.aclimdb_root(tmp_path) is None


def test_require_exists(tmp_path):
    assert detect.require_exists(str(tmp_path)) == tmp_path
    with pytest.raises(IngestError) as err:
        detect.require_exists(tmp_path / "nowhere")
    assert f"input path '{tmp_path / 'nowhere'}' does not exist" in str(err.value)
    assert detect.ACCEPTED_FORMS in str(err.value)
