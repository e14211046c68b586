"""The fine-grained rules' work (rules term_counts and finegrained in rules/cluster.smk); the
rule scripts only read and write files:

- term_counts: :func:`count_terms`, the reviews x terms count matrix of the prepared tokens,
  built once (saved with :func:`sentclust.finegrained.counts.write_term_counts`);
- finegrained: :func:`finegrained_sweep`, the chosen k and the k values the config asks to
  explore of one embedding kind, each ordered, named, described by the terms of the shared
  count matrix, checked against the star ratings and described by the segment polarity inside
  its reviews (:func:`read_polarity`); the chosen k's table (:func:`chosen_table`) and figure
  (:func:`write_rating_figure`), finegrained.json (:func:`finegrained_document`).

``cfg`` is the rule's ``finegrained`` params, the whole config section (``mixed_band``,
``grade_share``, ``top_terms``, ``nearest``, ``snippet_chars``, ``term_weighting``,
``typical_segments``, ...); ``scale`` the run's rating scale and labels' source
(:func:`sentclust.finegrained.scale.run_scale` of the ingest summary).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sentclust.finegrained.check import grading_check, rating_check, train_test_rating_check
from sentclust.finegrained.counts import align_counts
from sentclust.finegrained.counts import term_counts as count_matrix
from sentclust.finegrained.grading import rule_record
from sentclust.finegrained.levels import cluster_ranks, corpus_share, finegrained_table
from sentclust.finegrained.polarity import POLARITY_COLUMNS, with_polarity
from sentclust.finegrained.scale import RunScale
from sentclust.finegrained.terms import NGRAM_RANGE, stop_words, term_stop_words

_log = logging.getLogger(__name__)

#: the columns read from the reviews
REVIEW_COLUMNS = ["review_id", "split", "label", "rating"]
#: the columns read from the prepared texts for the snippets of the nearest reviews
TEXT_COLUMNS = ["review_id", "clean_text"]
#: the columns rule term_counts reads: the project's own tokens
TOKEN_COLUMNS = ["review_id", "tokens"]
#: the columns read from the segment scores and the segments (typical segments)
SEGMENT_SCORE_COLUMNS = ["review_id", "segment_no", "score", "label"]
SEGMENT_COLUMNS = ["review_id", "segment_no", "text"]


def count_terms(texts, *, min_df: int, max_df: float, stop_words_source: str):
    """Rule term_counts: (count matrix, vocabulary, ``about``) of the token strings ``texts``
    (:func:`sentclust.finegrained.counts.term_counts` with :func:`term_stop_words` of the
    ``stop_words_source`` list); ``about`` records the tokenizer, the stop words' source, the
    kept words, ``min_df``, ``max_df`` and the n-gram range (saved with the counts by
    :func:`sentclust.finegrained.counts.write_term_counts`)."""
    base, source = stop_words(stop_words_source)
    counts, vocab = count_matrix(
        texts,
        stop_words=term_stop_words(base),
        min_df=min_df,
        max_df=max_df,
        ngram_range=NGRAM_RANGE,
    )
    about = {
        "tokenizer": "prepared tokens (NLTK TweetTokenizer, lower-cased), punctuation dropped",
        "stop_words": source,
        "kept_words": "sentclust.finegrained.terms.SENTIMENT_FUNCTION_WORDS and n't forms",
        "bigrams": "neighbours after stop-word removal, not across punctuation",
        "min_df": min_df,
        "max_df": max_df,
        "ngram_range": list(NGRAM_RANGE),
    }
    return counts, vocab, about


@dataclass
class FinegrainedRun:
    chosen: int  # the chosen k
    results: list[dict]  # one per k, the chosen k first
    table: pd.DataFrame  # the chosen k's table (finegrained_table, nearest_texts added)
    ratings: pd.DataFrame  # the chosen k's rated reviews: cluster ``name``, ``rating``
    stop_words: str  # the stop words' source of the term counts
    terms_about: dict = field(default_factory=dict)  # how the term counts were made
    scale: RunScale = field(default_factory=RunScale)  # the run's rating scale and labels


def explored_ks(chosen: int, explore, ks) -> list[int]:
    """The chosen k first, then each k of ``explore`` the sweep ran (``ks``), in its order."""
    return [chosen] + [k for k in explore if k in ks and k != chosen]


def assignment_frame(path, reviews: pd.DataFrame, texts: pd.DataFrame, k: int) -> pd.DataFrame:
    """One k's assignments (Parquet) joined with the reviews and the texts by ``review_id``;
    ValueError when they do not hold the same reviews."""
    a = pd.read_parquet(path)
    df = a.merge(reviews, on="review_id", validate="1:1").merge(texts, on="review_id")
    if len(df) != len(a):
        raise ValueError(f"assignments for k={k} do not match the reviews; rerun the sweep")
    return df


def read_polarity(polarity, segment_scores, segments) -> dict:
    """The segment polarity frames for :func:`finegrained_k`, only the columns used, from
    polarity/reviews.parquet, polarity/segment_scores.parquet and segments/segments.parquet."""
    return {
        "reviews": pd.read_parquet(polarity, columns=POLARITY_COLUMNS),
        "segment_scores": pd.read_parquet(segment_scores, columns=SEGMENT_SCORE_COLUMNS),
        "segments": pd.read_parquet(segments, columns=SEGMENT_COLUMNS),
    }


def _json_safe(value):
    """NaN (a cluster without polarity values) as None: finegrained.json stays valid JSON."""
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def finegrained_k(
    df: pd.DataFrame,
    k: int,
    *,
    chosen: int,
    cfg: dict,
    term_counts,
    polarity: dict | None = None,
    scale: RunScale | None = None,
):
    """(the table, the result record) of one k on the run's ``scale`` (IMDB's when None: an
    old run); ``df`` from :func:`assignment_frame`,
    ``term_counts`` as :func:`sentclust.finegrained.counts.read_term_counts` returns them,
    ``polarity`` None or {"reviews", "segment_scores", "segments"} DataFrames (either of the last
    two may be None: no typical segments), see
    :func:`sentclust.finegrained.polarity.with_polarity`."""
    counts, vocab, count_ids, _ = term_counts
    scale = scale or RunScale()
    clusters = df["cluster"].to_numpy()
    ratings = df["rating"].astype("Float64")
    labels = df["label"].astype("Float64") if scale.labelled else pd.Series([np.nan] * len(df))
    table = finegrained_table(
        clusters,
        labels,
        ratings,
        df["distance"].to_numpy(),
        counts=align_counts(counts, count_ids, df["review_id"], what=f"the assignments for k={k}"),
        vocab=vocab,
        mixed_band=cfg["mixed_band"],
        grade_share=cfg["grade_share"],
        top_n=cfg["top_terms"],
        n_nearest=cfg["nearest"],
        weighting=cfg["term_weighting"],
        review_ids=df["review_id"].to_numpy(),
        scale=scale.values,
    )
    table["nearest_texts"] = [
        [df["clean_text"].iat[i][: cfg["snippet_chars"]] for i in rows]
        for rows in table["nearest_rows"]
    ]
    polarity = polarity or {}
    table = with_polarity(
        table,
        clusters,
        df["review_id"].to_numpy(),
        df["distance"].to_numpy(),
        polarity=polarity.get("reviews"),
        segment_scores=polarity.get("segment_scores"),
        segments=polarity.get("segments"),
        n_typical=cfg["typical_segments"],
        snippet_chars=cfg["snippet_chars"],
        opinion_min_words=cfg["opinion_min_words"],
    )
    return table, _result(table, df, k, chosen, labels, scale, cfg["grade_share"])


def _result(table, df, k, chosen, labels, scale: RunScale, grade_share: float) -> dict:
    """One k's record of finegrained.json: its levels, the grading rule's numbers, the checks
    against the ratings (absent without ratings)."""
    clusters = df["cluster"].to_numpy()
    ratings = df["rating"].astype("Float64")
    records = table.drop(columns=["nearest_rows"]).to_dict(orient="records")
    result = {
        "k": k,
        "chosen": k == chosen,
        "clusters": [{key: _json_safe(v) for key, v in r.items()} for r in records],
        "grading": rule_record(corpus_share(table), grade_share, int(table["n_labelled"].sum())),
    }
    if scale.rated:
        ranks = cluster_ranks(clusters, table["cluster"].tolist())
        graded = table.loc[table["graded"], "rank"].tolist()
        span = (scale.lo, scale.hi)
        result["rating_check_all"] = rating_check(ranks, ratings, span, graded)
        result["rating_check_test"] = (
            train_test_rating_check(clusters, labels, ratings, df["split"], span)
            if scale.labelled
            else None
        )
        result["grading_check"] = grading_check(table, ratings)
    return result


def rated_by_name(table: pd.DataFrame, df: pd.DataFrame) -> pd.DataFrame:
    """Each rated review's cluster ``name`` (from ``table``) and ``rating``."""
    clusters = df["cluster"].to_numpy()
    ratings = df["rating"].astype("Float64")
    plot = pd.DataFrame(
        {
            "name": table.set_index("cluster").loc[clusters, "name"].values,
            "rating": ratings.to_numpy(dtype=float, na_value=np.nan),
        }
    )
    return plot.dropna()


def finegrained_sweep(
    paths: dict,
    chosen: int,
    explore,
    *,
    reviews,
    texts,
    term_counts,
    cfg: dict,
    polarity: dict | None = None,
    scale: RunScale | None = None,
) -> FinegrainedRun:
    """The chosen k and the explored ones (:func:`explored_ks`); ``paths`` maps each k of the
    sweep to its assignments file, ``term_counts`` as
    :func:`sentclust.finegrained.counts.read_term_counts` returns them (counted once for every kind
    and k: only their rows are reordered here), ``polarity`` and ``scale`` as for
    :func:`finegrained_k`."""
    scale = scale or RunScale()
    results, chosen_table, rated = [], None, None
    for k in explored_ks(chosen, explore, paths):
        df = assignment_frame(paths[k], reviews, texts, k)
        table, result = finegrained_k(
            df, k, chosen=chosen, cfg=cfg, term_counts=term_counts, polarity=polarity, scale=scale
        )
        results.append(result)
        _log.info("k=%d: %s", k, list(table["name"]))
        if k == chosen:
            chosen_table, rated = table, rated_by_name(table, df)
    about = term_counts[3]
    return FinegrainedRun(
        chosen, results, chosen_table, rated, about.get("stop_words", ""), dict(about), scale
    )


def write_rating_figure(run: FinegrainedRun, *, kind: str, path) -> None:
    """The chosen k's star ratings by cluster, clusters in sentiment order, on the run's
    scale; without ratings, a figure that says so (the rule's output exists either way)."""
    # matplotlib and seaborn: only to draw the figure
    from sentclust import figures

    title = f"{kind}, k={run.chosen}: star ratings by cluster"
    if not run.scale.rated or run.ratings.empty:
        figures.no_data(title=title, text="the corpus has no star ratings", path=path)
        return
    figures.rating_by_cluster(
        run.ratings,
        order=run.table["name"].tolist(),
        title=title,
        path=path,
        scale=run.scale.values,
        xlabel=run.scale.axis_label(),
    )


def chosen_table(run: FinegrainedRun):
    """The chosen k's table for Parquet (without the row numbers of the nearest reviews)."""
    import pyarrow as pa

    return pa.Table.from_pandas(run.table.drop(columns=["nearest_rows"]), preserve_index=False)


def finegrained_document(
    run: FinegrainedRun, *, kind: str, supervision: str, chosen_by: str | None, cfg: dict
) -> dict:
    """The record of finegrained.json: the kind, the choice, the naming rule, how the terms
    were counted and weighted, every k's result."""
    return {
        "kind": kind,
        "supervision": supervision,
        "chosen_k": run.chosen,
        "chosen_by": chosen_by,
        **run.scale.as_dict(),
        "naming": "clusters ordered by positive share (ties: mean rating); a level is graded "
        "only by the grading rule (see each result's 'grading'), the others are topics "
        f"('topic: ...'); 'mixed' only within {cfg['mixed_band']} of one half; grades never "
        "contradict the majority label; each name ends with the level's two most distinctive "
        "terms",
        "stop_words": run.stop_words,
        "term_weighting": cfg["term_weighting"],
        "terms": run.terms_about,
        "typical_segments": cfg["typical_segments"],
        "results": run.results,
    }
