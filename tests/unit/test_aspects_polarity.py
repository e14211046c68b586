"""Polarity per aspect and per level x aspect, on hand-made tables."""

import pandas as pd
import pytest

from sentclust.aspects.figure import draw_heatmap
from sentclust.aspects.polarity import aspect_table, join_labels, level_table
from sentclust.aspects.summary import level_grid


def frame():
    aspects = pd.DataFrame(
        {
            "review_id": ["r1", "r1", "r2", "r2", "r3", "r3", "r4", "r4"],
            "segment_no": [0, 1, 0, 1, 0, 1, 0, 1],
            "aspect": [0, 1, 0, 1, 0, 1, 0, 1],
        }
    )
    labels = [1, 0, 1, 0, -1, 0, -1, 1]
    scores = aspects[["review_id", "segment_no"]].assign(label=labels, score=labels)
    return join_labels(aspects, scores)


def test_counts_shares_net_and_rating_rho_per_aspect():
    ratings = pd.Series({"r1": 10, "r2": 9, "r3": 2, "r4": 1})
    t = aspect_table(frame(), 3, ratings)
    a0 = t.iloc[0]
    assert (a0["n"], a0["positive"], a0["negative"]) == (4, 2, 2)
    assert a0["net"] == 0 and a0["polar_share"] == 1.0
    assert a0["rating_rho"] == pytest.approx(0.894, abs=1e-3)  # positive on the high ratings
    assert t.iloc[1]["polar_share"] == 0.25
    assert t.iloc[2]["n"] == 0 and pd.isna(t.iloc[2]["rating_rho"])


def test_without_ratings_there_is_no_rho():
    t = aspect_table(frame(), 2, None)
    assert t["rating_rho"].isna().all()


def test_missing_scores_fail_naming_the_problem():
    f = frame()[["review_id", "segment_no", "aspect"]]
    with pytest.raises(ValueError, match="no polarity score"):
        join_labels(f, f.iloc[:3].assign(label=1, score=0.5))


def test_level_by_aspect_net_and_heatmap(tmp_path):
    levels = pd.Series({"r1": 0, "r2": 0, "r3": 1, "r4": 1})
    t = level_table(frame(), levels)
    got = t.set_index(["level", "aspect"])
    assert got.loc[(0, 0), "net"] == 1.0 and got.loc[(1, 0), "net"] == -1.0
    assert got.loc[(1, 1), "n"] == 2 and got.loc[(1, 1), "net"] == 0.5
    doc = {
        "aspects": [
            {"aspect": 0, "name": "acting", "size": 4, "terms": []},
            {"aspect": 1, "name": "music", "size": 4, "terms": []},
        ],
        "levels": {
            "bert": {
                "k": 2,
                "order": [1, 0],
                "names": {"0": "high", "1": "low"},
                "table": t.to_dict("records"),
            }
        },
    }
    grid = level_grid(doc, "bert", None)
    assert [lv["name"] for lv in grid["levels"]] == ["low", "high"]  # lowest rank first
    draw_heatmap(grid, path=tmp_path / "h.png")
    assert (tmp_path / "h.png").stat().st_size > 1000
    with pytest.raises(ValueError, match="without a level"):
        level_table(frame(), levels.iloc[:2])
