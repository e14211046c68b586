import logging
import warnings

import numpy as np
import pandas as pd
import pytest

from conftest import schema_defaults
from sentclust.wordvec import job, probe
from sentclust.wordvec import network as wordvec
from sentclust.wordvec.model import SentimentNetwork

TINY = wordvec.NetworkParams(
    max_tokens=200,
    sequence_length=12,
    ngrams=2,
    embedding_dim=8,
    hidden_units=4,
    dropout=0.0,
    learning_rate=0.05,
    batch_size=8,
    max_epochs=1,
    patience=1,
    validation_fraction=0.25,
)


def test_masked_average_ignores_padding_and_oov_and_gives_zero_for_unknown():
    emb = np.zeros((3, 4, 2), dtype="float32")
    emb[0] = [[1, 1], [3, 3], [100, 100], [100, 100]]  # ids 5, 7, then padding (0) and OOV (1)
    emb[1] = [[2, 4], [9, 9], [9, 9], [9, 9]]  # one known id
    emb[2] = [[5, 5], [5, 5], [5, 5], [5, 5]]  # only OOV and padding: zero vector
    ids = np.array([[5, 7, 0, 1], [4, 1, 0, 0], [1, 1, 0, 0]], dtype="int64")
    out = wordvec.MaskedAverage()(emb, ids).numpy()
    np.testing.assert_allclose(out, [[2, 2], [2, 4], [0, 0]])


def test_network_shapes_and_layers():
    model = wordvec.build_network(vocab_size=50, p=TINY)
    names = [layer.name for layer in model.layers]
    assert names == ["ids", "embedding", "review_vector", "dropout", "hidden", "output"]
    assert model.get_layer("embedding").output_dim == 8
    assert model.output_shape == (None, 1)
    out = model.predict(np.ones((3, TINY.sequence_length), dtype="int64") * 5, verbose=0)
    assert out.shape == (3, 1) and np.all((out > 0) & (out < 1))


def test_validation_split_is_seeded_and_disjoint():
    tr, va = wordvec.validation_split(100, 0.1, seed=3)
    assert len(va) == 10 and len(tr) == 90 and not set(tr) & set(va)
    tr2, va2 = wordvec.validation_split(100, 0.1, seed=3)
    assert (va == va2).all()
    assert not (va == wordvec.validation_split(100, 0.1, seed=4)[1]).all()


def test_params_from_config_take_every_setting_and_ignore_threads():
    cfg = {**schema_defaults("wordvec"), "embedding_dim": 12, "threads": 8}
    p = wordvec.NetworkParams.from_config(cfg)
    assert p.embedding_dim == 12 and not hasattr(p, "threads")
    assert job.params_dict(p) == {k: v for k, v in cfg.items() if k != "threads"}
    with pytest.raises(TypeError, match="missing"):  # no default of the schema restated here
        wordvec.NetworkParams.from_config({"embedding_dim": 12})


def _toy_corpus():
    pos = ["great fun film", "loved it great", "wonderful great acting", "fun and wonderful"]
    neg = ["awful boring film", "hated it awful", "boring bad acting", "bad and awful"]
    texts = np.array((pos + neg) * 4, dtype=object)
    labels = np.array(([1] * 4 + [0] * 4) * 4)
    return texts, labels


def test_train_export_and_review_vectors_roundtrip(tmp_path):
    wordvec.configure_tensorflow(1, 1)
    texts, labels = _toy_corpus()
    model, info = SentimentNetwork.fit(texts, labels, TINY, seed=1, verbose=0)
    assert info["epochs_run"] == 1 and info["n_validation"] == 8
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = SentimentNetwork.load(path)
    np.testing.assert_allclose(model.predict_proba(texts), loaded.predict_proba(texts), rtol=1e-6)
    # review vector = mean of the known word vectors (here: unigrams and bigrams)
    words, vectors = loaded.word_vectors()
    lookup = dict(zip(words, vectors, strict=True))
    v = loaded.review_vectors(np.array(["great fun", "zzz qqq"], dtype=object))
    expected = np.mean([lookup["great"], lookup["fun"], lookup["great fun"]], axis=0)
    np.testing.assert_allclose(v[0], expected, rtol=1e-5, atol=1e-7)
    assert not v[1].any(), "a review with no known word gets the zero vector"
    v2, counts = loaded.review_vectors(
        np.array(["great fun", "zzz qqq"], dtype=object), with_counts=True
    )
    assert counts.tolist() == [3, 0] and np.array_equal(v2, v)


def _frames():
    texts, labels = _toy_corpus()
    ids = [f"r{i:02d}" for i in range(len(texts))]
    split = ["train" if i % 4 else "test" for i in range(len(texts))]
    reviews = pd.DataFrame({"review_id": ids, "split": split, "label": labels})
    tokens = pd.DataFrame({"review_id": ids[::-1], "tokens": texts[::-1]})
    return reviews, tokens


def test_train_test_frames_join_and_need_both_splits():
    reviews, tokens = _frames()
    train, test = wordvec.train_test_frames(reviews, tokens)
    assert len(train) == 24 and len(test) == 8 and set(test["split"]) == {"test"}
    assert train["review_id"].tolist() == reviews["review_id"][reviews["split"] == "train"].tolist()
    row = train.iloc[0]
    assert row["tokens"] == tokens.set_index("review_id").loc[row["review_id"], "tokens"]
    with pytest.raises(ValueError, match="found train=24, test=0"):
        wordvec.train_test_frames(reviews[reviews["split"] == "train"], tokens)
    with pytest.raises(pd.errors.MergeError):
        wordvec.train_test_frames(reviews, pd.concat([tokens, tokens]))


def test_train_and_test_record_and_word_vectors_table(caplog):
    wordvec.configure_tensorflow(1, 1)
    train, test = wordvec.train_test_frames(*_frames())
    with caplog.at_level(logging.INFO, logger="sentclust"):
        model, record = job.train_and_test(train, test, TINY, 1, verbose=0)
    assert "training on 24 reviews" in caplog.text and "test: " in caplog.text
    assert list(record) == ["test", "training", "params", "seed", "versions"]
    assert record["test"]["n"] == 8 and record["training"]["epochs_run"] == 1
    assert record["params"] == job.params_dict(TINY) and record["seed"] == 1
    assert list(record["versions"]) == job.VERSIONS_OF
    table = job.word_vectors_table(model)
    words, vectors = model.word_vectors()
    assert table.column_names == ["word", "vector"] and table.num_rows == len(words)
    assert table.column("word").to_pylist() == words
    got = np.asarray(table.column("vector").combine_chunks().flatten()).reshape(vectors.shape)
    np.testing.assert_array_equal(got, vectors)


def test_vectors_summary():
    ids = pd.Series(["a", "b", "c", "d"], index=[10, 11, 12, 13])
    known = np.array([0, 3, 0, 5])
    s = job.vectors_summary(ids, np.zeros((4, 6), dtype=np.float32), known)
    assert list(s) == [
        "kind",
        "supervision",
        "n_reviews",
        "dimensions",
        "zero_vector_reviews",
        "zero_vector_review_ids",
        "known_tokens_per_review",
    ]
    assert s["kind"] == "wordvec" and s["n_reviews"] == 4 and s["dimensions"] == 6
    assert s["zero_vector_reviews"] == 2 and s["zero_vector_review_ids"] == ["a", "c"]
    assert s["known_tokens_per_review"] == {"min": 0, "median": 1.5, "max": 5}
    many = job.vectors_summary([f"r{i}" for i in range(150)], np.zeros((150, 2)), np.zeros(150))
    assert many["zero_vector_reviews"] == 150 and len(many["zero_vector_review_ids"]) == 100


def test_linear_probe_separable_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5))
    y = (x[:, 0] > 0).astype(int)
    r = probe.linear_probe(x[:100], y[:100], x[100:], y[100:])
    assert r["accuracy"] > 0.9 and r["n_test"] == 100
    with pytest.raises(ValueError, match="both labels"):
        probe.linear_probe(x[:10], np.zeros(10), x, y)


def test_short_text_prediction_equals_the_padded_network():
    wordvec.configure_tensorflow(1, 1)
    texts, labels = _toy_corpus()
    model, _ = SentimentNetwork.fit(texts, labels, TINY, seed=2, verbose=0)
    short = np.array(["great", "awful boring", "zzz", "", "great fun film and wonderful acting"])
    np.testing.assert_allclose(
        model.predict_proba_short(short, batch_size=2), model.predict_proba(short), atol=1e-6
    )
    # logits far past exp's range (a confident network on a long segment): 0 or 1, no warning
    w2, b2 = model.network.get_layer("output").get_weights()
    model.network.get_layer("output").set_weights([w2 * 1e6, b2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = model.predict_proba_short(short, batch_size=2)
    assert np.all((p >= 0) & (p <= 1)) and np.isin(p, [0.0, 1.0]).any()
