"""Unit tests of sentclust.ingest.peek: whether the input has labels, from column names only."""

from __future__ import annotations

import gzip
import tarfile

import pandas as pd
import pytest

from sentclust.ingest import IngestError, peek


def config(path, fmt="auto", **ingest):
    return {"input_path": str(path), "input_url": None, "input_format": fmt, "ingest": ingest}


def test_parquet_file_by_its_schema(tmp_path):
    given = tmp_path / "given.parquet"
    pd.DataFrame({"text": ["a"], "label": [1], "rating": [9]}).to_parquet(given)
    rated = tmp_path / "rated.parquet"
    pd.DataFrame({"text": ["a"], "rating": [9]}).to_parquet(rated)
    bare = tmp_path / "bare.parquet"
    pd.DataFrame({"text": ["a"]}).to_parquet(bare)
    assert peek.input_labels(config(given)) == "given"
    assert peek.input_labels(config(rated)) == "from_ratings"
    assert peek.input_labels(config(bare)) == "none"
    # ratings but deriving labels switched off
    assert peek.input_labels(config(rated, labels_from_ratings=None)) == "none"


def test_parquet_renamed_columns(tmp_path):
    f = tmp_path / "dump.parquet"
    pd.DataFrame({"body": ["a"], "stars": [4]}).to_parquet(f)
    assert peek.input_labels(config(f)) == "none"
    assert peek.input_labels(config(f, columns={"text": "body", "rating": "stars"})) == (
        "from_ratings"
    )
    # a field mapped to another contract column is not read under its own name
    g = tmp_path / "g.parquet"
    pd.DataFrame({"label": ["x"], "rating": [4]}).to_parquet(g)
    assert peek.input_labels(config(g, columns={"text": "label"})) == "from_ratings"


def test_parquet_folder_reads_every_schema_and_refuses_a_mix(tmp_path):
    pd.DataFrame({"text": ["a"], "label": [1]}).to_parquet(tmp_path / "train.parquet")
    pd.DataFrame({"text": ["b"], "label": [0]}).to_parquet(tmp_path / "test.parquet")
    assert peek.input_labels(config(tmp_path)) == "given"
    pd.DataFrame({"text": ["c"]}).to_parquet(tmp_path / "x_more.parquet")
    with pytest.raises(IngestError) as err:
        peek.input_labels(config(tmp_path))
    msg = str(err.value)
    assert "x_more.parquet" in msg and "label" in msg and "Fix:" in msg


def test_corrupt_parquet_is_an_ingest_error_with_a_fix(tmp_path):
    f = tmp_path / "broken.parquet"
    f.write_bytes(b"PAR1 not really")
    with pytest.raises(IngestError, match=r"broken\.parquet.*Fix:"):
        peek.input_labels(config(f))


def test_missing_input_is_an_ingest_error(tmp_path):
    with pytest.raises(IngestError, match="does not exist"):
        peek.input_labels(config(tmp_path / "nope.parquet"))


@pytest.mark.parametrize(
    ("header", "sep", "expected"),
    [
        ("review,sentiment", None, "given"),
        ("Review,Sentiment", None, "given"),
        ("text,label,rating", None, "given"),
        ("text;rating", None, "from_ratings"),
        ("text\trating", "\t", "from_ratings"),
        ("text", None, "none"),
    ],
)
def test_csv_by_its_header_line(tmp_path, header, sep, expected):
    f = tmp_path / "r.csv"
    f.write_text(header + "\n" + "x" * 10 + "\n", encoding="utf-8")
    cfg = config(f, csv_separator=sep)
    assert peek.input_labels(cfg) == expected


def test_csv_header_with_bom_and_renames(tmp_path):
    f = tmp_path / "r.csv"
    f.write_bytes(b"\xef\xbb\xbfbody,stars\n" + b"nice,5\n")
    assert peek.input_labels(config(f, columns={"text": "body", "rating": "stars"})) == (
        "from_ratings"
    )


def test_compressed_csv_header(tmp_path):
    f = tmp_path / "r.csv.gz"
    with gzip.open(f, "wt", encoding="utf-8") as out:
        out.write("text,rating\nok,3\n")
    assert peek.input_labels(config(f, fmt="csv")) == "from_ratings"


def test_csv_header_that_is_not_utf8_is_an_ingest_error(tmp_path):
    f = tmp_path / "r.csv"
    f.write_bytes(b"t\xe9xt,rating\n")
    with pytest.raises(IngestError, match=r"r\.csv.*UTF-8.*Fix:"):
        peek.input_labels(config(f))


def test_aclimdb_forms_and_urls_are_given(tmp_path):
    (tmp_path / "aclImdb" / "train" / "pos").mkdir(parents=True)
    assert peek.input_labels(config(tmp_path)) == "given"
    tar = tmp_path / "aclImdb_v1.tar.gz"
    with tarfile.open(tar, "w:gz"):
        pass
    assert peek.input_labels(config(tar)) == "given"
    url = {"input_path": None, "input_url": "https://example.org/x.tar.gz", "ingest": {}}
    assert peek.input_labels(url) == "given"


def test_dispatch_table_names_the_formats_that_have_headers():
    assert {"parquet", "csv"} <= set(peek.HEADER_READERS)
    assert set(peek.ALWAYS_LABELLED) == {"aclimdb", "aclimdb_tar"}
