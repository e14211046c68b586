import numpy as np
import pandas as pd
import pytest
from cluster_data import planted_corpus

from sentclust.finegrained import check, naming
from sentclust.finegrained import levels as fg
from sentclust.finegrained import polarity as fgp
from sentclust.finegrained.counts import term_counts
from sentclust.finegrained.terms import stop_words, term_stop_words
from sentclust.finegrained.weights import WEIGHTINGS, distinctive_terms

#: scikit-learn's stop words without the kept ones (config finegrained.stop_words: sklearn)
STOP = term_stop_words(stop_words("sklearn")[0])

# --------------------------------------------------------------------------- profile and order


def _toy():
    # cluster 7: all negative; cluster 3: mixed; cluster 5: positive
    clusters = np.array([7, 7, 7, 3, 3, 3, 3, 5, 5, 5])
    labels = np.array([0, 0, 0, 0, 1, 0, 1, 1, 1, 1])
    ratings = pd.array([1, 2, None, 4, 7, 3, 8, 10, 9, None], dtype="Int8")
    return clusters, labels, ratings


def test_cluster_profile():
    p = fg.cluster_profile(*_toy())
    assert p.index.tolist() == [3, 5, 7]
    assert p["size"].tolist() == [4, 3, 3]
    assert p.loc[3, "positive_share"] == 0.5 and p.loc[5, "positive_share"] == 1.0
    assert p.loc[7, "mean_rating"] == 1.5 and p.loc[5, "mean_rating"] == 9.5
    assert p.loc[7, "n_rated"] == 2 and p.loc[3, "rating_7"] == 1 and p.loc[5, "rating_10"] == 1


def test_order_by_positive_share_then_mean_rating():
    p = pd.DataFrame(
        {
            "positive_share": [0.5, 0.1, 0.5, 0.9, 0.1],
            "mean_rating": [6.0, 3.0, 4.0, 8.0, np.nan],
        },
        index=pd.Index([0, 1, 2, 3, 4], name="cluster"),
    )
    assert fg.order_clusters(p) == [1, 4, 2, 0, 3]  # unrated ties go last
    assert fg.order_clusters(fg.cluster_profile(*_toy())) == [7, 3, 5]


def test_cluster_ranks():
    ranks = fg.cluster_ranks(np.array([7, 3, 5, 7]), [7, 3, 5])
    assert ranks.tolist() == [0, 1, 2, 0]
    with pytest.raises(ValueError, match=r"\[9\]"):
        fg.cluster_ranks(np.array([9, 3]), [3])


# --------------------------------------------------------------------------- naming


@pytest.mark.parametrize(
    ("shares", "names"),
    [
        ([0.12, 0.88], ["negative", "positive"]),
        ([0.1, 0.52, 0.9], ["negative", "mixed", "positive"]),
        (
            [0.05, 0.25, 0.48, 0.75, 0.97],
            ["very negative", "negative", "mixed", "positive", "very positive"],
        ),
        ([0.1, 0.3, 0.8], ["very negative", "negative", "positive"]),
        (
            [0.02, 0.1, 0.2, 0.3, 0.7, 0.8, 0.95],
            [
                "extremely negative",
                "very negative",
                "negative",
                "somewhat negative",
                "somewhat positive",
                "positive",
                "very positive",
            ],
        ),
    ],
)
def test_names_on_typical_data(shares, names):
    assert naming.name_clusters(shares, mixed_band=0.1) == names


def test_mixed_only_within_the_band():
    assert naming.name_clusters([0.1, 0.35, 0.9], mixed_band=0.1) == [
        "very negative",
        "negative",
        "positive",
    ]
    assert naming.name_clusters([0.1, 0.35, 0.9], mixed_band=0.2)[1] == "mixed"
    assert naming.name_clusters([0.2, 0.5, 0.8], mixed_band=0.0)[1] == "mixed"  # no majority at all


def test_all_clusters_positive_get_no_negative_name():
    # the original tutorial's bug: clusters named against their own majority
    names = naming.name_clusters([0.55, 0.7, 0.95], mixed_band=0.02)
    assert names == ["somewhat positive", "positive", "very positive"]
    assert not any("negative" in n for n in names)
    names = naming.name_clusters([0.55, 0.9], mixed_band=0.1)
    assert names == ["mixed", "positive"]


def test_all_clusters_negative_get_no_positive_name():
    names = naming.name_clusters([0.02, 0.2, 0.45], mixed_band=0.01)
    assert names == ["very negative", "negative", "somewhat negative"]
    assert naming.name_clusters([0.1, 0.45], mixed_band=0.1) == ["negative", "mixed"]


def test_several_near_half_clusters_get_distinct_honest_mixed_names():
    names = naming.name_clusters([0.1, 0.42, 0.47, 0.5, 0.55, 0.9], mixed_band=0.1)
    assert names == [
        "negative",
        "mixed, leaning negative",
        "mixed, slightly negative",
        "mixed, balanced",
        "mixed, leaning positive",
        "positive",
    ]
    two = naming.name_clusters([0.46, 0.53], mixed_band=0.1)
    assert two == ["mixed, leaning negative", "mixed, leaning positive"]
    same_side = naming.name_clusters([0.51, 0.53, 0.56, 0.58], mixed_band=0.1)
    assert len(set(same_side)) == 4 and not any("negative" in n for n in same_side)


def _check_rule(shares, names, band):
    assert len(set(names)) == len(names), names
    for s, n in zip(shares, names, strict=True):
        if s > 0.5:
            assert "negative" not in n, (s, n)
        if s < 0.5:
            assert "positive" not in n, (s, n)
        assert ("mixed" in n) == (abs(s - 0.5) <= band), (s, n, band)


def test_naming_rule_holds_for_many_random_share_vectors():
    rng = np.random.default_rng(0)
    for _ in range(3000):
        k = int(rng.integers(2, 16))
        kind = rng.integers(0, 4)
        if kind == 0:
            shares = rng.uniform(0, 1, k)
        elif kind == 1:
            shares = rng.uniform(0.5, 1, k)  # all positive
        elif kind == 2:
            shares = rng.uniform(0, 0.5, k)  # all negative
        else:
            shares = rng.uniform(0.4, 0.6, k)  # crowded around one half
        if rng.random() < 0.2:
            shares[rng.integers(0, k)] = 0.5
        shares = np.sort(np.round(shares, 3))
        band = float(rng.choice([0.0, 0.02, 0.05, 0.1, 0.2]))
        _check_rule(shares, naming.name_clusters(shares, mixed_band=band), band)


def test_naming_input_checks():
    with pytest.raises(ValueError, match="ascending"):
        naming.name_clusters([0.9, 0.1], mixed_band=0.1)
    with pytest.raises(ValueError, match="within"):
        naming.name_clusters([0.1, 1.2], mixed_band=0.1)
    with pytest.raises(ValueError, match="mixed_band"):
        naming.name_clusters([0.1, 0.9], mixed_band=0.5)


def test_leaning_names_most_extreme_first():
    assert naming._leaning_names("negative", 0) == []
    assert naming._leaning_names("negative", 1) == ["mixed, leaning negative"]
    assert naming._leaning_names("positive", 2) == [
        "mixed, leaning positive",
        "mixed, slightly positive",
    ]
    assert naming._leaning_names("negative", 3) == [
        "mixed, leaning negative (3 of 3)",
        "mixed, leaning negative (2 of 3)",
        "mixed, leaning negative (1 of 3)",
    ]


def test_mixed_names_in_sentiment_order():
    assert naming._mixed_names(["balanced"]) == ["mixed"]
    assert naming._mixed_names(["negative", "negative", "positive", "positive"]) == [
        "mixed, leaning negative",
        "mixed, slightly negative",
        "mixed, slightly positive",
        "mixed, leaning positive",
    ]
    sides = ["negative"] * 3 + ["balanced"] * 2 + ["positive"] * 3
    assert naming._mixed_names(sides) == [
        "mixed, leaning negative (3 of 3)",
        "mixed, leaning negative (2 of 3)",
        "mixed, leaning negative (1 of 3)",
        "mixed, balanced (1 of 2)",
        "mixed, balanced (2 of 2)",
        "mixed, leaning positive (1 of 3)",
        "mixed, leaning positive (2 of 3)",
        "mixed, leaning positive (3 of 3)",
    ]


def test_names_with_terms_unique_even_with_shared_terms():
    grades = ["negative", "mixed, slightly positive", "mixed, leaning positive"]
    terms_ = [
        ["waste", "waste time", "awful"],
        ["episode", "series", "show"],
        ["episode", "series"],
    ]
    assert naming.names_with_terms(grades, terms_) == [
        "negative: waste, awful",
        "mixed, slightly positive: episode, series",
        "mixed, leaning positive: episode, series",
    ]
    assert naming.names_with_terms(["a", "b"], [[], ["x"]], n_terms=2) == ["a", "b: x"]
    assert naming.names_with_terms(["p"], [["episode", "episodes", "tv"]]) == ["p: episode, tv"]
    # a term with a grade word would blur the grade
    assert naming.names_with_terms(["positive"], [["negative reviews", "mixed", "fun", "joy"]]) == [
        "positive: fun, joy"
    ]
    assert naming.names_with_terms(["a", "b"], [["x", "y"], ["x"]], n_terms=1) == ["a: x", "b: x"]
    with pytest.raises(ValueError, match="unique"):
        naming.names_with_terms(["a", "a"], [["x"], ["y"]])
    with pytest.raises(ValueError, match="2 grades but terms for 1"):
        naming.names_with_terms(["a", "b"], [["x"]])


def test_names_unique_over_many_random_clusterings_sharing_terms():
    rng = np.random.default_rng(1)
    words = ["good", "bad", "plot", "not funny"]
    for _ in range(300):
        k = int(rng.integers(2, 12))
        shares = np.sort(rng.uniform(0, 1, k))
        grades = naming.name_clusters(shares, mixed_band=0.1)
        terms_ = [list(rng.choice(words, int(rng.integers(0, 4)), replace=False)) for _ in grades]
        names = naming.names_with_terms(grades, terms_)
        assert len(set(names)) == k
        assert all(n.startswith(g) for n, g in zip(names, grades, strict=True))


# --------------------------------------------------------------------------- examples, check


def test_nearest_reviews_ties_by_index():
    distances = np.array([0.5, 0.1, 0.3, 0.1, 0.2, 0.9, 0.1])
    clusters = np.array([0, 0, 1, 0, 1, 1, 0])
    near = fg.nearest_reviews(distances, clusters, n=3)
    assert near == {0: [1, 3, 6], 1: [4, 2, 5]}
    assert fg.nearest_reviews(distances, clusters, n=1) == {0: [1], 1: [4]}
    assert fg.nearest_reviews(distances[:2], clusters[:2], n=3) == {0: [1, 0]}


def test_rating_check_on_constructed_data():
    # rank 0 holds every 1-star review and one 10-star; rank 2 holds the other 10-star reviews
    rank = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    ratings = pd.array([1, 1, 1, 10, 4, 7, None, 10, 10, 10, 9], dtype="Int8")
    out = check.rating_check(rank, ratings, (1, 10), graded_ranks=[0, 2])
    assert out["n_rated"] == 10 and out["scale"] == [1, 10]
    assert out["bottom_rating_in_lowest"] == 1.0 and out["n_bottom_rating"] == 3
    assert out["top_rating_in_highest"] == 0.75 and out["n_top_rating"] == 4
    assert out["lowest_share_of_rated"] == 0.4 and out["highest_share_of_rated"] == 0.4
    assert out["mean_rating_by_rank"] == {0: 3.25, 1: 5.5, 2: 9.75}
    assert out["mean_rating_increasing"] is True
    assert out["graded_mean_rating_increasing"] is True
    assert out["spearman_rho"] > 0.5
    reversed_ = check.rating_check(2 - rank, ratings, (1, 10), graded_ranks=[0, 2])
    assert reversed_["spearman_rho"] == pytest.approx(-out["spearman_rho"])
    assert reversed_["mean_rating_increasing"] is False
    assert reversed_["graded_mean_rating_increasing"] is False
    assert check.rating_check(rank, ratings, (1, 10), [1])["graded_mean_rating_increasing"] is None
    # the scale's ends: on 1-9 the 9-star review is a top rating, the 10s are not
    nine = check.rating_check(rank, ratings, (1, 9))
    assert nine["n_top_rating"] == 1 and nine["top_rating_in_highest"] == 1.0
    none = check.rating_check(np.array([0, 1]), pd.array([None, None], dtype="Int8"))
    assert none == {"n_rated": 0}


def _table(
    clusters, labels, ratings, distances, counts, vocab, ids, *, top_n, weighting="log_odds"
):
    """The levels table of these clusters, with the demo's naming settings."""
    return fg.finegrained_table(
        clusters,
        labels,
        ratings,
        distances,
        counts=counts,
        vocab=vocab,
        mixed_band=0.1,
        grade_share=0.7,
        top_n=top_n,
        n_nearest=3,
        weighting=weighting,
        review_ids=ids,
    )


def test_finegrained_table():
    clusters = np.repeat([2, 0, 1], 20)
    labels = np.concatenate([np.zeros(20), np.r_[np.zeros(10), np.ones(10)], np.ones(20)])
    labels = labels.astype(np.int8)
    ratings = pd.array(np.concatenate([np.full(20, 1), np.full(20, 5), np.full(20, 10)]), "Int8")
    words = {2: "awful dull", 0: "uneven okay", 1: "superb joy"}
    texts = [f"film {words[c]} night" for c in clusters]
    distances = np.linspace(1, 0, 60).astype(np.float32)
    ids = np.array([f"r{i}" for i in range(60)], dtype=object)
    counts, vocab = term_counts(texts, stop_words=STOP, min_df=1)
    t = _table(
        clusters, labels, ratings, distances, counts, vocab, ids, top_n=2, weighting="log_odds"
    )
    assert t["rank"].tolist() == [0, 1, 2]
    assert t["cluster"].tolist() == [2, 0, 1]
    # the half-positive level among a half-positive corpus is no grade: a topic
    assert t["grade"].tolist() == ["negative", "topic", "positive"]
    assert t["graded"].tolist() == [True, False, True]
    assert t.loc[1, "name"].startswith("topic: ") and "uneven" in t.loc[1, "name"]
    # each name: the grade, then the cluster's own terms; "awful dull" repeats "awful"
    assert t.loc[0, "terms"] == ["awful", "awful dull"] and t.loc[0, "name"] == "negative: awful"
    for name, grade, ts in zip(t["name"], t["grade"], t["terms"], strict=True):
        assert name.startswith(f"{grade}: ")
        assert set(name.removeprefix(f"{grade}: ").split(", ")) <= set(ts)
    assert t.columns[:5].tolist() == ["rank", "cluster", "name", "grade", "graded"]
    assert t["size"].tolist() == [20, 20, 20]
    assert t["positive_share"].tolist() == [0.0, 0.5, 1.0]
    assert t["mean_rating"].tolist() == [1.0, 5.0, 10.0]
    assert set(t.loc[0, "terms"]) <= {"awful", "dull", "awful dull", "film awful", "dull night"}
    assert t.loc[0, "nearest_rows"] == [19, 18, 17]
    assert t.loc[0, "nearest_review_ids"] == ["r19", "r18", "r17"]
    # ready to write: Parquet round trip
    import io

    buf = io.BytesIO()
    t.to_parquet(buf)
    back = pd.read_parquet(io.BytesIO(buf.getvalue()))
    assert back["name"].tolist() == t["name"].tolist()


def _polarity_frames():
    """Six reviews in clusters 0 (r0-r2) and 1 (r3-r5); polarity per review, two segments
    each; r4 has no polar segment; r1 is past the scorer's truncation (NaN score)."""
    ids = [f"r{i}" for i in range(6)]
    reviews = pd.DataFrame(
        {
            "review_id": ids[::-1],  # another order
            "dual_polarity": [False, False, True, True, False, True][::-1],
            "spread_std": np.array([0.5, 1.0, np.nan, 2.0, 0.0, 3.0][::-1], dtype=np.float32),
            "share_positive": np.array([0.5, 0, 1, 0.5, 0, 0.5][::-1], dtype=np.float32),
            "share_negative": np.array([0.5, 1, 0, 0.5, 0, 0.5][::-1], dtype=np.float32),
        }
    )
    seg_ids = np.repeat(ids, 2)
    segment_no = np.tile([0, 1], 6).astype(np.int32)
    scores = pd.DataFrame(
        {
            "review_id": seg_ids,
            "segment_no": segment_no,
            "score": np.array(
                [2.0, -3.0, np.nan, np.nan, 1.0, 0.2, -4.0, 5.0, 0.1, -0.1, 0.5, 6.0], np.float32
            ),
            "label": np.array([1, -1, 0, 0, 1, 0, -1, 1, 0, 0, 0, 1], dtype=np.int8),
        }
    )
    segments = pd.DataFrame(
        {"review_id": seg_ids, "segment_no": segment_no, "text": [f"s{i}" for i in range(12)]}
    )
    return ids, reviews, scores, segments


def test_cluster_polarity_means_per_cluster():
    ids, reviews, _, _ = _polarity_frames()
    clusters = np.array([0, 0, 0, 1, 1, 1])
    out = fgp.cluster_polarity(clusters, ids, reviews)
    assert out.index.tolist() == [0, 1]
    assert out.columns.tolist() == list(fgp.POLARITY_MEANS)
    assert out.loc[0, "dual_polarity_share"] == pytest.approx(1 / 3)
    assert out.loc[1, "dual_polarity_share"] == pytest.approx(2 / 3)
    assert out.loc[0, "spread_mean"] == pytest.approx(0.75)  # the null skipped
    assert out.loc[1, "positive_segment_share"] == pytest.approx(1 / 3)
    assert out.loc[0, "negative_segment_share"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="lacks 1 of the 6 clustered reviews .first: r5.*rerun"):
        fgp.cluster_polarity(clusters, ids, reviews[reviews["review_id"] != "r5"])


def test_typical_segments_most_polar_of_the_nearest_reviews():
    ids, _, scores, segments = _polarity_frames()
    clusters = np.array([0, 0, 0, 1, 1, 1])
    distances = np.array([0.3, 0.1, 0.2, 0.5, 0.0, 0.5])
    out = fgp.typical_segments(clusters, ids, distances, scores, segments, n=2)
    # cluster 0: r1 (nearest) has no scored segment, then r2 (s4), then r0 (|-3| > 2: s1)
    assert out[0] == [
        {"review_id": "r2", "segment_no": 0, "text": "s4", "score": 1.0, "label": 1},
        {"review_id": "r0", "segment_no": 1, "text": "s1", "score": -3.0, "label": -1},
    ]
    # cluster 1: r4 (nearest) has no polar segment; r3 and r5 tie on distance: row order
    assert [(e["review_id"], e["text"], e["label"]) for e in out[1]] == [
        ("r3", "s7", 1),
        ("r5", "s11", 1),
    ]
    assert fgp.typical_segments(clusters, ids, distances, scores, segments, n=0) == {0: [], 1: []}
    assert len(fgp.typical_segments(clusters, ids, distances, scores, segments, n=9)[0]) == 2


def test_with_polarity_adds_columns_only_for_the_frames_given():
    ids, reviews, scores, segments = _polarity_frames()
    clusters = np.array([0, 0, 0, 1, 1, 1])
    distances = np.zeros(6)
    table = pd.DataFrame({"rank": [0, 1], "cluster": np.array([1, 0], dtype=np.int32)})
    assert (
        fgp.with_polarity(
            table, clusters, ids, distances, polarity=None, n_typical=1, opinion_min_words=1
        )
        is table
    )
    no_segments = fgp.with_polarity(
        table, clusters, ids, distances, polarity=reviews, n_typical=1, opinion_min_words=1
    )
    assert no_segments.columns.tolist() == ["rank", "cluster", *fgp.POLARITY_MEANS]
    assert no_segments["dual_polarity_share"].tolist() == pytest.approx([2 / 3, 1 / 3])
    full = fgp.with_polarity(
        table,
        clusters,
        ids,
        distances,
        polarity=reviews,
        segment_scores=scores,
        segments=segments.assign(text=segments["text"] + " long text"),
        n_typical=1,
        opinion_min_words=1,
        snippet_chars=4,
    )
    assert full["typical_segments"].tolist() == [
        [{"review_id": "r3", "segment_no": 1, "text": "s7 l", "score": 5.0, "label": 1}],
        [{"review_id": "r0", "segment_no": 1, "text": "s1 l", "score": -3.0, "label": -1}],
    ]


def test_finegrained_table_terms_are_the_distinctive_terms_of_the_texts():
    texts, clusters, ids = planted_corpus()
    labels = (clusters == 1).astype(np.int8)
    ratings = pd.array(np.where(clusters == 1, 9, np.where(clusters == 4, 2, 5)), "Int8")
    distances = np.linspace(1, 0, 60).astype(np.float32)
    counts, vocab = term_counts(texts, stop_words=STOP, min_df=2, max_df=0.9)
    for weighting in WEIGHTINGS:
        table = _table(
            clusters, labels, ratings, distances, counts, vocab, ids, top_n=4, weighting=weighting
        )
        expected = distinctive_terms(
            texts, clusters, top_n=4, stop_words=STOP, min_df=2, max_df=0.9, weighting=weighting
        )
        assert table["terms"].tolist() == [expected[int(c)] for c in table["cluster"]]


def test_opinion_segments_are_each_levels_most_positive_and_most_negative():
    ids = ["a", "b", "c", "d"]
    clusters = [0, 0, 0, 1]
    scores = pd.DataFrame(
        {
            "review_id": ["a", "a", "b", "b", "c", "d", "d"],
            "segment_no": [0, 1, 0, 1, 0, 0, 1],
            "score": [0.9, 0.95, -0.8, 0.4, np.nan, -0.9, 0.1],
            "label": [1, 1, -1, 1, 0, -1, 0],
        }
    )
    segments = scores[["review_id", "segment_no"]].assign(
        text=[f"{r}{n}" for r, n in zip(scores["review_id"], scores["segment_no"], strict=True)]
    )
    got = fgp.opinion_segments(clusters, ids, scores, segments, n=2, min_words=1)
    # one per review, the most positive first; unlabelled and unscored segments left out
    assert [s["text"] for s in got[0]["praised"]] == ["a1", "b1"]
    assert [s["text"] for s in got[0]["panned"]] == ["b0"]
    assert [s["text"] for s in got[1]["praised"]] == [] and got[1]["panned"][0]["text"] == "d0"
    assert fgp.opinion_segments(clusters, ids, scores, segments, n=0, min_words=1)[0] == {
        "praised": [],
        "panned": [],
    }


def test_opinion_segments_leave_out_segments_too_short_to_name_anything():
    ids, clusters = ["a", "b"], [0, 0]
    scores = pd.DataFrame(
        {
            "review_id": ["a", "a", "b"],
            "segment_no": [0, 1, 0],
            "score": [0.99, 0.6, -0.9],
            "label": [1, 1, -1],
        }
    )
    segments = scores[["review_id", "segment_no"]].assign(
        text=["Wow ! ! !", "the acting is superb here", "Why . . . ?"]
    )
    got = fgp.opinion_segments(clusters, ids, scores, segments, n=2, min_words=4)
    # words are counted, not punctuation: the stronger "Wow ! ! !" gives way to the review's
    # next positive segment, "Why . . . ?" to none
    assert [s["text"] for s in got[0]["praised"]] == ["the acting is superb here"]
    assert got[0]["panned"] == []
