"""Unit tests of sentclust.ingest.aclimdb: the aclImdb folder and archive, every bad input."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pandas as pd
import pytest
from test_ingest_contract import COLUMNS

from conftest import run_ingest
from sentclust import ingest
from sentclust.ingest import IngestError, aclimdb

# ------------------------------------------------------------------------------------------
# builders


ACL_FILES = [
    ("train", "pos", 10, 9, "Great film, loved it."),
    ("train", "pos", 2, 7, "Pretty good <br /><br />overall."),
    ("train", "neg", 3, 1, "Awful. Caf\u00e9 scenes were the worst."),
    ("train", "neg", 0, 4, " Meh, leading space kept."),
    ("test", "pos", 1, 10, "Masterpiece!"),
    ("test", "neg", 11, 2, "Boring and long."),
    ("test", "neg", 5, 3, "Not for me."),
]


def acl_members(files=ACL_FILES) -> dict[str, bytes]:
    members = {
        f"{split}/{lab}/{num}_{rating}.txt": text.encode("utf-8")
        for split, lab, num, rating, text in files
    }
    # everything else of the release is ignored
    members.update(
        {
            "README": b"Large Movie Review Dataset v1.0",
            "imdb.vocab": b"the\nand\n",
            "imdbEr.txt": b"0.1\n",
            "train/urls_pos.txt": b"http://www.imdb.com/title/tt0453418/usercomments\n",
            "train/labeledBow.feat": b"9 0:9 1:1\n",
            "train/unsup/0_0.txt": b"unlabelled review",
            "test/pos/.DS_Store": b"\x00\x01\xff",
        }
    )
    return members


def write_tree(root: Path, members: dict[str, bytes]) -> Path:
    for rel, data in members.items():
        f = root / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(data)
    return root


def write_tar(path: Path, members: dict[str, bytes], prefix: str = "aclImdb/") -> Path:
    mode = "w:gz" if path.name.endswith((".tar.gz", ".tgz")) else "w"
    with tarfile.open(path, mode) as tar:
        folder = tarfile.TarInfo(prefix.rstrip("/") or ".")
        folder.type = tarfile.DIRTYPE
        tar.addfile(folder)
        for rel, data in members.items():
            info = tarfile.TarInfo(prefix + rel)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def expected_acl_order(files=ACL_FILES) -> list[str]:
    rank = {"train": 0, "test": 1}
    lab = {"neg": 0, "pos": 1}
    ordered = sorted(files, key=lambda f: (rank[f[0]], lab[f[1]], f[2]))
    return [f"{s}_{lb}_{n}_{r}" for s, lb, n, r, _ in ordered]


# ------------------------------------------------------------------------------------------
# aclImdb folder and archive


def test_aclimdb_dir_reads_ids_ratings_order_and_ignores_other_files(tmp_path):
    root = write_tree(tmp_path / "aclImdb", acl_members())
    df = ingest.read_aclimdb_dir(str(root))
    assert list(df.columns) == COLUMNS
    assert df["review_id"].tolist() == expected_acl_order()
    row = df.set_index("review_id").loc["train_neg_3_1"]
    assert row["split"] == "train"
    assert row["label"] == 0
    assert row["rating"] == 1
    assert row["text"] == "Awful. Caf\u00e9 scenes were the worst."
    assert df.set_index("review_id").loc["train_neg_0_4", "text"] == " Meh, leading space kept."
    assert df["label"].tolist() == [0, 0, 1, 1, 0, 0, 1]
    assert df["rating"].tolist() == [4, 1, 7, 9, 3, 2, 10]
    assert "unlabelled review" not in set(df["text"])


def test_aclimdb_parent_folder_is_detected_and_read(tmp_path):
    write_tree(tmp_path / "data" / "aclImdb", acl_members())
    assert ingest.detect_format(str(tmp_path / "data")) == "aclimdb"
    df, summary = run_ingest(str(tmp_path / "data"))
    assert df["review_id"].tolist() == expected_acl_order()
    assert summary["format"] == "aclimdb"


@pytest.mark.parametrize(
    ("name", "prefix"),
    [("aclImdb_v1.tar.gz", "aclImdb/"), ("flat.tgz", ""), ("plain.tar", "./aclImdb/")],
)
def test_aclimdb_tar_matches_folder(tmp_path, name, prefix):
    members = acl_members()
    folder = ingest.read_aclimdb_dir(str(write_tree(tmp_path / "aclImdb", members)))
    archive = write_tar(tmp_path / name, members, prefix=prefix)
    assert ingest.detect_format(str(archive)) == "aclimdb_tar"
    from_tar = ingest.read_aclimdb_tar(str(archive))
    pd.testing.assert_frame_equal(from_tar, folder)
    df, _ = run_ingest(str(archive))
    assert df["review_id"].tolist() == expected_acl_order()


def test_aclimdb_tar_is_not_extracted(tmp_path):
    archive = write_tar(tmp_path / "a.tar.gz", acl_members())
    before = sorted(p.name for p in tmp_path.iterdir())
    ingest.read_aclimdb_tar(str(archive))
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_aclimdb_undecodable_bytes_in_file(tmp_path):
    members = acl_members()
    members["train/pos/10_9.txt"] = b"Great \xe9 film"
    root = write_tree(tmp_path / "aclImdb", members)
    with pytest.raises(IngestError) as err:
        ingest.read_aclimdb_dir(str(root))
    msg = str(err.value)
    assert str(root / "train" / "pos" / "10_9.txt") in msg
    assert "byte offset 6 (0xe9) is not valid UTF-8" in msg


def test_aclimdb_undecodable_bytes_in_tar_member(tmp_path):
    members = acl_members()
    members["test/neg/5_3.txt"] = b"ok\xff"
    archive = write_tar(tmp_path / "aclImdb_v1.tar.gz", members)
    with pytest.raises(IngestError) as err:
        ingest.read_aclimdb_tar(str(archive))
    msg = str(err.value)
    assert "aclImdb_v1.tar.gz member aclImdb/test/neg/5_3.txt" in msg
    assert "byte offset 2 (0xff)" in msg


@pytest.mark.parametrize("bad_name", ["notes.txt", "12_9.text", "12-9.txt", "a_9.txt"])
def test_aclimdb_bad_file_name(tmp_path, bad_name):
    members = acl_members()
    members[f"train/neg/{bad_name}"] = b"some review"
    root = write_tree(tmp_path / "aclImdb", members)
    with pytest.raises(IngestError) as err:
        ingest.read_aclimdb_dir(str(root))
    msg = str(err.value)
    assert f"file name '{bad_name}'" in msg
    assert "<id>_<rating>.txt" in msg
    assert str(root / "train" / "neg" / bad_name) in msg


def test_aclimdb_bad_rating_and_empty_file(tmp_path):
    members = acl_members()
    members["train/pos/99_0.txt"] = b"rating zero"
    with pytest.raises(IngestError, match=r"99_0\.txt: rating 0 in the file name is outside 1-10"):
        ingest.read_aclimdb_dir(str(write_tree(tmp_path / "a" / "aclImdb", members)))
    members = acl_members()
    members["test/pos/7_8.txt"] = b" \n "
    with pytest.raises(IngestError, match=r"7_8\.txt: whitespace-only review text"):
        ingest.read_aclimdb_dir(str(write_tree(tmp_path / "b" / "aclImdb", members)))


def test_aclimdb_same_id_twice_in_a_folder(tmp_path):
    members = acl_members()
    members["train/pos/10_8.txt"] = b"another copy"
    with pytest.raises(IngestError, match=r"two review files with id 10 in train/pos/"):
        ingest.read_aclimdb_dir(str(write_tree(tmp_path / "aclImdb", members)))


def test_aclimdb_tar_without_reviews_or_corrupt(tmp_path):
    empty = write_tar(tmp_path / "empty.tar.gz", {"README": b"nothing here"})
    with pytest.raises(IngestError, match="no review files found"):
        ingest.read_aclimdb_tar(str(empty))
    good = write_tar(tmp_path / "good.tar.gz", acl_members()).read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(good[: len(good) // 2])
    with pytest.raises(IngestError, match="could not read it as a tar archive") as err:
        ingest.read_aclimdb_tar(str(truncated))
    assert "truncated.tar.gz" in str(err.value)


def test_is_review_member():
    assert aclimdb._is_review_member(("aclImdb", "train", "pos", "0_9.txt"))
    assert aclimdb._is_review_member(("test", "neg", "notes.txt"))
    assert not aclimdb._is_review_member(("train", "unsup", "0_0.txt"))
    assert not aclimdb._is_review_member(("test", "pos", ".DS_Store"))
    assert not aclimdb._is_review_member(("train", "urls_pos.txt"))


def test_aclimdb_folder_without_review_files(tmp_path):
    root = write_tree(tmp_path / "aclImdb", {"train/pos/.hidden": b"x", "README": b"r"})
    with pytest.raises(IngestError) as err:
        ingest.read_aclimdb_dir(str(root))
    assert str(err.value).startswith(f"{root}: {aclimdb.NO_REVIEWS}. Fix: set `input_path`")


def test_aclimdb_checks_names_then_ratings_then_bytes_then_texts(tmp_path):
    members = acl_members()
    members["train/pos/20_0.txt"] = b""
    members["train/pos/21_9.txt"] = b"\xff"
    members["test/pos/22_9.txt"] = b"   "
    with pytest.raises(IngestError, match="rating 0 in the file name"):
        ingest.read_aclimdb_dir(str(write_tree(tmp_path / "a" / "aclImdb", members)))
    del members["train/pos/20_0.txt"]
    with pytest.raises(IngestError, match="is not valid UTF-8"):
        ingest.read_aclimdb_dir(str(write_tree(tmp_path / "b" / "aclImdb", members)))
    del members["train/pos/21_9.txt"]
    members["test/neg/23_1.txt"] = b""
    with pytest.raises(IngestError, match=r"23_1\.txt: empty review text") as err:
        ingest.read_aclimdb_tar(str(write_tar(tmp_path / "c.tar.gz", members)))
    assert "2 rows have this problem" not in str(err.value)  # the empty one comes first
