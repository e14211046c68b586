"""Naming aspects on a planted corpus: acting segments and music segments, separated by K-means
on their word-count vectors and named by their words."""

import numpy as np

from sentclust.aspects.fit import fit_aspects
from sentclust.aspects.naming import aspect_name, aspect_terms, polar_share, typical_segments
from sentclust.finegrained.counts import term_counts

PARAMS = dict(backend="sklearn", n_init=3, max_iter=100, tol=1e-4, screen_sample=0, refine=1)
ACTING = ["acting superb", "actor acting wooden", "cast acting great", "acting actor cast"]
MUSIC = ["music score lovely", "soundtrack music loud", "score music song", "song soundtrack"]


def corpus():
    from sklearn.feature_extraction.text import CountVectorizer

    texts = (ACTING + MUSIC) * 5
    x = CountVectorizer().fit_transform(texts).toarray().astype(np.float32)
    return texts, x


def test_acting_and_music_segments_are_separated_and_named_by_their_words():
    texts, x = corpus()
    model, aspects, _ = fit_aspects(x, 2, params=PARAMS, seed=0)
    topic = np.array([t in ACTING for t in texts])
    assert len(set(aspects[topic])) == 1 and len(set(aspects[~topic])) == 1
    counts, vocab = term_counts(texts, stop_words=[], min_df=1)
    terms = aspect_terms(counts, vocab, aspects, top_n=3)
    acting, music = int(aspects[topic][0]), int(aspects[~topic][0])
    assert terms[acting][0] == "acting" and "music" in terms[music][:2]
    assert "acting" in aspect_name(terms[acting])
    _, distance, _ = model.assign(x)
    typical = typical_segments(distance, aspects, 2, n=2)
    assert all(texts[r] in ACTING for r in typical[acting])
    assert all(texts[r] in MUSIC for r in typical[music])


def test_an_aspect_of_neutral_segments_is_kept_with_a_low_polar_share():
    share = polar_share([0, 0, 0, 1, 1, 1], [1, -1, 1, 0, 0, 1], 3)
    assert share[0] == 1.0 and share[1] == 1 / 3 and np.isnan(share[2])
    assert aspect_name([]) == "aspect"
