import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from cluster_data import planted_corpus

from sentclust import figures
from sentclust.finegrained import check
from sentclust.finegrained import counts as cm
from sentclust.finegrained import job as fs
from sentclust.finegrained.counts import align_counts
from sentclust.finegrained.polarity import POLARITY_COLUMNS
from sentclust.finegrained.terms import stop_words, term_stop_words
from sentclust.finegrained.weights import terms_from_counts

#: the rule's finegrained params (the whole config section; these tests' own values)
CFG = {
    "mixed_band": 0.1,
    "grade_share": 0.7,
    "top_terms": 3,
    "nearest": 2,
    "snippet_chars": 12,
    "term_weighting": "log_odds",
    "typical_segments": 3,
    "opinion_min_words": 1,
}


@pytest.fixture()
def inputs(tmp_path):
    """60 reviews of planted terms (negative, neutral, positive thirds), their texts, the term
    counts (rows in another order), and the assignments of k=2 and k=3 as Parquet files."""
    texts, planted, ids = planted_corpus()
    n = len(ids)
    label = np.where(planted == 1, 1, np.where(planted == 4, 0, np.arange(n) % 2))
    rating = np.where(planted == 1, 9, np.where(planted == 4, 2, 4 + 3 * label))
    reviews = pd.DataFrame(
        {
            "review_id": ids,
            "split": np.where(np.arange(n) % 2 == 0, "train", "test"),
            "label": label.astype(np.int8),
            "rating": pd.array(np.where(np.arange(n) % 9 == 0, None, rating), dtype="Int8"),
        }
    )
    prepared = pd.DataFrame({"review_id": ids, "clean_text": texts})
    perm = np.random.default_rng(1).permutation(n)
    stop = term_stop_words(stop_words("sklearn")[0])
    counts, vocab = cm.term_counts([texts[i] for i in perm], stop_words=stop, min_df=2, max_df=0.9)
    term_counts = (counts, vocab, ids[perm], {"stop_words": "sklearn"})
    paths = {}
    for k, clusters in ((2, label), (3, pd.Series(planted).map({4: 2, 2: 0, 1: 1}).to_numpy())):
        paths[k] = tmp_path / f"k{k}.parquet"
        pd.DataFrame(
            {
                "review_id": ids[::-1],  # another order than the reviews
                "cluster": clusters[::-1].astype(np.int32),
                "distance": np.linspace(1, 0, n, dtype=np.float32),
            }
        ).to_parquet(paths[k])
    return {"reviews": reviews, "texts": prepared, "term_counts": term_counts, "paths": paths}


def test_explored_ks():
    assert fs.explored_ks(3, [2, 3, 5], [2, 3, 4]) == [3, 2]
    assert fs.explored_ks(4, [5, 2], {2: "a", 4: "b", 5: "c"}) == [4, 5, 2]


def test_assignment_frame_joins_by_review_id(inputs):
    df = fs.assignment_frame(inputs["paths"][3], inputs["reviews"], inputs["texts"], 3)
    assert df.columns.tolist() == [
        "review_id",
        "cluster",
        "distance",
        "split",
        "label",
        "rating",
        "clean_text",
    ]
    assert df["review_id"].tolist() == inputs["reviews"]["review_id"].tolist()[::-1]
    with pytest.raises(ValueError, match="assignments for k=3 do not match the reviews"):
        fs.assignment_frame(inputs["paths"][3], inputs["reviews"], inputs["texts"][:50], 3)


def test_train_test_rating_check_orders_on_train_only():
    clusters = np.array([0, 1, 0, 1, 0, 1])
    labels = pd.Series([0, 1, 0, 1, 1, 0])
    ratings = pd.Series(pd.array([1, 10, 2, 9, 1, 10], dtype="Float64"))
    split = pd.Series(["train", "train", "train", "train", "test", "test"])
    out = check.train_test_rating_check(clusters, labels, ratings, split)
    # ordered on the train split (cluster 0 negative) whatever the test labels say
    assert out == check.rating_check(np.array([0, 1]), ratings[4:])
    assert out["spearman_rho"] == pytest.approx(1.0)
    assert (
        check.train_test_rating_check(clusters, labels, ratings, pd.Series(["train"] * 6)) is None
    )


def test_finegrained_k_table_and_result(inputs):
    df = fs.assignment_frame(inputs["paths"][3], inputs["reviews"], inputs["texts"], 3)
    table, result = fs.finegrained_k(df, 3, chosen=3, cfg=CFG, term_counts=inputs["term_counts"])
    assert table["cluster"].tolist() == [2, 0, 1]  # negative, neutral, positive
    # the neutral third is half positive, as the corpus: not set apart, a topic
    assert table["grade"].tolist() == ["negative", "topic", "positive"]
    assert [n.split(":")[0] for n in table["name"]] == ["negative", "topic", "positive"]
    assert "dreadful" in table.loc[0, "terms"] and "masterpiece" in table.loc[2, "terms"]
    assert "dreadful" in table.loc[0, "name"] and "masterpiece" in table.loc[2, "name"]
    assert all(len(rows) == 2 for rows in table["nearest_rows"])
    first = table.loc[0, "nearest_rows"][0]
    assert table.loc[0, "nearest_texts"][0] == df["clean_text"].iat[first][:12]
    assert list(result) == [
        "k",
        "chosen",
        "clusters",
        "grading",
        "rating_check_all",
        "rating_check_test",
        "grading_check",
    ]
    assert result["grading_check"]["separated"] is True
    assert result["grading"]["positive_threshold"] > 0.5 > result["grading"]["negative_threshold"]
    assert result["rating_check_all"]["graded_mean_rating_increasing"] is True
    assert result["k"] == 3 and result["chosen"] is True
    assert [c["name"] for c in result["clusters"]] == table["name"].tolist()
    assert "nearest_rows" not in result["clusters"][0]
    assert result["rating_check_all"]["mean_rating_increasing"] is True
    assert result["rating_check_test"]["n_rated"] < result["rating_check_all"]["n_rated"]
    _, other = fs.finegrained_k(df, 3, chosen=2, cfg=CFG, term_counts=inputs["term_counts"])
    assert other["chosen"] is False
    assert "dual_polarity_share" not in table and "typical_segments" not in table  # no polarity


def _polarity(ids, label):
    """Polarity frames for the fixture's reviews: one segment per review, polar as its label;
    the positive ones dual-polarity, the first review without polarity values."""
    n = len(ids)
    reviews = pd.DataFrame(
        {
            "review_id": ids,
            "dual_polarity": label == 1,
            "spread_std": np.where(np.arange(n) == 0, np.nan, 1.0).astype(np.float32),
            "share_positive": label.astype(np.float32),
            "share_negative": 1 - label.astype(np.float32),
        }
    )
    scores = pd.DataFrame(
        {
            "review_id": ids,
            "segment_no": np.zeros(n, dtype=np.int32),
            "score": np.where(label == 1, 2.0, -2.0).astype(np.float32),
            "label": np.where(label == 1, 1, -1).astype(np.int8),
        }
    )
    segments = pd.DataFrame(
        {
            "review_id": ids,
            "segment_no": np.zeros(n, dtype=np.int32),
            "text": [f"seg {i}" for i in ids],
        }
    )
    return {"reviews": reviews, "segment_scores": scores, "segments": segments}


def test_finegrained_k_with_polarity(inputs):
    import json

    df = fs.assignment_frame(inputs["paths"][3], inputs["reviews"], inputs["texts"], 3)
    reviews = inputs["reviews"]
    polarity = _polarity(reviews["review_id"].to_numpy(), reviews["label"].to_numpy())
    cfg = {**CFG, "typical_segments": 2, "term_weighting": "ctfidf"}
    table, result = fs.finegrained_k(
        df, 3, chosen=3, cfg=cfg, term_counts=inputs["term_counts"], polarity=polarity
    )
    # negative cluster: no positive segment, no dual polarity; positive: the other way round
    assert table["positive_segment_share"].tolist()[0] == 0.0
    assert table["dual_polarity_share"].tolist()[2] == 1.0
    assert table["spread_mean"].tolist() == [1.0, 1.0, 1.0]
    first = table.loc[0, "typical_segments"]
    assert len(first) == 2 and {e["label"] for e in first} == {-1}
    assert first[0]["text"] == f"seg {df['review_id'].iat[table.loc[0, 'nearest_rows'][0]]}"
    record = result["clusters"][0]
    assert record["typical_segments"] == first and record["dual_polarity_share"] == 0.0
    json.dumps(result, allow_nan=False)  # valid JSON
    # the terms weighted as the config asks
    counts, vocab, count_ids, _ = inputs["term_counts"]
    aligned = align_counts(counts, count_ids, df["review_id"])
    for weighting in ("ctfidf", "log_odds"):
        expected = terms_from_counts(aligned, vocab, df["cluster"], top_n=3, weighting=weighting)
        t, _ = fs.finegrained_k(
            df,
            3,
            chosen=3,
            cfg={**cfg, "term_weighting": weighting},
            term_counts=inputs["term_counts"],
        )
        assert t["terms"].tolist() == [expected[c] for c in t["cluster"]]


def test_read_polarity(tmp_path):
    ids = np.array(["a", "b"], dtype=object)
    frames = _polarity(ids, np.array([0, 1]))
    paths = {}
    for name, key in (("polarity", "reviews"), ("segment_scores", "segment_scores")):
        paths[name] = tmp_path / f"{name}.parquet"
        frames[key].assign(extra=1).to_parquet(paths[name])
    paths["segments"] = tmp_path / "segments.parquet"
    frames["segments"].to_parquet(paths["segments"])
    out = fs.read_polarity(paths["polarity"], paths["segment_scores"], paths["segments"])
    assert out["reviews"].columns.tolist() == POLARITY_COLUMNS  # only the columns used
    assert out["segment_scores"].columns.tolist() == fs.SEGMENT_SCORE_COLUMNS
    assert out["segments"]["text"].tolist() == ["seg a", "seg b"]


def test_rated_by_name_leaves_out_null_ratings():
    table = pd.DataFrame({"cluster": [1, 0], "name": ["negative", "positive"]})
    df = pd.DataFrame({"cluster": [0, 1, 1, 0], "rating": pd.array([9, None, 2, 10], dtype="Int8")})
    out = fs.rated_by_name(table, df)
    assert out["name"].tolist() == ["positive", "negative", "positive"]
    assert out["rating"].tolist() == [9.0, 2.0, 10.0]


def test_finegrained_sweep_chosen_first(inputs):
    run = fs.finegrained_sweep(
        inputs["paths"],
        3,
        [2, 3, 5],
        reviews=inputs["reviews"],
        texts=inputs["texts"],
        term_counts=inputs["term_counts"],
        cfg=CFG,
        polarity=_polarity(inputs["reviews"]["review_id"], inputs["reviews"]["label"].to_numpy()),
    )
    assert [r["k"] for r in run.results] == [3, 2]
    assert all("typical_segments" in c for r in run.results for c in r["clusters"])
    assert run.terms_about == {"stop_words": "sklearn"}
    chosen = fs.chosen_table(run)  # the polarity columns go to Parquet as well
    assert {"dual_polarity_share", "spread_mean", "typical_segments"} <= set(chosen.column_names)
    assert chosen.column("typical_segments").to_pylist()[0][0]["label"] == -1
    assert [r["chosen"] for r in run.results] == [True, False]
    assert run.chosen == 3 and run.stop_words == "sklearn"
    assert run.table["name"].tolist() == [c["name"] for c in run.results[0]["clusters"]]
    assert len(run.ratings) == inputs["reviews"]["rating"].notna().sum()
    with pytest.raises(KeyError):  # the chosen k must be one of the sweep
        fs.finegrained_sweep(
            inputs["paths"],
            4,
            [],
            reviews=inputs["reviews"],
            texts=inputs["texts"],
            term_counts=inputs["term_counts"],
            cfg=CFG,
        )


def _run():
    table = pd.DataFrame(
        {
            "rank": [0, 1],
            "cluster": [1, 0],
            "name": ["negative", "positive"],
            "nearest_rows": [[0], [1]],
            "nearest_texts": [["bad"], ["good"]],
        }
    )
    ratings = pd.DataFrame({"name": ["negative", "positive", "positive"], "rating": [2.0, 9, 8]})
    results = [{"k": 2, "chosen": True}]
    return fs.FinegrainedRun(2, results, table, ratings, "nltk")


def test_write_rating_figure(tmp_path, monkeypatch):
    run = _run()
    fs.write_rating_figure(run, kind="bert", path=tmp_path / "rating_by_cluster.png")
    assert (tmp_path / "rating_by_cluster.png").stat().st_size > 0
    calls = []
    monkeypatch.setattr(figures, "rating_by_cluster", lambda df, **kw: calls.append(kw))
    fs.write_rating_figure(run, kind="bert", path="x.png")
    assert calls[0]["title"] == "bert, k=2: star ratings by cluster"
    assert calls[0]["order"] == ["negative", "positive"]


def test_chosen_table_and_document():
    run = _run()
    t = fs.chosen_table(run)
    assert isinstance(t, pa.Table)
    assert t.column_names == ["rank", "cluster", "name", "nearest_texts"]
    doc = fs.finegrained_document(
        run, kind="bert", supervision="none", chosen_by="silhouette", cfg=CFG
    )
    assert list(doc) == [
        "kind",
        "supervision",
        "chosen_k",
        "chosen_by",
        "rating_scale",
        "labels",
        "naming",
        "stop_words",
        "term_weighting",
        "terms",
        "typical_segments",
        "results",
    ]
    assert (doc["term_weighting"], doc["typical_segments"]) == ("log_odds", 3)  # the cfg's
    cfg = {**CFG, "term_weighting": "ctfidf", "typical_segments": 0}
    doc2 = fs.finegrained_document(run, kind="bert", supervision="none", chosen_by=None, cfg=cfg)
    assert (doc2["term_weighting"], doc2["typical_segments"]) == ("ctfidf", 0)
    assert (doc["kind"], doc["chosen_k"], doc["chosen_by"]) == ("bert", 2, "silhouette")
    assert "'mixed' only within 0.1 of one half" in doc["naming"]
    assert (doc["rating_scale"], doc["labels"]) == ([1, 10], "given")  # an old run: IMDB's
    assert doc["stop_words"] == "nltk" and doc["results"] is run.results
