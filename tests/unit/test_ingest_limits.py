"""Ingest's caps on the whole input (issue 28 item 5): all reviews' bytes together, a tar
archive's members, a Parquet file's text sized before it is decoded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from test_ingest_aclimdb import ACL_FILES, acl_members, write_tar, write_tree

from conftest import ROOT, run_ingest
from sentclust import ingest
from sentclust.ingest import IngestError
from sentclust.ingest.limits import MAX_ARCHIVE_MEMBERS, MAX_TOTAL_BYTES

SCRIPTS = ROOT / "workflow_scripts"


def _with_reviews(n: int, size: int) -> list[tuple]:
    """ACL_FILES and ``n`` train/pos reviews of ``size`` bytes."""
    return [*ACL_FILES, *(("train", "pos", 100 + i, 9, "w" * size) for i in range(n))]


# ------------------------------------------------------------------------------------------
# item 5: all reviews together, archive members, Parquet sizes before decoding


def test_the_caps_are_the_schemas_defaults():
    schema = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text())
    keys = schema["properties"]["ingest"]["properties"]
    assert keys["max_total_bytes"]["default"] == MAX_TOTAL_BYTES == 1 << 27
    assert keys["max_archive_members"]["default"] == MAX_ARCHIVE_MEMBERS == 200_000


def test_a_tar_whose_reviews_pass_the_total_cap_stops_at_that_member(tmp_path):
    tar = write_tar(tmp_path / "aclImdb_v1.tar.gz", acl_members(_with_reviews(6, 5000)))
    with pytest.raises(IngestError) as err:
        ingest.read_aclimdb_tar(str(tar), max_total_bytes=20_000)
    msg = str(err.value)
    assert "aclImdb_v1.tar.gz member aclImdb/train/pos/" in msg
    assert "more than ingest.max_total_bytes (20000)" in msg and "Fix:" in msg
    assert len(ingest.read_aclimdb_tar(str(tar), max_total_bytes=40_000)) == len(ACL_FILES) + 6


def test_a_tar_with_too_many_members_stops_while_streaming(tmp_path):
    members = acl_members()
    members.update({f"train/unsup/{i}_0.txt": b"" for i in range(50)})
    tar = write_tar(tmp_path / "aclImdb_v1.tar.gz", members)
    with pytest.raises(IngestError) as err:
        ingest.read_aclimdb_tar(str(tar), max_archive_members=20)
    msg = str(err.value)
    assert "aclImdb_v1.tar.gz: more than ingest.max_archive_members (20) members" in msg
    assert "stopped at member 21" in msg and "Fix:" in msg
    assert len(ingest.read_aclimdb_tar(str(tar), max_archive_members=100)) == len(ACL_FILES)


def test_a_folder_whose_reviews_pass_the_total_cap_names_the_file(tmp_path):
    root = write_tree(tmp_path / "aclImdb", acl_members(_with_reviews(6, 5000)))
    with pytest.raises(IngestError, match=r"train/pos/10\d_9\.txt: the reviews read up to here "):
        ingest.read_aclimdb_dir(str(root), max_total_bytes=20_000)


def test_the_caps_reach_ingest_and_are_checked(tmp_path):
    tar = write_tar(tmp_path / "aclImdb_v1.tar.gz", acl_members(_with_reviews(6, 5000)))
    with pytest.raises(IngestError, match=r"ingest\.max_total_bytes \(20000\)"):
        run_ingest(tar, max_total_bytes=20_000)
    with pytest.raises(IngestError, match=r"ingest\.max_archive_members \(5\)"):
        run_ingest(tar, max_archive_members=5)
    for key in ("max_total_bytes", "max_archive_members"):
        with pytest.raises(IngestError, match=rf"ingest\.{key} 0 must be a positive"):
            run_ingest(tar, **{key: 0})


def _bomb(path: Path, rows: int, size: int, **options) -> Path:
    """A small Parquet file of ``rows`` identical texts of ``size`` bytes (compressed away)."""
    table = pa.table({"text": ["a" * size] * rows, "label": [1] * rows})
    pq.write_table(table, path, compression="zstd", **options)
    return path


def test_a_dictionary_encoded_parquet_bomb_is_refused_before_its_texts_are_decoded(tmp_path):
    f = _bomb(tmp_path / "train.parquet", rows=400, size=100_000)  # 40 MB in a 1 KB file
    assert f.stat().st_size < 10_000
    code = (
        "import pyarrow as pa, sys\n"
        "from sentclust.ingest import IngestError, read_parquet_input\n"
        "try:\n"
        f"    read_parquet_input({str(f)!r}, max_total_bytes=1_000_000)\n"
        "except IngestError as err:\n"
        "    print(err)\n"
        "print('peak', pa.default_memory_pool().max_memory())\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(SCRIPTS)},
    )
    assert run.returncode == 0, run.stderr
    msg, peak = run.stdout.rsplit("peak ", 1)
    assert f"{f}: its texts hold 40000000 bytes, more than ingest.max_total_bytes" in msg
    assert int(peak) < 10_000_000, peak  # the 40 MB of texts were never decoded
    with pytest.raises(IngestError, match=r"row 0 \(0-based row within this file\): 100000 bytes"):
        ingest.read_parquet_input(str(f), max_review_bytes=50_000)


def test_a_plain_parquet_bomb_is_refused_from_its_metadata(tmp_path):
    f = _bomb(tmp_path / "train.parquet", rows=400, size=100_000, use_dictionary=False)
    with pytest.raises(IngestError) as err:
        ingest.read_parquet_input(str(f), max_total_bytes=1_000_000)
    msg = str(err.value)
    assert f"{f}: its `text` column's 400 rows (Parquet metadata, before decoding: " in msg
    assert "more than ingest.max_total_bytes (1000000)" in msg


def test_the_total_cap_spans_the_files_of_a_parquet_folder(tmp_path):
    for split in ("train", "test"):
        texts = [f"{split} review {i} " + "x" * 3000 for i in range(4)]
        pd.DataFrame({"text": texts, "label": [0, 1, 0, 1]}).to_parquet(
            tmp_path / f"{split}.parquet"
        )
    assert len(ingest.read_parquet_input(str(tmp_path), max_total_bytes=30_000)) == 8
    with pytest.raises(IngestError, match=r"train\.parquet: .*ingest\.max_total_bytes \(20000\)"):
        ingest.read_parquet_input(str(tmp_path), max_total_bytes=20_000)


def test_a_csv_file_above_the_total_cap_is_not_read(tmp_path):
    f = tmp_path / "reviews.csv"
    f.write_text("review,sentiment\n" + "".join(f"good {i},positive\n" for i in range(500)))
    with pytest.raises(IngestError, match=r"reviews\.csv: the file's reviews hold \d+ bytes"):
        ingest.read_csv_input(str(f), test_fraction=0.5, seed=0, max_total_bytes=1000)
