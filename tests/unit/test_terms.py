import json

import numpy as np
import pytest
import yaml
from cluster_data import planted_corpus

from conftest import ROOT, full_config
from sentclust.finegrained import counts as cm
from sentclust.finegrained import job as fs
from sentclust.finegrained import terms as tm
from sentclust.finegrained import weights as wt

#: scikit-learn's stop words without the kept ones (config finegrained.stop_words: sklearn)
STOP = tm.term_stop_words(tm.stop_words("sklearn")[0])
#: the settings these tests describe clusters with unless they say otherwise
TERMS = {"top_n": 10, "stop_words": STOP, "min_df": 5, "weighting": "log_odds"}


def distinctive(texts, clusters, **kw):
    return wt.distinctive_terms(texts, clusters, **(TERMS | kw))


def top_terms(counts, vocab, clusters, **kw):
    return wt.terms_from_counts(
        counts, vocab, clusters, **({"top_n": 10, "weighting": "log_odds"} | kw)
    )


def count(texts, **kw):
    return cm.term_counts(texts, **({"stop_words": STOP, "min_df": 5} | kw))


# --------------------------------------------------------------------------- terms


def test_stop_words_says_its_source():
    words, source = tm.stop_words("sklearn")
    assert source == "sklearn"
    assert "the" in words and "and" in words


def _nltk_stopwords(monkeypatch, data_dir, words=None):
    """A fresh NLTK ``stopwords`` loader reading ``data_dir`` only (with an English list of
    ``words`` when given), restored after the test."""
    import nltk
    from nltk.corpus.reader import WordListCorpusReader
    from nltk.corpus.util import LazyCorpusLoader

    if words is not None:
        folder = data_dir / "corpora" / "stopwords"
        folder.mkdir(parents=True)
        (folder / "english").write_text("\n".join(words) + "\n")
    monkeypatch.setattr(nltk.data, "path", [str(data_dir)])
    loader = LazyCorpusLoader("stopwords", WordListCorpusReader, r"(?!README|\.).*")
    monkeypatch.setattr(nltk.corpus, "stopwords", loader)


def test_stop_words_come_from_the_config_not_from_what_is_installed(monkeypatch, tmp_path):
    """With NLTK's data installed, scikit-learn's list is still scikit-learn's (the schema's
    default, test_stop_words_config_is_explicit): the terms do not change with the machine;
    NLTK's list only when asked for."""
    _nltk_stopwords(monkeypatch, tmp_path, ["the", "zzz", "don't"])
    sklearn_words, source = tm.stop_words("sklearn")
    assert source == "sklearn" and "zzz" not in sklearn_words and "the" in sklearn_words
    assert tm.stop_words("nltk") == (["don't", "the", "zzz"], "nltk")
    texts = ["zzz film zzz", "zzz film", "zzz movie"]
    assert "zzz" in fs.count_terms(texts, min_df=1, max_df=1.0, stop_words_source="sklearn")[1]
    _, vocab, about = fs.count_terms(texts, min_df=1, max_df=1.0, stop_words_source="nltk")
    assert "zzz" not in vocab and about["stop_words"] == "nltk"


def test_stop_words_nltk_without_its_data_says_how_to_get_it(monkeypatch, tmp_path):
    _nltk_stopwords(monkeypatch, tmp_path)
    with pytest.raises(ValueError, match=r"nltk.download\('stopwords'\).*stop_words: sklearn"):
        tm.stop_words("nltk")
    with pytest.raises(ValueError, match="finegrained.stop_words='spacy': use one of"):
        tm.stop_words("spacy")


def test_stop_words_config_is_explicit():
    schema = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text())
    spec = schema["properties"]["finegrained"]["properties"]["stop_words"]
    assert spec["enum"] == list(tm.STOP_WORD_SOURCES) and spec["default"] == "sklearn"
    assert full_config()["finegrained"]["stop_words"] == "sklearn"


def test_term_stop_words_keep_negators_and_degree_words():
    stop = STOP
    assert {"the", "and", "it", "was"} <= stop
    kept = {"not", "no", "never", "nothing", "nor", "without", "too", "very", "well", "cannot"}
    assert kept <= tm.SENTIMENT_FUNCTION_WORDS and not kept & stop
    # NLTK's list holds "don't" and the fragment "don": the negation stays, the fragment goes
    nltk_like = tm.term_stop_words(["the", "don't", "didn't", "don", "not", "very"])
    assert nltk_like == {"the", "don"}


@pytest.mark.parametrize(
    ("token", "term"),
    [
        ("funny", "funny"),
        ("didn't", "didn't"),
        ("can\u2019t", "can't"),  # curly apostrophe
        ("film's", "film"),
        ("it's", None),
        ("i'm", None),
        ("the", None),
        ("not", "not"),
        ("...", None),
        (":)", None),
        ("t", None),
        ("10/10", "10/10"),
        ("b-movie", "b-movie"),
    ],
)
def test_normalise_token(token, term):
    assert tm.normalise_token(token, STOP) == term


def test_analyse_bigrams_after_stop_words_never_across_punctuation():
    stop = STOP
    terms = tm.analyse("the jokes were not funny , but it was never boring .", stop)
    assert terms == [
        "jokes",
        "not",
        "funny",
        "jokes not",
        "not funny",
        "never",
        "boring",
        "never boring",
    ]  # no "funny never": the comma ends the clause; "but" is a stop word
    assert "didn't like" in tm.analyse("I didn't like it", stop)  # lower-cased here too
    assert tm.analyse("it's the film's best", stop, (1, 1)) == ["film", "best"]
    assert tm.analyse("", stop) == []


@pytest.mark.parametrize("ngram_range", [(1, 2), (1, 1), (2, 2)])
def test_term_counts_count_the_terms_analyse_defines(ngram_range):
    from sklearn.feature_extraction.text import CountVectorizer

    texts, _, _ = planted_corpus()
    texts += [
        "",
        ". , !",
        "it wasn't funny , not at all . not funny !",
        "the film's plot : not funny",
        "I didn\u2019t like it",
        "not funny not funny",
    ]
    stop = STOP
    reference = CountVectorizer(analyzer=lambda t: tm.analyse(t, stop, ngram_range), min_df=2)
    expected = reference.fit_transform(texts)
    counts, vocab = count(texts, min_df=2, ngram_range=ngram_range)
    assert vocab.tolist() == reference.get_feature_names_out().tolist()
    assert (counts != expected).nnz == 0 and counts.dtype == np.int32
    assert ("not funny" in set(vocab)) == (ngram_range[1] == 2)
    if ngram_range == (1, 2):
        row = counts[len(texts) - 1].toarray().ravel()
        assert row[vocab.tolist().index("not funny")] == 2  # "funny not" too: one clause
    with pytest.raises(ValueError, match="bigrams only"):
        count(texts, ngram_range=(1, 3))


def test_ctfidf_formula():
    from scipy import sparse

    counts = sparse.csr_matrix(np.array([[2, 0, 1], [0, 1, 1], [0, 3, 1]]))
    classes, w = wt.ctfidf(counts, [0, 1, 1])
    assert classes.tolist() == [0, 1]
    per_class = np.array([[2, 0, 1], [0, 4, 2]], dtype=float)
    tf = per_class / per_class.sum(axis=1, keepdims=True)
    idf = np.log(1 + per_class.sum() / 2 / per_class.sum(axis=0))
    np.testing.assert_allclose(w, tf * idf)


def _three_docs():
    from scipy import sparse

    # the first review says term 0 three times: binary counting makes it once
    return sparse.csr_matrix(np.array([[3, 1, 0], [1, 0, 1], [0, 1, 1]], dtype=np.int32))


def test_log_odds_z_hand_computed():
    # reviews present: d0 = {t0, t1}, d1 = {t0, t2}, d2 = {t1, t2}; classes 0 = {d0, d1}, 1 = {d2}
    # class 0: y = (2, 1, 1), n = 4; class 1: y = (0, 1, 1), n = 2; corpus (2, 2, 2), total 6
    # alpha0 = 3: a_w = 3 * 2 / 6 = 1 for every term
    # delta = log((y + a) / (n + a0 - y - a)) - log((y' + a) / (n' + a0 - y' - a))
    # var = 1 / (y + a) + 1 / (y' + a)
    # class 0, t0: y = 2, y' = 0: log(3 / (4 + 3 - 2 - 1)) - log(1 / (2 + 3 - 0 - 1)), var 1/3 + 1
    z00 = (np.log(3 / 4) - np.log(1 / 4)) / np.sqrt(1 / 3 + 1)
    # class 0, t1 (and t2): y = 1, y' = 1: log(2 / 5) - log(2 / 3), var 1/2 + 1/2
    z01 = (np.log(2 / 5) - np.log(2 / 3)) / np.sqrt(1 / 2 + 1 / 2)
    # class 1, t0: y = 0, y' = 2: log(1 / (2 + 3 - 0 - 1)) - log(3 / (4 + 3 - 2 - 1))
    z10 = (np.log(1 / 4) - np.log(3 / 4)) / np.sqrt(1 + 1 / 3)
    # class 1, t1 (and t2): y = 1, y' = 1: log(2 / 3) - log(2 / 5)
    z11 = (np.log(2 / 3) - np.log(2 / 5)) / 1.0
    classes, z = wt.log_odds_z(_three_docs(), [5, 5, 7], alpha0=3)
    assert classes.tolist() == [5, 7]
    np.testing.assert_allclose(z, [[z00, z01, z01], [z10, z11, z11]])
    assert z00 == pytest.approx(np.log(3) / np.sqrt(4 / 3))  # 0.951
    # counting tokens instead of reviews: class 0 says t0 four times
    _, raw = wt.log_odds_z(_three_docs(), [5, 5, 7], alpha0=3, binary=False)
    assert raw[0, 0] > z00


def test_log_odds_prior_default_and_edges():
    binary = _three_docs().minimum(1)
    assert wt.prior_strength(binary) == 10 * 6 / 3  # ten average reviews of 2 terms each
    _, z = wt.log_odds_z(_three_docs(), [0, 0, 1])
    _, z20 = wt.log_odds_z(_three_docs(), [0, 0, 1], alpha0=20)
    np.testing.assert_allclose(z, z20)
    _, one = wt.log_odds_z(_three_docs(), [0, 0, 0])  # no rest to compare against
    assert (one == 0).all()
    with pytest.raises(ValueError, match="alpha0=0.0"):
        wt.log_odds_z(_three_docs(), [0, 0, 1], alpha0=0)
    with pytest.raises(ValueError, match="tfidf.*config finegrained.term_weighting"):
        wt.term_weights(_three_docs(), [0, 0, 1], "tfidf")


def test_log_odds_prefers_terms_many_reviews_share_over_one_bursty_review():
    # "custer" 30 times in one review of class 0, "great" once in each of 8 of its 10
    texts = ["custer " * 30 + "story"] + ["great story"] * 8 + ["story"]
    texts += ["story"] * 8 + ["great story"] * 2
    classes = np.repeat([0, 1], 10)
    log_odds = distinctive(texts, classes, top_n=1, min_df=1)
    assert log_odds[0] == ["great"]
    assert distinctive(texts, classes, top_n=1, min_df=1, weighting="ctfidf")[0] == ["custer"]


@pytest.mark.parametrize("weighting", wt.WEIGHTINGS)
def test_distinctive_terms_find_planted_terms(weighting):
    texts, clusters, _ = planted_corpus(n_per=30, seed=0)
    terms = distinctive(texts, clusters, top_n=3, min_df=2, weighting=weighting)
    assert set(terms) == {1, 2, 4}
    assert {"dreadful", "waste", "waste money"} <= set(
        distinctive(texts, clusters, top_n=6, min_df=2, weighting=weighting)[4]
    )
    assert terms[4][0] in {"dreadful", "waste", "money", "waste money"}
    assert terms[1][0] in {"masterpiece", "wonderful"}
    assert not {"the", "and", "of"} & {t for ts in terms.values() for t in ts}  # stop words


def test_distinctive_terms_errors_and_max_df():
    with pytest.raises(ValueError, match="2 texts but 3"):
        distinctive(["a b", "c d"], [0, 1, 1])
    with pytest.raises(ValueError, match="lower min_df"):
        distinctive(["alpha beta", "gamma delta"], [0, 1], min_df=5)
    texts = [f"common rare{i % 2}" for i in range(10)]
    kw = dict(top_n=5, min_df=1, weighting="ctfidf")
    out = distinctive(texts, np.arange(10) % 2, max_df=0.9, **kw)
    assert "common" not in out[0] and "rare0" in out[0]
    assert "common" in distinctive(texts, np.arange(10) % 2, **kw)[0]
    # log-odds leaves out a term as frequent in the cluster as in the rest, max_df or not
    assert "common" not in distinctive(texts, np.arange(10) % 2, top_n=5, min_df=1)[0]


def test_counts_once_then_terms_match_distinctive_terms():
    texts, clusters, _ = planted_corpus()
    counts, vocab = count(texts, min_df=2, max_df=0.9)
    assert counts.format == "csr" and counts.dtype == np.int32
    assert counts.shape == (60, len(vocab)) and list(vocab) == sorted(vocab)
    assert "waste money" in set(vocab) and "the" not in set(vocab)
    for k_clusters in (clusters, np.arange(60) % 5, np.zeros(60, dtype=int)):
        for top_n, weighting in ((1, "log_odds"), (3, "ctfidf"), (10, "log_odds")):
            kw = dict(top_n=top_n, weighting=weighting)
            expected = distinctive(texts, k_clusters, min_df=2, max_df=0.9, **kw)
            assert top_terms(counts, vocab, k_clusters, **kw) == expected
    with pytest.raises(ValueError, match="60 count rows but 3 cluster ids"):
        top_terms(counts, vocab, [0, 1, 2])
    with pytest.raises(ValueError, match="count columns"):
        top_terms(counts, vocab[1:], clusters)
    with pytest.raises(ValueError, match="lower min_df"):
        count(["alpha beta", "gamma delta"], min_df=5)


def test_align_counts_reorders_rows_by_review_id():
    texts, clusters, ids = planted_corpus()
    counts, vocab = count(texts, min_df=2)
    perm = np.random.default_rng(0).permutation(60)
    aligned = cm.align_counts(counts, ids, ids[perm])
    np.testing.assert_array_equal(aligned.toarray(), counts.toarray()[perm])
    # the same terms as counting the texts in the other order
    shuffled = [texts[i] for i in perm]
    assert top_terms(aligned, vocab, clusters[perm], top_n=4) == (
        distinctive(shuffled, clusters[perm], top_n=4, min_df=2)
    )
    assert (cm.align_counts(counts, ids, list(ids)) != counts).nnz == 0


def test_align_counts_mismatched_ids_raise():
    texts, _, ids = planted_corpus()
    counts, _ = count(texts, min_df=2)
    with pytest.raises(ValueError, match=r"1 missing, 1 extra \(first: zz\).*rerun"):
        cm.align_counts(counts, ids, np.r_[ids[:-1], ["zz"]], what="the assignments for k=3")
    with pytest.raises(ValueError, match="assignments for k=3 .59.: 0 missing, 1 extra"):
        cm.align_counts(counts, ids, ids[1:], what="the assignments for k=3")
    with pytest.raises(ValueError, match="duplicate review ids"):
        cm.align_counts(counts, ids, np.r_[ids[:1], ids[:-1]])  # 60 ids, r00 twice
    with pytest.raises(ValueError, match="10 count row ids but 60 count rows"):
        cm.align_counts(counts, ids[:10], ids)


def test_term_counts_files_round_trip(tmp_path):
    import pyarrow.parquet as pq

    texts, _, ids = planted_corpus()
    counts, vocab = count(texts, min_df=2)
    paths = {
        "counts_path": tmp_path / "term_counts.npz",
        "vocab_path": tmp_path / "term_counts_vocab.parquet",
        "rows_path": tmp_path / "term_counts_rows.parquet",
    }
    cm.write_term_counts(counts, vocab, ids, about={"stop_words": "nltk", "min_df": 2}, **paths)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths.values())
    assert pq.read_schema(paths["vocab_path"]).names == ["term"]
    assert pq.read_schema(paths["rows_path"]).names == ["review_id"]
    back, back_vocab, back_ids, about = cm.read_term_counts(*paths.values())
    assert back.format == "csr" and back.dtype == np.int32
    assert (back != counts).nnz == 0
    assert back_vocab.tolist() == vocab.tolist() and back_ids.tolist() == ids.tolist()
    assert about == {"stop_words": "nltk", "min_df": 2}
    with pytest.raises(ValueError, match="20 reviews and"):
        cm.write_term_counts(counts, vocab, ids[:20], about={}, **paths)


def test_count_terms_records_how_it_counted(tmp_path):
    texts, _, ids = planted_corpus()
    counts, vocab, about = fs.count_terms(texts, min_df=2, max_df=0.9, stop_words_source="sklearn")
    expected, expected_vocab = count(texts, min_df=2, max_df=0.9)
    assert (counts != expected).nnz == 0 and vocab.tolist() == expected_vocab.tolist()
    assert about == {
        "tokenizer": "prepared tokens (NLTK TweetTokenizer, lower-cased), punctuation dropped",
        "stop_words": tm.stop_words("sklearn")[1],
        "kept_words": "sentclust.finegrained.terms.SENTIMENT_FUNCTION_WORDS and n't forms",
        "bigrams": "neighbours after stop-word removal, not across punctuation",
        "min_df": 2,
        "max_df": 0.9,
        "ngram_range": [1, 2],
    }
    assert list(tm.NGRAM_RANGE) == about["ngram_range"]
    paths = [tmp_path / "c.npz", tmp_path / "v.parquet", tmp_path / "r.parquet"]
    cm.write_term_counts(
        counts,
        vocab,
        ids,
        about=about,
        **dict(zip(["counts_path", "vocab_path", "rows_path"], paths, strict=True)),
    )
    assert cm.read_term_counts(*paths)[3] == json.loads(json.dumps(about))
