"""Unit tests of the ingest stage (sentclust.ingest): every input form, every bad input."""

from __future__ import annotations

import io
import json
import tarfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sentclust import ingest
from sentclust.files import REVIEWS_SCHEMA
from sentclust.ingest import IngestError

FULL_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "imdb"
skip_without_full_data = pytest.mark.skipif(
    not ((FULL_DATA / "train.parquet").is_file() and (FULL_DATA / "test.parquet").is_file()),
    reason=f"full IMDB dataset not found at {FULL_DATA} (needs train.parquet and test.parquet)",
)

COLUMNS = ["review_id", "split", "text", "label", "rating"]


# ------------------------------------------------------------------------------------------
# builders of tiny inputs


def frame(rows: list[tuple]) -> pd.DataFrame:
    """A contract frame from (review_id, split, text, label, rating) tuples."""
    ids, splits, texts, labels, ratings = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "review_id": pd.Series(ids, dtype="str"),
            "split": pd.Series(splits, dtype="str"),
            "text": pd.Series(texts, dtype="str"),
            "label": pd.Series(labels, dtype="int8"),
            "rating": pd.Series(pd.array(ratings, dtype="Int8")),
        }
    )


# (split, pos|neg, id, rating, text): ids chosen so numeric and text order differ (2 < 10)
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
    df, summary = ingest.ingest(str(tmp_path))
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


def test_parquet_float_labels_are_rejected(tmp_path):
    f = tmp_path / "train.parquet"
    pd.DataFrame({"text": ["a", "b"], "label": [1.0, 0.0]}).to_parquet(f)
    with pytest.raises(IngestError) as err:
        ingest.read_parquet_input(str(f))
    msg = str(err.value)
    assert f"{f} row 0 (0-based row within this file): label 1.0" in msg
    assert "column type double" in msg
    assert "2 rows have this problem" in msg


def test_parquet_bad_rating(tmp_path):
    f = tmp_path / "train.parquet"
    pd.DataFrame({"text": ["a", "b"], "label": [1, 0], "rating": [9, 11]}).to_parquet(f)
    with pytest.raises(IngestError, match=r"row 1 .*rating 11 is not an integer 1-10"):
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
    df, summary = ingest.ingest(str(tmp_path / "data"))
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
    df, _ = ingest.ingest(str(archive))
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
    df, summary = ingest.ingest(str(f), seed=3)
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
    f = write_csv(tmp_path / "reviews.csv", "text,label\nnice,1\n")
    with pytest.raises(IngestError) as err:
        ingest.read_csv_input(str(f), test_fraction=0.5, seed=0)
    msg = str(err.value)
    assert "reviews.csv" in msg
    assert "missing column(s) review, sentiment" in msg
    assert "found columns text, label" in msg


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
        ingest.ingest(str(missing), fmt="aclimdb_tar")


def test_unknown_format_argument(tmp_path):
    f = balanced_csv(tmp_path / "reviews.csv")
    with pytest.raises(IngestError, match="unknown input_format 'xlsx'"):
        ingest.ingest(str(f), fmt="xlsx")


# ------------------------------------------------------------------------------------------
# validate_reviews


def good_frame() -> pd.DataFrame:
    return frame(
        [
            ("a", "train", "one", 0, 1),
            ("b", "train", "two", 1, 10),
            ("c", "test", "three", 0, None),
        ]
    )


def test_validate_accepts_good_frame():
    ingest.validate_reviews(good_frame(), source="x")


def test_validate_duplicate_id_names_both_rows():
    df = good_frame()
    df.loc[2, "review_id"] = "a"
    with pytest.raises(IngestError) as err:
        ingest.validate_reviews(df, source="input.parquet")
    msg = str(err.value)
    assert "input.parquet" in msg
    assert "review_id 'a' is used by rows 0 and 2" in msg


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("label", 2, "row 1 (review_id 'b'): label 2 is not 0 or 1"),
        ("rating", 11, "row 1 (review_id 'b'): rating 11 is not an integer 1-10"),
        ("rating", 0, "row 1 (review_id 'b'): rating 0 is not an integer 1-10"),
        ("text", "", "row 1 (review_id 'b'): empty or whitespace-only review text"),
        ("text", " \n\t", "row 1 (review_id 'b'): empty or whitespace-only review text"),
        ("split", "valid", "row 1 (review_id 'b'): split 'valid' is not one of train, test"),
    ],
)
def test_validate_bad_values(column, value, expected):
    df = good_frame()
    if column == "label":
        df["label"] = df["label"].astype("int64")
    df.loc[1, column] = value
    with pytest.raises(IngestError) as err:
        ingest.validate_reviews(df, source="src")
    assert expected in str(err.value)


def test_validate_missing_column():
    with pytest.raises(IngestError, match="lacks column\\(s\\) rating"):
        ingest.validate_reviews(good_frame().drop(columns="rating"), source="src")


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
        ingest.ingest(str(f), duplicate_texts="first")


def test_ingest_drop_removes_test_rows_repeating_train(tmp_path):
    dup_frame().to_parquet(tmp_path / "reviews.parquet")
    df, summary = ingest.ingest(str(tmp_path / "reviews.parquet"), duplicate_texts="drop")
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
    out, summary = ingest.ingest(
        str(tmp_path / "reviews.parquet"), splits=["train"], subsample=20, seed=5
    )
    assert len(out) == 20
    assert set(out["split"]) == {"train"}
    assert out["label"].tolist() == sorted(out["label"].tolist())
    assert summary["n_read"] == 100
    assert summary["n_reviews"] == 20
    assert summary["splits_kept"] == ["train"]
    with pytest.raises(IngestError, match="unknown split name"):
        ingest.ingest(str(tmp_path / "reviews.parquet"), splits=["dev"])


# ------------------------------------------------------------------------------------------
# summary and table


def test_summarize_counts():
    df = frame(
        [
            ("a", "train", "abc", 0, 1),
            ("b", "train", "abcde", 0, 8),  # conflict: negative with 8 stars
            ("c", "train", "a", 1, 3),  # conflict: positive with 3 stars
            ("d", "test", "abcdefg", 1, None),
            ("e", "test", "ab", 0, 4),
        ]
    )
    dups = {
        "policy": "keep",
        "duplicate_text_rows": 0,
        "cross_split_duplicate_rows": 0,
        "dropped": 0,
    }
    s = ingest.summarize(df, source="in.csv", fmt="csv", duplicates=dups, extra={"seed": 3})
    json.dumps(s)
    assert s["n_reviews"] == 5
    assert s["counts_per_split"] == {"train": 3, "test": 2}
    assert s["counts_per_split_label"] == {"train": {"0": 2, "1": 1}, "test": {"0": 1, "1": 1}}
    assert s["counts_per_split_rating"] == {
        "train": {"1": 1, "3": 1, "8": 1},
        "test": {"4": 1, "null": 1},
    }
    assert s["n_missing_rating"] == 1
    assert s["rating_label_conflicts"] == 2
    assert s["ratings_consistent_with_labels"] is False
    assert (s["text_length_chars"]["min"], s["text_length_chars"]["max"]) == (1, 7)
    assert s["text_length_chars"]["median"] == 3
    assert s["duplicates"] == dups
    assert (s["source"], s["format"], s["seed"]) == ("in.csv", "csv", 3)


def test_to_table_schema_and_nulls(tmp_path):
    table = ingest.to_table(good_frame())
    assert table.schema.equals(REVIEWS_SCHEMA)
    assert table.column("rating").to_pylist() == [1, 10, None]
    pq.write_table(table, tmp_path / "r.parquet")
    back = pd.read_parquet(tmp_path / "r.parquet")
    assert back["review_id"].tolist() == ["a", "b", "c"]
    assert pd.isna(back["rating"].iloc[2])


# ------------------------------------------------------------------------------------------
# the full shared dataset


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
    df, summary = ingest.ingest(str(FULL_DATA))
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
    df, summary = ingest.ingest(str(csv))
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
        df, _ = ingest.ingest(str(path))
        pd.testing.assert_frame_equal(df[COLUMNS], expected[COLUMNS], check_dtype=False)
        assert df["rating"].tolist() == expected["rating"].tolist()


def test_atomic_outputs_get_the_usual_permissions_not_mkstemps_private_ones(tmp_path):
    import os

    from sentclust.files import atomic_dir, write_text

    mask = os.umask(0o022)
    try:
        write_text("x", tmp_path / "a.txt")
        with atomic_dir(tmp_path / "figs") as d:
            (d / "f.png").write_bytes(b"")
    finally:
        os.umask(mask)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "figs").stat().st_mode & 0o777 == 0o755
