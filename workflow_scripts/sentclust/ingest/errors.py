"""How ingest reports a problem: :class:`IngestError` naming the place, the problem and a fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["IngestError", "fail_first", "first_true", "how_many", "show"]


class IngestError(ValueError):
    """A problem with the input reviews; the message names file, row and problem and a fix."""


def show(value: Any, limit: int = 60) -> str:
    """A short printable form of a cell value for error messages."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "null (missing)"
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def first_true(mask: Any) -> int:
    """Position of the first true value of ``mask``."""
    return int(np.flatnonzero(np.asarray(mask, dtype=bool))[0])


def how_many(mask: Any) -> str:
    """`` (n rows have this problem; the first is shown)`` when ``mask`` has more than one."""
    n = int(np.asarray(mask, dtype=bool).sum())
    return "" if n <= 1 else f" ({n} rows have this problem; the first is shown)"


def fail_first(
    mask: Any, at: Callable[[int], str], problem: str | Callable[[int], str], fix: str
) -> None:
    """Raise ``{at(row)}: {problem}{how many}. Fix: {fix}`` for the first row of ``mask``, if any.

    ``problem`` is a text or a function of the row; ``at(row)`` names the place of the row.
    """
    if not np.asarray(mask, dtype=bool).any():
        return
    row = first_true(mask)
    text = problem(row) if callable(problem) else problem
    raise IngestError(f"{at(row)}: {text}{how_many(mask)}. Fix: {fix}")
