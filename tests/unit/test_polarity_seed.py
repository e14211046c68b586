"""The seed's example ("The location was truly disgusting ... but the people there were
glorious.") through the real pieces: the segment splitter, a network trained with
sentclust.wordvec on review labels only, thresholds fitted on held-out train segments, the
per-text polarity. The corpus is a toy one (the network trains in seconds); what the full
IMDB data gives is in the closing note of issue 14 and in a full run's report."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import schema_defaults
from sentclust.polarity import contract
from sentclust.polarity import job as pj
from sentclust.polarity import scoring as pol
from sentclust.polarity import segments as seg
from sentclust.polarity.scorers import SegmentScorers
from sentclust.polarity.thresholds import fit_thresholds
from sentclust.wordvec import network as wordvec
from sentclust.wordvec.model import SentimentNetwork

SEED = "The location was truly disgusting ... but the people there were glorious."
#: the segmentation of these texts (config segments: the schema's defaults, but for markers)
SEGMENTS = {"splitter": "punkt", "markers": ["but", "however", ";"], "min_words": 2}

NET = wordvec.NetworkParams(
    max_tokens=500,
    sequence_length=40,
    ngrams=1,
    embedding_dim=8,
    hidden_units=8,
    dropout=0.0,
    learning_rate=0.05,
    batch_size=16,
    max_epochs=30,
    patience=30,
    validation_fraction=0.25,
)

POSITIVE = [
    "the people there were glorious .",
    "a glorious and wonderful film .",
    "the acting was wonderful and the story glorious .",
    "truly wonderful , the location was lovely .",
]
NEGATIVE = [
    "the location was truly disgusting .",
    "a disgusting and awful film .",
    "the acting was awful and the story disgusting .",
    "truly awful , the people there were dull .",
]


def _reviews(rng, n):
    """Reviews of three sentences: two of the review's side, one neutral."""
    texts, labels = [], []
    for i in range(n):
        side = POSITIVE if i % 2 else NEGATIVE
        picks = rng.choice(len(side), size=2)
        texts.append(" ".join([side[picks[0]], "it was a film .", side[picks[1]]]))
        labels.append(i % 2)
    return np.array(texts, dtype=object), np.array(labels)


@pytest.fixture(scope="module")
def trained():
    wordvec.configure_tensorflow(1, 1)
    rng = np.random.default_rng(0)
    texts, labels = _reviews(rng, 160)
    model, _ = SentimentNetwork.fit(texts, labels, NET, seed=3, verbose=0)
    # thresholds from the segments of held-out train reviews (not in the network's fit)
    held_texts, held_labels = _reviews(rng, 80)
    spans = [seg.segment_review(t, **SEGMENTS) for t in held_texts]
    seg_texts = [t[a:b] for t, sp in zip(held_texts, spans, strict=True) for a, b, _ in sp]
    seg_labels = np.repeat(held_labels, [len(sp) for sp in spans])
    scores = pol.wordvec_scores(model, seg_texts, lowercase=True)
    thresholds, _ = fit_thresholds(scores, seg_labels, confidence=0.8)
    return model, SegmentScorers(primary="wordvec", thresholds={"wordvec": thresholds})


def test_the_seed_example_holds_a_negative_and_a_positive_segment(trained):
    model, scorers = trained
    spans = [seg.segment_review(SEED, **SEGMENTS)]
    (item,) = pj.explain_text_polarity(
        [SEED], segment_spans=spans, network=model, lowercase=True, scorers=scorers
    )
    assert [s["text"] for s in item["segments"]] == [
        "The location was truly disgusting ...",
        "but the people there were glorious.",
    ]
    assert [s["label"] for s in item["segments"]] == [contract.NEGATIVE, contract.POSITIVE]
    assert item["dual_polarity"]


def test_a_one_sided_text_has_no_dual_polarity(trained):
    model, scorers = trained
    text = "A glorious film. The people there were wonderful."
    spans = [seg.segment_review(text, **SEGMENTS)]
    (item,) = pj.explain_text_polarity(
        [text], segment_spans=spans, network=model, lowercase=True, scorers=scorers
    )
    assert {s["label"] for s in item["segments"]} == {contract.POSITIVE}
    assert not item["dual_polarity"]


# --------------------------------------------------------------------------- the polarity model


def _corpus(rng, n_train, n_test):
    """The toy reviews as the polarity stage gets them: segments, and the reviews' split,
    label and rating (10 or 1)."""
    texts, labels = _reviews(rng, n_train + n_test)
    ids = [f"r{i}" for i in range(len(texts))]
    rows = [
        (rid, j, t[a:b])
        for rid, t in zip(ids, texts, strict=True)
        for j, (a, b, _) in enumerate(seg.segment_review(t, **SEGMENTS))
    ]
    segments = pd.DataFrame(rows, columns=["review_id", "segment_no", "text"])
    meta = pd.DataFrame(
        {
            "review_id": ids,
            "split": ["train"] * n_train + ["test"] * n_test,
            "label": labels,
            "rating": np.where(labels == 1, 10, 1),
        }
    )
    return segments, meta


def _fit_mil(network, segments, meta):
    """Rules polarity_model then score_segments: (the segment scores, the scorers)."""
    polarity = schema_defaults("polarity") | {"scorer": "mil", "confidence": 0.8}
    polarity["mil"] = polarity["mil"] | {"hidden": 8, "attention": 8, "learning_rate": 0.01}
    common = {"validation_fraction": 0.25, "lowercase": True, "seed": 0, "threads": 1}
    mil = pj.fit_polarity_model(
        segments, meta, network=network, bert_segment_files=None, polarity=polarity, **common
    )
    return pj.score_segments(
        segments,
        meta,
        network=network,
        bert=None,
        bert_segment_files=None,
        polarity=polarity,
        probe={},
        mil=mil,
        **common,
    )


@pytest.fixture(scope="module")
def trained_mil(trained):
    network, _ = trained
    segments, meta = _corpus(np.random.default_rng(5), 240, 40)
    table, scorers = _fit_mil(network, segments, meta)
    return network, scorers, segments, meta, table


def test_the_polarity_model_finds_both_sides_of_the_seed_example(trained_mil):
    network, scorers, *_ = trained_mil
    assert scorers.primary == "mil" and scorers.mil.fit_info["target"] == "rating"
    spans = [seg.segment_review(SEED, **SEGMENTS)]
    (item,) = pj.explain_text_polarity(
        [SEED], segment_spans=spans, network=network, lowercase=True, scorers=scorers
    )
    assert [s["label"] for s in item["segments"]] == [contract.NEGATIVE, contract.POSITIVE]
    assert item["dual_polarity"]
    assert {"score_wordvec", "score_mil"} <= set(item["segments"][0])


def test_the_polarity_model_gives_segments_without_opinion_little_attention(trained_mil):
    """The sentence every review shares ("it was a film .") gets a small share of attention:
    its attention-weighted polarity (polarity.mil.score: attention) is a small fraction of an
    opinion's."""
    network, scorers, segments, _, _ = trained_mil
    texts = segments["text"].tolist()
    sizes = segments.groupby("review_id", sort=False).size().to_numpy()
    attention = replace(scorers, mil_score="attention")
    got = attention.score(texts, network=network, lowercase=True, min_coverage=0, sizes=sizes)
    score = pd.Series(np.abs(got["mil"]), index=texts)
    plain = score.loc[["it was a film ."]]
    opinions = score.drop("it was a film .")
    assert plain.max() < 0.1 * opinions.median()


def test_the_polarity_model_fits_on_train_reviews_only(trained_mil):
    """Test reviews with other ratings, labels and texts leave the model, its thresholds and
    every train segment's score as they were."""
    network, scorers, segments, meta, table = trained_mil
    test_ids = set(meta.loc[meta["split"] == "test", "review_id"])
    changed = meta.assign(
        label=np.where(meta["review_id"].isin(test_ids), 1 - meta["label"], meta["label"]),
        rating=np.where(meta["review_id"].isin(test_ids), 5, meta["rating"]),
    )
    is_test = segments["review_id"].isin(test_ids)
    other_texts = segments.assign(text=segments["text"].where(~is_test, "a glorious film ."))
    table2, scorers2 = _fit_mil(network, other_texts, changed)
    for name, w in scorers.mil.weights.items():
        np.testing.assert_array_equal(w, scorers2.mil.weights[name])
    assert scorers.thresholds["mil"] == scorers2.thresholds["mil"]
    train = ~is_test.to_numpy()
    np.testing.assert_array_equal(
        table.column("score_mil").to_numpy()[train], table2.column("score_mil").to_numpy()[train]
    )


def test_the_polarity_model_is_saved_with_the_scorers(trained_mil):
    import json

    network, scorers, segments, *_ = trained_mil
    again = SegmentScorers.from_dict(json.loads(json.dumps(scorers.to_dict())))
    texts = segments["text"].tolist()[:12]
    sizes = [3, 3, 3, 3]
    a = scorers.score(texts, network=network, lowercase=True, min_coverage=0, sizes=sizes)
    b = again.score(texts, network=network, lowercase=True, min_coverage=0, sizes=sizes)
    np.testing.assert_array_equal(a["mil"], b["mil"])
    with pytest.raises(ValueError, match="segment count"):
        scorers.score(texts, network=network, lowercase=True, min_coverage=0)


def test_the_development_file_is_read_by_no_workflow_code():
    """SPOT's development half is for choosing only: no rule, script or config names it."""
    root = Path(__file__).resolve().parents[2]
    files = [*root.glob("workflow_scripts/**/*.py"), *root.glob("rules/*.smk"), root / "Snakefile"]
    files += [*root.glob("config/*.yaml")]
    assert files
    assert not [f for f in files if "spot-imdb" in f.read_text()]
