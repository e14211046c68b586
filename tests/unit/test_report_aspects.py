"""The report's 'What reviewers praise and pan: aspects' section, collected and rendered from a
hand-made aspects.json: with the new fields (levels' order, names and examples, comparisons by
aspect with examples, quality), without them (an older run: the levels take their names and
order from finegrained.json), without labels, and a run with the stage off (listed among the
skipped stages with the reason)."""

import base64
import json

from browser import tags_of
from test_report import SCRIPT, write_run

from sentclust import report
from sentclust.aspects.summary import SKIPPED_STAGE, SKIPPED_WHY, skipped_stages
from sentclust.report import aspects as ra

TITLE = "What reviewers praise and pan: aspects"
ASPECTS = [
    {
        "aspect": 0,
        "name": "acting / actor",
        "terms": ["acting", "actor", "cast"],
        "size": 6,
        "polar_share": 0.8,
        "typical": ["The acting is superb.", f"Fine cast {SCRIPT}"],
    },
    {
        "aspect": 1,
        "name": "plot / story",
        "terms": ["plot", "story"],
        "size": 3,
        "polar_share": 0.2,
        "typical": ["Then he goes home."],
    },
]
POLARITY = [
    {
        "aspect": 0,
        "n": 6,
        "positive": 3,
        "neutral": 1,
        "negative": 2,
        "positive_share": 0.5,
        "negative_share": 0.3,
        "polar_share": 0.8,
        "net": 0.2,
        "rating_rho": 0.6123,
    },
    {
        "aspect": 1,
        "n": 3,
        "positive": 0,
        "neutral": 2,
        "negative": 1,
        "positive_share": 0.0,
        "negative_share": 0.2,
        "polar_share": 0.2,
        "net": -0.2,
        "rating_rho": None,
    },
]
TABLE = [
    {"level": lv, "aspect": a, "n": n, "net": net}
    for lv, a, n, net in ((0, 0, 4, 0.75), (0, 1, 1, 0.0), (1, 0, 2, -0.5), (1, 1, 2, -0.5))
]
CHOICE = {
    "k": 2,
    "criterion": "elbow",
    "chosen_by": "silhouette",
    "rule": "the k with the largest (sampled) silhouette",
    "fallback": "elbow is undefined for this curve",
    "ks": [2, 3],
    "picks": {"elbow": None, "silhouette": 2},
}


def old_doc(labels: bool = True) -> dict:
    """aspects.json as the tiny run writes it before the new fields."""
    doc = {
        "choice": CHOICE,
        "sweep": [{"k": 2}, {"k": 3}],
        "labels": labels,
        "n_segments": 9,
        "aspects": ASPECTS if labels else [{**a, "polar_share": None} for a in ASPECTS],
        "comparisons": {"n": 2, "negated": 1},
    }
    if labels:
        doc["polarity"] = POLARITY
        doc["levels"] = {"bert": {"k": 2, "table": TABLE}}
    return doc


def new_doc() -> dict:
    doc = old_doc()
    names = {"0": "positive: superb", "1": "negative: awful"}
    examples = [
        {"level": 1, "aspect": 0, "praised": None, "panned": "Wooden acting."},
        {"level": 0, "aspect": 0, "praised": "Superb acting.", "panned": None},
    ]
    doc["levels"] = {
        "bert": {"k": 2, "table": TABLE, "order": [1, 0], "names": names, "examples": examples},
        "bert_pls": {"k": 2, "table": TABLE, "order": [1, 0], "names": names},
    }
    doc["comparisons"] = {
        "n": 2,
        "negated": 1,
        "by_aspect": [{"aspect": 1, "n": 2}],
        "examples": [
            {
                "text": f"The book is far better than this film {SCRIPT}.",
                "cue": "better than",
                "negated": False,
                "left": "The book",
                "right": "this film",
                "aspect": 1,
            },
            {
                "text": "It is no better than the first.",
                "cue": "better than",
                "negated": True,
                "left": None,
                "right": "the first",
                "aspect": 1,
            },
        ],
    }
    doc["quality"] = {
        "stability_ari": 0.8125,
        "seeds": [42, 43],
        "npmi": {"0": 0.25, "1": None},
        "npmi_mean": 0.25,
    }
    return doc


def finegrained_levels() -> dict:
    """finegrained.json with two levels whose ids are not in rank order."""
    base = {"size": 2, "terms": ["x"], "nearest_review_ids": [], "nearest_texts": []}
    clusters = [
        {**base, "cluster": 0, "rank": 1, "name": "fg: good"},
        {**base, "cluster": 1, "rank": 0, "name": "fg: bad"},
    ]
    return {"results": [{"k": 2, "chosen": True, "clusters": clusters}]}


def collect_with(tmp_path, doc, *, skipped=None, finegrained=None):
    inputs, kinds = write_run(tmp_path)
    if finegrained is not None:
        kinds["bert"]["finegrained"].write_text(json.dumps(finegrained))
    if doc is not None:
        (tmp_path / "aspects.json").write_text(json.dumps(doc))
        (tmp_path / "detail").mkdir()
        inputs |= {"aspects": tmp_path / "aspects.json", "aspects_detail": tmp_path / "detail"}
    ctx = report.collect(inputs, kinds, config={}, explore=[2], skipped=skipped)
    return ctx, report.render_html(ctx), report.render_summary(ctx)


def section_of(page: str) -> str:
    return page.split('<section id="aspects">', 1)[1].split("</section>", 1)[0]


def images_of(html: str) -> dict[str, bytes]:
    return {
        a["alt"]: base64.b64decode(a["src"].split(",", 1)[1])
        for t, a in tags_of(html)
        if t == "img"
    }


def test_the_section_with_the_new_fields(tmp_path):
    ctx, page, md = collect_with(tmp_path, new_doc())
    ids = [i for i, _ in ctx["sections"]]
    assert ids.index("aspects") == ids.index("clusters") + 1 and "skipped" not in ids
    assert 'href="#aspects"' in page and f"<h2>{TITLE}</h2>" in page
    assert 'href="#aspects-bert_pls"' in page and 'id="aspects-bert_pls"' in page
    sec = section_of(page)
    # the aspect table: largest first, shares, the low polar share marked, rho
    assert sec.index("acting / actor") < sec.index("plot / story")
    assert "66.7%" in sec and "33.3%" in sec and "80.0%" in sec and "0.61" in sec
    assert sec.count("low: mostly plot or no opinion") == 1
    assert "Superb acting." in sec and "Wooden acting." in sec
    # the chosen count and how
    assert "<strong>2 aspects</strong>" in sec and "<em>silhouette</em>" in sec
    assert "elbow is undefined for this curve" in sec
    # a heatmap per kind, the sentiment-aligned kind first, each a PNG
    images = images_of(sec)
    assert list(images) == [
        f"{k} level x aspect net polarity heatmap" for k in ("bert_pls", "bert")
    ]
    assert all(png[:8] == b"\x89PNG\r\n\x1a\n" for png in images.values())
    grid = ctx["aspects"]["grids"][1]
    assert [lv["name"] for lv in grid["levels"]] == ["negative: awful", "positive: superb"]
    assert sec.index("negative: awful") < sec.index("positive: superb")
    # comparisons with their two sides, quality with what it means
    assert "<strong>2</strong> comparisons of two things" in sec and "1 of them negated" in sec
    assert "The book" in sec and "this film" in sec and "(negated)" in sec
    assert "0.812" in sec and "0.250" in sec and ra.QUALITY_TEXT.split(";")[0] in sec
    # texts are text
    assert SCRIPT not in page and "&lt;script&gt;" in sec
    assert f"## {TITLE}" in md
    assert "| acting / actor | acting, actor, cast | 6 | 67% | 50.0% | 30.0% | 80.0% | 0.61 |" in md
    assert "| plot / story | plot, story | 3 | 33% | 0.0% | 20.0% | 20.0% (low" in md
    assert "### bert_pls (sentiment-aligned), k=2" in md and "### bert (other kind), k=2" in md
    assert "| negative: awful | -0.50 (2) | -0.50 (2) |" in md
    assert "- comparisons: 2, 1 negated; by aspect: plot / story 2" in md
    assert "stability ARI across seeds 42, 43: 0.812; mean NPMI of the top terms: 0.250" in md
    assert SCRIPT not in md


def test_an_older_aspects_json_takes_the_levels_from_finegrained(tmp_path):
    ctx, page, md = collect_with(tmp_path, old_doc(), finegrained=finegrained_levels())
    sec = section_of(page)
    (grid,) = ctx["aspects"]["grids"]
    # named and ordered as the kind's finegrained.json ranks them
    assert [lv["name"] for lv in grid["levels"]] == ["fg: bad", "fg: good"]
    assert grid["examples"] == [] and "example segments per level" not in sec
    assert list(images_of(sec)) == ["bert level x aspect net polarity heatmap"]
    assert "<strong>2</strong> comparisons of two things" in sec and "A few comparisons" not in sec
    assert "How good the aspects are" not in sec and "stability ARI" not in md
    assert "| fg: bad | -0.50 (2) | -0.50 (2) |" in md
    assert "- comparisons: 2, 1 negated" in md


def test_without_labels_names_sizes_terms_and_comparisons_only(tmp_path):
    ctx, page, md = collect_with(tmp_path, old_doc(labels=False))
    sec = section_of(page)
    assert (
        "acting / actor" in sec and "acting, actor, cast" in sec and "The acting is superb." in sec
    )
    assert "<strong>2</strong> comparisons of two things" in sec
    assert "polar share" not in sec and "rho with rating" not in sec and "<img" not in sec
    assert ra.NO_LABELS_TEXT in sec and ra.NO_LABELS_TEXT in md
    assert "| acting / actor | acting, actor, cast | 6 | 67% |" in md and "rho with" not in md
    assert ctx["aspects"]["grids"] == []


def test_with_the_stage_off_the_skipped_stages_name_it(tmp_path):
    ctx, page, md = collect_with(tmp_path, None, skipped=skipped_stages("off"))
    assert ctx["aspects"] is None and ctx["skipped"] == []
    assert ctx["left_out"] == [{"stage": SKIPPED_STAGE, "why": SKIPPED_WHY}]
    ids = [i for i, _ in ctx["sections"]]
    assert "aspects" not in ids and ids.index("skipped") == ids.index("data") + 1
    assert 'id="aspects"' not in page and 'id="left-out"' in page
    assert "polarity.bert_segments is off" in page and "has no labels" not in page
    assert "## Skipped stages (left out by the configuration)" in md
    assert f"- **{SKIPPED_STAGE}**: {SKIPPED_WHY}" in md
    # a labelled run: its choice table still speaks of the labels
    assert "## Choice of k and agreement with the labels" in md


def test_a_run_without_the_aspects_input_has_no_section(tmp_path):
    assert ra.aspects_of({}, []) is None
    assert ra.aspects_of({"aspects": [], "aspects_detail": []}, []) is None
    ctx, page, md = collect_with(tmp_path, None)
    assert ctx["aspects"] is None and ctx["left_out"] == []
    assert 'id="aspects"' not in page and 'id="skipped"' not in page and TITLE not in md
