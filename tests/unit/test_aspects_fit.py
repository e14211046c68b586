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


def test_by_coherence_the_most_coherent_count_wins_ties_to_the_smaller():
    records = [
        {
            "k": k,
            "inertia": 100.0 - k,
            "silhouette": 0.1 / k,
            "calinski_harabasz": 1.0,
            "davies_bouldin": 1.0,
            "npmi_mean": v,
        }
        for k, v in ((8, 0.07), (12, 0.10), (16, 0.065), (24, 0.10))
    ]
    choice = choose_count(records, "npmi")
    assert choice["k"] == 12 and choice["chosen_by"] == "npmi" and choice["fallback"] is None
    assert choice["picks"]["npmi"] == 12 and choice["picks"]["silhouette"] == 8
    assert "NPMI" in choice["rule"] and choice["ks"] == [8, 12, 16, 24]
    # within the tolerance of the best, the smallest count wins (here 8 is within 0.03 of 0.10)
    assert choose_count(records, "npmi", tolerance=0.03)["k"] == 8
    assert choose_count(records, "npmi", tolerance=0.029)["k"] == 12
    assert choose_count(records, "npmi", tolerance=0.03)["tolerance"] == 0.03


def test_by_coherence_without_any_value_falls_back_to_ks_criteria():
    x, _ = blobs(k=4)
    records = [fit_aspects(x, k, params=PARAMS, seed=0)[2] for k in (2, 3, 4, 5, 6)]
    for r in records:
        r["npmi_mean"] = None
    choice = choose_count(records, "npmi")
    assert choice["k"] == choose_count(records, "elbow")["k"]
    assert choice["criterion"] == "npmi" and "undefined" in choice["fallback"]
    assert choice["picks"]["npmi"] is None


def test_planted_topics_are_more_coherent_than_shuffled_or_merged_ones():
    from sentclust.aspects.job import _coherence
    from sentclust.aspects.quality import per_document
    from sentclust.finegrained.counts import term_counts

    rng = np.random.default_rng(0)
    topics = [
        ["actor", "acting", "performance", "cast", "role"],
        ["music", "score", "song", "soundtrack", "composer"],
        ["effects", "visual", "camera", "shots", "cgi"],
        ["ending", "twist", "finale", "climax", "resolved"],
    ]
    rows, texts = [], []
    for r in range(120):  # each review speaks of two topics, in two segments each
        for s, t in enumerate(rng.choice(4, size=2, replace=False).repeat(2)):
            texts.append(" ".join(rng.choice(topics[t], size=3)))
            rows.append({"review_id": f"r{r}", "segment_no": s, "topic": int(t)})
    keys = pd.DataFrame(rows)
    counts, vocab = term_counts(texts, stop_words=[], min_df=1, ngram_range=(1, 1))
    by_review = per_document(counts, keys["review_id"].to_numpy())
    mean_npmi = _coherence(keys, counts, vocab, by_review, {"top_terms": 5})
    planted = mean_npmi(keys.assign(aspect=keys["topic"]), 4)
    shuffled = mean_npmi(keys.assign(aspect=rng.permutation(keys["topic"].to_numpy())), 4)
    merged = mean_npmi(keys.assign(aspect=keys["topic"] // 2), 2)
    assert planted > merged and planted > shuffled
    with pytest.raises(ValueError, match="other segments"):
        mean_npmi(keys.iloc[::-1].assign(aspect=keys["topic"].to_numpy()), 4)
