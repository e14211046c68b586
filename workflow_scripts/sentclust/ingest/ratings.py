"""Star ratings on any scale, and the policy that relates them to labels.

- Ratings are whole numbers from 0 to 100 (integral floats such as ``4.0`` are read as ``4``;
  ``4.5`` and strings such as ``"8/10"`` are refused); a null rating is a valid, unknown one.
  The reviews contract keeps them as pandas ``Int8`` (:mod:`.contract`); every reader and the
  new texts of ``assign`` use :func:`ratings_from_values`.
- :class:`RatingScale` is the one home of a run's scale: ``ingest.rating_scale`` ``[lo, hi]``,
  or (null) the smallest of :data:`USUAL_SCALES` that holds the ratings read
  (:func:`resolve_scale`); recorded as ``rating_scale`` in ``data/ingest_summary.json``.
- :class:`LabelPolicy` says which ratings are negative and which positive
  (``ingest.labels_from_ratings``; :func:`resolve_policy`). Its default on a scale ``[a, b]``
  reproduces IMDB's rule: negative up to ``a + 0.4 (b - a)``, positive from ``a + 0.6 (b - a)``
  (1-10: 1-4 / 7-10; 1-5: 1-2 / 4-5; 0-10: 0-4 / 6-10); the ratings between are neutral. The
  policy checks given labels (:meth:`LabelPolicy.conflicts`, ``ingest.rating_conflicts``) and
  derives labels where the corpus has none (:func:`derive_labels`: neutral reviews are dropped).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import IngestError, fail_first

__all__ = [
    "LABEL_SOURCES",
    "IMDB_POLICY",
    "IMDB_SCALE",
    "NOT_A_RATING",
    "RATINGS",
    "RATING_FIX",
    "USUAL_SCALES",
    "LabelPolicy",
    "LabelSource",
    "RatingScale",
    "bad_ratings",
    "check_scale",
    "derive_labels",
    "detect_scale",
    "rating_conflicts",
    "ratings_from_values",
    "resolve_labels",
    "resolve_policy",
    "resolve_scale",
]

_log = logging.getLogger(__name__)
#: Where a run's labels come from (the summary's ``labels``; :func:`~.peek.input_labels`).
LABEL_SOURCES: tuple[str, ...] = ("given", "from_ratings", "none")
#: Values a rating may take on any scale (whole numbers 0-100: the contract stores int8).
RATINGS = range(0, 101)
#: The scales a scale is detected among, smallest first (``ingest.rating_scale: null``).
USUAL_SCALES: tuple[tuple[int, int], ...] = ((1, 5), (0, 5), (1, 10), (0, 10), (0, 100))
#: What is wrong with a value that cannot be a rating.
NOT_A_RATING = "is not a whole number 0-100 or null"
#: How to store ratings.
RATING_FIX = (
    "store ratings as whole numbers in a numeric column ('8/10' becomes 8); ratings must be "
    "whole numbers, so round half stars (4.5) or double them onto a scale twice as fine and set "
    "`ingest.rating_scale` to match"
)
_SCALE_FIX = (
    "Fix: set `ingest.rating_scale` to [lo, hi], whole numbers 0 <= lo < hi <= 100, or null"
)
_POLICY_FIX = (
    "Fix: set `ingest.labels_from_ratings` to {negative: [lo, hi], positive: [lo, hi]} on the "
    "rating scale (negative below positive; null parts are derived from the scale), or null"
)


@dataclass(frozen=True)
class RatingScale:
    """A rating scale ``lo``-``hi``; ``detected_from``: (min, max) of the ratings it was
    detected from, None when ``ingest.rating_scale`` gave it."""

    lo: int
    hi: int
    detected_from: tuple[int, int] | None = None

    def __str__(self) -> str:
        return f"{self.lo}-{self.hi}"

    def outside(self, rating: pd.Series) -> np.ndarray:
        """Known ratings outside the scale."""
        r = pd.Series(rating)
        return (r.notna() & ((r < self.lo) | (r > self.hi))).fillna(False).to_numpy(dtype=bool)

    def as_list(self) -> list[int]:
        return [self.lo, self.hi]

    def source(self) -> Any:
        """How the scale was set, for the summary: the key, or the min and max it came from."""
        if self.detected_from is None:
            return "ingest.rating_scale"
        return {"detected_from": list(self.detected_from)}

    def describe(self) -> str:
        """The scale for a log line: ``1-5 (detected from ratings 1..5)``."""
        if self.detected_from is None:
            return f"{self} (ingest.rating_scale)"
        lo, hi = self.detected_from
        return f"{self} (detected from ratings {lo}..{hi})"


#: IMDB's scale (the aclImdb file names' ratings)
IMDB_SCALE = RatingScale(1, 10)


def _known(rating: pd.Series) -> np.ndarray:
    return pd.Series(rating).dropna().astype("int64").to_numpy()


def detect_scale(rating: pd.Series) -> RatingScale | None:
    """The smallest of :data:`USUAL_SCALES` that holds the known ratings; None without any."""
    known = _known(rating)
    if not len(known):
        return None
    lo, hi = int(known.min()), int(known.max())
    a, b = next(s for s in USUAL_SCALES if s[0] <= lo and hi <= s[1])  # (0, 100) holds all
    return RatingScale(a, b, detected_from=(lo, hi))


def _check_scale_setting(value: Any) -> tuple[int, int]:
    ok = (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and 0 <= value[0] < value[1] <= 100
    )
    if not ok:
        raise IngestError(f"ingest.rating_scale {value!r} is not a rating scale. {_SCALE_FIX}.")
    return int(value[0]), int(value[1])


def resolve_scale(value: Any, rating: pd.Series) -> RatingScale | None:
    """The run's scale: ``value`` (``ingest.rating_scale``) when set, else detected
    (:func:`detect_scale`); None when no review has a rating."""
    given = None if value is None else _check_scale_setting(value)
    if not len(_known(rating)):
        return None
    return detect_scale(rating) if given is None else RatingScale(*given)


def check_scale(rating: pd.Series, scale: RatingScale, at: Callable[[int], str]) -> None:
    """:class:`IngestError` for the first rating outside ``scale``, naming it (``at(row)``)."""
    fail_first(
        scale.outside(rating),
        at,
        lambda i: (
            f"rating {rating.iloc[i]} is outside the rating scale {scale} (ingest.rating_scale)"
        ),
        "correct that rating, or set `ingest.rating_scale` to the scale the ratings use "
        "(e.g. [0, 10]; null detects it from the data).",
    )


@dataclass(frozen=True)
class LabelPolicy:
    """Ratings ``negative`` = (lo, hi) are negative (label 0), ``positive`` = (lo, hi) positive
    (label 1); the ratings between are neutral."""

    negative: tuple[int, int]
    positive: tuple[int, int]

    def _in(self, part: tuple[int, int], rating: pd.Series) -> np.ndarray:
        r = pd.Series(rating)
        return (r.notna() & (r >= part[0]) & (r <= part[1])).fillna(False).to_numpy(dtype=bool)

    def labels(self, rating: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """(labels as int8, -1 where neutral or unknown; neutral mask: known ratings that are
        neither negative nor positive)."""
        neg, pos = self._in(self.negative, rating), self._in(self.positive, rating)
        label = np.where(pos, 1, np.where(neg, 0, -1)).astype("int8")
        return label, pd.Series(rating).notna().to_numpy() & ~neg & ~pos

    def conflicts(self, label: Any, rating: pd.Series) -> np.ndarray:
        """Known ratings that contradict the label: positive with a negative rating, negative
        with a positive one (neutral ratings contradict neither)."""
        label = np.asarray(label, dtype=np.int64)
        neg, pos = self._in(self.negative, rating), self._in(self.positive, rating)
        return ((label == 1) & neg) | ((label == 0) & pos)

    def as_dict(self) -> dict[str, list[int]]:
        return {"negative": list(self.negative), "positive": list(self.positive)}

    def describe(self) -> str:
        """``positive reviews have 7-10 stars and negative ones 1-4``."""
        (nl, nh), (pl, ph) = self.negative, self.positive
        return f"positive reviews have {pl}-{ph} stars and negative ones {nl}-{nh}"


#: IMDB's rule: 1-4 negative, 7-10 positive (the default policy on 1-10)
IMDB_POLICY = LabelPolicy((1, 4), (7, 10))


def default_policy(scale: RatingScale) -> LabelPolicy:
    """Negative up to ``a + 0.4 (b - a)``, positive from ``a + 0.6 (b - a)`` (whole ratings)."""
    a, b = scale.lo, scale.hi
    neg_hi = (3 * a + 2 * b) // 5  # floor(a + 0.4 (b - a)), exact in integers
    pos_lo = -(-(2 * a + 3 * b) // 5)  # ceil(a + 0.6 (b - a))
    return LabelPolicy((a, neg_hi), (pos_lo, b))


def _part(value: Any, key: str, default: tuple[int, int], scale: RatingScale) -> tuple[int, int]:
    if value is None:
        return default
    ok = (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and scale.lo <= value[0] <= value[1] <= scale.hi
    )
    if not ok:
        raise IngestError(
            f"ingest.labels_from_ratings.{key} {value!r} is not a range [lo, hi] of ratings on "
            f"the rating scale {scale}. {_POLICY_FIX}."
        )
    return int(value[0]), int(value[1])


def resolve_policy(value: Mapping[str, Any] | None, scale: RatingScale) -> LabelPolicy:
    """``ingest.labels_from_ratings`` on ``scale``: its given parts, the others by default
    (:func:`default_policy`); :class:`IngestError` for an unknown key, a range off the scale,
    or negative ratings not all below positive ones."""
    value = dict(value or {})
    unknown = sorted(set(value) - {"negative", "positive"})
    if unknown:
        raise IngestError(
            f"ingest.labels_from_ratings has unknown key(s) {', '.join(unknown)}. {_POLICY_FIX}."
        )
    default = default_policy(scale)
    negative = _part(value.get("negative"), "negative", default.negative, scale)
    positive = _part(value.get("positive"), "positive", default.positive, scale)
    if negative[1] >= positive[0]:
        raise IngestError(
            f"ingest.labels_from_ratings: negative ratings {list(negative)} overlap or are above "
            f"positive ones {list(positive)} on the scale {scale}. {_POLICY_FIX}."
        )
    return LabelPolicy(negative, positive)


def derive_labels(
    df: pd.DataFrame, policy: LabelPolicy, at: Callable[[int], str]
) -> tuple[pd.DataFrame, int]:
    """(``df`` with labels from its ratings by ``policy`` and its neutral reviews dropped, the
    number dropped).

    A review without a rating is refused (:class:`IngestError` naming it), not dropped: in a
    corpus whose labels come from its ratings, a missing rating is a gap in the export or a
    wrong field mapping, and dropping such rows silently would change the corpus unseen.
    """
    rating = df["rating"]
    fail_first(
        rating.isna().to_numpy(),
        at,
        "the review has no rating, and the corpus's labels come from its ratings "
        "(ingest.labels_from_ratings)",
        "fill in its rating or remove the review, or set `ingest.labels_from_ratings: null` to "
        "treat the corpus as unlabelled.",
    )
    label, neutral = policy.labels(rating)
    out = df.assign(label=pd.Series(label, dtype="int8", index=df.index))
    if neutral.any():
        out = out.iloc[np.flatnonzero(~neutral)]
    return out.reset_index(drop=True), int(neutral.sum())


def rating_conflicts(
    label: Any, rating: pd.Series, policy: LabelPolicy = IMDB_POLICY
) -> np.ndarray:
    """Known ratings that disagree with the label by ``policy`` (default IMDB's: positive
    with 1-4 stars, negative with 7-10)."""
    return policy.conflicts(label, rating)


def _plain(s: pd.Series) -> pd.Series:
    """Categorical (dictionary-encoded) columns become plain object columns."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return pd.Series(np.asarray(s, dtype=object), index=s.index)
    return s


def bad_ratings(rating: pd.Series) -> np.ndarray:
    """Known ratings that are not whole numbers 0-100 (null is a valid, unknown rating)."""
    numeric = pd.to_numeric(rating, errors="coerce")
    return (rating.notna() & ~numeric.isin(RATINGS)).to_numpy()


def ratings_from_values(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(ratings as Int8 with <NA> for unknown, invalid mask): whole numbers 0-100 (integral
    floats too) or null; strings and booleans are not ratings."""
    s = _plain(s)
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        return pd.Series(pd.array([pd.NA] * len(s), dtype="Int8")), s.notna().to_numpy()
    values = pd.to_numeric(s).astype("Float64")
    bad = bad_ratings(values)
    clean = values.where(~bad & values.notna().to_numpy())
    return pd.Series(clean.astype("Int8").array), bad


@dataclass(frozen=True)
class LabelSource:
    """What ingest made of the labels and ratings: ``labels`` (one of :data:`LABEL_SOURCES`),
    the run's ``scale`` and label ``policy`` (None without ratings), and the number of neutral
    reviews dropped (labels from ratings)."""

    labels: str
    scale: RatingScale | None = None
    policy: LabelPolicy | None = None
    neutral_dropped: int = 0

    def summary(self) -> dict[str, Any]:
        """The summary's ``rating_scale``, ``rating_scale_source``, ``label_policy`` (the
        policy labels are checked or derived by) and ``labels_from_ratings`` (the policy and
        ``neutral_dropped`` when the labels come from the ratings, else None)."""
        derived = None
        if self.labels == "from_ratings" and self.policy is not None:
            derived = {**self.policy.as_dict(), "neutral_dropped": self.neutral_dropped}
        return {
            "rating_scale": None if self.scale is None else self.scale.as_list(),
            "rating_scale_source": None if self.scale is None else self.scale.source(),
            "label_policy": None if self.policy is None else self.policy.as_dict(),
            "labels_from_ratings": derived,
        }


def _check_expected(got: str, expected: str | None) -> None:
    if expected is None or got == expected:
        return
    raise IngestError(
        f"the input read has labels {got!r} (given / from_ratings / none), but the workflow "
        f"planned its jobs for {expected!r} from the input's column names (a download is "
        f"assumed labelled). Fix: point `input_path` at the local file, so that its columns "
        f"are read when the jobs are planned, and check that its label and rating columns "
        f"hold values."
    )


def resolve_labels(
    df: pd.DataFrame,
    at: Callable[[int], str],
    rating_scale: Any,
    labels_from_ratings: Mapping[str, Any] | None,
    expect_labels: str | None = None,
) -> tuple[pd.DataFrame, LabelSource]:
    """The scale (:func:`resolve_scale`, every rating checked against it) and the labels of
    the validated reviews ``df``: ``given`` when it has a label column; else ``from_ratings``
    when it has ratings and ``labels_from_ratings`` is not None (:func:`derive_labels`); else
    ``none``. ``expect_labels``: what the DAG was planned for (:func:`~.peek.input_labels`);
    another answer is an :class:`IngestError`. Logs the scale and the neutral reviews dropped."""
    scale = resolve_scale(rating_scale, df["rating"])
    policy = None
    if scale is not None:
        check_scale(df["rating"], scale, at)
        policy = resolve_policy(labels_from_ratings, scale)
        _log.info("rating scale %s", scale.describe())
    if df["label"].notna().any():
        labels = "given"
    elif policy is not None and labels_from_ratings is not None:
        labels = "from_ratings"
    else:
        labels = "none"
    _check_expected(labels, expect_labels)
    dropped = 0
    if labels == "from_ratings":
        df, dropped = derive_labels(df, policy, at)
        _log.info(
            "labels from ratings: negative %s, positive %s; %d neutral review(s) dropped",
            policy.negative,
            policy.positive,
            dropped,
        )
    return df, LabelSource(labels, scale, policy, dropped)
