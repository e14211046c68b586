"""Unit tests of sentclust.ingest.errors: how problems are reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sentclust.ingest import IngestError, errors


def test_show_short_forms():
    assert errors.show(None) == "null (missing)"
    assert errors.show(float("nan")) == "null (missing)"
    assert errors.show(pd.NA) == "null (missing)"
    assert errors.show(np.int64(3)) == "3"
    assert errors.show("valid") == "'valid'"
    assert errors.show("x" * 100) == repr("x" * 100)[:57] + "..."


def test_first_true_and_how_many():
    assert errors.first_true([False, True, True]) == 1
    assert errors.how_many([False, True]) == ""
    assert errors.how_many([True, True, False, True]) == (
        " (3 rows have this problem; the first is shown)"
    )


def test_fail_first_names_place_problem_count_and_fix():
    errors.fail_first(np.zeros(3, dtype=bool), str, "never", "none")  # nothing bad: no error
    with pytest.raises(IngestError) as err:
        errors.fail_first([False, True, True], lambda r: f"f.txt line {r + 2}", "bad", "mend it.")
    assert str(err.value) == (
        "f.txt line 3: bad (2 rows have this problem; the first is shown). Fix: mend it."
    )
    with pytest.raises(IngestError, match=r"^row 2: value 2 is odd\. Fix: x$"):
        errors.fail_first([0, 0, 1], lambda r: f"row {r}", lambda r: f"value {r} is odd", "x")
