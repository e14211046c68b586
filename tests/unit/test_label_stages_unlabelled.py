"""The one table of stages that need labels, and the kinds a run without labels keeps."""

import pytest

from sentclust import layout as L
from sentclust.workflow.label_stages import (
    NEEDS_LABELS,
    available_kinds,
    has_labels,
    skipped_stages,
    skipped_text,
)


def test_labelled_runs_keep_every_kind_and_skip_nothing():
    for labels in ("given", "from_ratings"):
        assert available_kinds(True, labels) == L.kinds(True)
        assert available_kinds(False, labels) == L.kinds(False)
        assert skipped_stages(labels) == {}


def test_unlabelled_run_keeps_only_the_unsupervised_kind():
    assert available_kinds(True, "none") == ["bert"]
    assert available_kinds(False, "none") == ["bert"]


def test_unlabelled_run_skips_every_label_stage_with_a_reason():
    skipped = skipped_stages("none")
    assert skipped == NEEDS_LABELS
    names = " ".join(skipped)
    for word in ("network", "LIME", "probe", "PLS", "overlap", "polarity"):
        assert word in names
    assert all(why.strip() for why in skipped.values())
    lines = skipped_text(skipped)
    assert len(lines) == len(NEEDS_LABELS)
    assert "no labels" in lines[0] and NEEDS_LABELS[next(iter(NEEDS_LABELS))] in lines[0]


def test_an_unknown_label_source_is_refused():
    with pytest.raises(ValueError, match="given, from_ratings, none"):
        has_labels("maybe")
