"""Names that do not overclaim (sentclust.finegrained.grading, naming, levels) and the run's
rating scale downstream (sentclust.finegrained.scale), on planted data: a topic that leans
0.65 positive in a balanced corpus is a topic, a 0.9 one is graded, a small 8-of-10 one is
not; unlabelled corpora get topic names; the scale reaches the counts, checks and figures."""

import json

import numpy as np
import pandas as pd
import pytest

from sentclust import figures
from sentclust.finegrained import grading, naming
from sentclust.finegrained import job as fs
from sentclust.finegrained import levels as fg
from sentclust.finegrained.counts import term_counts
from sentclust.finegrained.scale import RunScale, run_scale, scale_from_summary
from sentclust.finegrained.terms import stop_words, term_stop_words

STOP = term_stop_words(stop_words("sklearn")[0])

#: planted levels: (size, positive reviews, its words, its ratings for a positive / negative)
PLANTED = {
    0: (800, 180, "awful dull", (4, 2)),  # 0.225 positive: reliably negative
    1: (400, 260, "japanese war", (8, 3)),  # 0.65 positive: a topic that leans positive
    2: (400, 360, "superb wonderful", (10, 4)),  # 0.9 positive: reliably positive
    3: (10, 8, "tiny sample", (9, 2)),  # 0.8 of 10: too few to tell
}


def _planted(scale_hi: int = 10):
    """Clusters, labels, ratings (on 1-``scale_hi``), distances, term counts, ids."""
    clusters, labels, ratings, texts = [], [], [], []
    for c, (n, pos, words, (r_pos, r_neg)) in PLANTED.items():
        lab = np.r_[np.ones(pos), np.zeros(n - pos)].astype(np.int8)
        clusters += [c] * n
        labels += lab.tolist()
        ratings += [r_pos if v else r_neg for v in lab]
        texts += [f"film {words} night" for _ in range(n)]
    ratings = np.asarray(ratings)
    if scale_hi != 10:  # the same reviews re-expressed on 1-scale_hi
        ratings = np.ceil(ratings * scale_hi / 10).astype(int)
    counts, vocab = term_counts(texts, stop_words=STOP, min_df=1)
    n = len(clusters)
    return {
        "clusters": np.asarray(clusters),
        "labels": np.asarray(labels, dtype=np.int8),
        "ratings": pd.array(ratings, dtype="Int8"),
        "distances": np.linspace(1, 0, n).astype(np.float32),
        "counts": counts,
        "vocab": vocab,
        "ids": np.array([f"r{i}" for i in range(n)], dtype=object),
    }


def _table(d, *, labels=None, ratings=None, scale=None, grade_share=0.7):
    return fg.finegrained_table(
        d["clusters"],
        d["labels"] if labels is None else labels,
        d["ratings"] if ratings is None else ratings,
        d["distances"],
        counts=d["counts"],
        vocab=d["vocab"],
        mixed_band=0.1,
        grade_share=grade_share,
        top_n=3,
        n_nearest=2,
        weighting="log_odds",
        review_ids=d["ids"],
        scale=scale,
    )


def test_wilson_interval_known_values():
    lo, hi = grading.wilson_interval([8, 0, 5], [10, 10, 0])
    assert lo[0] == pytest.approx(0.4902, abs=1e-4) and hi[0] == pytest.approx(0.9433, abs=1e-4)
    assert lo[1] == 0 and hi[1] == pytest.approx(0.2775, abs=1e-4)
    assert np.isnan(lo[2]) and np.isnan(hi[2])  # no labelled review: no interval


def test_thresholds_are_the_grade_share_in_a_balanced_corpus_and_move_with_the_corpus():
    assert grading.thresholds(0.5, 0.7) == pytest.approx((0.3, 0.7))
    neg, pos = grading.thresholds(0.8, 0.7)  # a corpus 80% positive: same odds ratio
    assert neg == pytest.approx(0.6316, abs=1e-4) and pos == pytest.approx(0.9032, abs=1e-4)
    assert grading.thresholds(1.0, 0.7) is None and grading.thresholds(np.nan, 0.7) is None
    with pytest.raises(ValueError, match="grade_share"):
        grading.thresholds(0.5, 0.5)


def test_a_topic_leaning_065_is_a_topic_090_is_graded_and_8_of_10_is_not():
    t = _table(_planted())
    by = t.set_index("cluster")
    assert by.loc[1, "positive_share"] == pytest.approx(0.65)
    assert not by.loc[1, "graded"] and by.loc[1, "grade"] == naming.TOPIC
    assert by.loc[1, "name"].startswith("topic: ") and "japanese" in by.loc[1, "name"]
    assert by.loc[2, "graded"] and by.loc[2, "grade"] == "positive"
    assert by.loc[2, "name"].startswith("positive: ")
    assert by.loc[0, "graded"] and by.loc[0, "grade"] == "negative"
    # 8 of 10 positive: the interval (0.49-0.94) reaches below the 0.7 threshold
    assert not by.loc[3, "graded"] and by.loc[3, "name"].startswith("topic: ")
    assert by.loc[3, "positive_share_low"] == pytest.approx(0.4902, abs=1e-4)
    # the lean stays visible as numbers: the share's interval and the mean rating's
    assert by.loc[1, "positive_share_low"] < 0.65 < by.loc[1, "positive_share_high"]
    assert by.loc[1, "mean_rating_low"] < by.loc[1, "mean_rating"] < by.loc[1, "mean_rating_high"]
    assert t["name"].is_unique


def test_a_looser_grade_share_grades_the_leaning_topic():
    """The rule's setting changes the outcome: it is a rule, not a fixed answer."""
    by = _table(_planted(), grade_share=0.6).set_index("cluster")
    assert by.loc[1, "graded"] and by.loc[1, "name"].startswith("positive: ")
    assert not by.loc[3, "graded"]  # still too few


def test_the_grading_rule_is_checked_against_the_ratings():
    d = _planted()
    table, result = _k(d)
    check = result["rating_check_all"]
    assert check["graded_mean_rating_increasing"] is True
    # graded in order: the negative level's mean rating below the positive one's
    graded = table[table["graded"]]
    assert graded["mean_rating"].is_monotonic_increasing
    assert result["grading"]["positive_threshold"] == pytest.approx(0.7, abs=0.01)
    # every graded level's mean rating lies farther from the corpus mean than every topic's
    sep = result["grading_check"]
    assert sep["separated"] is True and sep["graded_min_distance"] > sep["topic_max_distance"]
    assert sep["corpus_mean_rating"] == pytest.approx(float(np.mean(np.asarray(d["ratings"]))))
    assert result["grading"]["n_labelled"] == len(d["clusters"])


def _k(d, scale=None):
    df = pd.DataFrame(
        {
            "review_id": d["ids"],
            "cluster": d["clusters"].astype(np.int32),
            "distance": d["distances"],
            "split": np.where(np.arange(len(d["ids"])) % 2 == 0, "train", "test"),
            "label": d["labels"],
            "rating": d["ratings"],
            "clean_text": ["some text"] * len(d["ids"]),
        }
    )
    cfg = {
        "mixed_band": 0.1,
        "grade_share": 0.7,
        "top_terms": 3,
        "nearest": 2,
        "snippet_chars": 12,
        "term_weighting": "log_odds",
        "typical_segments": 0,
        "opinion_min_words": 1,
    }
    tc = (d["counts"], d["vocab"], d["ids"], {"stop_words": "sklearn"})
    return fs.finegrained_k(df, 2, chosen=2, cfg=cfg, term_counts=tc, scale=scale)


def test_an_unlabelled_corpus_gets_topic_names_and_its_lean_by_mean_rating():
    d = _planted()
    table, result = _k(d, scale=RunScale(1, 10, "none"))
    assert not table["graded"].any() and set(table["grade"]) == {naming.TOPIC}
    assert table["name"].str.startswith("topic: ").all() and table["name"].is_unique
    assert table["positive_share"].isna().all()  # no labels: no share, not zeros
    # ordered by mean rating alone
    assert table["mean_rating"].is_monotonic_increasing
    assert result["grading"]["corpus_positive_share"] is None
    assert result["rating_check_all"]["n_rated"] == len(d["ids"])
    assert result["rating_check_test"] is None  # no labels to order the train split by


def test_unlabelled_and_unrated_has_no_rating_parts():
    d = _planted()
    n = len(d["ids"])
    table = _table(
        d,
        labels=pd.array([None] * n, dtype="Int8"),
        ratings=pd.array([None] * n, dtype="Int8"),
        scale=(),
    )
    assert not table["graded"].any()
    assert not [c for c in table if c.startswith("rating_")]
    assert table["mean_rating"].isna().all()
    d["ratings"] = pd.array([None] * n, dtype="Int8")
    _, result = _k(d, scale=RunScale(None, None, "none"))
    assert "rating_check_all" not in result and "rating_check_test" not in result


def test_the_run_scale_reaches_the_rating_counts_and_the_checks():
    d = _planted(scale_hi=5)
    table, result = _k(d, scale=RunScale(1, 5, "from_ratings"))
    assert [c for c in table if c.startswith("rating_")] == [f"rating_{v}" for v in range(1, 6)]
    check = result["rating_check_all"]
    assert check["scale"] == [1, 5]
    assert check["n_top_rating"] == int((np.asarray(d["ratings"]) == 5).sum()) > 0


def test_topic_names_stay_unique_when_topics_share_their_terms():
    grades = ["topic", "negative", "topic", "topic"]
    terms = [["war", "film", "japan"], ["awful"], ["war", "film", "tv"], ["war", "film"]]
    names = naming.level_names(grades, terms)
    assert names == ["topic: war, film, japan", "negative: awful", "topic: war, film, tv", names[3]]
    assert len(set(names)) == 4 and names[3].startswith("topic")
    with pytest.raises(ValueError, match="unique"):
        naming.level_names(["positive", "positive"], [["a"], ["b"]])


def test_level_grades_grade_only_the_graded_levels():
    assert naming.level_grades(
        [0.1, 0.5, 0.65, 0.9], ["negative", None, None, "positive"], mixed_band=0.1
    ) == [
        "negative",
        "topic",
        "topic",
        "positive",
    ]
    assert naming.level_grades([0.2, 0.6], [None, None], mixed_band=0.1) == ["topic", "topic"]


def test_scale_from_the_ingest_summary(tmp_path):
    assert scale_from_summary({}) == RunScale(1, 10, "given")  # a summary from before scales
    five = scale_from_summary({"rating_scale": [1, 5], "labels": "from_ratings"})
    assert (five.values, five.middle, five.labels) == ((1, 2, 3, 4, 5), 3.0, "from_ratings")
    assert five.out_of(3.94) == "3.9/5" and five.axis_label() == "star rating (1-5)"
    assert RunScale().out_of(7.91) == "7.9/10" and RunScale().middle == 5.5
    none = scale_from_summary({"rating_scale": None, "labels": "none"})
    assert not none.rated and not none.labelled and none.values == () and none.middle is None
    assert none.out_of(3.0) is None
    path = tmp_path / "ingest_summary.json"
    path.write_text(json.dumps({"rating_scale": [0, 5], "labels": "given"}))
    assert run_scale(path) == RunScale(0, 5, "given")
    path.write_text(json.dumps({"rating_scale": [5, 1]}))
    with pytest.raises(ValueError, match="ingest_summary.json.*low end"):
        run_scale(path)
    path.write_text("[1, 2]")
    with pytest.raises(ValueError, match="JSON object"):
        run_scale(path)


def test_the_rating_figure_is_drawn_on_the_run_scale(tmp_path, monkeypatch):
    drawn = []
    monkeypatch.setattr(figures, "_save", lambda fig, path: drawn.append(fig))
    df = pd.DataFrame({"name": ["low", "low", "high", "high"], "rating": [1, 2, 4, 5]})
    five = RunScale(1, 5)
    figures.rating_by_cluster(
        df, order=["low", "high"], title="t", path=None, scale=five.values, xlabel=five.axis_label()
    )
    ax = drawn[-1].axes[0]
    assert ax.get_xlabel() == "star rating (1-5)"
    assert [int(t) for t in ax.get_xticks()] == [1, 2, 3, 4, 5]
    curve = pd.DataFrame(
        {
            "rating": [1, 2, 4, 5],
            "dual_polarity_share": [0.1, 0.3, 0.3, 0.1],
            "spread_std_mean": 1.0,
        }
    )
    figures.polarity_by_rating(curve, title="t", path=None, scale=five.values, xlabel="x (1-5)")
    assert [a.get_xlabel() for a in drawn[-1].axes] == ["x (1-5)", "x (1-5)"]
    # two lines per panel: the missing 3 is a gap
    assert len(drawn[-1].axes[0].get_lines()) == 2


def test_assign_reads_topic_levels_from_finegrained_json_unchanged():
    """`sentclust assign` takes each level's rank, name and grade from finegrained.json: a
    topic arrives as a topic, its name and its lean numbers as written."""
    from sentclust.assign.levels import levels

    _, result = _k(_planted())
    doc = json.loads(json.dumps({"kind": "bert", "chosen_k": 2, "results": [result]}))
    table = levels(doc, 2)
    assert table.loc[1, "grade"] == "topic" and table.loc[1, "name"].startswith("topic: ")
    assert table.loc[2, "grade"] == "positive"
    assert table.loc[1, "positive_share"] == pytest.approx(0.65)
