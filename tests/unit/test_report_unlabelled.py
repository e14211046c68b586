"""The report of a corpus without labels: no network or LIME section, a "Skipped stages"
section and summary lines naming each left-out stage and why."""

from sentclust.report.render import SECTIONS, page_sections, render_summary
from sentclust.report.sections import headline
from sentclust.workflow.label_stages import skipped_stages


def test_labelled_sections_are_unchanged():
    assert page_sections(False, True) == SECTIONS
    assert page_sections(False, True, labels=True) == SECTIONS


def test_unlabelled_sections_skip_network_and_lime_and_name_the_skipped_stages():
    ids = [i for i, _ in page_sections(False, False, labels=False)]
    assert "network" not in ids and "lime" not in ids and "polarity" not in ids
    assert ids.index("skipped") == ids.index("data") + 1


def test_unlabelled_summary_names_every_skipped_stage_and_why():
    skipped = [{"stage": s, "why": w} for s, w in skipped_stages("none").items()]
    ctx = {
        "title": "t",
        "network": None,
        "data": {"n_reviews": 10},
        "kinds": [],
        "skipped": skipped,
    }
    ctx["headline"] = headline(ctx)
    assert [h["label"] for h in ctx["headline"]] == ["reviews"]
    text = render_summary(ctx)
    assert "## Skipped stages" in text
    for s in skipped:
        assert f"**{s['stage']}**: {s['why']}" in text
    assert "## Choice of k (no labels: agreement with labels not measured)" in text
    assert "agreement with the labels" not in text


def test_labelled_summary_has_no_skipped_section():
    ctx = {"title": "t", "headline": [], "kinds": [], "skipped": []}
    text = render_summary(ctx)
    assert "Skipped stages" not in text
    assert "## Choice of k and agreement with the labels" in text
