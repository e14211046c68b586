"""Segment scores, thresholds fitted on the train split only, the scorers as one object,
per-review polarity and its check against the star ratings (sentclust.polarity.scoring,
thresholds, scorers, reviews, check, job)."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from sentclust.finegrained.scale import RunScale
from sentclust.polarity import check as chk
from sentclust.polarity import contract
from sentclust.polarity import job as pj
from sentclust.polarity import scoring as pol
from sentclust.polarity.reviews import review_polarity
from sentclust.polarity.scorers import SegmentScorers, bert_segment_scores, fit_all_thresholds
from sentclust.polarity.thresholds import Thresholds, fit_thresholds


def test_logit_is_the_inverse_of_the_sigmoid_and_finite_at_the_ends():
    p = np.array([0.5, 0.9, 0.1, 0.0, 1.0])
    z = pol.logit(p)
    assert z[0] == pytest.approx(0.0)
    assert z[1] == pytest.approx(math.log(9), rel=1e-5)
    assert z[2] == pytest.approx(-math.log(9), rel=1e-5)
    assert np.isfinite(z).all() and z[3] < -10 and z[4] > 10


def test_the_folded_classifier_equals_the_standardised_pipeline():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 6)) * [1, 5, 0.2, 3, 1, 10] + [0, 2, -1, 0, 4, 0]
    y = (x[:, 0] + 0.3 * x[:, 1] + rng.normal(size=300) > 0.5).astype(int)
    scorer, fit = pol.fit_review_classifier(x, y, c=1.0, max_iter=2000, seed=1)
    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000, random_state=1))
    pipe.fit(x, y)
    np.testing.assert_allclose(scorer(x), pipe.decision_function(x), rtol=1e-4, atol=1e-4)
    assert 0.5 < fit["train_accuracy"] <= 1.0


def test_the_classifier_needs_both_labels():
    with pytest.raises(ValueError, match="both labels"):
        pol.fit_review_classifier(np.ones((4, 2)), np.ones(4), c=1.0, max_iter=100, seed=0)


def test_bert_scores_mark_low_coverage_unscored():
    scorer = pol.LinearScorer(np.array([1.0, -1.0]), 0.5)
    s = pol.bert_scores(scorer, np.array([[1.0, 0.0], [0.0, 1.0]]), [1.0, 0.2], min_coverage=0.5)
    assert s[0] == pytest.approx(1.5) and np.isnan(s[1])


def _noisy_segments(n=4000, seed=0):
    """Segments whose review is positive with probability sigmoid(score)."""
    rng = np.random.default_rng(seed)
    s = rng.normal(scale=3.0, size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-s))).astype(int)
    return s, y


def test_thresholds_are_where_the_isotonic_share_reaches_the_confidence():
    s, y = _noisy_segments()
    t, info = fit_thresholds(s, y, confidence=0.8)
    # the true share is sigmoid(score): 0.8 at log(4) = 1.386
    assert t.positive == pytest.approx(math.log(4), abs=0.5)
    assert t.negative == pytest.approx(-math.log(4), abs=0.5)
    labels = t.label(s)
    assert (y[labels == 1].mean()) >= 0.8 - 0.03
    assert (1 - y[labels == -1].mean()) >= 0.8 - 0.03
    assert info["n_train_segments"] == len(s)
    assert sum(info["train_label_shares"].values()) == pytest.approx(1.0)


def test_thresholds_leave_nan_scores_out_and_can_be_infinite():
    s = np.array([0.1, 0.2, np.nan, 0.3, 0.4])
    y = np.array([0, 1, 1, 0, 1])
    t, _ = fit_thresholds(s, y, confidence=0.99)
    # never that sure: no segment gets a label
    assert (t.label(s[np.isfinite(s)]) == 0).all()
    with pytest.raises(ValueError, match="both classes"):
        fit_thresholds(s, np.ones(5), confidence=0.8)
    with pytest.raises(ValueError, match="confidence"):
        fit_thresholds(s, y, confidence=0.4)


def test_thresholds_are_fitted_on_train_rows_only():
    s_train, y_train = _noisy_segments(seed=1)
    # test rows that would move the thresholds far if they leaked in: confident-looking
    # scores from reviews of the other label
    s_test = np.concatenate([np.full(3000, 2.0), np.full(3000, -2.0)])
    y_test = np.concatenate([np.zeros(3000), np.ones(3000)]).astype(int)
    seg_meta = pd.DataFrame(
        {
            "split": ["train"] * len(s_train) + ["test"] * len(s_test),
            "label": np.concatenate([y_train, y_test]),
        }
    )
    scores = {"wordvec": np.concatenate([s_train, s_test])}
    fitted = fit_all_thresholds(scores, seg_meta, 0.8)
    alone, _ = fit_thresholds(s_train, y_train, confidence=0.8)
    assert fitted["wordvec"][0] == alone
    leaked, _ = fit_thresholds(scores["wordvec"], seg_meta["label"], confidence=0.8)
    assert leaked != alone


def test_thresholds_need_a_train_split():
    seg_meta = pd.DataFrame({"split": ["test"] * 3, "label": [0, 1, 1]})
    with pytest.raises(ValueError, match="train"):
        fit_all_thresholds({"wordvec": np.zeros(3)}, seg_meta, 0.8)


SEED_TEXT = "The location was truly disgusting ... but the people there were glorious."


def _scored(rows):
    return pd.DataFrame(rows, columns=["review_id", "segment_no", "score", "label"])


def test_review_polarity_of_a_hand_example():
    scored = _scored(
        [
            ("seed", 0, -3.0, -1),  # "The location was truly disgusting ..."
            ("seed", 1, 2.5, 1),  # "but the people there were glorious."
            ("flat", 0, 1.0, 0),
            ("flat", 1, 2.0, 1),
            ("flat", 2, np.nan, 0),  # unscored
            ("none", 0, np.nan, 0),
        ]
    )
    out = review_polarity(scored, ["seed", "flat", "none", "empty"]).set_index("review_id")
    seed = out.loc["seed"]
    assert seed["dual_polarity"]
    assert (seed["n_positive"], seed["n_negative"], seed["n_neutral"]) == (1, 1, 0)
    assert seed["share_positive"] == pytest.approx(0.5)
    assert seed["spread_std"] == pytest.approx(2.75)
    assert seed["spread_range"] == pytest.approx(5.5)
    assert (seed["most_positive_segment"], seed["most_negative_segment"]) == (1, 0)
    flat = out.loc["flat"]
    assert not flat["dual_polarity"]
    assert (flat["n_segments"], flat["n_scored"]) == (3, 2)
    assert flat["share_neutral"] == pytest.approx(0.5)
    assert flat["spread_std"] == pytest.approx(0.5)
    for rid in ("none", "empty"):
        r = out.loc[rid]
        assert r["n_scored"] == 0 and np.isnan(r["share_positive"])
        assert r["most_positive_segment"] == -1 and not r["dual_polarity"]
    assert out.loc["empty", "n_segments"] == 0
    # the Parquet contract
    table = contract.reviews_table(out.reset_index())
    assert table.schema == contract.REVIEW_SCHEMA


def test_segment_agreement_counts_polar_segments_on_the_reviews_side():
    a = chk.segment_agreement(
        scores=[2.0, -2.0, 0.1, np.nan, 3.0],
        labels=[1, -1, 0, 0, 1],
        review_labels=[1, 1, 1, 0, 0],
    )
    # polar: (+, review +) agrees, (-, review +) not, (+, review -) not
    assert a["polar_agreement"] == pytest.approx(1 / 3)
    assert a["share_unscored"] == pytest.approx(0.2)
    assert a["share_neutral"] == pytest.approx(0.2)


def _rated_reviews():
    """Reviews whose dual polarity and spread fall with the distance from the middle."""
    rows = []
    for rating in (1, 2, 3, 4, 7, 8, 9, 10):
        dist = abs(rating - 5.5)
        for i in range(20):
            rows.append(
                {
                    "review_id": f"r{rating}_{i}",
                    "rating": rating,
                    "n_scored": 3,
                    "n_segments": 3,
                    "dual_polarity": i < int(20 * (1 - dist / 5)),
                    "spread_std": 3.0 - dist * 0.4 + i * 0.01,
                    "spread_range": 6.0 - dist,
                    "share_positive": 0.5,
                    "share_negative": 0.2,
                }
            )
    return pd.DataFrame(rows)


def test_by_rating_curve_and_its_rank_correlations():
    reviews = _rated_reviews()
    curve = chk.by_rating(reviews)
    assert curve["rating"].tolist() == [1, 2, 3, 4, 7, 8, 9, 10]
    assert (
        curve.set_index("rating").loc[4, "dual_polarity_share"]
        > curve.set_index("rating").loc[1, "dual_polarity_share"]
    )
    rho = chk.rank_correlations(reviews, curve, RunScale(1, 10).middle)
    assert rho["ratings"]["dual_polarity_share"] == pytest.approx(-1.0)
    assert rho["reviews"]["spread_std"] < -0.8
    assert rho["reviews"]["n"] == len(reviews)
    # on a 1-5 scale the middle is 3: the same reviews, their ratings halved up, still say so
    five = reviews.assign(rating=np.ceil(reviews["rating"] / 2).astype(int))
    rho5 = chk.rank_correlations(five, chk.by_rating(five), RunScale(1, 5).middle)
    assert rho5["reviews"]["spread_std"] < -0.5
    # measured from 1-10's middle (5.5) a 1-5 corpus shows nothing: the scale matters
    wrong = chk.rank_correlations(five, chk.by_rating(five), RunScale(1, 10).middle)
    assert wrong["reviews"]["spread_std"] > -0.1
    # without ratings: no correlations, not zeros
    unrated = chk.rank_correlations(reviews, curve, None)
    assert unrated["reviews"]["spread_std"] is None and unrated["reviews"]["n"] == 0


def test_dual_examples_are_short_dual_reviews_widest_spread_first():
    reviews = pd.DataFrame(
        {
            "review_id": ["a", "b", "c", "d"],
            "dual_polarity": [True, True, False, True],
            "n_segments": [2, 2, 2, 20],
            "spread_range": [3.0, 5.0, 9.0, 9.0],
            "rating": [4, 7, 1, 3],
            "label": [0, 1, 0, 0],
        }
    )
    segments = pd.DataFrame(
        {
            "review_id": ["a", "a", "b", "b"],
            "segment_no": [0, 1, 1, 0],
            "text": ["a0", "a1", "b1", "b0"],
            "score": [-1.0, 2.0, 3.0, -2.0],
            "label": [-1, 1, 1, -1],
        }
    )
    ex = chk.dual_examples(reviews, segments, n=5)
    assert [e["review_id"] for e in ex] == ["b", "a"]
    assert [s["text"] for s in ex[0]["segments"]] == ["b0", "b1"]
    assert ex[0]["rating"] == 7
    assert chk.dual_examples(reviews, segments, n=0) == []


def test_cross_fitted_fold_models_never_see_their_fold():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 4))
    y = (x[:, 0] + rng.normal(scale=0.5, size=200) > 0).astype(int)
    full, fit, folds, fold_of = pol.cross_fitted_classifiers(
        x, y, folds=4, c=1.0, max_iter=500, seed=5
    )
    assert fit["cross_fit_folds"] == 4 and len(folds) == 4
    assert np.bincount(fold_of).tolist() == [50, 50, 50, 50]
    for f, scorer in enumerate(folds):
        alone, _ = pol.fit_review_classifier(
            x[fold_of != f], y[fold_of != f], c=1.0, max_iter=500, seed=5
        )
        np.testing.assert_allclose(scorer.weights, alone.weights)
    assert not np.allclose(full.weights, folds[0].weights)


def test_bert_segment_scores_read_shards_and_score_held_out_rows_by_their_fold(tmp_path):
    from sentclust.bert.shards import segments_table
    from sentclust.files import write_parquet

    segments = pd.DataFrame(
        {"review_id": ["a", "a", "b", "c"], "segment_no": np.array([0, 1, 0, 0], np.int32)}
    )
    vectors = np.array([[1, 0], [0, 1], [1, 1], [2, 0]], dtype=np.float32)
    coverage = np.array([1.0, 0.2, 1.0, 1.0], dtype=np.float32)
    # two shards, the second written first in the list's order of reviews
    write_parquet(segments_table(["a", "a"], [0, 1], coverage[:2], vectors[:2]), tmp_path / "s0")
    write_parquet(segments_table(["b", "c"], [0, 0], coverage[2:], vectors[2:]), tmp_path / "s1")
    full = pol.LinearScorer(np.array([1.0, 0.0]), 0.0)
    fold0 = pol.LinearScorer(np.array([0.0, 1.0]), 0.5)
    fold1 = pol.LinearScorer(np.array([-1.0, 0.0]), 0.0)
    score, held = bert_segment_scores(
        segments,
        [tmp_path / "s0", tmp_path / "s1"],
        full,
        min_coverage=0.5,
        fold_scorers=[fold0, fold1],
        fold_of_segment=np.array([1, 1, 0, -1]),
    )
    np.testing.assert_allclose(score, [1.0, np.nan, 1.0, 2.0])
    np.testing.assert_allclose(held, [-1.0, np.nan, 1.5, np.nan])
    with pytest.raises(ValueError, match="do not match the segments"):
        bert_segment_scores(
            segments.iloc[:3], [tmp_path / "s0", tmp_path / "s1"], full, min_coverage=0.5
        )


def test_the_networks_held_out_ids_are_its_validation_split():
    from sentclust.wordvec.network import held_out_ids, validation_split

    train_df = pd.DataFrame({"review_id": [f"r{i}" for i in range(50)]})
    ids = held_out_ids(train_df, 0.2, seed=9)
    _, va = validation_split(50, 0.2, 9)
    assert len(ids) == 10 and ids.tolist() == [f"r{i}" for i in va]


def _scorers_document():
    """A scorers.json as rule score_segments writes it: both scorers, an infinite threshold."""
    fit = {"n_train_segments": 10, "midpoint": 0.1, "fitted_on": "held-out segments"}
    return {
        "primary": "bert",
        "thresholds": {
            "wordvec": {"negative": -1.5, "positive": 2.0, "confidence": 0.7, "fit": fit},
            "bert": {"negative": None, "positive": 0.25, "confidence": 0.7, "fit": fit},
        },
        "bert_classifier": {"weights": [0.5, -1.0], "bias": 0.125, "fit": {"C": 1.0}},
        "segment_agreement": {"wordvec": {"polar_agreement": 0.8, "split": "test"}},
        "mil": None,
    }


def test_the_scorers_saved_form_round_trips_key_for_key(tmp_path):
    import json

    doc = _scorers_document()
    scorers = SegmentScorers.from_dict(doc)
    assert scorers.primary == "bert" and scorers.thresholds["bert"].negative == float("-inf")
    assert json.dumps(scorers.to_dict()) == json.dumps(doc)  # values and key order
    (tmp_path / "scorers.json").write_text(json.dumps(doc))
    assert SegmentScorers.read(tmp_path / "scorers.json").to_dict() == doc
    no_bert = {**doc, "primary": "wordvec", "bert_classifier": None}
    assert SegmentScorers.from_dict(no_bert).bert is None
    assert json.dumps(SegmentScorers.from_dict(no_bert).to_dict()) == json.dumps(no_bert)


def test_the_scorers_label_by_the_primary_thresholds():
    scorers = SegmentScorers.from_dict(_scorers_document())
    scores = {"wordvec": np.array([3.0, 0.0, -3.0]), "bert": np.array([-9.0, 0.3, np.nan])}
    assert scorers.label(scores).tolist() == [0, 1, 0]  # bert: no negative threshold
    with pytest.raises(ValueError, match="polarity.scorer is 'bert' but that scorer did not run"):
        scorers.label({"wordvec": scores["wordvec"]})
    vectors = np.array([[2.0, 0.0], [0.0, 1.0]])
    got = scorers.bert(vectors)
    np.testing.assert_allclose(got, [1.125, -0.875])
    assert Thresholds.from_dict(_scorers_document()["thresholds"]["wordvec"]).positive == 2.0


def test_the_scorers_fit_on_held_out_train_segments():

    rng = np.random.default_rng(2)
    n = 400
    ids = [f"r{i}" for i in range(n)]
    meta = pd.DataFrame(
        {
            "review_id": ids,
            "split": np.where(np.arange(n) < 300, "train", "test"),
            "label": np.arange(n) % 2,
            "rating": np.where(np.arange(n) % 2, 9, 2),
        }
    )
    segments = pd.DataFrame(
        {"review_id": ids, "segment_no": np.zeros(n, np.int32), "text": ["x"] * n}
    )
    signal = np.where(meta["label"] == 1, 2.0, -2.0) + rng.normal(size=n)

    class SignalNetwork:  # the network's P(positive) of each segment, in order
        def pooled_short(self, tokens):  # one "word vector" per segment: its signal
            assert len(tokens) == n
            return np.asarray(signal, dtype=np.float32)[:, None]

        def proba_of_pooled(self, pooled):
            return expit(pooled[:, 0]).astype(np.float32)

    cfg = {"scorer": "wordvec", "confidence": 0.7, "min_coverage": 0.5}
    table, scorers = pj.score_segments(
        segments,
        meta,
        network=SignalNetwork(),
        bert=None,
        bert_segment_files=None,
        polarity=cfg,
        probe={},
        validation_fraction=0.5,
        lowercase=True,
        seed=0,
        threads=1,
    )
    doc = scorers.to_dict()
    assert list(doc) == ["primary", "thresholds", "bert_classifier", "segment_agreement", "mil"]
    assert list(doc["thresholds"]) == ["wordvec"] and doc["bert_classifier"] is None
    assert doc["thresholds"]["wordvec"]["fit"]["fitted_on"].startswith("segments of the network")
    assert doc["segment_agreement"]["wordvec"]["split"] == "test"
    labels = scorers.label({"wordvec": pol.logit(expit(signal).astype(np.float32))})
    assert table.column("label").to_pylist() == labels.tolist()
    assert table.schema == contract.SCORES_SCHEMA


class _FakeNetwork:
    """P(positive) 0.9 for a token string holding "good", else 0.2 (its one-number "pooled
    vector" says which)."""

    def pooled_short(self, tokens):
        return np.array([[1.0 if "good" in t.split() else 0.0] for t in tokens], np.float32)

    def proba_of_pooled(self, pooled):
        return np.where(pooled[:, 0] > 0, 0.9, 0.2).astype(np.float32)


def test_the_scorers_score_segments_with_each_scorer_they_hold():
    scorers = SegmentScorers.from_dict(_scorers_document())
    texts = ["A good film", "A dull film"]
    vectors = (np.array([[2.0, 0.0], [0.0, 1.0]]), np.array([1.0, 0.3]))
    got = scorers.score(
        texts, network=_FakeNetwork(), lowercase=True, bert_vectors=vectors, min_coverage=0.5
    )
    assert list(got) == ["wordvec", "bert"]
    np.testing.assert_array_equal(got["wordvec"], pol.logit(np.float32([0.9, 0.2])))
    np.testing.assert_allclose(got["bert"], [1.125, np.nan])  # the second: too little coverage
    alone = scorers.score(texts, network=_FakeNetwork(), lowercase=True, min_coverage=0.5)
    assert list(alone) == ["wordvec"]
    without = SegmentScorers.from_dict({**_scorers_document(), "bert_classifier": None})
    assert list(
        without.score(
            texts, network=_FakeNetwork(), lowercase=True, bert_vectors=vectors, min_coverage=0
        )
    ) == ["wordvec"]


def test_symmetric_thresholds_mark_polar_the_segments_whose_sign_agrees_with_their_review():
    from sentclust.polarity.thresholds import fit_symmetric_thresholds

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    side = np.where(y == 1, 1.0, -1.0)
    # opinions: strong, their sign the review's 90% of the time; plain segments: weak, any sign
    opinion = np.where(rng.random(2000) < 0.9, side, -side) * rng.uniform(1, 3, 2000)
    plain = rng.choice([-1.0, 1.0], 2000) * rng.uniform(0.01, 0.5, 2000)
    scores = np.concatenate([opinion, plain, [np.nan]])
    labels = np.concatenate([y, y, [1]])
    t, info = fit_symmetric_thresholds(scores, labels, confidence=0.7)
    assert t.negative == -t.positive and 0.5 <= t.positive <= 1.05  # between the two kinds
    assert info["train_label_shares"]["neutral"] == pytest.approx(0.5, abs=0.05)
    none, _ = fit_symmetric_thresholds(plain, y, confidence=0.7)  # no sign to trust
    assert none.positive == float("inf")
    with pytest.raises(ValueError, match="confidence"):
        fit_symmetric_thresholds(scores, labels, confidence=0.4)
    with pytest.raises(ValueError, match="both classes"):
        fit_symmetric_thresholds(opinion, np.ones(2000), confidence=0.7)
