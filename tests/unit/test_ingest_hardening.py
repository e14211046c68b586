"""Ingest hardening (issue 17 items 3 and 9): size caps, sparse members, regular files only,
hidden Parquet files, bad labels and ratings, markup-only reviews, one-class train splits,
local archive checksums and the aclImdb folder's fingerprint."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import threading

import numpy as np
import pandas as pd
import pytest
from test_ingest_aclimdb import ACL_FILES, acl_members, write_tar, write_tree

from conftest import run_ingest
from sentclust import ingest
from sentclust.ingest import IngestError
from sentclust.ingest.contract import MAX_REVIEW_BYTES
from sentclust.ingest.inputs import ingest_files, input_fingerprint, local_archive_sha256


def acl_tree(tmp_path, files=ACL_FILES):
    return write_tree(tmp_path / "aclImdb", acl_members(files))


def with_file(split, lab, num, rating, text):
    return [*ACL_FILES, (split, lab, num, rating, text)]


# ------------------------------------------------------------------------------------------
# item 3: sizes, sparse members, regular files only


def test_default_review_cap_is_generous():
    assert MAX_REVIEW_BYTES == 1 << 20


def test_folder_review_above_the_cap_names_the_file(tmp_path):
    root = acl_tree(tmp_path, with_file("train", "pos", 7, 8, "x" * 5000))
    with pytest.raises(IngestError) as err:
        ingest.read_aclimdb_dir(str(root), max_review_bytes=4096)
    msg = str(err.value)
    assert str(root / "train" / "pos" / "7_8.txt") in msg
    assert "5000 bytes" in msg and "ingest.max_review_bytes" in msg
    assert len(ingest.read_aclimdb_dir(str(root), max_review_bytes=5000)) == len(ACL_FILES) + 1


def test_tar_member_above_the_cap_names_the_member(tmp_path):
    members = acl_members(with_file("test", "neg", 9, 1, "y" * 5000))
    tar = write_tar(tmp_path / "aclImdb_v1.tar.gz", members)
    with pytest.raises(IngestError, match=r"member aclImdb/test/neg/9_1\.txt: 5000 bytes"):
        ingest.read_aclimdb_tar(str(tar), max_review_bytes=4096)


def test_parquet_review_above_the_cap_fails_at_ingest(tmp_path):
    f = tmp_path / "train.parquet"
    pd.DataFrame(
        {"review_id": ["a", "b"], "text": ["ok", "\u00e9" * 3000], "label": [1, 0]}
    ).to_parquet(f)
    with pytest.raises(IngestError, match=r"review_id 'b': 6000 bytes, more than"):
        run_ingest(str(f), splits=["train"], max_review_bytes=5000)


def test_sparse_tar_member_is_refused(tmp_path):
    tar_path = tmp_path / "aclImdb_v1.tar"
    with tarfile.open(tar_path, "w", format=tarfile.GNU_FORMAT) as tar:
        for rel, data in acl_members().items():
            info = tarfile.TarInfo("aclImdb/" + rel)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        sparse = tarfile.TarInfo("aclImdb/train/pos/99_9.txt")
        sparse.type = tarfile.GNUTYPE_SPARSE
        sparse.size = 5
        tar.addfile(sparse, io.BytesIO(b"hello"))
    with pytest.raises(IngestError, match=r"member aclImdb/train/pos/99_9\.txt is a sparse file"):
        ingest.read_aclimdb_tar(str(tar_path))


def test_folder_symlink_review_is_refused(tmp_path):
    root = acl_tree(tmp_path)
    outside = tmp_path / "secret.txt"
    outside.write_text("not a review")
    (root / "train" / "pos" / "50_9.txt").symlink_to(outside)
    with pytest.raises(IngestError, match=r"50_9\.txt' is a symbolic link; only regular files"):
        ingest.read_aclimdb_dir(str(root))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_folder_fifo_review_fails_instead_of_blocking(tmp_path):
    root = acl_tree(tmp_path)
    os.mkfifo(root / "test" / "neg" / "51_2.txt")
    outcome = {}

    def read():
        try:
            ingest.read_aclimdb_dir(str(root))
        except IngestError as err:
            outcome["error"] = str(err)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=20)
    if reader.is_alive():  # unblock the reader so the test process can end
        with open(root / "test" / "neg" / "51_2.txt", "wb"):
            pass
        pytest.fail("the folder reader blocked on a FIFO")
    assert "51_2.txt' is a named pipe (FIFO)" in outcome["error"]


# ------------------------------------------------------------------------------------------
# item 9: Parquet folders with hidden files and temporaries


def test_parquet_folder_ignores_hidden_files_and_temporaries(tmp_path):
    pd.DataFrame({"text": ["a b", "c d"], "label": [1, 0]}).to_parquet(tmp_path / "train.parquet")
    pd.DataFrame({"text": ["e f", "g h"], "label": [0, 1]}).to_parquet(tmp_path / "test.parquet")
    (tmp_path / "._train.parquet").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    (tmp_path / ".test.parquet").write_bytes(b"partial")
    (tmp_path / ".test.parquet.tmp").write_bytes(b"partial")
    (tmp_path / "test.parquet.tmp").write_bytes(b"partial")
    df = ingest.read_parquet_input(str(tmp_path))
    assert len(df) == 4
    assert ingest.detect_format(str(tmp_path)) == "parquet"
    # the ingest rule's input (rules/common.smk ingest_input): the same files
    assert ingest_files(str(tmp_path)) == [
        str(tmp_path / n) for n in ("test.parquet", "train.parquet")
    ]


def test_parquet_folder_refuses_a_symlink(tmp_path):
    elsewhere = tmp_path / "elsewhere.parquet"
    pd.DataFrame({"text": ["a b"], "label": [1]}).to_parquet(elsewhere)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "train.parquet").symlink_to(elsewhere)
    with pytest.raises(IngestError, match="is a symbolic link"):
        ingest.read_parquet_input(str(folder))


# ------------------------------------------------------------------------------------------
# item 9: labels, ratings, markup, classes


def test_nan_labels_are_named_by_row_and_id(tmp_path):
    f = tmp_path / "train.parquet"
    frame = pd.DataFrame(
        {
            "review_id": ["r0", "r1", "r2", "r3"],
            "text": ["a", "b", "c", "d"],
            "label": [1.0, 0.0, np.nan, np.nan],
        }
    )
    frame.to_parquet(f)
    with pytest.raises(IngestError) as err:
        ingest.read_parquet_input(str(f))
    msg = str(err.value)
    assert "missing (null/NaN) in 2 row(s): rows 2, 3 (review_id 'r2', 'r3')" in msg
    assert "row 0" not in msg


def test_pos_review_with_two_stars_names_the_file(tmp_path):
    root = acl_tree(tmp_path, with_file("train", "pos", 42, 2, "Dull and silly."))
    with pytest.raises(IngestError) as err:
        run_ingest(str(root))
    msg = str(err.value)
    assert "review file train/pos/42_2.txt" in msg
    assert "rated 2 stars" in msg and "ingest.rating_conflicts: keep" in msg


def test_rating_conflicts_keep_counts_them(tmp_path):
    files = [*with_file("train", "pos", 42, 2, "Dull."), ("test", "neg", 43, 8, "Lovely.")]
    df, summary = run_ingest(str(acl_tree(tmp_path, files)), rating_conflicts="keep")
    assert len(df) == len(files)
    assert summary["rating_conflicts"] == {"policy": "keep", "read": 2}
    assert summary["rating_label_conflicts"] == 2
    with pytest.raises(IngestError, match="unknown rating_conflicts policy"):
        run_ingest(str(tmp_path / "aclImdb"), rating_conflicts="ignore")


@pytest.mark.parametrize("text", ["<br /><br />", " <br/> &nbsp; <p></p>"])
def test_markup_only_review_fails_at_ingest(tmp_path, text):
    root = acl_tree(tmp_path, with_file("test", "pos", 77, 9, text))
    with pytest.raises(IngestError, match=r"review file test/pos/77_9\.txt: the review is only"):
        run_ingest(str(root))
    f = tmp_path / "train.parquet"
    pd.DataFrame({"review_id": ["a", "b"], "text": ["fine", text], "label": [1, 0]}).to_parquet(f)
    with pytest.raises(IngestError, match=r"review_id 'b': the review is only markup"):
        run_ingest(str(f), splits=["train"])


def test_train_split_with_one_class_fails_at_ingest(tmp_path):
    files = [f for f in ACL_FILES if not (f[0] == "train" and f[1] == "neg")]
    with pytest.raises(IngestError) as err:
        run_ingest(str(acl_tree(tmp_path, files)))
    msg = str(err.value)
    assert "the train split holds only positive (label 1) reviews (2)" in msg
    assert "no negative (label 0) ones" in msg
    # the test split may hold one class (its metrics handle that)
    files = [f for f in ACL_FILES if not (f[0] == "test" and f[1] == "pos")]
    df, _ = run_ingest(str(acl_tree(tmp_path / "b", files)))
    assert set(df.loc[df["split"] == "test", "label"]) == {0}


def test_a_tiny_subsample_that_loses_a_class_says_so(tmp_path):
    f = tmp_path / "train.parquet"
    pd.DataFrame({"text": [f"t{i}" for i in range(10)], "label": [1] * 9 + [0]}).to_parquet(f)
    with pytest.raises(IngestError, match="larger `ingest.subsample`"):
        run_ingest(str(f), splits=["train"], subsample=2)


# ------------------------------------------------------------------------------------------
# local archive checksum, the aclImdb folder's fingerprint


def test_local_archive_is_verified_against_input_sha256(tmp_path):
    tar = write_tar(tmp_path / "aclImdb_v1.tar.gz", acl_members())
    good = hashlib.sha256(tar.read_bytes()).hexdigest()
    df, _ = run_ingest(str(tar), sha256=good)
    assert len(df) == len(ACL_FILES)
    with pytest.raises(IngestError, match=r"its SHA-256 is .*not input_sha256 0{64}"):
        run_ingest(str(tar), sha256="0" * 64)
    config = {"input_path": str(tar), "input_format": "auto", "input_sha256": good}
    assert local_archive_sha256(config) == good
    assert local_archive_sha256({**config, "input_path": "x.parquet"}) is None
    assert local_archive_sha256({**config, "input_path": None}) is None


def test_fingerprint_changes_when_a_review_changes_but_not_the_folder(tmp_path):
    root = acl_tree(tmp_path)
    review = root / "train" / "pos" / "10_9.txt"
    folder_times = [(p, p.stat()) for p in (root / "train" / "pos", root / "train", root)]
    before = input_fingerprint(str(tmp_path))
    assert before["files"] == len(ACL_FILES) + 1  # with test/pos/.DS_Store
    review.write_text("Great film, loved it!")  # one byte more, newer mtime
    st = review.stat()
    os.utime(review, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    for folder, old in folder_times:
        os.utime(folder, ns=(old.st_atime_ns, old.st_mtime_ns))
        assert folder.stat().st_mtime_ns == old.st_mtime_ns
    after = input_fingerprint(str(tmp_path))
    assert after != before
    assert input_fingerprint(str(tmp_path)) == after  # stable while nothing changes
    assert input_fingerprint(None) is None
    assert input_fingerprint(str(review)) is None
