import json

import numpy as np
import pytest
from cluster_data import planted_corpus

from sentclust import terms as tm

# --------------------------------------------------------------------------- terms


def test_stop_words_says_its_source():
    words, source = tm.stop_words()
    assert source in {"nltk", "scikit-learn"}
    assert "the" in words and "and" in words


def test_ctfidf_formula():
    from scipy import sparse

    counts = sparse.csr_matrix(np.array([[2, 0, 1], [0, 1, 1], [0, 3, 1]]))
    classes, w = tm.ctfidf(counts, [0, 1, 1])
    assert classes.tolist() == [0, 1]
    per_class = np.array([[2, 0, 1], [0, 4, 2]], dtype=float)
    tf = per_class / per_class.sum(axis=1, keepdims=True)
    idf = np.log(1 + per_class.sum() / 2 / per_class.sum(axis=0))
    np.testing.assert_allclose(w, tf * idf)


def test_distinctive_terms_find_planted_terms():
    texts, clusters, _ = planted_corpus(n_per=30, seed=0)
    terms = tm.distinctive_terms(texts, clusters, top_n=3, min_df=2)
    assert set(terms) == {1, 2, 4}
    assert {"dreadful", "waste", "waste money"} <= set(
        tm.distinctive_terms(texts, clusters, top_n=6, min_df=2)[4]
    )
    assert terms[4][0] in {"dreadful", "waste", "money", "waste money"}
    assert terms[1][0] in {"masterpiece", "wonderful"}
    assert not {"the", "and", "of"} & {t for ts in terms.values() for t in ts}  # stop words


def test_distinctive_terms_errors_and_max_df():
    with pytest.raises(ValueError, match="2 texts but 3"):
        tm.distinctive_terms(["a b", "c d"], [0, 1, 1])
    with pytest.raises(ValueError, match="lower min_df"):
        tm.distinctive_terms(["alpha beta", "gamma delta"], [0, 1], min_df=5)
    texts = [f"common rare{i % 2}" for i in range(10)]
    out = tm.distinctive_terms(texts, np.arange(10) % 2, top_n=5, min_df=1, max_df=0.9)
    assert "common" not in out[0] and "rare0" in out[0]
    assert "common" in tm.distinctive_terms(texts, np.arange(10) % 2, top_n=5, min_df=1)[0]


def test_counts_once_then_terms_match_distinctive_terms():
    texts, clusters, _ = planted_corpus()
    counts, vocab = tm.term_counts(texts, min_df=2, max_df=0.9)
    assert counts.format == "csr" and counts.dtype == np.int32
    assert counts.shape == (60, len(vocab)) and list(vocab) == sorted(vocab)
    assert "waste money" in set(vocab) and "the" not in set(vocab)
    for k_clusters in (clusters, np.arange(60) % 5, np.zeros(60, dtype=int)):
        for top_n in (1, 3, 10):
            expected = tm.distinctive_terms(texts, k_clusters, top_n=top_n, min_df=2, max_df=0.9)
            assert tm.terms_from_counts(counts, vocab, k_clusters, top_n=top_n) == expected
    with pytest.raises(ValueError, match="60 count rows but 3 cluster ids"):
        tm.terms_from_counts(counts, vocab, [0, 1, 2])
    with pytest.raises(ValueError, match="count columns"):
        tm.terms_from_counts(counts, vocab[1:], clusters)
    with pytest.raises(ValueError, match="lower min_df"):
        tm.term_counts(["alpha beta", "gamma delta"], min_df=5)


def test_align_counts_reorders_rows_by_review_id():
    texts, clusters, ids = planted_corpus()
    counts, vocab = tm.term_counts(texts, min_df=2)
    perm = np.random.default_rng(0).permutation(60)
    aligned = tm.align_counts(counts, ids, ids[perm])
    np.testing.assert_array_equal(aligned.toarray(), counts.toarray()[perm])
    # the same terms as counting the texts in the other order
    shuffled = [texts[i] for i in perm]
    assert tm.terms_from_counts(aligned, vocab, clusters[perm], top_n=4) == (
        tm.distinctive_terms(shuffled, clusters[perm], top_n=4, min_df=2)
    )
    assert (tm.align_counts(counts, ids, list(ids)) != counts).nnz == 0


def test_align_counts_mismatched_ids_raise():
    texts, _, ids = planted_corpus()
    counts, _ = tm.term_counts(texts, min_df=2)
    with pytest.raises(ValueError, match=r"1 missing, 1 extra \(first: zz\).*rerun"):
        tm.align_counts(counts, ids, np.r_[ids[:-1], ["zz"]], what="the assignments for k=3")
    with pytest.raises(ValueError, match="assignments for k=3 .59.: 0 missing, 1 extra"):
        tm.align_counts(counts, ids, ids[1:], what="the assignments for k=3")
    with pytest.raises(ValueError, match="duplicate review ids"):
        tm.align_counts(counts, ids, np.r_[ids[:1], ids[:-1]])  # 60 ids, r00 twice
    with pytest.raises(ValueError, match="10 count row ids but 60 count rows"):
        tm.align_counts(counts, ids[:10], ids)


def test_term_counts_files_round_trip(tmp_path):
    import pyarrow.parquet as pq

    texts, _, ids = planted_corpus()
    counts, vocab = tm.term_counts(texts, min_df=2)
    paths = {
        "counts_path": tmp_path / "term_counts.npz",
        "vocab_path": tmp_path / "term_counts_vocab.parquet",
        "rows_path": tmp_path / "term_counts_rows.parquet",
    }
    tm.write_term_counts(counts, vocab, ids, about={"stop_words": "nltk", "min_df": 2}, **paths)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths.values())
    assert pq.read_schema(paths["vocab_path"]).names == ["term"]
    assert pq.read_schema(paths["rows_path"]).names == ["review_id"]
    back, back_vocab, back_ids, about = tm.read_term_counts(*paths.values())
    assert back.format == "csr" and back.dtype == np.int32
    assert (back != counts).nnz == 0
    assert back_vocab.tolist() == vocab.tolist() and back_ids.tolist() == ids.tolist()
    assert about == {"stop_words": "nltk", "min_df": 2}
    with pytest.raises(ValueError, match="20 reviews and"):
        tm.write_term_counts(counts, vocab, ids[:20], about={}, **paths)


def test_count_terms_records_how_it_counted(tmp_path):
    texts, _, ids = planted_corpus()
    counts, vocab, about = tm.count_terms(texts, min_df=2, max_df=0.9)
    expected, expected_vocab = tm.term_counts(
        texts, stop_words=tm.stop_words()[0], min_df=2, max_df=0.9
    )
    assert (counts != expected).nnz == 0 and vocab.tolist() == expected_vocab.tolist()
    assert about == {
        "stop_words": tm.stop_words()[1],
        "min_df": 2,
        "max_df": 0.9,
        "ngram_range": [1, 2],
    }
    assert list(tm.NGRAM_RANGE) == about["ngram_range"]
    paths = [tmp_path / "c.npz", tmp_path / "v.parquet", tmp_path / "r.parquet"]
    tm.write_term_counts(
        counts,
        vocab,
        ids,
        about=about,
        **dict(zip(["counts_path", "vocab_path", "rows_path"], paths, strict=True)),
    )
    assert tm.read_term_counts(*paths)[3] == json.loads(json.dumps(about))
