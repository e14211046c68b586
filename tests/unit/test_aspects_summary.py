"""The report's view of the aspects: rows largest first, shares as percentages."""

from sentclust.aspects.summary import heatmap_paths, report_rows

DOC = {
    "aspects": [
        {"aspect": 0, "name": "music / score", "terms": ["music", "score", "song"], "size": 1},
        {"aspect": 1, "name": "acting / actor", "terms": ["acting", "actor"], "size": 3},
    ],
    "polarity": [
        {"aspect": 0, "positive_share": 0.5, "negative_share": 0.25, "rating_rho": None},
        {"aspect": 1, "positive_share": 0.1, "negative_share": 0.6, "rating_rho": 0.4567},
    ],
    "levels": {"bert": {}},
}


def test_rows_are_largest_first_with_shares():
    rows = report_rows(DOC, terms=2)
    assert [r["name"] for r in rows] == ["acting / actor", "music / score"]
    assert rows[0]["share"] == "75%" and rows[0]["negative"] == "60%"
    assert rows[0]["rating_rho"] == 0.46 and rows[1]["rating_rho"] is None
    assert rows[1]["terms"] == "music, score"


def test_an_unlabelled_run_has_sizes_and_names_only(tmp_path):
    doc = {"aspects": DOC["aspects"]}
    assert {r["positive"] for r in report_rows(doc)} == {"-"}
    assert heatmap_paths(doc, tmp_path) == {}
    assert heatmap_paths(DOC, tmp_path) == {"bert": tmp_path / "levels_bert.png"}
