"""New reviews as the command-line tool reads them, and every bad input named with its fix."""

import pandas as pd
import pytest

from sentclust.assign import new_texts as nt
from sentclust.assign.new_texts import NewTextError


def test_arguments_lines_and_tables():
    f = nt.from_arguments(["One of the best films I have ever seen.", "Awful."])
    assert f["text_id"].tolist() == ["new_0", "new_1"] and f["text"][1] == "Awful."
    f = nt.from_lines("\ufeffGood.\nBad.\n\n".encode(), "stdin")
    assert f["text"].tolist() == ["Good.", "Bad."]
    f = nt.from_table(pd.DataFrame({"Review": ["a b", "c d"], "rating": [9, 2]}), "x.csv")
    assert f["text"].tolist() == ["a b", "c d"] and f["rating"].tolist() == [9, 2]


def test_files_of_each_form(tmp_path):
    (tmp_path / "r.txt").write_text("Great.\nAwful acting.\n")
    (tmp_path / "r.csv").write_text('text,label\n"Great, really.",1\nAwful.,0\n')
    pd.DataFrame({"text": ["Great.", "Awful."]}).to_parquet(tmp_path / "r.parquet")
    assert len(nt.from_file(tmp_path / "r.txt")) == 2
    f = nt.from_file(tmp_path / "r.csv")
    assert f["text"][0] == "Great, really." and f["label"].tolist() == [1, 0]
    assert nt.from_file(tmp_path / "r.parquet")["text"].tolist() == ["Great.", "Awful."]


def test_bad_input_is_named_with_the_fix(tmp_path):
    with pytest.raises(NewTextError, match=r"argument 2\. Fix: remove them"):
        nt.from_arguments(["Fine.", "   "])
    with pytest.raises(NewTextError, match="stdin line 2"):
        nt.from_lines(b"Fine.\n\t\nAlso fine.\n", "stdin")
    with pytest.raises(NewTextError, match=r"line 2: byte offset 6 .*iconv"):
        nt.from_lines(b"Fine.\n\xe9t\xe9\n", "r.txt")
    with pytest.raises(NewTextError, match=r"no text column \(columns: review_body, stars\)"):
        nt.from_table(pd.DataFrame({"review_body": ["x"], "stars": [3]}), "r.csv")
    with pytest.raises(NewTextError, match="no texts were given"):
        nt.from_lines(b"\n", "stdin")
    (tmp_path / "r.json").write_text("{}")
    with pytest.raises(NewTextError, match="'.json' are not read"):
        nt.from_file(tmp_path / "r.json")
    with pytest.raises(NewTextError, match="is not a file"):
        nt.from_file(tmp_path / "missing.txt")
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(NewTextError, match="is empty"):
        nt.from_file(tmp_path / "e.csv")


def test_a_tables_own_ids_are_kept_when_unique(tmp_path):
    f = nt.from_table(pd.DataFrame({"review_id": ["a", "b"], "text": ["x y", "z"]}), "r.parquet")
    assert f["text_id"].tolist() == ["a", "b"]
    with pytest.raises(NewTextError, match="id column 'review_id' has empty or repeated"):
        nt.from_table(pd.DataFrame({"review_id": ["a", "a"], "text": ["x", "z"]}), "r.parquet")


def test_from_path_reads_an_aclimdb_folder_or_archive_with_labels(tmp_path):
    from test_ingest_aclimdb import acl_members, write_tar, write_tree

    members = acl_members()
    folder = nt.from_path(write_tree(tmp_path / "tree", members))
    archive = nt.from_path(write_tar(tmp_path / "a.tar.gz", members))
    pd.testing.assert_frame_equal(folder, archive)
    assert {"text_id", "text", "label", "rating"} <= set(folder.columns)
    assert folder["text_id"].str.contains("_").all()  # ingest's review ids
    (tmp_path / "r.txt").write_text("Good.\n")
    assert nt.from_path(tmp_path / "r.txt")["text"].tolist() == ["Good."]
    (tmp_path / "empty").mkdir()
    with pytest.raises(NewTextError, match="not an extracted aclImdb folder"):
        nt.from_path(tmp_path / "empty")


def test_new_texts_meet_the_ingest_contract(tmp_path):
    """The ingest contract's checks on new texts: a size cap, strings only, UTF-8, words left
    once the markup is cleaned, .txt lines split at \\n and \\r\\n only."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sentclust.ingest.contract import MAX_REVIEW_BYTES

    big = tmp_path / "big.csv"
    big.write_text("text\nFine.\n" + "x" * (MAX_REVIEW_BYTES + 1) + "\n")
    with pytest.raises(NewTextError, match=rf"big.csv row 2: {MAX_REVIEW_BYTES + 1} bytes, more"):
        nt.from_file(big)
    with pytest.raises(NewTextError, match=r"argument 1: 11 bytes, more than .*\(10\)"):
        nt.from_arguments(["x" * 11], max_bytes=10)
    for name, values in {"list": [["a", "b"], ["c"]], "struct": [{"a": "x"}, {"a": "y"}]}.items():
        pd.DataFrame({"text": values}).to_parquet(tmp_path / f"{name}.parquet")
        with pytest.raises(NewTextError, match=rf"{name}.parquet row 1: .*not a string.*Fix"):
            nt.from_file(tmp_path / f"{name}.parquet")
    pq.write_table(pa.table({"text": pa.array([b"ok", b"\xff\xfe"])}), tmp_path / "bin.parquet")
    with pytest.raises(NewTextError, match=r"bin.parquet row 1: .*bytes.*not a string"):
        nt.from_file(tmp_path / "bin.parquet")
    with pytest.raises(NewTextError, match=r"argument 1: .*not valid UTF-8.*Fix"):
        nt.from_arguments(["caf\udce9"])  # a non-UTF-8 argument, as Python decodes argv
    # one review per line: U+2028, a form feed or a lone \r are not line breaks
    lines = nt.from_lines("Good\u2028still good.\r\nBad\fstill bad.\rOK\n".encode(), "r.txt")
    assert lines["text"].tolist() == ["Good\u2028still good.", "Bad\fstill bad.\rOK"]
    with pytest.raises(NewTextError, match=r"argument 2: the review is only markup.*Fix"):
        nt.from_arguments(["Fine.", "<br /><br />"])
    (tmp_path / "m.txt").write_text("Fine.\n&nbsp;<br/>\n")
    with pytest.raises(NewTextError, match=r"m.txt line 2: the review is only markup"):
        nt.from_file(tmp_path / "m.txt")


def test_new_texts_are_capped_in_total_and_a_parquet_file_sized_before_decoding(tmp_path):
    """Issue 28 item 5 for new texts: a small Parquet file whose one text repeats 400 times
    (40 MB once decoded) is refused from its dictionary, a .csv or .txt file above the cap
    unread."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    bomb = tmp_path / "new.parquet"
    pq.write_table(pa.table({"Text": ["a" * 100_000] * 400}), bomb, compression="zstd")
    with pytest.raises(NewTextError) as err:
        nt.from_file(bomb, max_total_bytes=1_000_000)
    msg = str(err.value)
    assert f"{bomb}: its texts hold 40000000 bytes, more than" in msg
    assert "split the file into smaller ones" in msg
    with pytest.raises(NewTextError, match=r"row 0 \(0-based row within this file\): 100000 b"):
        nt.from_file(bomb, max_bytes=50_000)
    for name in ("new.csv", "new.txt"):
        f = tmp_path / name
        f.write_text("text\n" + "A fine film.\n" * 200)
        with pytest.raises(NewTextError, match=rf"{name}: the file's texts hold 2605 bytes"):
            nt.from_path(f, max_total_bytes=1000)
        assert len(nt.from_path(f)) == 200 + (name == "new.txt")


def test_labels_and_ratings_of_new_texts_are_checked_and_converted(tmp_path):
    """Issue 28 item 12: a new text's label and rating follow the reviews contract: labels
    1/0 (also as the strings a CSV holds, or pos/neg) become int8, ratings whole stars 1-10
    (a CSV's "9" becomes 9), an empty cell is unknown; anything else is refused by row."""
    f = tmp_path / "r.csv"
    f.write_text('text,label,rating\n"Great, really.",1,9\nAwful.,neg,\nFine.,,10\n')
    frame = nt.from_file(f)
    assert frame["label"].tolist()[:2] == [1, 0] and pd.isna(frame["label"][2])
    assert str(frame["label"].dtype) == "Int8" and str(frame["rating"].dtype) == "Int8"
    assert frame["rating"].tolist()[::2] == [9, 10] and pd.isna(frame["rating"][1])
    for column, value, shown in [
        ("rating", "8/10", "rating '8/10'"),
        ("rating", "101", "rating '101'"),
        ("rating", "8.5", "rating '8.5'"),
        ("label", "2", "label '2'"),
        ("label", "maybe", "label 'maybe'"),
    ]:
        f.write_text(f"text,{column}\nGood.,{'1' if column == 'label' else '9'}\nBad.,{value}\n")
        with pytest.raises(NewTextError) as err:
            nt.from_file(f)
        assert f"{f} row 2: {shown}" in str(err.value) and "Fix:" in str(err.value)
    table = pd.DataFrame({"text": ["a b", "c d"], "rating": [9, 101]})
    with pytest.raises(NewTextError, match=r"x\.parquet row 2: rating 101 is not a whole number"):
        nt.from_table(table, "x.parquet")


def test_new_ratings_are_checked_on_the_runs_scale(tmp_path):
    """Issue 29: a new text's rating is checked on the run's scale (its ingest summary's
    rating_scale), not on IMDB's 1-10."""
    import json

    run = tmp_path / "run"
    assert nt.run_rating_scale(run) is None  # no summary: whole numbers 0-100 only
    (run / "data").mkdir(parents=True)
    summary = run / "data" / "ingest_summary.json"
    summary.write_text(json.dumps({"n_reviews": 3}))
    assert str(nt.run_rating_scale(run)) == "1-10"  # a summary from before scales were recorded
    summary.write_text(json.dumps({"rating_scale": None}))
    assert nt.run_rating_scale(run) is None
    summary.write_text(json.dumps({"rating_scale": [1, 5]}))
    scale = nt.run_rating_scale(run)
    assert str(scale) == "1-5"
    f = tmp_path / "new.csv"
    f.write_text("text,rating\nGood.,5\nBad.,7\n")
    with pytest.raises(NewTextError) as err:
        nt.from_path(f, rating_scale=scale)
    msg = str(err.value)
    assert f"{f} row 2: rating 7 is outside the run's rating scale 1-5" in msg and "Fix:" in msg
    f.write_text("text,rating\nGood.,5\nBad.,1\n")
    assert nt.from_path(f, rating_scale=scale)["rating"].tolist() == [5, 1]
    assert nt.from_path(f)["rating"].tolist() == [5, 1]


@pytest.mark.parametrize("text", ["https://www.imdb.com/title/tt0111161/", "www.example.org/r"])
def test_a_new_text_that_is_only_a_url_is_refused(text):
    with pytest.raises(NewTextError, match=r"argument 2: the review is only a web address"):
        nt.from_arguments(["A fine film.", text])
