import json
import logging

import numpy as np
import pandas as pd
import pytest

from conftest import assert_png
from sentclust.wordvec import explain


def _great_is_positive(texts):
    return np.array([0.9 if "great" in t else 0.1 for t in texts])


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


def _reviews_and_prepared():
    reviews = pd.DataFrame(
        {
            "review_id": ["a", "b", "c", "t1"],
            "split": ["test", "test", "test", "train"],
            "text": ["x"] * 4,
            "label": [1, 0, 1, 1],
            "rating": pd.array([9, 2, None, 8], dtype="Int8"),
        }
    )
    prepared = pd.DataFrame(
        {
            "review_id": ["t1", "c", "b", "a"],
            "clean_text": ["Train.", "Not great?", "Awful.", "Great!"],
            "tokens": ["train .", "not great ?", "awful .", "great !"],
        }
    )
    return reviews, prepared


def test_review_items_score_the_test_split_and_keep_the_json_order():
    reviews, prepared = _reviews_and_prepared()
    seen = []

    def predict(tokens):
        seen.append(list(tokens))
        return _great_is_positive(tokens)

    counts = {"confident_positive": 1, "confident_negative": 1, "uncertain": 1}
    items = explain.review_items(reviews, prepared, predict, counts)
    assert seen == [["great !", "awful .", "not great ?"]], "test reviews only, scored once"
    assert [i["review_id"] for i in items] == ["a", "b", "c"]
    assert list(items[0]) == [
        "source",
        "category",
        "review_id",
        "label",
        "rating",
        "p_positive",
        "text",
        "tokens",
    ]
    assert items[0] == {
        "source": "test review",
        "category": "confident_positive",
        "review_id": "a",
        "label": 1,
        "rating": 9,
        "p_positive": pytest.approx(0.9),
        "text": "Great!",
        "tokens": "great !",
    }
    assert items[2]["rating"] is None and items[2]["category"] == "uncertain"
    assert all(isinstance(i["p_positive"], float) for i in items)


def test_review_items_reject_duplicate_prepared_rows():
    reviews, prepared = _reviews_and_prepared()
    with pytest.raises(pd.errors.MergeError):
        explain.review_items(
            reviews, pd.concat([prepared, prepared]), _great_is_positive, {"uncertain": 1}
        )


def _half_when_empty(texts):
    """P(positive): 0.5 for a text without tokens (the network's bias alone), else by "great"."""
    return np.array([0.5 if not t.split() else 0.9 if "great" in t else 0.1 for t in texts])


def test_review_items_never_pick_a_review_without_tokens(tmp_path):
    """A review that was only markup prepares to no tokens; scored 0.5 it was the most
    "uncertain" review, and LIME then failed inside its sampler. It is never picked now."""
    reviews, prepared = _reviews_and_prepared()
    reviews = pd.concat(
        [reviews, reviews.iloc[[0]].assign(review_id="m", rating=pd.NA)], ignore_index=True
    )
    markup = pd.DataFrame({"review_id": ["m"], "clean_text": [""], "tokens": [""]})
    prepared = pd.concat([prepared, markup], ignore_index=True)
    items = explain.review_items(reviews, prepared, _half_when_empty, {"uncertain": 1})
    assert [(i["review_id"], i["category"]) for i in items] == [("a", "uncertain")]
    figs, pages = tmp_path / "figures", tmp_path / "html"
    figs.mkdir()
    pages.mkdir()
    fn = explain.batched(_half_when_empty, 32)
    explain.explain_items(items, fn, figs, pages, {"num_samples": 30, "num_features": 2}, seed=1)
    assert all(i["weights"] for i in items)


def test_a_config_text_without_tokens_is_a_clear_error():
    with pytest.raises(ValueError, match=r"explain.texts\[1\] = '<br /><br />' has no words"):
        explain.text_items(
            ["A great film", "<br /><br />"], _half_when_empty, unicode_form="NFKC", lowercase=True
        )


def test_lime_is_never_asked_to_explain_no_tokens():
    fn = explain.batched(_half_when_empty, 32)
    for tokens in ("", "   "):
        with pytest.raises(ValueError, match="has none once prepared"):
            explain.explain_one(tokens, fn, num_samples=30, num_features=2, seed=1)


def test_text_items_prepare_the_config_texts():
    items = explain.text_items(
        ["Truly <br />GREAT film", "Bad."], _great_is_positive, unicode_form="NFKC", lowercase=True
    )
    assert [i["tokens"] for i in items] == ["truly great film", "bad ."]
    assert items[0]["text"] == "Truly GREAT film" and items[0]["p_positive"] == 0.9
    assert items[1]["source"] == "config text" and items[1]["category"] == "user text"
    assert items[1]["review_id"] is None and items[1]["label"] is None
    keep_case = explain.text_items(["GREAT"], _great_is_positive, unicode_form="", lowercase=False)
    assert keep_case[0]["tokens"] == "GREAT" and keep_case[0]["p_positive"] == 0.1


def test_item_name():
    assert explain.item_name(3, {"category": "user text"}) == "03_user_text"
    assert explain.item_name(12, {"category": "uncertain"}) == "12_uncertain"


def test_explain_items_write_figures_pages_and_fill_the_items(tmp_path, caplog):
    items = explain.text_items(
        ["a great film", "a dull film"], _great_is_positive, unicode_form="NFKC", lowercase=True
    )
    figs, pages = tmp_path / "figures", tmp_path / "html"
    figs.mkdir()
    pages.mkdir()
    cfg = {"num_samples": 60, "num_features": 3}
    fn = explain.batched(_great_is_positive, 32)
    with caplog.at_level(logging.INFO, logger="sentclust"):
        explain.explain_items(items, fn, figs, pages, cfg, seed=1)
    assert "explained 00_user_text" in caplog.text
    assert items[0]["figure"] == "figures/00_user_text.png"
    assert items[1]["html"] == "html/01_user_text.html"
    assert list(items[0])[-4:] == ["seconds", "weights", "figure", "html"]
    assert items[0]["weights"][0][0] == "great" and len(items[0]["weights"]) <= 3
    for item in items:
        assert_png(tmp_path / item["figure"])
        assert "<html" in (tmp_path / item["html"]).read_text()
    again = explain.text_items(
        ["a great film"], _great_is_positive, unicode_form="", lowercase=True
    )
    explain.explain_items(again, fn, figs, pages, cfg, seed=1)
    assert again[0]["weights"] == items[0]["weights"], "seeded: the same weights"


def test_explanations_record():
    items = [{"source": "config text"}]
    record = explain.explanations_record(items, {"num_samples": 9, "num_features": 2}, 4)
    assert list(record) == [
        "model",
        "num_samples",
        "num_features",
        "seed",
        "versions",
        "explanations",
    ]
    assert record["model"] == "wordvec network" and record["seed"] == 4
    assert record["num_samples"] == 9 and record["explanations"] is items
    assert list(record["versions"]) == explain.VERSIONS_OF
    json.dumps(record)


def test_weight_figure_is_a_png(tmp_path):
    path = tmp_path / "w.png"
    explain.weight_figure([("great", 0.4), ("dull", -0.3)], "a title", str(path))
    assert_png(path)
    explain.weight_figure([], "no words", str(tmp_path / "empty.png"))
    assert_png(tmp_path / "empty.png")
