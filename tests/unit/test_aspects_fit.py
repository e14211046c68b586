"""Aspects by K-means on segment vectors: the fit rows, the fit and assignment, the choice."""

import numpy as np
import pandas as pd
import pytest

from sentclust.aspects.fit import choose_count, fit_aspects, fit_rows

PARAMS = dict(backend="sklearn", n_init=2, max_iter=100, tol=1e-4, screen_sample=0, refine=1)


def blobs(n_per=40, k=3, d=8, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=10, size=(k, d))
    x = np.concatenate([c + rng.normal(size=(n_per, d)) for c in centres]).astype(np.float32)
    return x, np.repeat(np.arange(k), n_per)


def test_fit_rows_are_the_train_splits_segments_then_a_seeded_sample():
    meta = pd.DataFrame({"review_id": ["a", "b", "c"], "split": ["train", "test", "train"]})
    seg = ["a", "a", "b", "c", "c", "c"]
    assert fit_rows(seg, meta, max_fit=0, seed=0).tolist() == [1, 1, 0, 1, 1, 1]
    one = fit_rows(seg, meta, max_fit=3, seed=1)
    assert one.sum() == 3 and not one[2]
    assert (one == fit_rows(seg, meta, max_fit=3, seed=1)).all()


def test_fit_rows_without_a_train_split_take_every_segment():
    meta = pd.DataFrame({"review_id": ["a"], "split": ["test"]})
    assert fit_rows(["a", "a"], meta, max_fit=0, seed=0).all()


def test_fit_on_some_rows_finds_the_planted_groups_and_its_model_assigns_the_rest():
    from sklearn.metrics import adjusted_rand_score

    x, truth = blobs()
    model, labels, record = fit_aspects(x[::2], 3, params=PARAMS, seed=0)
    assert len(labels) == len(x[::2]) and model.k == 3 and record["n_fit"] == len(x[::2])
    rest, _, _ = model.assign(x)
    assert adjusted_rand_score(truth, rest) == pytest.approx(1.0)
    assert (rest[::2] == labels).all()
    again = fit_aspects(x[::2], 3, params=PARAMS, seed=0)[1]
    assert (again == labels).all()  # seeded and deterministic on CPU


def test_the_count_is_chosen_as_k_is():
    x, _ = blobs(k=4)
    records = [fit_aspects(x, k, params=PARAMS, seed=0)[2] for k in (2, 3, 4, 5, 6)]
    assert choose_count(records, "silhouette")["k"] == 4
    assert choose_count(records, "elbow")["ks"] == [2, 3, 4, 5, 6]
