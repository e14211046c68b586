import numpy as np
import pandas as pd
import pytest

from sentclust import finegrained as fg

# --------------------------------------------------------------------------- profile and order


def _toy():
    # cluster 7: all negative; cluster 3: mixed; cluster 5: positive
    clusters = np.array([7, 7, 7, 3, 3, 3, 3, 5, 5, 5])
    labels = np.array([0, 0, 0, 0, 1, 0, 1, 1, 1, 1])
    ratings = pd.array([1, 2, None, 4, 7, 3, 8, 10, 9, None], dtype="Int8")
    return clusters, labels, ratings


def test_cluster_profile():
    p = fg.cluster_profile(*_toy())
    assert p.index.tolist() == [3, 5, 7]
    assert p["size"].tolist() == [4, 3, 3]
    assert p.loc[3, "positive_share"] == 0.5 and p.loc[5, "positive_share"] == 1.0
    assert p.loc[7, "mean_rating"] == 1.5 and p.loc[5, "mean_rating"] == 9.5
    assert p.loc[7, "n_rated"] == 2 and p.loc[3, "rating_7"] == 1 and p.loc[5, "rating_10"] == 1


def test_order_by_positive_share_then_mean_rating():
    p = pd.DataFrame(
        {
            "positive_share": [0.5, 0.1, 0.5, 0.9, 0.1],
            "mean_rating": [6.0, 3.0, 4.0, 8.0, np.nan],
        },
        index=pd.Index([0, 1, 2, 3, 4], name="cluster"),
    )
    assert fg.order_clusters(p) == [1, 4, 2, 0, 3]  # unrated ties go last
    assert fg.order_clusters(fg.cluster_profile(*_toy())) == [7, 3, 5]


def test_cluster_ranks():
    ranks = fg.cluster_ranks(np.array([7, 3, 5, 7]), [7, 3, 5])
    assert ranks.tolist() == [0, 1, 2, 0]
    with pytest.raises(ValueError, match=r"\[9\]"):
        fg.cluster_ranks(np.array([9, 3]), [3])


# --------------------------------------------------------------------------- naming


@pytest.mark.parametrize(
    ("shares", "names"),
    [
        ([0.12, 0.88], ["negative", "positive"]),
        ([0.1, 0.52, 0.9], ["negative", "mixed", "positive"]),
        (
            [0.05, 0.25, 0.48, 0.75, 0.97],
            ["very negative", "negative", "mixed", "positive", "very positive"],
        ),
        ([0.1, 0.3, 0.8], ["very negative", "negative", "positive"]),
        (
            [0.02, 0.1, 0.2, 0.3, 0.7, 0.8, 0.95],
            [
                "extremely negative",
                "very negative",
                "negative",
                "somewhat negative",
                "somewhat positive",
                "positive",
                "very positive",
            ],
        ),
    ],
)
def test_names_on_typical_data(shares, names):
    assert fg.name_clusters(shares, mixed_band=0.1) == names


def test_mixed_only_within_the_band():
    assert fg.name_clusters([0.1, 0.35, 0.9], mixed_band=0.1) == [
        "very negative",
        "negative",
        "positive",
    ]
    assert fg.name_clusters([0.1, 0.35, 0.9], mixed_band=0.2)[1] == "mixed"
    assert fg.name_clusters([0.2, 0.5, 0.8], mixed_band=0.0)[1] == "mixed"  # no majority at all


def test_all_clusters_positive_get_no_negative_name():
    # the original tutorial's bug: clusters named against their own majority
    names = fg.name_clusters([0.55, 0.7, 0.95], mixed_band=0.02)
    assert names == ["somewhat positive", "positive", "very positive"]
    assert not any("negative" in n for n in names)
    names = fg.name_clusters([0.55, 0.9], mixed_band=0.1)
    assert names == ["mixed", "positive"]


def test_all_clusters_negative_get_no_positive_name():
    names = fg.name_clusters([0.02, 0.2, 0.45], mixed_band=0.01)
    assert names == ["very negative", "negative", "somewhat negative"]
    assert fg.name_clusters([0.1, 0.45], mixed_band=0.1) == ["negative", "mixed"]


def test_several_near_half_clusters_get_distinct_honest_mixed_names():
    names = fg.name_clusters([0.1, 0.42, 0.47, 0.5, 0.55, 0.9], mixed_band=0.1)
    assert names == [
        "negative",
        "mixed, leaning negative",
        "mixed, slightly negative",
        "mixed, balanced",
        "mixed, leaning positive",
        "positive",
    ]
    two = fg.name_clusters([0.46, 0.53], mixed_band=0.1)
    assert two == ["mixed, leaning negative", "mixed, leaning positive"]
    same_side = fg.name_clusters([0.51, 0.53, 0.56, 0.58], mixed_band=0.1)
    assert len(set(same_side)) == 4 and not any("negative" in n for n in same_side)


def _check_rule(shares, names, band):
    assert len(set(names)) == len(names), names
    for s, n in zip(shares, names, strict=True):
        if s > 0.5:
            assert "negative" not in n, (s, n)
        if s < 0.5:
            assert "positive" not in n, (s, n)
        assert ("mixed" in n) == (abs(s - 0.5) <= band), (s, n, band)


def test_naming_rule_holds_for_many_random_share_vectors():
    rng = np.random.default_rng(0)
    for _ in range(3000):
        k = int(rng.integers(2, 16))
        kind = rng.integers(0, 4)
        if kind == 0:
            shares = rng.uniform(0, 1, k)
        elif kind == 1:
            shares = rng.uniform(0.5, 1, k)  # all positive
        elif kind == 2:
            shares = rng.uniform(0, 0.5, k)  # all negative
        else:
            shares = rng.uniform(0.4, 0.6, k)  # crowded around one half
        if rng.random() < 0.2:
            shares[rng.integers(0, k)] = 0.5
        shares = np.sort(np.round(shares, 3))
        band = float(rng.choice([0.0, 0.02, 0.05, 0.1, 0.2]))
        _check_rule(shares, fg.name_clusters(shares, mixed_band=band), band)


def test_naming_input_checks():
    with pytest.raises(ValueError, match="ascending"):
        fg.name_clusters([0.9, 0.1], mixed_band=0.1)
    with pytest.raises(ValueError, match="within"):
        fg.name_clusters([0.1, 1.2], mixed_band=0.1)
    with pytest.raises(ValueError, match="mixed_band"):
        fg.name_clusters([0.1, 0.9], mixed_band=0.5)


# --------------------------------------------------------------------------- terms


def test_stop_words_says_its_source():
    words, source = fg.stop_words()
    assert source in {"nltk", "scikit-learn"}
    assert "the" in words and "and" in words


def test_ctfidf_formula():
    from scipy import sparse

    counts = sparse.csr_matrix(np.array([[2, 0, 1], [0, 1, 1], [0, 3, 1]]))
    classes, w = fg.ctfidf(counts, [0, 1, 1])
    assert classes.tolist() == [0, 1]
    per_class = np.array([[2, 0, 1], [0, 4, 2]], dtype=float)
    tf = per_class / per_class.sum(axis=1, keepdims=True)
    idf = np.log(1 + per_class.sum() / 2 / per_class.sum(axis=0))
    np.testing.assert_allclose(w, tf * idf)


def test_distinctive_terms_find_planted_terms():
    rng = np.random.default_rng(0)
    filler = [f"filler{i}" for i in range(24)]  # common words, spread evenly

    def review(planted):
        words = list(rng.choice(filler, 12)) + planted
        rng.shuffle(words)
        return " ".join(words)

    texts = [review(["dreadful", "waste money"]) for _ in range(30)]
    texts += [review(["masterpiece", "wonderful"]) for _ in range(30)]
    texts += ["the and of a to " + review([]) for _ in range(30)]
    clusters = np.repeat([4, 1, 2], 30)
    terms = fg.distinctive_terms(texts, clusters, top_n=3, min_df=2)
    assert set(terms) == {1, 2, 4}
    assert {"dreadful", "waste", "waste money"} <= set(
        fg.distinctive_terms(texts, clusters, top_n=6, min_df=2)[4]
    )
    assert terms[4][0] in {"dreadful", "waste", "money", "waste money"}
    assert terms[1][0] in {"masterpiece", "wonderful"}
    assert not {"the", "and", "of"} & {t for ts in terms.values() for t in ts}  # stop words


def test_distinctive_terms_errors_and_max_df():
    with pytest.raises(ValueError, match="2 texts but 3"):
        fg.distinctive_terms(["a b", "c d"], [0, 1, 1])
    with pytest.raises(ValueError, match="lower min_df"):
        fg.distinctive_terms(["alpha beta", "gamma delta"], [0, 1], min_df=5)
    texts = [f"common rare{i % 2}" for i in range(10)]
    out = fg.distinctive_terms(texts, np.arange(10) % 2, top_n=5, min_df=1, max_df=0.9)
    assert "common" not in out[0] and "rare0" in out[0]
    assert "common" in fg.distinctive_terms(texts, np.arange(10) % 2, top_n=5, min_df=1)[0]


def _planted_corpus():
    rng = np.random.default_rng(3)
    filler = [f"filler{i}" for i in range(24)]

    def review(planted):
        words = list(rng.choice(filler, 12)) + planted
        rng.shuffle(words)
        return " ".join(words)

    texts = [review(["dreadful", "waste money"]) for _ in range(20)]
    texts += [review(["masterpiece", "wonderful"]) for _ in range(20)]
    texts += ["the and of a to " + review([]) for _ in range(20)]
    ids = np.array([f"r{i:02d}" for i in range(60)], dtype=object)
    return texts, np.repeat([4, 1, 2], 20), ids


def test_counts_once_then_terms_match_distinctive_terms():
    texts, clusters, _ = _planted_corpus()
    counts, vocab = fg.term_counts(texts, min_df=2, max_df=0.9)
    assert counts.format == "csr" and counts.dtype == np.int32
    assert counts.shape == (60, len(vocab)) and list(vocab) == sorted(vocab)
    assert "waste money" in set(vocab) and "the" not in set(vocab)
    for k_clusters in (clusters, np.arange(60) % 5, np.zeros(60, dtype=int)):
        for top_n in (1, 3, 10):
            expected = fg.distinctive_terms(texts, k_clusters, top_n=top_n, min_df=2, max_df=0.9)
            assert fg.terms_from_counts(counts, vocab, k_clusters, top_n=top_n) == expected
    with pytest.raises(ValueError, match="60 count rows but 3 cluster ids"):
        fg.terms_from_counts(counts, vocab, [0, 1, 2])
    with pytest.raises(ValueError, match="count columns"):
        fg.terms_from_counts(counts, vocab[1:], clusters)
    with pytest.raises(ValueError, match="lower min_df"):
        fg.term_counts(["alpha beta", "gamma delta"], min_df=5)


def test_align_counts_reorders_rows_by_review_id():
    texts, clusters, ids = _planted_corpus()
    counts, vocab = fg.term_counts(texts, min_df=2)
    perm = np.random.default_rng(0).permutation(60)
    aligned = fg.align_counts(counts, ids, ids[perm])
    np.testing.assert_array_equal(aligned.toarray(), counts.toarray()[perm])
    # the same terms as counting the texts in the other order
    shuffled = [texts[i] for i in perm]
    assert fg.terms_from_counts(aligned, vocab, clusters[perm], top_n=4) == (
        fg.distinctive_terms(shuffled, clusters[perm], top_n=4, min_df=2)
    )
    assert (fg.align_counts(counts, ids, list(ids)) != counts).nnz == 0


def test_align_counts_mismatched_ids_raise():
    texts, _, ids = _planted_corpus()
    counts, _ = fg.term_counts(texts, min_df=2)
    with pytest.raises(ValueError, match=r"1 missing, 1 extra \(first: zz\).*rerun"):
        fg.align_counts(counts, ids, np.r_[ids[:-1], ["zz"]], what="the assignments for k=3")
    with pytest.raises(ValueError, match="assignments for k=3 .59.: 0 missing, 1 extra"):
        fg.align_counts(counts, ids, ids[1:], what="the assignments for k=3")
    with pytest.raises(ValueError, match="duplicate review ids"):
        fg.align_counts(counts, ids, np.r_[ids[:1], ids[:-1]])  # 60 ids, r00 twice
    with pytest.raises(ValueError, match="10 count row ids but 60 count rows"):
        fg.align_counts(counts, ids[:10], ids)


def test_term_counts_files_round_trip(tmp_path):
    import pyarrow.parquet as pq

    texts, _, ids = _planted_corpus()
    counts, vocab = fg.term_counts(texts, min_df=2)
    paths = {
        "counts_path": tmp_path / "term_counts.npz",
        "vocab_path": tmp_path / "term_counts_vocab.parquet",
        "rows_path": tmp_path / "term_counts_rows.parquet",
    }
    fg.write_term_counts(counts, vocab, ids, about={"stop_words": "nltk", "min_df": 2}, **paths)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths.values())
    assert pq.read_schema(paths["vocab_path"]).names == ["term"]
    assert pq.read_schema(paths["rows_path"]).names == ["review_id"]
    back, back_vocab, back_ids, about = fg.read_term_counts(*paths.values())
    assert back.format == "csr" and back.dtype == np.int32
    assert (back != counts).nnz == 0
    assert back_vocab.tolist() == vocab.tolist() and back_ids.tolist() == ids.tolist()
    assert about == {"stop_words": "nltk", "min_df": 2}
    with pytest.raises(ValueError, match="20 reviews and"):
        fg.write_term_counts(counts, vocab, ids[:20], about={}, **paths)


# --------------------------------------------------------------------------- examples, check


def test_nearest_reviews_ties_by_index():
    distances = np.array([0.5, 0.1, 0.3, 0.1, 0.2, 0.9, 0.1])
    clusters = np.array([0, 0, 1, 0, 1, 1, 0])
    near = fg.nearest_reviews(distances, clusters, n=3)
    assert near == {0: [1, 3, 6], 1: [4, 2, 5]}
    assert fg.nearest_reviews(distances, clusters, n=1) == {0: [1], 1: [4]}
    assert fg.nearest_reviews(distances[:2], clusters[:2], n=3) == {0: [1, 0]}


def test_rating_check_on_constructed_data():
    # rank 0 holds every 1-star review and one 10-star; rank 2 holds the other 10-star reviews
    rank = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    ratings = pd.array([1, 1, 1, 10, 4, 7, None, 10, 10, 10, 9], dtype="Int8")
    out = fg.rating_check(rank, ratings)
    assert out["n_rated"] == 10
    assert out["one_star_in_lowest"] == 1.0 and out["n_one_star"] == 3
    assert out["ten_star_in_highest"] == 0.75 and out["n_ten_star"] == 4
    assert out["lowest_share_of_rated"] == 0.4 and out["highest_share_of_rated"] == 0.4
    assert out["mean_rating_by_rank"] == {0: 3.25, 1: 5.5, 2: 9.75}
    assert out["mean_rating_increasing"] is True
    assert out["spearman_rho"] > 0.5
    reversed_ = fg.rating_check(2 - rank, ratings)
    assert reversed_["spearman_rho"] == pytest.approx(-out["spearman_rho"])
    assert reversed_["mean_rating_increasing"] is False
    none = fg.rating_check(np.array([0, 1]), pd.array([None, None], dtype="Int8"))
    assert none["n_rated"] == 0 and none["spearman_rho"] is None


def test_finegrained_table():
    clusters = np.repeat([2, 0, 1], 20)
    labels = np.concatenate([np.zeros(20), np.r_[np.zeros(10), np.ones(10)], np.ones(20)])
    labels = labels.astype(np.int8)
    ratings = pd.array(np.concatenate([np.full(20, 1), np.full(20, 5), np.full(20, 10)]), "Int8")
    words = {2: "awful dull", 0: "uneven okay", 1: "superb joy"}
    texts = [f"film {words[c]} night" for c in clusters]
    distances = np.linspace(1, 0, 60).astype(np.float32)
    ids = np.array([f"r{i}" for i in range(60)], dtype=object)
    t = fg.finegrained_table(
        clusters,
        labels,
        ratings,
        distances,
        texts,
        mixed_band=0.1,
        top_n=2,
        min_df=1,
        review_ids=ids,
    )
    assert t["rank"].tolist() == [0, 1, 2]
    assert t["cluster"].tolist() == [2, 0, 1]
    assert t["name"].tolist() == ["negative", "mixed", "positive"]
    assert t["size"].tolist() == [20, 20, 20]
    assert t["positive_share"].tolist() == [0.0, 0.5, 1.0]
    assert t["mean_rating"].tolist() == [1.0, 5.0, 10.0]
    assert set(t.loc[0, "terms"]) <= {"awful", "dull", "awful dull", "film awful", "dull night"}
    assert t.loc[0, "nearest_rows"] == [19, 18, 17]
    assert t.loc[0, "nearest_review_ids"] == ["r19", "r18", "r17"]
    # ready to write: Parquet round trip
    import io

    buf = io.BytesIO()
    t.to_parquet(buf)
    back = pd.read_parquet(io.BytesIO(buf.getvalue()))
    assert back["name"].tolist() == t["name"].tolist()


def test_finegrained_table_from_precomputed_counts_matches_texts():
    texts, clusters, ids = _planted_corpus()
    labels = (clusters == 1).astype(np.int8)
    ratings = pd.array(np.where(clusters == 1, 9, np.where(clusters == 4, 2, 5)), "Int8")
    distances = np.linspace(1, 0, 60).astype(np.float32)
    common = dict(mixed_band=0.1, top_n=4, review_ids=ids)
    from_texts = fg.finegrained_table(
        clusters, labels, ratings, distances, texts, min_df=2, max_df=0.9, **common
    )
    counts, vocab = fg.term_counts(texts, min_df=2, max_df=0.9)
    from_counts = fg.finegrained_table(
        clusters, labels, ratings, distances, None, counts=counts, vocab=vocab, **common
    )
    pd.testing.assert_frame_equal(from_counts, from_texts)
    with pytest.raises(ValueError, match="vocabulary"):
        fg.finegrained_table(clusters, labels, ratings, distances, None, counts=counts, **common)
