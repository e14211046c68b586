"""The seed's example ("The location was truly disgusting ... but the people there were
glorious.") through the real pieces: the segment splitter, a network trained with
sentclust.wordvec on review labels only, thresholds fitted on held-out train segments, the
per-text polarity. The corpus is a toy one (the network trains in seconds); what the full
IMDB data gives is in the closing note of issue 14 and in a full run's report."""

import numpy as np
import pytest

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
