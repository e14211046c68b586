"""Checks of the ingested reviews that catch bad input at ingest, with the right advice.

- :func:`check_archive_sha256`: a local archive against ``input_sha256``;
- :func:`check_review_sizes`: no review above ``ingest.max_review_bytes`` (every form; the
  aclImdb readers also check each file before reading it);
- :func:`check_markup_only`: no review that is empty once its markup is removed
  (``<br /><br />``), as the prepare stage cleans it; such a review fails like an empty one;
- :func:`check_url_only`: no review that is only a web address (``https://...``, ``www....``):
  it holds no words of a review;
- :func:`check_rating_conflicts`: a star rating that contradicts the label by the label policy
  (:class:`~.ratings.LabelPolicy`, IMDB's 1-4 / 7-10 by default on 1-10: ``pos/`` with 2 stars,
  ``neg/`` with 8) fails unless ``ingest.rating_conflicts: keep`` (then counted in the summary);
- :func:`check_train_classes`: the train split holds both classes (the network, the probes and
  the projections are fitted on it); only when the corpus has labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from sentclust.prepare.text import clean_text

from .contract import LABEL_NAMES, has_labels
from .download import sha256_file
from .errors import IngestError, fail_first
from .ratings import IMDB_POLICY, LabelPolicy

__all__ = [
    "RATING_CONFLICT_POLICIES",
    "check_archive_sha256",
    "check_markup_only",
    "check_rating_conflicts",
    "check_rating_policy",
    "check_review_sizes",
    "check_train_classes",
    "check_url_only",
    "review_place",
]

#: What to do with a star rating that contradicts the label.
RATING_CONFLICT_POLICIES: tuple[str, ...] = ("error", "keep")
_LABEL_WORDS = ("negative (label 0)", "positive (label 1)")


def review_place(df: pd.DataFrame, source: str, fmt: str) -> Callable[[int], str]:
    """Names row ``i`` of ``df`` in messages: the review file for aclImdb inputs
    (``train/pos/12_2.txt``), else the review_id."""
    ids = df["review_id"].to_numpy()
    if fmt in ("aclimdb", "aclimdb_tar"):

        def at(i: int) -> str:
            split, lab, number, rating = str(ids[i]).split("_")
            return f"{source}: review file {split}/{lab}/{number}_{rating}.txt"

        return at
    return lambda i: f"{source}: review_id {ids[i]!r}"


def check_archive_sha256(path: str, sha256: str | None) -> None:
    """:class:`IngestError` when ``sha256`` is given and the file at ``path`` has another one."""
    if not sha256:
        return
    digest = sha256_file(path)
    if digest != sha256.lower():
        raise IngestError(
            f"{path}: its SHA-256 is {digest}, not input_sha256 {sha256}: the archive is "
            f"truncated, corrupt or another file. Fix: download it again, or set input_sha256 "
            f"to this file's checksum (or to null) if you trust this copy."
        )


#: what to do about a review above the size cap (ingest)
SIZE_FIX = "remove that review if it is not one, or raise `ingest.max_review_bytes` in the config."


def check_review_sizes(
    df: pd.DataFrame, at: Callable[[int], str], max_review_bytes: int, *, fix: str = SIZE_FIX
) -> None:
    """:class:`IngestError` for the first review larger than ``max_review_bytes`` (UTF-8)."""
    chars = df["text"].str.len().to_numpy()
    size = np.zeros(len(df), dtype=np.int64)
    maybe = np.flatnonzero(chars * 4 > max_review_bytes)  # only these can be too big
    size[maybe] = [len(t.encode("utf-8")) for t in df["text"].iloc[maybe]]
    fail_first(
        size > max_review_bytes,
        at,
        lambda i: (
            f"{size[i]} bytes, more than ingest.max_review_bytes ({max_review_bytes}); "
            f"real reviews are under 14 KB"
        ),
        fix,
    )


def check_markup_only(df: pd.DataFrame, at: Callable[[int], str]) -> None:
    """:class:`IngestError` for the first review that is empty after cleaning (only markup
    such as ``<br /><br />``, or entities of white space): it would prepare to zero tokens."""
    # a review whose first visible character starts no tag (<) and no entity (&) keeps that
    # character: only the others need cleaning (a few of 50,000)
    first = df["text"].str.lstrip().str[:1]
    maybe = np.flatnonzero(first.isin(["<", "&"]).to_numpy())
    empty = np.zeros(len(df), dtype=bool)
    empty[maybe] = [not clean_text(t) for t in df["text"].iloc[maybe]]
    fail_first(
        empty,
        at,
        "the review is only markup (e.g. <br /><br />): nothing is left once the tags are removed",
        "remove that review or fill in its text.",
    )


#: a web address: a scheme and ``://``, or ``www.``, then no white space
_URL = r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+"
_URLS_ONLY = re.compile(rf"{_URL}(?:\s+{_URL})*", re.IGNORECASE)


def check_url_only(df: pd.DataFrame, at: Callable[[int], str]) -> None:
    """:class:`IngestError` for the first review that is only web addresses once its markup is
    cleaned (``https://www.imdb.com/title/tt0111161/``): no words of a review to learn from or
    to place. A review that mentions an address among its words is kept."""
    maybe = np.flatnonzero(df["text"].str.contains("://|www\\.", case=False).to_numpy())
    only = np.zeros(len(df), dtype=bool)
    only[maybe] = [_URLS_ONLY.fullmatch(clean_text(t)) is not None for t in df["text"].iloc[maybe]]
    fail_first(
        only,
        at,
        "the review is only a web address: it holds no words of a review",
        "remove that review, or put the review's own text in its place.",
    )


def check_rating_policy(policy: str) -> None:
    """:class:`IngestError` unless ``policy`` is one of :data:`RATING_CONFLICT_POLICIES`."""
    if policy not in RATING_CONFLICT_POLICIES:
        raise IngestError(
            f"unknown rating_conflicts policy {policy!r}. Fix: set `ingest.rating_conflicts` "
            f"to one of {', '.join(RATING_CONFLICT_POLICIES)}."
        )


def check_rating_conflicts(
    df: pd.DataFrame, at: Callable[[int], str], policy: str, label_policy: LabelPolicy = IMDB_POLICY
) -> int:
    """The number of ratings that contradict the label by ``label_policy`` (a positive review
    with a negative rating, a negative one with a positive rating); with ``policy`` ``error``
    the first one fails. Without labels there is nothing to contradict: 0."""
    check_rating_policy(policy)
    if not has_labels(df):
        return 0
    conflicts = label_policy.conflicts(df["label"], df["rating"])
    if policy == "error":
        label, rating = df["label"].to_numpy(), df["rating"]
        fail_first(
            conflicts,
            at,
            lambda i: (
                f"a {LABEL_NAMES[label[i]]} review ({_LABEL_WORDS[label[i]]}) rated "
                f"{rating.iloc[i]} stars; {label_policy.describe()}"
            ),
            "correct its label or rating (an aclImdb review: move the file to the right "
            "folder), set `ingest.labels_from_ratings` to the policy the ratings follow, or set "
            "`ingest.rating_conflicts: keep` to keep such reviews (they are counted in the "
            "ingest summary).",
        )
    return int(conflicts.sum())


def check_train_classes(df: pd.DataFrame, subsample: int | None) -> None:
    """:class:`IngestError` when the kept train split lacks one of the two classes (only when
    there are labels: a corpus without them runs the stages that need none)."""
    if not has_labels(df):
        return
    train = df["label"].to_numpy()[(df["split"] == "train").to_numpy()]
    if not len(train):
        return
    counts = np.bincount(train.astype(np.int64), minlength=2)
    if counts.all():
        return
    has = int(np.flatnonzero(counts)[0])
    hint = " (or a larger `ingest.subsample`)" if subsample is not None else ""
    raise IngestError(
        f"the train split holds only {_LABEL_WORDS[has]} reviews ({counts[has]}) and no "
        f"{_LABEL_WORDS[1 - has]} ones; the network, the probes and the sentiment projections "
        f"are fitted on it and need both classes. Fix: use an input whose train split has "
        f"positive and negative reviews{hint}."
    )
