"""Star ratings: which values are ratings, and which ratings contradict a label.

Ratings are whole numbers; a null rating is a valid, unknown one. The reviews contract keeps
them as pandas ``Int8`` (:mod:`.contract`); every reader and the new texts of ``assign`` use
these converters.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "NOT_A_RATING",
    "RATINGS",
    "RATING_FIX",
    "bad_ratings",
    "rating_conflicts",
    "ratings_from_values",
]

#: Valid star ratings.
RATINGS = range(1, 11)
#: What is wrong with a bad rating value.
NOT_A_RATING = "is not an integer 1-10 or null"
#: How to store ratings (IMDB's scale: whole stars 1-10; no other scale is read).
RATING_FIX = "store whole stars 1-10 in an integer column ('8/10' becomes 8)"


def _plain(s: pd.Series) -> pd.Series:
    """Categorical (dictionary-encoded) columns become plain object columns."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return pd.Series(np.asarray(s, dtype=object), index=s.index)
    return s


def rating_conflicts(label: Any, rating: pd.Series) -> np.ndarray:
    """Known ratings that disagree with the label: positive with 1-4 stars, negative with 7-10."""
    label = np.asarray(label, dtype=np.int64)
    known = pd.Series(rating).notna().to_numpy()
    r = pd.Series(rating).astype("Int64").fillna(0).to_numpy(dtype=np.int64)
    return known & (((label == 1) & (r <= 4)) | ((label == 0) & (r >= 7)))


def bad_ratings(rating: pd.Series) -> np.ndarray:
    """Known ratings that are not whole stars 1-10 (null is a valid, unknown rating)."""
    numeric = pd.to_numeric(rating, errors="coerce")
    return (rating.notna() & ~numeric.isin(RATINGS)).to_numpy()


def ratings_from_values(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(ratings as Int8 with <NA> for unknown, invalid mask): integers 1..10 or null."""
    s = _plain(s)
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        return pd.Series(pd.array([pd.NA] * len(s), dtype="Int8")), s.notna().to_numpy()
    values = pd.to_numeric(s).astype("Float64")
    bad = bad_ratings(values)
    clean = values.where(~bad & values.notna().to_numpy())
    return pd.Series(clean.astype("Int8").array), bad
