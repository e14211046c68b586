"""The report's 'Polarity inside reviews' section: built from a polarity summary of a small
synthetic run (sentclust.polarity.check.polarity_summary), its numbers on the page and in
summary.md, segment texts escaped, the section left out of a run without polarity outputs."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from browser import tags_of
from test_report import EVIL, SCRIPT, tiny_png, write_run

from sentclust import report
from sentclust.polarity import check as chk
from sentclust.polarity import job as pj
from sentclust.report import polarity as rp

RATINGS = (1, 2, 3, 4, 7, 8, 9, 10)
#: ratings whose reviews hold both polarities (3 of the 8 test reviews)
DUAL = (3, 4, 7)
THRESHOLDS = {"negative": -1.0, "positive": 1.0, "confidence": 0.8}
SEGMENTS_SUMMARY = {
    "splitter": "punkt",
    "n_segments": 35,
    "segments_per_review": {"mean": 2.1875, "median": 2.0},
    "share_split_at_marker": 0.25,
    "markers": ["but", ";"],
    "by_split": {"train": 17, "test": 18},
    "deep": {"deeper": {"x": 1}},
}


def _segments_of(split: str, rating: int) -> list[tuple[float, int, str]]:
    """(score, label, text) of one review's segments: dual reviews one negative and one
    positive segment (rating 4 also a neutral one, and markup as its negative text)."""
    if rating in DUAL:
        neg_text = SCRIPT if (split, rating) == ("test", 4) else f"{split} {rating} awful"
        segs = [(-2.0, -1, neg_text), (2.0, 1, f"{split} {rating} glorious")]
        return segs + ([(0.1, 0, f"{split} {rating} plain")] if rating == 4 else [])
    sign = 1 if rating >= 7 else -1
    return [(2.5 * sign, sign, f"{split} {rating} clear"), (0.5 * sign, 0, f"{split} {rating} so")]


def synthetic_run() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-review polarity with split, label and rating; the scored segments with text)."""
    meta, rows = [], []
    for split in ("train", "test"):
        for rating in RATINGS:
            rid = f"{split}_{rating}"
            meta.append({"review_id": rid, "split": split, "label": int(rating >= 7)})
            meta[-1]["rating"] = rating
            for no, (score, label, text) in enumerate(_segments_of(split, rating)):
                rows.append((rid, no, score, label, text))
    segments = pd.DataFrame(rows, columns=["review_id", "segment_no", "score", "label", "text"])
    reviews = pj.review_frame(segments.drop(columns="text"), pd.DataFrame(meta))
    return reviews, segments


def synthetic_summary(examples: int = 3) -> dict:
    reviews, segments = synthetic_run()
    test = segments.merge(reviews[["review_id", "split", "label"]], on="review_id")
    test = test[test["split"] == "test"]
    wordvec = chk.segment_agreement(test["score"], test["label_x"], test["label_y"])
    bert_scores = np.where(test["segment_no"] == 0, np.nan, test["score"])
    bert = chk.segment_agreement(bert_scores, test["label_x"], test["label_y"])
    return chk.polarity_summary(
        reviews,
        segments,
        scorer="wordvec",
        thresholds=THRESHOLDS,
        agreement={"wordvec": wordvec | {"split": "test"}, "bert": bert | {"split": "test"}},
        examples=examples,
    )


def finegrained_with_polarity(text: str) -> dict:
    """finegrained.json of one kind with the polarity columns, clusters not in rank order."""
    base = {"size": 2, "terms": ["x"], "nearest_review_ids": ["r1"], "nearest_texts": [text]}
    typical = {"review_id": "r<9>", "text": SCRIPT, "score": -2.5, "label": -1}
    clusters = [
        {
            **base,
            "rank": 1,
            "cluster": 0,
            "name": "mixed: episode, series",
            "positive_share": 0.6,
            "mean_rating": 6.1,
            "dual_polarity_share": 0.4321,
            "spread_mean": 1.75,
            "positive_segment_share": 0.35,
            "negative_segment_share": 0.2,
            "typical_segments": [typical],
        },
        {
            **base,
            "rank": 0,
            "cluster": 1,
            "name": "very negative: waste, worst",
            "positive_share": 0.0,
            "mean_rating": 1.5,
            "dual_polarity_share": 0.05,
            "spread_mean": 0.9,
            "positive_segment_share": 0.01,
            "negative_segment_share": 0.7,
            "typical_segments": [],
        },
    ]
    check = {"rating_check_all": {"spearman_rho": 0.5}, "rating_check_test": {"spearman_rho": 0.4}}
    return {
        "term_weighting": "log_odds",
        "results": [{"k": 2, "chosen": True, "clusters": clusters, **check}],
    }


def explain_texts(text: str) -> dict:
    """polarity/explain_texts.json for the LIME section's config text (spaced differently)."""
    cut = text.index(" and ")
    segs = [
        {"text": text[:cut], "start": 0, "end": cut, "score_wordvec": 1.5, "label": 1},
        {
            "text": text[cut + 1 :],
            "start": cut + 1,
            "end": len(text),
            "score_wordvec": -1.25,
            "score_bert": -0.5,
            "label": -1,
        },
    ]
    return {
        "scorer": "wordvec",
        "texts": [
            {"text": "  " + text.replace(" ", "  "), "dual_polarity": True, "segments": segs}
        ],
    }


def write_polarity_run(tmp_path, summary=None):
    """write_run's files plus the polarity outputs: (inputs, kinds)."""
    inputs, kinds = write_run(tmp_path)
    (tmp_path / "finegrained.json").write_text(json.dumps(finegrained_with_polarity(EVIL)))
    docs = {
        "segments_summary": ("segments_summary.json", SEGMENTS_SUMMARY),
        "polarity_summary": ("polarity_summary.json", summary or synthetic_summary()),
        "polarity_explain": ("explain_texts.json", explain_texts(EVIL)),
    }
    for key, (name, doc) in docs.items():
        (tmp_path / name).write_text(json.dumps(doc))
        inputs[key] = tmp_path / name
    (tmp_path / "by_rating.png").write_bytes(tiny_png())
    inputs["polarity_figure"] = tmp_path / "by_rating.png"
    return inputs, kinds


@pytest.fixture
def run(tmp_path):
    inputs, kinds = write_polarity_run(tmp_path)
    ctx = report.collect(inputs, kinds, config={"bert": {"model": "m"}}, explore=[2])
    return ctx, report.render_html(ctx), json.loads(inputs["polarity_summary"].read_text())


def test_the_synthetic_summary_is_what_it_was_built_to_be():
    s = synthetic_summary()
    assert s["checked_on"] == "test" and s["test"]["n_reviews"] == len(RATINGS)
    assert s["test"]["dual_polarity_share"] == pytest.approx(len(DUAL) / len(RATINGS))
    assert s["test"]["segments_per_review_mean"] == pytest.approx(17 / 8)
    assert [e["review_id"] for e in s["examples"]] == ["test_3", "test_4", "test_7"]
    assert s["rank_correlation"]["reviews"]["dual_polarity"] < 0


def test_the_section_shows_the_headline_numbers(run):
    ctx, page, s = run
    assert ctx["sections"] == report.page_sections(False, aspects=False)
    ids = {a.get("id") for _, a in tags_of(page)}
    assert {sid for sid, _ in ctx["sections"]} <= ids and 'href="#polarity"' in page
    # after the clusters, before the benchmarks
    assert page.index('id="clusters"') < page.index('id="polarity"') < page.index('"benchmarks"')
    section = page[page.index('<section id="polarity">') : page.index('<section id="benchmarks"')]
    assert "37.5%" in section and "2.12" in section  # dual share and segments per review
    rho = s["rank_correlation"]
    for value in (rho["reviews"]["dual_polarity"], rho["reviews"]["spread_std"]):
        assert f"{value:.3f}" in section
    assert f"{rho['ratings']['dual_polarity_share']:.3f}" in section
    assert "negative at score ≤ -1.000, positive at score ≥ +1.000 (confidence 0.8)" in section
    assert "<strong>wordvec</strong>" in section and "wordvec (primary)" in section
    agree = s["segment_agreement"]
    assert f"{100 * agree['wordvec']['polar_agreement']:.1f}%" in section
    assert f"{100 * agree['bert']['share_unscored']:.1f}%" in section
    # the curve as a table: one row per rating
    rows = re.findall(r'<tr><td class="n">(\d+)</td>', section)
    assert rows == [str(r) for r in RATINGS]
    # the segmentation facts, shown generically
    for fact in ("punkt", "25.0%", "mean 2.19 · median 2.00", "but, ;", "by split: train"):
        assert fact in section, fact
    assert "deeper" not in section
    # the card among the headline numbers
    card = ctx["headline"][-1]
    assert card["value"] == "dual polarity 37.5%" and "2.1 segments per review" in card["detail"]


def test_the_figure_is_embedded_and_the_page_stays_self_contained(run):
    ctx, page, _ = run
    tags = tags_of(page)
    images = [a["src"] for t, a in tags if t == "img"]
    assert ctx["polarity"]["figure"] in images
    assert len(images) == 11  # test_report's 10 and the by-rating figure
    assert all(src.startswith("data:image/png;base64,") for src in images)
    assert not [t for t, _ in tags if t in ("script", "iframe", "object", "embed", "link")]
    for tag, attrs in tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)


def test_segment_texts_are_escaped_and_coloured_by_polarity(run):
    ctx, page, _ = run
    assert SCRIPT not in page and "<img src=x" not in page
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    # the example review test_4: its negative segment is the markup, shown as text, in red
    assert f'<span class="seg neg" title="negative, score -2.000">{escaped}</span>' in page
    example = ctx["polarity"]["examples"][1]
    assert example["review_id"] == "test_4" and example["label"] == "negative"
    assert [s["cls"] for s in example["segments"]] == ["neg", "pos", "neu"]
    for cls in ("pos", "neg", "neu"):
        assert re.search(rf"\.seg\.{cls} \{{[^}}]*background", page), cls


def test_clusters_in_sentiment_order_with_their_polarity(run):
    ctx, page, _ = run
    [kc] = ctx["polarity"]["clusters"]
    assert kc["kind"] == "bert" and kc["k"] == 2
    assert [c["name"] for c in kc["clusters"]] == [
        "very negative: waste, worst",
        "mixed: episode, series",
    ]
    section = page[page.index('<section id="polarity">') : page.index('<section id="benchmarks"')]
    assert section.index("very negative: waste") < section.index("mixed: episode")
    assert "43.2%" in section and "1.750" in section and "70.0%" in section
    # the kind's own table shows the typical segments, coloured and escaped
    clusters = page[page.index('<section id="clusters">') : page.index('<section id="polarity">')]
    assert "typical segments" in clusters and "r&lt;9&gt;" in clusters
    assert '<span class="seg neg" title="negative, score -2.500">&lt;script&gt;' in clusters
    assert "Distinctive terms weighted by log_odds." in clusters


def test_the_explained_texts_show_their_segments_beside_the_lime_weights(run):
    ctx, page, _ = run
    pol = ctx["lime"][0]["polarity"]
    assert pol is not None and pol["dual_polarity"] and pol["scorers"] == ["wordvec", "bert"]
    assert [s["cls"] for s in pol["segments"]] == ["pos", "neg"]
    assert pol["segments"][1]["scores"] == {"wordvec": -1.25, "bert": -0.5}
    lime = page[page.index('<section id="lime">') : page.index('<section id="clusters">')]
    assert "Segments by polarity (wordvec scorer, both polarities)" in lime
    assert '<th class="n">bert score</th>' in lime and "-1.250" in lime and "-0.500" in lime
    assert '<th class="n">LIME weight</th>' in lime and "+0.200" in lime
    # a segment without a bert score shows a dash, not a number
    assert re.search(
        r'Great film &lt;script&gt;.*?</span></td><td class="n">1.500</td>'
        r'<td class="n">–</td>',
        lime,
    )


def test_summary_md_has_the_polarity_numbers(run):
    ctx, _, s = run
    md = report.render_summary(ctx)
    assert "## Polarity inside reviews (test split, wordvec scorer)" in md
    assert "- segments per review: mean 2.12, median 2.0 (8 reviews)" in md
    agree = s["segment_agreement"]
    assert (
        f"wordvec {100 * agree['wordvec']['polar_agreement']:.1f}% (primary), "
        f"bert {100 * agree['bert']['polar_agreement']:.1f}%" in md
    )
    assert "- dual-polarity share 37.5%" in md
    rho = s["rank_correlation"]["reviews"]
    assert f"per review dual polarity {rho['dual_polarity']:.3f}" in md
    assert "| rating | reviews | dual polarity | mean spread |" in md
    assert "| 4 | 1 | 100.0% |" in md and "| 1 | 1 | 0.0% |" in md
    assert "<script>" not in md


def test_a_run_without_polarity_outputs_has_no_section(tmp_path):
    assert rp.polarity_of({}, []) is None
    assert rp.polarity_of({"polarity_summary": tmp_path / "missing.json"}, []) is None
    assert rp.POLARITY_SECTION not in report.page_sections(False, polarity=False)
    assert report.page_sections(True, polarity=False)[-2][0] == "scaling"
    # only the summary: no figure, no segmentation facts, no examples, still renders
    inputs, kinds = write_polarity_run(tmp_path, summary=synthetic_summary(examples=0))
    for key in ("segments_summary", "polarity_figure", "polarity_explain"):
        del inputs[key]
    ctx = report.collect(inputs, kinds, config={}, explore=[2])
    pol = ctx["polarity"]
    assert pol["figure"] is None and pol["segments"] == [] and pol["examples"] == []
    assert ctx["lime"][0]["polarity"] is None
    page = report.render_html(ctx)
    assert 'id="polarity"' in page and "Reviews with both polarities" not in page
    assert "Segments by polarity" not in page


def test_small_helpers():
    assert rp.thresholds_text({"negative": None, "positive": 2.0, "confidence": 0.9}) == (
        "negative at none (never that confident), positive at score ≥ +2.000 (confidence 0.9)"
    )
    assert rp.thresholds_text(None) == "–"
    seg = rp.segment_view({"text": "x", "score_wordvec": 1.0, "label": 7}, primary="wordvec")
    assert seg["cls"] == "neu" and seg["score"] == 1.0 and seg["tip"] == "neutral, score +1.000"
    assert rp.segment_view({"text": "y", "score": float("nan"), "label": -1})["tip"] == "negative"
    assert rp.segment_facts(None) == []
    many = {f"k{i}": i for i in range(40)}
    assert len(rp.segment_facts(many)) == rp.MAX_SEGMENT_FACTS
    assert rp.summary_lines(None) == [] and rp.headline_item(None) is None
    assert rp.match_text({"a b": {"x": 1}}, " a\nb ") == {"x": 1}
    assert rp.match_text({}, "") is None
