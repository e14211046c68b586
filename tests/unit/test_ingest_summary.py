"""Unit tests of sentclust.ingest.summary."""

from __future__ import annotations

import json

import numpy as np
from test_ingest_contract import frame

from sentclust import ingest
from sentclust.ingest import summary

# ------------------------------------------------------------------------------------------
# summarize


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


def test_length_stats():
    assert summary.length_stats(np.array([], dtype=np.int64)) == {
        "min": None,
        "median": None,
        "max": None,
    }
    assert summary.length_stats(np.array([5, 1, 3])) == {"min": 1, "median": 3, "max": 5}
    assert summary.length_stats(np.array([1, 4])) == {"min": 1, "median": 2.5, "max": 4}


def test_summary_keys_in_order():
    df = frame([("a", "train", "abc", 0, 1), ("b", "test", "ab", 1, None)])
    s = ingest.summarize(df, source="s", fmt="parquet", duplicates={}, extra={"seed": 1})
    assert list(s) == [
        "source",
        "format",
        "n_reviews",
        "labels",
        "counts_per_split",
        "counts_per_split_label",
        "counts_per_split_rating",
        "n_missing_rating",
        "rating_label_conflicts",
        "ratings_consistent_with_labels",
        "text_length_chars",
        "duplicates",
        "row_order",
        "package_versions",
        "seed",
    ]
    assert list(s["text_length_chars"]) == ["min", "median", "max", "by_split"]
    assert s["counts_per_split_rating"] == {"train": {"1": 1}, "test": {"null": 1}}
