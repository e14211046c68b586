"""Unit tests of sentclust.ingest.csvfile beyond review,sentiment: the contract's columns,
the separator (sniffed or set, and the message when it is wrong), compressed files, the caps."""

from __future__ import annotations

import bz2
import gzip
import lzma
import time

import pandas as pd
import pytest
from test_ingest_csv import write_csv

from conftest import DEMO_REVIEWS, run_ingest
from sentclust import ingest
from sentclust.ingest import IngestError, csvfile
from sentclust.ingest.csvfile import csv_columns, sniff_separator
from sentclust.ingest.inputs import ingest_files

COMPRESS = {"": lambda b: b, ".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}


def demo_sample(n: int = 120) -> pd.DataFrame:
    df = pd.read_parquet(DEMO_REVIEWS)
    return df.groupby(["split", "label"]).head(n // 4).reset_index(drop=True)


def write_frame(df: pd.DataFrame, path, sep: str = ",", **kw):
    data = df.to_csv(index=False, sep=sep, **kw).encode("utf-8")
    suffix = next((s for s in COMPRESS if s and path.name.endswith(s)), "")
    path.write_bytes(COMPRESS[suffix](data))
    return path


def read(path, **kw):
    return ingest.read_csv_input(str(path), test_fraction=0.5, seed=0, **kw)


# ------------------------------------------------------------------------------------------
# the contract's columns, any separator, compressed


@pytest.mark.parametrize(
    ("name", "sep"),
    [
        ("r.csv", ","),
        ("r.csv", ";"),
        ("r.csv", "|"),
        ("r.tsv", "\t"),
        ("r.csv.gz", ","),
        ("r.csv.bz2", ";"),
        ("r.tsv.xz", "\t"),
    ],
)
def test_a_contract_csv_gives_the_same_reviews_table_as_parquet(tmp_path, name, sep):
    df = demo_sample()
    pq_path = tmp_path / "reviews.parquet"
    df.to_parquet(pq_path)
    f = write_frame(df, tmp_path / name, sep=sep)
    assert ingest.detect_format(str(f)) == "csv"
    assert ingest_files(str(f)) == [str(f)]
    assert csv_columns(f) == ["review_id", "split", "text", "label", "rating"]
    got, summary = run_ingest(f)
    want, _ = run_ingest(pq_path)
    pd.testing.assert_frame_equal(got, want)
    assert summary["format"] == "csv"


def test_a_csv_with_text_only_columns_and_mapped_names(tmp_path):
    df = pd.DataFrame(
        {"Body": ["good; really", "bad", "fine"], "Stars": ["9", "", "7"], "tag": ["x"] * 3}
    )
    f = write_frame(df.assign(Sentiment=["pos", "neg", "1"]), tmp_path / "r.csv", sep=";")
    got = read(f, columns={"text": "body", "rating": "stars", "label": "sentiment"})
    assert got["text"].tolist() == ["good; really", "bad", "fine"]
    assert got["label"].tolist() == [1, 0, 1]
    assert got["rating"].tolist()[0] == 9 and pd.isna(got["rating"].iloc[1])
    assert got["review_id"].tolist() == ["csv_0", "csv_1", "csv_2"]


@pytest.mark.parametrize("name", ["r.csv", "r.csv.gz", "r.tsv.bz2"])
def test_a_text_only_csv_has_no_labels(tmp_path, name):
    df = demo_sample(40)[["text"]]
    f = write_frame(df, tmp_path / name, sep="\t" if ".tsv" in name else ",")
    reviews, summary = run_ingest(f)
    assert summary["labels"] == "none"
    assert str(reviews["label"].dtype) == "Int8" and reviews["label"].isna().all()
    assert sorted(reviews["text"]) == sorted(df["text"])
    assert (reviews["split"] == "test").sum() == 20  # a seeded random half


def test_sniffing_picks_the_separator_that_splits_header_and_rows_alike():
    assert sniff_separator('text;label\n"a, b, c";1\n"d, e";0\n') == ";"
    assert sniff_separator('text,label\n"a; b; c",1\n') == ","
    assert sniff_separator("text\tlabel\trating\na|b\t1\t3\n") == "\t"
    assert sniff_separator("text|label\na, b; c|1\n") == "|"
    assert sniff_separator("text\nonly one column\n") == ","  # one column: the default


def test_a_long_first_review_does_not_break_sniffing(tmp_path):
    """The sample is the file's first 64 KiB: a review longer than that is cut, not misread."""
    df = pd.DataFrame({"text": ["word, " * 20_000, "short"], "label": [1, 0]})
    f = write_frame(df, tmp_path / "r.csv", sep=";")
    assert read(f)["label"].tolist() == [1, 0]


def test_the_legacy_names_stand_in_for_text_and_label_each(tmp_path):
    f = write_csv(tmp_path / "r.csv", "text,sentiment,review\ngood,pos,x\nbad,neg,y\n")
    df = read(f)
    assert df["text"].tolist() == ["good", "bad"] and df["label"].tolist() == [1, 0]
    with pytest.raises(IngestError, match="line 2: review 'x' is not positive or negative"):
        read(f, columns={"label": "review"})  # a mapping wins over the legacy name


def test_a_bad_rating_names_the_line(tmp_path):
    f = write_csv(tmp_path / "r.csv", 'text,rating\n"a\nb",8\nc,8/10\n')
    with pytest.raises(IngestError, match=r"r\.csv line 4: rating '8/10' is not a whole number"):
        read(f)


# ------------------------------------------------------------------------------------------
# the separator's message


def semicolon_csv(tmp_path, n: int = 6):
    df = demo_sample(40).head(n)[["review_id", "text", "label"]]
    df["text"] = "Well, " + df["text"]  # every review holds a comma
    return write_frame(df, tmp_path / "reviews.csv", sep=";")


def test_a_wrong_separator_set_names_the_line_and_the_one_that_works(tmp_path):
    f = semicolon_csv(tmp_path)
    with pytest.raises(IngestError) as err:
        read(f, separator=",")
    msg = str(err.value)
    assert f"{f} line 2: expected 1 field(s) separated by ',' but found " in msg
    assert "; the header splits into 3 columns with ';'. Fix: set ingest.csv_separator: ';'." in msg


def test_a_one_column_header_that_another_separator_splits_names_it(tmp_path):
    f = write_csv(tmp_path / "r.csv", "text;label\ngood;1\nbad;0\n")
    with pytest.raises(IngestError) as err:
        read(f, separator=",")
    msg = str(err.value)
    assert "missing column text; found columns 'text;label' (separated by ',')" in msg
    assert "the header splits into 2 columns with ';'. " in msg
    assert "Fix: set ingest.csv_separator: ';'." in msg
    assert read(f)["label"].tolist() == [1, 0]  # sniffed


def test_a_row_that_does_not_split_names_the_quoting_fix(tmp_path):
    f = write_csv(tmp_path / "r.csv", "text,label\ngood,1\nbad, really,0\n")
    with pytest.raises(IngestError) as err:
        read(f)
    msg = str(err.value)
    assert f"{f} line 3: expected 2 field(s) separated by ',' but found 3. Fix: quote" in msg


def test_a_tab_separator_is_shown_as_yaml_writes_it(tmp_path):
    f = write_csv(tmp_path / "r.csv", "text\tlabel\nx, y\t1\nz, w, v\t0\n")
    with pytest.raises(IngestError, match=r'Fix: set ingest.csv_separator: "\\t"'):
        read(f, separator=",")


# ------------------------------------------------------------------------------------------
# compressed: the caps count the decompressed bytes


def test_a_csv_compression_bomb_stops_at_the_total_cap(tmp_path):
    """A gzip file of 300 KB holding 300 MB: the read stops within a chunk of the cap."""
    f = tmp_path / "bomb.csv.gz"
    with gzip.open(f, "wb", compresslevel=9) as out:
        out.write(b"text,label\n")
        row = b"a" * 999 + b",1\n"
        for _ in range(300):
            out.write(row * 1000)
    assert f.stat().st_size < 3_000_000
    start = time.perf_counter()
    with pytest.raises(IngestError) as err:
        read(f, max_total_bytes=10_000)
    assert time.perf_counter() - start < 2
    msg = str(err.value)
    assert "bomb.csv.gz: the file's reviews (decompressed) hold 10001 bytes" in msg
    assert "ingest.max_total_bytes (10000)" in msg


def test_a_corrupt_compressed_csv_names_the_file(tmp_path):
    f = tmp_path / "r.csv.xz"
    f.write_bytes(lzma.compress(b"text,label\n" + b"good,1\n" * 1000)[:-20])
    with pytest.raises(IngestError, match=r"r\.csv\.xz: could not decompress it"):
        read(f)


def test_csv_columns_reads_the_header_only(tmp_path):
    f = tmp_path / "r.csv.gz"
    f.write_bytes(gzip.compress(b"\xef\xbb\xbfBody;Stars\n" + b'"x, y";3\n' * 50_000))
    assert csv_columns(f) == ["Body", "Stars"]
    assert csv_columns(f, ",") == ["Body;Stars"]


def test_record_lines_with_another_separator():
    assert csvfile._csv_record_lines('a;b\n"x\ny";1\n\nz;2\n', ";") == [2, 5]


def test_the_reader_logs_the_separator_and_the_fields_read_and_ignored(tmp_path, caplog):
    f = write_csv(tmp_path / "r.csv", "Body;stars;user\ngood;5;u1\nbad;1;u2\n")
    with caplog.at_level("INFO", logger="sentclust"):
        read(f, columns={"text": "body", "rating": "stars"})
    assert (
        f"{f}: separator ';' (sniffed); text <- 'Body', rating <- 'stars'; ignored: 'user'"
        in caplog.text
    )
