"""Unit tests of sentclust.ingest.contract: the converters and checks of every column, the frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sentclust import ingest
from sentclust.ingest import REVIEWS_SCHEMA, SPLITS, IngestError, contract

# ------------------------------------------------------------------------------------------
# builders


COLUMNS = ["review_id", "split", "text", "label", "rating"]


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
        ("rating", 101, "row 1 (review_id 'b'): rating 101 is not a whole number 0-100"),
        ("rating", -1, "row 1 (review_id 'b'): rating -1 is not a whole number 0-100"),
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
# to_table


def test_to_table_schema_and_nulls(tmp_path):
    table = ingest.to_table(good_frame())
    assert table.schema.equals(REVIEWS_SCHEMA)
    assert table.column("rating").to_pylist() == [1, 10, None]
    pq.write_table(table, tmp_path / "r.parquet")
    back = pd.read_parquet(tmp_path / "r.parquet")
    assert back["review_id"].tolist() == ["a", "b", "c"]
    assert pd.isna(back["rating"].iloc[2])


# ------------------------------------------------------------------------------------------
# messages


def test_split_problem():
    problem = contract.split_problem(pd.Series(["train", "valid"]))
    assert problem(1) == "split 'valid' is not one of train, test"


# ------------------------------------------------------------------------------------------
# column checks and converters: one test per check


def test_as_plain_series_and_is_text_dtype():
    cat = pd.Series(pd.Categorical(["pos", "neg"]))
    plain = contract.as_plain_series(cat)
    assert not isinstance(plain.dtype, pd.CategoricalDtype)
    assert plain.tolist() == ["pos", "neg"]
    assert contract.as_plain_series(pd.Series([1, 2])).dtype == np.int64
    assert contract.is_text_dtype(pd.Series(["a"], dtype="str"))
    assert not contract.is_text_dtype(pd.Series(["a"], dtype=object))


def test_bad_ids_missing_or_blank():
    ids = pd.Series(["a", None, "", "  ", "b"], dtype="str")
    assert contract.bad_ids(ids).tolist() == [False, True, True, True, False]


def test_first_duplicate():
    assert contract.first_duplicate(pd.Series(["a", "b", "c"])) is None
    dup = contract.first_duplicate(pd.Series(["x", "a", "b", "a", "b", "a"]))
    assert dup.value == "a"
    assert dup.rows.tolist() == [1, 3, 5]


def test_bad_splits():
    split = pd.Series(["train", "test", "dev", None, "Train"], dtype="str")
    assert contract.bad_splits(split).tolist() == [False, False, True, True, True]


def test_splits_from_values_strips_lowercases_and_rejects_non_strings():
    split, bad = contract.splits_from_values(pd.Series([" Train", "TEST", "dev", None]))
    assert split.tolist()[:3] == ["train", "test", "dev"]
    assert bad.tolist() == [False, False, True, True]
    _, bad = contract.splits_from_values(pd.Series([1, 2]))
    assert bad.tolist() == [True, True]
    split, bad = contract.splits_from_values(pd.Series(pd.Categorical(["test", "train"])))
    assert split.tolist() == ["test", "train"]
    assert not bad.any()


def test_splits_present_in_row_order():
    assert contract.splits_present(pd.DataFrame({"split": ["test", "train"]})) == list(SPLITS)
    assert contract.splits_present(pd.DataFrame({"split": ["test"]})) == ["test"]
    assert contract.splits_present(pd.DataFrame({"split": []})) == []


def test_bad_labels():
    label = pd.Series([0, 1, 2, None, -1], dtype="Int64")
    assert contract.bad_labels(label).tolist() == [False, False, True, True, True]


@pytest.mark.parametrize(
    ("values", "labels", "bad"),
    [
        (pd.Series([True, False, None], dtype="boolean"), [1, 0, 0], [False, False, True]),
        (pd.Series([1, 0, 2, None], dtype="Int16"), [1, 0, -1, -1], [False, False, True, True]),
        (
            pd.Series(["pos", " Positive ", "NEG", "negative", "maybe"], dtype="str"),
            [1, 1, 0, 0, -1],
            [False, False, False, False, True],
        ),
        (
            pd.Series([True, 0, " neg ", 2, None, 1.0, 0.5], dtype=object),
            [1, 0, 0, -1, -1, 1, -1],
            [False, False, False, True, True, False, True],
        ),
        # integral floats are labels (pandas writes an int column that once held a NaN so)
        (pd.Series([1.0, 0.0, 0.5, np.nan]), [1, 0, -1, -1], [False, False, True, True]),
        (pd.Series(pd.Categorical(["pos", "neg"])), [1, 0], [False, False]),
    ],
    ids=["bools", "ints", "words", "mixed objects", "floats", "categorical"],
)
def test_labels_from_values(values, labels, bad):
    out, mask = contract.labels_from_values(values)
    assert out.dtype == np.int8
    assert out.tolist() == labels
    assert mask.tolist() == bad


def test_bad_ratings_null_is_valid():
    rating = pd.Series([1, 10, None, 0, 11, 100, 101, -1], dtype="Int8")
    assert contract.bad_ratings(rating).tolist() == [False] * 6 + [True, True]
    assert contract.bad_ratings(pd.Series([9.0, 9.5])).tolist() == [False, True]
    assert contract.bad_ratings(pd.Series(["9", "x", None])).tolist() == [False, True, False]


def test_ratings_from_values():
    values, bad = contract.ratings_from_values(pd.Series([9.0, np.nan, 9.5, 0, 10, 101]))
    assert str(values.dtype) == "Int8"
    assert values.tolist()[0] == 9 and values.tolist()[3:5] == [0, 10]
    assert values.isna().tolist() == [False, True, True, False, False, True]
    assert bad.tolist() == [False, False, True, False, False, True]
    values, bad = contract.ratings_from_values(pd.Series([None, None], dtype=object))
    assert values.isna().all() and not bad.any()
    for not_numbers in (pd.Series(["9", None]), pd.Series([True, False])):
        values, bad = contract.ratings_from_values(not_numbers)
        assert values.isna().all()
        assert bad.tolist() == not_numbers.notna().tolist()


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (["ok", None], "row 1: review text is missing (null). Fix: fill it."),
        (["ok", ""], "row 1: empty review text. Fix: fill it."),
        (["ok", " \t"], "row 1: review text is only whitespace. Fix: fill it."),
    ],
)
def test_check_texts(texts, message):
    with pytest.raises(IngestError) as err:
        contract.check_texts(pd.Series(texts, dtype="str"), lambda r: f"row {r}", "fill it.")
    assert str(err.value) == message


def test_check_texts_one_message_for_empty_and_blank():
    texts = pd.Series(["ok", " ", ""], dtype="str")
    with pytest.raises(IngestError) as err:
        contract.check_texts(texts, lambda r: f"row {r}", "fill it.", empty=None, blank="blank")
    assert str(err.value) == (
        "row 1: blank (2 rows have this problem; the first is shown). Fix: fill it."
    )
    contract.check_texts(pd.Series(["a", " b "], dtype="str"), str, "none")


def test_decode_utf8():
    assert contract.decode_utf8("café".encode(), str, "x") == "café"
    assert contract.decode_utf8(b"\xef\xbb\xbfhi", str, "x", skip=3) == "hi"
    with pytest.raises(IngestError) as err:
        contract.decode_utf8(b"abc\xe9", lambda offset: f"at {offset}", "re-save it.", skip=1)
    assert str(err.value) == (
        "at 3: byte offset 3 (0xe9) is not valid UTF-8 (unexpected end of data). Fix: re-save it."
    )


def test_make_review_ids():
    ids = contract.make_review_ids(
        np.array(["train", "test"], dtype=object),
        np.array([1, 0], dtype=np.int8),
        np.array([0, 12]),
        pd.Series([9, None], dtype="Int8"),
    )
    assert ids.tolist() == ["train_pos_0_9", "test_neg_12"]
    assert isinstance(ids.dtype, pd.StringDtype)


def test_require_columns():
    contract.require_columns("f: missing", ("a",), ["a", "b"], "Fix: none.")
    with pytest.raises(IngestError) as err:
        contract.require_columns("f: missing", ("a", "b"), ["A", "c"], "Fix: x.", names={"a": "A"})
    assert str(err.value) == "f: missing column(s) b; found columns A, c. Fix: x."
    with pytest.raises(IngestError, match=r"found columns \(none\)"):
        contract.require_columns("f: missing", ("a",), [], "Fix: x.")


# ------------------------------------------------------------------------------------------
# the frame and its order


def test_contract_frame_has_the_contract_dtypes():
    df = contract.contract_frame(["a", "b"], ["train", "test"], ["x", "y"], [1, 0], [9, pd.NA])
    assert list(df.columns) == COLUMNS
    assert [str(t) for t in df.dtypes] == ["str", "str", "str", "int8", "Int8"]
    assert df["rating"].isna().tolist() == [False, True]


def test_row_key_and_sort_reviews_are_stable():
    key = contract.row_key(np.array(["test", "train", "train"], dtype=object), [0, 1, 0])
    assert key.tolist() == [2, 1, 0]
    df = frame(
        [
            ("t1", "test", "a", 1, 1),
            ("r1", "train", "b", 1, 1),
            ("t0", "test", "c", 0, 1),
            ("r0", "train", "d", 0, 1),
            ("r0b", "train", "e", 0, 1),
        ]
    )
    assert contract.sort_reviews(df)["review_id"].tolist() == ["r0", "r0b", "r1", "t0", "t1"]
    ordered = frame([("a", "train", "x", 0, 1), ("b", "test", "y", 1, 2)])
    ordered.index = [5, 7]
    assert contract.sort_reviews(ordered).index.tolist() == [0, 1]
