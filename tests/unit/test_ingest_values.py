"""What ingest does with values that look like labels, ratings or reviews but are not quite
(issue 28 item 12); each is accepted and converted, or refused naming the place and the fix:

- a star rating off the scale (a Parquet 11 with ``ingest.rating_scale: [1, 10]``, an aclImdb
  file ``0_11.txt``): refused (issue 29: the scale is set or detected, see test_ingest_ratings);
- ratings as strings (``"8/10"``, also ``"8"``): refused, the fix says to store whole numbers
  in a numeric column (``"8/10"`` becomes 8);
- labels ``"1"``/``"0"`` as strings (a CSV sentiment column, a Parquet string column): accepted
  as 1 (positive) and 0 (negative), as the integers 1/0 are;
- a review that is only a web address: refused, it holds no words of a review.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_ingest_aclimdb import ACL_FILES, acl_members, write_tree

from conftest import run_ingest
from sentclust import ingest
from sentclust.ingest import IngestError, contract


def _parquet(tmp_path, **columns):
    f = tmp_path / "train.parquet"
    pd.DataFrame(columns).to_parquet(f)
    return f


def test_a_rating_off_the_scale_is_refused(tmp_path):
    f = _parquet(tmp_path, text=["a", "b"], label=[1, 0], rating=[9, 11])
    with pytest.raises(IngestError, match=r"rating 11 is outside the rating scale 1-10.*Fix:"):
        run_ingest(f, splits=["train"], rating_scale=[1, 10])
    root = write_tree(
        tmp_path / "aclImdb", acl_members([*ACL_FILES, ("train", "pos", 9, 11, "Great.")])
    )
    with pytest.raises(IngestError, match=r"9_11\.txt: rating 11 in the file name is outside"):
        ingest.read_aclimdb_dir(str(root))


@pytest.mark.parametrize("ratings", [["8/10", "2/10"], ["8", "2"]])
def test_ratings_as_strings_are_refused_with_the_fix(tmp_path, ratings):
    f = _parquet(tmp_path, text=["a", "b"], label=[1, 0], rating=ratings)
    with pytest.raises(IngestError) as err:
        ingest.read_parquet_input(str(f))
    msg = str(err.value)
    assert f"row 0 (0-based row within this file): rating {ratings[0]!r}" in msg
    assert "(column type large_string)" in msg or "(column type string)" in msg
    assert "whole numbers in a numeric column ('8/10' becomes 8)" in msg


def test_labels_one_and_zero_as_strings_are_accepted(tmp_path):
    f = _parquet(tmp_path, text=["a", "b", "c"], label=["1", "0", " 1 "])
    df = ingest.read_parquet_input(str(f))
    assert df["label"].tolist() == [1, 0, 1] and df["label"].dtype == np.int8
    csv = tmp_path / "reviews.csv"
    csv.write_text("review,sentiment\ngood,1\nbad,0\nfine,positive\n")
    df = ingest.read_csv_input(str(csv), test_fraction=0.5, seed=0)
    assert df["label"].tolist() == [1, 0, 1]
    out, bad = contract.labels_from_values(pd.Series(["1", "0", "2", "01", "1.0"], dtype="str"))
    assert out.tolist()[:2] == [1, 0] and bad.tolist() == [False, False, True, True, True]
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("review,sentiment\ngood,1\nbad,2\n")
    with pytest.raises(IngestError, match=r"line 3: sentiment '2' is not positive or negative"):
        ingest.read_csv_input(str(bad_csv), test_fraction=0.5, seed=0)


@pytest.mark.parametrize(
    "text",
    [
        "https://www.imdb.com/title/tt0111161/",
        "  http://example.org/review?id=3  ",
        "www.example.org/my-review.html",
        '<a href="https://x.org">https://x.org/r</a> <br /> HTTPS://x.org/other',
    ],
)
def test_a_review_that_is_only_a_url_is_refused(tmp_path, text):
    f = _parquet(tmp_path, review_id=["a", "b"], text=["A fine film.", text], label=[1, 0])
    with pytest.raises(IngestError) as err:
        run_ingest(str(f), splits=["train"])
    msg = str(err.value)
    assert "review_id 'b': the review is only a web address" in msg and "Fix:" in msg


def test_a_review_that_mentions_a_url_is_kept(tmp_path):
    text = "See https://www.imdb.com/title/tt0111161/ - a fine film, truly."
    f = _parquet(tmp_path, review_id=["a", "b"], text=[text, "Dull."], label=[1, 0])
    df, _ = run_ingest(str(f), splits=["train"])
    assert df["text"].tolist() == ["Dull.", text]
