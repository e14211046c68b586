"""Which aspects film criticism names the clustering finds, merges or misses, on a planted
assignment."""

from sentclust.aspects.coverage import coverage

LEX = {
    "acting": ("acting", "cast"),
    "music": ("music", "score"),
    "ending": ("ending",),
    "humour": ("funny",),
}


def test_found_merged_and_missed_named_aspects():
    tokens = [
        "great acting",
        "the cast",
        "lovely music",
        "the score",
        "the ending",
        "funny bits",
        "plain plot",
        "plain plot",
        "plain plot",
        "funny too",
    ]
    aspects = [0, 0, 1, 1, 1, 2, 2, 2, 3, 3]
    got = {r["named"]: r for r in coverage(tokens, aspects, 4, names={0: "acting"}, lexicon=LEX)}
    assert got["acting"]["status"] == "found" and got["acting"]["aspect"] == 0
    assert got["acting"]["share"] == 1.0 and got["acting"]["lift"] == 5.0
    assert got["acting"]["aspect_name"] == "acting"
    # music and the ending share aspect 1: merged, each naming the other
    assert got["music"]["status"] == got["ending"]["status"] == "merged"
    assert got["music"]["merged_with"] == ["ending"]
    # "funny" spreads over aspects 2 and 3 as those aspects' sizes do: missed
    assert got["humour"]["status"] == "missed" and got["humour"]["lift"] < 2
    empty = coverage(["x"], [0], 1, lexicon={"none": ("absent",)})[0]
    assert empty["segments"] == 0 and empty["status"] == "missed" and empty["aspect"] is None
