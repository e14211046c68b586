"""The report's view of the aspects (sentclust.aspects.summary): rows largest first, shares as
percentages, levels in their fine-grained order and named, comparisons and quality figures;
aspects.json from before the NEW fields (order, names, examples, by_aspect, quality) still
loads."""

from sentclust.aspects.summary import (
    LOW_POLAR_SHARE,
    SKIPPED_STAGE,
    choice_view,
    comparisons_view,
    level_grids,
    quality_view,
    report_rows,
    skipped_stages,
)

DOC = {
    "aspects": [
        {"aspect": 0, "name": "music / score", "terms": ["music", "score", "song"], "size": 1},
        {"aspect": 1, "name": "acting / actor", "terms": ["acting", "actor"], "size": 3},
    ],
    "polarity": [
        {"aspect": 0, "positive_share": 0.5, "negative_share": 0.25, "rating_rho": None},
        {"aspect": 1, "positive_share": 0.1, "negative_share": 0.1, "rating_rho": 0.4567},
    ],
    "levels": {"bert": {}},
}


def test_rows_are_largest_first_with_shares():
    rows = report_rows(DOC, terms=2)
    assert [r["name"] for r in rows] == ["acting / actor", "music / score"]
    assert rows[0]["share"] == "75%" and rows[0]["negative"] == "10%"
    assert rows[0]["rating_rho"] == 0.46 and rows[1]["rating_rho"] is None
    assert rows[1]["terms"] == "music, score"


def test_a_low_polar_share_is_marked_not_hidden():
    rows = {r["aspect"]: r for r in report_rows(DOC)}
    # the polarity block's shares: 0.2 polar (under the mark), 0.75 polar
    assert rows[1]["polar_share"] == 0.2 < LOW_POLAR_SHARE and rows[1]["low_polar"]
    assert rows[0]["polar_share"] == 0.75 and not rows[0]["low_polar"]
    assert len(rows) == 2


def test_an_unlabelled_run_has_sizes_and_names_only(tmp_path):
    doc = {"aspects": DOC["aspects"]}
    rows = report_rows(doc)
    assert {r["positive"] for r in rows} == {"-"}
    assert {r["polar_share"] for r in rows} == {None} and not any(r["low_polar"] for r in rows)
    assert level_grids(doc) == []


def _levels(**new):
    table = [
        {"level": lv, "aspect": a, "n": 10 * lv + a + 1, "net": net}
        for lv, a, net in ((0, 0, 0.5), (0, 1, -0.25), (1, 0, -0.5), (1, 1, None))
    ]
    return {"k": 2, "table": table, **new}


def test_levels_follow_the_new_order_and_names():
    doc = {
        **DOC,
        "levels": {
            "bert": _levels(
                order=[1, 0],
                names={"0": "positive: great", "1": "negative: awful"},
                examples=[
                    {"level": 1, "aspect": 1, "praised": None, "panned": "Wooden acting."},
                    {"level": 0, "aspect": 0, "praised": "Lovely score.", "panned": None},
                ],
                comparisons=[{"level": 0, "n": 3}, {"level": 1, "n": 0}],
            )
        },
    }
    (grid,) = level_grids(doc)
    assert grid["kind"] == "bert" and grid["k"] == 2
    assert [lv["name"] for lv in grid["levels"]] == ["negative: awful", "positive: great"]
    # columns: the aspects largest first, as in the aspect table
    assert grid["aspects"] == ["acting / actor", "music / score"]
    assert [c["net"] for c in grid["levels"][0]["cells"]] == [None, -0.5]
    assert [c["n"] for c in grid["levels"][1]["cells"]] == [2, 1]
    assert [(e["level"], e["aspect"]) for e in grid["examples"]] == [
        ("negative: awful", "acting / actor"),
        ("positive: great", "music / score"),
    ]
    assert grid["comparisons"] == [
        {"name": "negative: awful", "n": 0},
        {"name": "positive: great", "n": 3},
    ]


def test_old_levels_take_the_fallback_order_and_names_or_their_ids():
    doc = {**DOC, "levels": {"bert": _levels(), "wordvec_pls": _levels()}}
    fallback = {"bert": ([1, 0], {0: "up", 1: "down"})}
    grids = {g["kind"]: g for g in level_grids(doc, fallback)}
    # the sentiment-aligned kinds first
    assert [g["kind"] for g in level_grids(doc, fallback)] == ["wordvec_pls", "bert"]
    assert [lv["name"] for lv in grids["bert"]["levels"]] == ["down", "up"]
    assert [lv["name"] for lv in grids["wordvec_pls"]["levels"]] == ["level 0", "level 1"]
    assert grids["bert"]["examples"] == [] and grids["wordvec_pls"]["aligned"]
    assert grids["bert"]["comparisons"] == []  # an aspects.json from before the counts


def test_comparisons_with_and_without_the_new_fields():
    old = comparisons_view({**DOC, "comparisons": {"n": 3, "negated": 1}})
    assert old["n"] == 3 and old["negated"] == 1
    assert old["by_aspect"] == [] and old["examples"] == []
    doc = {
        **DOC,
        "comparisons": {
            "n": 3,
            "negated": 1,
            "by_aspect": [{"aspect": 0, "n": 1}, {"aspect": 1, "n": 2}],
            "examples": [
                {
                    "text": "The book is far better than this film.",
                    "cue": "better than",
                    "negated": False,
                    "left": "The book",
                    "right": "this film",
                    "aspect": 1,
                }
            ]
            * 9,
        },
    }
    new = comparisons_view(doc, max_examples=4)
    assert [(r["name"], r["n"]) for r in new["by_aspect"]] == [
        ("acting / actor", 2),
        ("music / score", 1),
    ]
    assert len(new["examples"]) == 4
    assert new["examples"][0]["aspect"] == "acting / actor"
    assert new["examples"][0]["left"] == "The book"
    assert comparisons_view(DOC) is None


def test_quality_figures_only_when_present():
    assert quality_view(DOC) is None
    doc = {
        **DOC,
        "quality": {
            "stability_ari": 0.81,
            "seeds": [1, 2],
            "npmi": {"0": 0.12, "1": None},
            "npmi_mean": 0.12,
        },
    }
    q = quality_view(doc)
    assert q["stability_ari"] == 0.81 and q["seeds"] == [1, 2] and q["npmi_mean"] == 0.12
    assert [(r["name"], r["npmi"]) for r in q["npmi"]] == [
        ("acting / actor", None),
        ("music / score", 0.12),
    ]


def test_choice_and_the_skipped_stage():
    choice = {
        "k": 6,
        "criterion": "elbow",
        "chosen_by": "silhouette",
        "rule": "the k with the largest (sampled) silhouette",
        "fallback": "elbow is undefined",
        "ks": [4, 6, 8],
        "picks": {"elbow": None, "silhouette": 6},
    }
    c = choice_view({**DOC, "choice": choice})
    assert c["k"] == 6 and c["ks"] == [4, 6, 8] and c["chosen_by"] == "silhouette"
    assert c["fallback"] == "elbow is undefined"
    assert c["picks"] == [("elbow", None), ("silhouette", 6)]
    assert skipped_stages("pooled") == {} == skipped_stages("separate")
    (why,) = skipped_stages("off").values()
    assert SKIPPED_STAGE in skipped_stages("off") and "polarity.bert_segments" in why
