"""Unit tests of sentclust.ingest.jsonl: JSON Lines (plain and compressed), every bad input."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import time
from pathlib import Path

import pandas as pd
import pytest
from test_ingest_contract import COLUMNS

from conftest import DEMO_REVIEWS, run_ingest
from sentclust import ingest
from sentclust.ingest import IngestError
from sentclust.ingest.jsonl import jsonl_columns, line_limit, read_jsonl_input

OPENERS = {"": open, ".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def write_jsonl(path: Path, records, *, raw_lines: list[str] | None = None) -> Path:
    """``records`` (dicts) one per line, or ``raw_lines`` as they are; compressed by suffix."""
    lines = raw_lines if raw_lines is not None else [json.dumps(r) for r in records]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    opener = next((o for s, o in OPENERS.items() if s and path.name.endswith(s)), open)
    with opener(path, "wb") as f:
        f.write(data)
    return path


def demo_sample(n: int = 120) -> pd.DataFrame:
    df = pd.read_parquet(DEMO_REVIEWS)
    return df.groupby(["split", "label"]).head(n // 4).reset_index(drop=True)


def records_of(df: pd.DataFrame, rename: dict[str, str] | None = None) -> list[dict]:
    out = []
    for row in df.itertuples(index=False):
        r = {
            "review_id": row.review_id,
            "split": row.split,
            "text": row.text,
            "label": int(row.label),
            "rating": int(row.rating),
        }
        out.append({(rename or {}).get(k, k): v for k, v in r.items()})
    return out


def read(path, **kw):
    return read_jsonl_input(str(path), test_fraction=0.5, seed=0, **kw)


# ------------------------------------------------------------------------------------------
# what is read


@pytest.mark.parametrize(
    "name", ["r.jsonl", "r.ndjson", "r.jsonl.gz", "r.ndjson.bz2", "r.jsonl.xz"]
)
def test_jsonl_gives_the_same_reviews_table_as_parquet(tmp_path, name):
    df = demo_sample()
    pq_path = tmp_path / "reviews.parquet"
    df.to_parquet(pq_path)
    f = write_jsonl(tmp_path / name, records_of(df))
    assert ingest.detect_format(str(f)) == "jsonl"
    got, summary = run_ingest(f)
    want, _ = run_ingest(pq_path)
    pd.testing.assert_frame_equal(got, want)
    assert summary["format"] == "jsonl"


def test_column_mapped_jsonl_reads_like_the_contract_one(tmp_path):
    df = demo_sample()
    rename = {"text": "body", "rating": "stars", "label": "sentiment"}
    plain = write_jsonl(tmp_path / "plain.jsonl", records_of(df))
    mapped = write_jsonl(tmp_path / "mapped.jsonl", records_of(df, rename))
    want = read(plain)
    got = read(mapped, columns=rename)
    pd.testing.assert_frame_equal(got, want)
    with pytest.raises(IngestError, match="no key 'text'"):
        read(mapped)  # without the mapping


def test_other_keys_are_ignored_and_ids_and_split_generated(tmp_path):
    recs = [
        {"text": f"review {i}", "label": i % 2, "useful": i, "user": {"id": i}} for i in range(8)
    ]
    df = read(write_jsonl(tmp_path / "r.jsonl", recs))
    assert list(df.columns) == COLUMNS
    assert df["review_id"].tolist() == [f"jsonl_{i}" for i in range(8)]
    assert df["rating"].isna().all()
    assert df.groupby(["split", "label"]).size().to_dict() == {
        ("test", 0): 2,
        ("test", 1): 2,
        ("train", 0): 2,
        ("train", 1): 2,
    }


def test_json_values_of_each_column(tmp_path):
    recs = [
        {"text": "a", "label": True, "rating": 9, "review_id": 7},
        {"text": "b", "label": "neg", "rating": None, "review_id": "x"},
        {"text": "c", "label": 1, "rating": "8", "review_id": "y"},
        {"text": "d", "label": "positive", "rating": 10.0, "review_id": "z"},
    ]
    df = read(write_jsonl(tmp_path / "r.jsonl", recs))
    assert df["label"].tolist() == [1, 0, 1, 1]
    assert df["rating"].tolist()[0] == 9 and pd.isna(df["rating"].iloc[1])
    assert df["rating"].tolist()[2:] == [8, 10]
    assert df["review_id"].tolist() == ["7", "x", "y", "z"]


def test_blank_lines_are_skipped_and_counted_in_line_numbers(tmp_path):
    lines = ['{"text": "a", "label": 1}', "", "   ", '{"text": "b", "label": 0}', '{"text": 5}']
    lines[-1] = '{"text": "c", "label": "maybe"}'
    f = write_jsonl(tmp_path / "r.jsonl", None, raw_lines=lines)
    with pytest.raises(IngestError) as err:
        read(f)
    assert f"{f} line 5: label 'maybe' is not positive or negative" in str(err.value)
    lines[-1] = '{"text": "c", "label": "pos"}'
    df = read(write_jsonl(tmp_path / "r.jsonl", None, raw_lines=["", *lines]))
    assert df["text"].tolist() == ["a", "b", "c"]


def test_jsonl_columns_reads_the_first_object_only(tmp_path):
    f = write_jsonl(
        tmp_path / "r.jsonl.gz", None, raw_lines=["", '{"body": "x", "stars": 4}', "not json"]
    )
    assert jsonl_columns(f) == ["body", "stars"]
    assert jsonl_columns(write_jsonl(tmp_path / "e.jsonl", None, raw_lines=[""])) == []


# ------------------------------------------------------------------------------------------
# every bad line names the file, the line and the key


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"text": "b", "label": 0', "not JSON (Expecting ',' delimiter at character 26)"),
        ('[{"text": "b"}]', "an array, not a JSON object"),
        ('"just text"', "a string, not a JSON object"),
        ('{"text": 5, "label": 0}', "the review 'text' is a number (5), not a string"),
        ('{"text": null, "label": 0}', "the review 'text' is null"),
        ('{"text": "b"}', "no key 'label' (label), which the file's first object has"),
        ('{"text": "b", "label": 0, "rating": 3}', "the object has 'rating', which the file's"),
        ('{"text": "  ", "label": 0}', "review text is only whitespace"),
    ],
)
def test_a_bad_line_names_file_line_and_problem(tmp_path, line, problem):
    f = write_jsonl(tmp_path / "r.jsonl", None, raw_lines=['{"text": "a", "label": 1}', line])
    with pytest.raises(IngestError) as err:
        read(f)
    msg = str(err.value)
    assert f"{f} line 2: " in msg and problem in msg and "Fix:" in msg


def test_a_first_object_without_text_lists_its_keys(tmp_path):
    f = write_jsonl(tmp_path / "r.jsonl", [{"body": "a", "stars": 4}])
    with pytest.raises(IngestError) as err:
        read(f)
    msg = str(err.value)
    assert f"{f} line 1: no key 'text' (the review); the object has the keys 'body', 'stars'" in msg
    assert "ingest.columns" in msg


def test_a_mapped_key_missing_names_the_config_key_and_the_keys_found(tmp_path):
    f = write_jsonl(tmp_path / "r.jsonl", [{"body": "a", "stars": 4}])
    with pytest.raises(IngestError) as err:
        read(f, columns={"text": "review_body"})
    msg = str(err.value)
    assert "ingest.columns.text names the field 'review_body'" in msg
    assert "its fields are 'body', 'stars'" in msg


def test_not_utf8_names_the_line(tmp_path):
    f = tmp_path / "r.jsonl"
    f.write_bytes(b'{"text": "a", "label": 1}\n{"text": "caf\xe9", "label": 1}\n')
    with pytest.raises(IngestError, match=r"r\.jsonl line 2: byte 13 of the line \(0xe9\)"):
        read(f)


def test_duplicate_ids_name_both_lines(tmp_path):
    recs = [{"text": "a", "review_id": "x"}, {"text": "b", "review_id": "y"}]
    recs.append({"text": "c", "review_id": "x"})
    f = write_jsonl(tmp_path / "r.jsonl", [{**r, "label": 1} for r in recs])
    with pytest.raises(IngestError, match=r"line 1 and .* line 3: review_id 'x' is used twice"):
        read(f)


def test_an_empty_file_and_a_corrupt_gzip(tmp_path):
    with pytest.raises(IngestError, match="no JSON objects in the file"):
        read(write_jsonl(tmp_path / "e.jsonl", None, raw_lines=["", " "]))
    bad = tmp_path / "r.jsonl.gz"
    bad.write_bytes(gzip.compress(b'{"text": "a"}\n' * 100)[:-30])
    with pytest.raises(IngestError, match=r"r\.jsonl\.gz: could not decompress it"):
        read(bad)


# ------------------------------------------------------------------------------------------
# the caps, counted on the decompressed stream


def test_a_review_above_max_review_bytes_names_its_line(tmp_path):
    recs = [{"text": "a", "label": 1}, {"text": "x" * 500, "label": 0}]
    f = write_jsonl(tmp_path / "r.jsonl", recs)
    with pytest.raises(IngestError) as err:
        read(f, max_review_bytes=100)
    assert f"{f} line 2: the review holds 500 bytes, more than ingest.max_review_bytes (100)" in (
        str(err.value)
    )


def test_a_line_longer_than_the_line_limit_is_not_read_whole(tmp_path):
    junk = "y" * (line_limit(100) + 10)
    f = write_jsonl(tmp_path / "r.jsonl", [{"text": "a", "label": 1, "junk": junk}])
    with pytest.raises(IngestError, match=rf"line 1: the line is longer than {line_limit(100)}"):
        read(f, max_review_bytes=100)


def test_a_compression_bomb_stops_at_the_total_cap(tmp_path):
    """200 MB of reviews in a 200 KB gzip file: the cap (10 KB) stops the read at line 11,
    long before the stream is decompressed."""
    f = tmp_path / "bomb.jsonl.gz"
    line = (json.dumps({"text": "a" * 1000, "label": 1}) + "\n").encode()
    with gzip.open(f, "wb", compresslevel=9) as out:
        for _ in range(200):
            out.write(line * 1000)
    assert f.stat().st_size < 2_000_000
    start = time.perf_counter()
    with pytest.raises(IngestError) as err:
        read(f, max_total_bytes=10_000)
    assert time.perf_counter() - start < 2
    msg = str(err.value)
    assert f"{f} line 11: the reviews read up to here hold 11000 bytes" in msg
    assert "ingest.max_total_bytes (10000)" in msg


def test_unlabelled_jsonl_passes_no_labels(tmp_path):
    """A JSON Lines file without a label: the reader gives an all-null label column (the
    contract's "no labels"), the split drawn at random; ingest then has no labels (texts only)
    or derives them from 1-5 star ratings (3 stars neutral: dropped)."""
    recs = [{"text": f"t {i}", "rating": 1 + i % 5} for i in range(10)]
    f = write_jsonl(tmp_path / "r.jsonl", recs)
    df = read(f)
    assert str(df["label"].dtype) == "Int8" and df["label"].isna().all()
    assert (df["split"] == "test").sum() == 5
    reviews, summary = run_ingest(f)
    assert summary["labels"] == "from_ratings" and summary["rating_scale"] == [1, 5]
    assert len(reviews) == 8 and 3 not in set(reviews["rating"])
    assert (reviews["label"] == (reviews["rating"] >= 4)).all()
    text_only = write_jsonl(tmp_path / "t.jsonl.xz", [{"text": r["text"]} for r in recs])
    reviews, summary = run_ingest(text_only)
    assert summary["labels"] == "none" and reviews["label"].isna().all() and len(reviews) == 10


# ------------------------------------------------------------------------------------------
# what the DAG sees at parse time (ingest.peek's header reader for jsonl)


@pytest.mark.parametrize(
    ("first", "columns", "expected"),
    [
        ({"text": "a", "label": 1}, {}, "given"),
        ({"text": "a", "rating": 4}, {}, "from_ratings"),
        ({"text": "a"}, {}, "none"),
        ({"body": "a", "stars": 4}, {"text": "body", "rating": "stars"}, "from_ratings"),
        ({"body": "a", "sentiment": "pos"}, {"text": "body", "label": "sentiment"}, "given"),
    ],
)
def test_peek_reads_a_jsonl_files_labels_from_its_first_object(tmp_path, first, columns, expected):
    from sentclust.ingest import peek

    f = write_jsonl(tmp_path / "r.jsonl.gz", None, raw_lines=["", json.dumps(first), "{bad"])
    config = {"input_path": str(f), "input_format": "auto", "ingest": {"columns": columns}}
    assert peek.input_labels(config) == expected


def test_the_reader_logs_the_keys_read_and_ignored(tmp_path, caplog):
    f = write_jsonl(tmp_path / "r.jsonl", [{"body": "a", "stars": 4, "user": "u"}])
    with caplog.at_level("INFO", logger="sentclust"):
        read(f, columns={"text": "body", "rating": "stars"})
    assert f"{f}: text <- 'body', rating <- 'stars'; ignored: 'user'" in caplog.text
