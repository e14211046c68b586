import numpy as np
import pandas as pd
import pytest

from sentclust import explain, probe, wordvec
from sentclust.files import embeddings_table, read_embeddings, write_parquet

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


def test_params_from_config_ignores_threads():
    p = wordvec.NetworkParams.from_config({"embedding_dim": 12, "threads": 8})
    assert p.embedding_dim == 12 and not hasattr(p, "threads")


def _toy_corpus():
    pos = ["great fun film", "loved it great", "wonderful great acting", "fun and wonderful"]
    neg = ["awful boring film", "hated it awful", "boring bad acting", "bad and awful"]
    texts = np.array((pos + neg) * 4, dtype=object)
    labels = np.array(([1] * 4 + [0] * 4) * 4)
    return texts, labels


def test_train_export_and_review_vectors_roundtrip(tmp_path):
    wordvec.configure_tensorflow(1, 1)
    texts, labels = _toy_corpus()
    vec, net, info = wordvec.train(texts, labels, TINY, seed=1, verbose=0)
    assert info["epochs_run"] == 1 and info["n_validation"] == 8
    model = wordvec.export_model(vec, net)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = wordvec.load_model(str(path))
    np.testing.assert_allclose(
        wordvec.predict_proba(model, texts), wordvec.predict_proba(loaded, texts), rtol=1e-6
    )
    # review vector = mean of the known word vectors (here: unigrams and bigrams)
    words, vectors = wordvec.word_vectors(loaded)
    lookup = dict(zip(words, vectors, strict=True))
    v = wordvec.review_vectors(loaded, np.array(["great fun", "zzz qqq"], dtype=object))
    expected = np.mean([lookup["great"], lookup["fun"], lookup["great fun"]], axis=0)
    np.testing.assert_allclose(v[0], expected, rtol=1e-5, atol=1e-7)
    assert not v[1].any(), "a review with no known word gets the zero vector"
    counts = wordvec.known_token_counts(loaded, np.array(["great fun", "zzz qqq"], dtype=object))
    assert counts.tolist() == [3, 0]


def test_select_examples_by_rule():
    pred = pd.DataFrame(
        {
            "review_id": ["a", "b", "c", "d", "e", "f"],
            "label": [1, 1, 0, 0, 1, 0],
            "p": [0.99, 0.60, 0.02, 0.45, 0.10, 0.97],
        }
    )
    counts = {"confident_positive": 1, "confident_negative": 1, "uncertain": 1, "misclassified": 2}
    out = explain.select_examples(pred, counts)
    assert out["review_id"].tolist() == ["a", "c", "d", "f", "e"]
    assert out["category"].tolist() == [
        "confident_positive",
        "confident_negative",
        "uncertain",
        "misclassified",
        "misclassified",
    ]
    # 'b' (p=0.60) is uncertain too but d (0.45) is nearer 0.5; a review is never chosen twice
    assert out["review_id"].is_unique


def test_select_examples_ties_are_deterministic_and_unknown_category_fails():
    pred = pd.DataFrame({"review_id": ["z", "y", "x"], "label": [1, 1, 1], "p": [0.9] * 3})
    out = explain.select_examples(pred, {"confident_positive": 2})
    assert out["review_id"].tolist() == ["x", "y"]
    with pytest.raises(ValueError, match="unknown explain categories"):
        explain.select_examples(pred, {"funniest": 1})


def test_lime_is_seeded_and_batched():
    calls = []

    def predict(texts):
        calls.append(len(texts))
        return np.array([0.9 if "great" in t else 0.1 for t in texts])

    fn = explain.batched(predict, batch_size=100)
    kw = dict(num_samples=500, num_features=3, seed=7)
    w1 = explain.weights_of(explain.explain_one("a great film , not bad", fn, **kw))
    w2 = explain.weights_of(explain.explain_one("a great film , not bad", fn, **kw))
    assert w1 == w2
    assert w1[0][0] == "great" and w1[0][1] > 0.5
    assert max(calls) <= 100


def test_lime_html_cannot_run_review_markup():
    def predict(texts):
        return np.array([0.8 if "</script>" in t else 0.3 for t in texts])

    tokens = "</script><script>alert(1)</script> <img src=x onerror=alert(2)> fine"
    exp = explain.explain_one(
        tokens, explain.batched(predict, 64), num_samples=50, num_features=3, seed=0
    )
    page = explain.safe_lime_html(exp.as_html())
    data = page[page.rindex("<script>") :]
    assert "<script>alert" not in page
    assert "<img" not in data and data.count("</script>") == 1


def test_highlight_html_escapes_text():
    out = explain.highlight_html("<b>great</b> & bad", [("bad", -0.2), ("<b>great</b>", 0.5)])
    assert "<b>" not in out and "&lt;b&gt;great&lt;/b&gt;" in out and "&amp;" in out
    assert out.count("<mark") == 2


def test_embeddings_contract_roundtrip(tmp_path):
    x = np.arange(12, dtype=np.float64).reshape(3, 4)
    write_parquet(embeddings_table(["r1", "r2", "r3"], x), tmp_path / "e.parquet")
    ids, y = read_embeddings(tmp_path / "e.parquet")
    assert ids.tolist() == ["r1", "r2", "r3"] and y.dtype == np.float32
    np.testing.assert_array_equal(y, x.astype(np.float32))


def test_linear_probe_separable_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5))
    y = (x[:, 0] > 0).astype(int)
    r = probe.linear_probe(x[:100], y[:100], x[100:], y[100:])
    assert r["accuracy"] > 0.9 and r["n_test"] == 100
    with pytest.raises(ValueError, match="both labels"):
        probe.linear_probe(x[:10], np.zeros(10), x, y)
