"""The multiple-instance polarity model (sentclust.polarity.mil): the attention-weighted review
prediction on a hand-computed example, seeded determinism, its saved form, and a small model
trained on planted reviews that finds the polarity of each segment from review labels only."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import schema_defaults
from sentclust.polarity.mil import MilModel, MilParams, class_weights

torch = pytest.importorskip("torch")


def params(**changes) -> MilParams:
    return MilParams.from_config(schema_defaults("polarity")["mil"] | changes)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def hand_model() -> MilModel:
    """dim 2, hidden 2, attention 2, classes (1, 10): the GRU's update gate shut (bias -40)
    and no recurrence, so each direction's state is tanh(W x): everything by hand below."""
    p = params(hidden=2, attention=2, dropout=0.0)
    w_in = np.array([[1.0, 0.0], [0.0, 1.0]])
    gru_ih = np.vstack([np.zeros((2, 2)), np.zeros((2, 2)), w_in]).astype(np.float32)  # r, z, n
    gru_bias = np.array([0, 0, -40, -40, 0, 0], dtype=np.float32)
    weights = {
        "classifier.weight": np.array([[-2.0, 0.0], [2.0, 0.0]], np.float32),
        "classifier.bias": np.zeros(2, np.float32),
        "gate_tanh.weight": np.array([[1, 0, 1, 0], [0, 1, 0, 1]], np.float32),
        "gate_tanh.bias": np.zeros(2, np.float32),
        "gate_sigmoid.weight": np.array([[0, 1, 0, 1], [1, 0, 1, 0]], np.float32),
        "gate_sigmoid.bias": np.zeros(2, np.float32),
        "attention.weight": np.array([[1.0, 1.0]], np.float32),
    }
    for suffix in ("", "_reverse"):
        weights[f"gru.weight_ih_l0{suffix}"] = gru_ih
        weights[f"gru.weight_hh_l0{suffix}"] = np.zeros((6, 2), np.float32)
        weights[f"gru.bias_ih_l0{suffix}"] = gru_bias
        weights[f"gru.bias_hh_l0{suffix}"] = np.zeros(6, np.float32)
    return MilModel(
        params=p,
        classes=np.array([1.0, 10.0]),
        mean=np.zeros(2, np.float32),
        scale=np.ones(2, np.float32),
        weights=weights,
        fit_info={},
    )


def test_review_prediction_is_the_attention_weighted_sum_by_hand():
    x = np.array([[1.0, 0.5], [-0.5, 2.0], [0.0, -1.0]], dtype=np.float32)
    model = hand_model()
    # by hand: segment distributions, softmax of (-2 x0, 2 x0)
    logits = np.stack([-2 * x[:, 0], 2 * x[:, 0]], axis=1)
    dist = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    # both directions' state is tanh(x); the gate reads [h_fwd, h_bwd]
    h = np.tanh(x)
    g_t = np.tanh(2 * h)  # rows of gate_tanh add the two directions' same unit
    g_s = _sigmoid(2 * h[:, ::-1])
    e = (g_t * g_s).sum(1)
    att = np.exp(e) / np.exp(e).sum()
    review = (att[:, None] * dist).sum(0)
    polarity = dist @ np.array([-1.0, 1.0])

    out = model.segment_outputs([x])
    np.testing.assert_allclose(out["attention"], att, rtol=1e-5)
    np.testing.assert_allclose(out["polarity"], polarity, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["score"], 3 * att * polarity, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.review_proba([x])[0], review, rtol=1e-5)
    assert out["attention"].sum() == pytest.approx(1.0, abs=1e-6)


def test_padding_does_not_change_a_review():
    """Reviews batched with longer ones (padded) score as they do alone."""
    model = hand_model()
    rng = np.random.default_rng(0)
    groups = [rng.normal(size=(n, 2)).astype(np.float32) for n in (1, 4, 2, 7)]
    together = model.segment_outputs(groups)["score"]
    alone = np.concatenate([model.segment_outputs([g])["score"] for g in groups])
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-6)


def test_class_weights_keep_the_rating_gap():
    np.testing.assert_allclose(class_weights([0, 1]), [-1, 1])
    w = class_weights([1, 2, 3, 4, 7, 8, 9, 10])
    assert w[0] == -1 and w[-1] == 1
    assert w[4] - w[3] == pytest.approx(3 * (w[1] - w[0]))
    with pytest.raises(ValueError, match="two review classes"):
        class_weights([7])


# --------------------------------------------------------------------------- a planted corpus


def planted(n_reviews: int, seed: int):
    """Reviews of 3-6 segments with features in 4 dimensions: dimension 0 is a segment's
    opinion (+1 praise, -1 pan, 0 none), the rest noise. A review's rating follows the sum of
    its opinions; most segments carry none (plot retelling)."""
    rng = np.random.default_rng(seed)
    groups, ratings, opinions = [], [], []
    for _ in range(n_reviews):
        n = int(rng.integers(3, 7))
        op = rng.choice([-1, 0, 0, 1], size=n)
        x = rng.normal(scale=0.3, size=(n, 4)).astype(np.float32)
        x[:, 0] += op
        groups.append(x)
        ratings.append(10.0 if op.sum() > 0 else 1.0 if op.sum() < 0 else rng.choice([1.0, 10.0]))
        opinions.append(op)
    return groups, np.array(ratings), opinions


def fitted(seed: int = 3) -> tuple[MilModel, list, list]:
    groups, ratings, opinions = planted(600, seed=1)
    held = np.arange(len(groups)) % 10 == 0
    p = params(hidden=8, attention=8, max_epochs=6, batch_size=16, learning_rate=0.01)
    return MilModel.fit(groups, ratings, held, p, seed=seed, progress=False), groups, opinions


def test_trained_on_review_labels_it_finds_each_segments_polarity():
    model, groups, opinions = fitted()
    out = model.segment_outputs(groups)
    op = np.concatenate(opinions)
    pol = out["polarity"]
    assert pol[op == 1].mean() > 0.3 and pol[op == -1].mean() < -0.3
    # a review with one pan and one praise: one negative and one positive segment
    x = np.array([[-1.0, 0, 0, 0], [1.0, 0, 0, 0]], dtype=np.float32)
    s = model.segment_outputs([x])["score"]
    assert s[0] < 0 < s[1]


def test_the_fit_is_deterministic_for_a_seed_and_saves_as_json():
    a, groups, _ = fitted(seed=3)
    b, _, _ = fitted(seed=3)
    np.testing.assert_array_equal(
        a.segment_outputs(groups)["score"], b.segment_outputs(groups)["score"]
    )
    c, _, _ = fitted(seed=4)
    assert not np.array_equal(
        a.segment_outputs(groups)["score"], c.segment_outputs(groups)["score"]
    )
    again = MilModel.from_dict(json.loads(json.dumps(a.to_dict())))
    np.testing.assert_array_equal(
        again.segment_outputs(groups)["score"], a.segment_outputs(groups)["score"]
    )


def test_held_out_reviews_do_not_fit_the_weights():
    """The held-out reviews only stop the training: changing their ratings changes nothing
    until the epoch choice (here: one epoch, no choice)."""
    groups, ratings, _ = planted(200, seed=2)
    held = np.arange(len(groups)) % 5 == 0
    p = params(hidden=4, attention=4, max_epochs=1)
    a = MilModel.fit(groups, ratings, held, p, seed=0, progress=False)
    flipped = np.where(held, 11.0 - ratings, ratings)
    b = MilModel.fit(groups, flipped, held, p, seed=0, progress=False)
    for k in a.weights:
        np.testing.assert_array_equal(a.weights[k], b.weights[k])


def test_bad_inputs_say_what_to_do():
    groups, ratings, _ = planted(20, seed=0)
    with pytest.raises(ValueError, match="both to fit and to hold out"):
        MilModel.fit(groups, ratings, np.zeros(20, bool), params(), seed=0, progress=False)
    model = hand_model()
    with pytest.raises(ValueError, match="needs a segment"):
        model.segment_outputs([np.zeros((0, 2), np.float32)])
    d = model.to_dict()
    del d["weights"]["attention.weight"]
    with pytest.raises(ValueError, match="rerun score_segments"):
        MilModel.from_dict(d)
