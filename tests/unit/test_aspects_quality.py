"""Stability (ARI across seeds) and top-term coherence (NPMI) of the aspects."""

import pytest

from sentclust.aspects.quality import npmi, stability_ari


def test_stability_is_one_for_the_same_split_under_other_ids_and_low_for_a_shuffle():
    assert stability_ari([0, 0, 1, 1, 2, 2], [2, 2, 0, 0, 1, 1]) == 1.0
    assert stability_ari([0, 0, 1, 1, 2, 2], [0, 1, 2, 0, 1, 2]) < 0
    with pytest.raises(ValueError, match="differ in length"):
        stability_ari([0, 1], [0])


def test_npmi_of_terms_always_together_never_together_and_independent():
    docs = ["acting actor", "acting actor", "music score", "music score"]
    assert npmi(["acting", "actor"], docs) == pytest.approx(1.0)
    assert npmi(["acting", "music"], docs) == -1.0
    indep = ["a b", "a", "b", "c"]  # p(a)=p(b)=1/2, p(ab)=1/4: independent
    assert npmi(["a", "b"], indep) == pytest.approx(0.0)
    assert npmi(["acting", "nowhere"], docs) is None


def test_segments_summed_per_review_count_a_pair_that_meets_in_one_review():
    from sklearn.feature_extraction.text import CountVectorizer

    from sentclust.aspects.quality import npmi_from_counts, per_document

    segments = ["actor", "actress", "music", "song", "actor", "actress"]
    reviews = ["a", "a", "b", "b", "c", "c"]
    vec = CountVectorizer()
    counts = vec.fit_transform(segments)
    vocab = vec.get_feature_names_out()
    assert npmi_from_counts(counts, vocab, ["actor", "actress"]) == -1.0  # never one segment
    by_review = per_document(counts, reviews)
    assert by_review.shape == (3, 4)
    assert npmi_from_counts(by_review, vocab, ["actor", "actress"]) == pytest.approx(1.0)
