"""The polarity rules' work (rules/polarity.smk), one group per rule; the rule scripts only read
and write files:

- segment: :func:`segment_reviews`, every prepared review split into segments, and the summary;
- polarity_model: :func:`fit_polarity_model`, the multiple-instance polarity model fitted on the
  train split;
- score_segments: :func:`score_segments`, the scorers fitted (:class:`SegmentScorers`) and
  every segment scored and labelled;
- polarity: :func:`review_polarity_outputs`, per review polarity and its check against the star
  ratings;
- polarity_texts: :func:`text_segments` then :func:`explain_text_polarity`, the config's
  explained texts segmented and scored as the reviews were; new texts placed on a finished run
  go through :func:`explain_text_polarity` too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from sentclust.bert.job import encode_configured
from sentclust.files import package_versions
from sentclust.polarity.check import polarity_summary
from sentclust.polarity.contract import NEGATIVE, POSITIVE, reviews_table, score_table
from sentclust.polarity.mil import MilModel
from sentclust.polarity.milfit import corpus_features, fit_mil, train_segments
from sentclust.polarity.reviews import review_polarity
from sentclust.polarity.scorers import SegmentScorers
from sentclust.polarity.segments import segment_review, segment_table, segments_summary
from sentclust.prepare.text import clean_text, tokenize_many

_log = logging.getLogger("sentclust")

#: the columns read from the reviews
META_COLUMNS = ["review_id", "split", "label", "rating"]
#: the columns read from the prepared texts (rule segment)
PREPARED_COLUMNS = ["review_id", "clean_text"]
#: the settings of the segments, in the order the summary records them
SEGMENT_SETTINGS = ("splitter", "markers", "min_words")


# --------------------------------------------------------------------------- rule segment


def segment_reviews(prepared: pd.DataFrame, cfg: dict, *, n_jobs: int) -> tuple[pa.Table, dict]:
    """(the segments table, segments/summary.json) of the prepared reviews
    (:data:`PREPARED_COLUMNS`); ``cfg``: the config's segments section."""
    splitter = cfg["splitter"]
    table = segment_table(
        prepared["review_id"].tolist(),
        prepared["clean_text"].tolist(),
        splitter=splitter,
        markers=cfg["markers"],
        min_words=cfg["min_words"],
        n_jobs=n_jobs,
    )
    summary = segments_summary(table, len(prepared), splitter=splitter)
    summary["settings"] = {k: cfg[k] for k in SEGMENT_SETTINGS}
    summary["versions"] = package_versions(["pysbd" if splitter == "pysbd" else "nltk"])
    return table, summary


# --------------------------------------------------------------------------- rule polarity_model


def fit_polarity_model(
    segments: pd.DataFrame,
    meta: pd.DataFrame,
    *,
    network,
    bert_segment_files,
    polarity: dict,
    validation_fraction: float,
    lowercase: bool,
    seed: int,
    threads: int,
) -> MilModel:
    """The multiple-instance polarity model (polarity.mil) fitted on the train split's segments:
    on the reviews outside the network's validation hold-out (``validation_fraction``,
    ``seed``), stopped early on that hold-out, whose segments then fit its thresholds (rule
    score_segments). ``meta``: the reviews (:data:`META_COLUMNS`)."""
    # TensorFlow: the network's validation split lives with the network
    from sentclust.wordvec.network import held_out_ids, train_test_frames

    train_df, _ = train_test_frames(meta[["review_id", "split", "label"]], meta[["review_id"]])
    held_ids = held_out_ids(train_df, validation_fraction, seed)
    train = train_segments(segments, meta)
    _log.info("polarity model: %d segments of %d train reviews", len(train), train_df.shape[0])
    tokens = tokenize_many(train["text"].tolist(), lowercase=lowercase, n_jobs=threads)
    features = corpus_features(train, network.pooled_short(tokens), bert_segment_files, polarity)
    model = fit_mil(train, meta, features, held_ids, polarity, seed)
    model.fit_info |= {"features": polarity["mil"]["features"], "seed": seed}
    model.fit_info["versions"] = package_versions(["torch"])
    return model


# --------------------------------------------------------------------------- rule score_segments


def score_segments(
    segments: pd.DataFrame, meta: pd.DataFrame, **fit
) -> tuple[pa.Table, SegmentScorers]:
    """(the segment-scores table, the fitted scorers: polarity/scorers.json) of the segments
    and the reviews (:data:`META_COLUMNS`); ``fit``: the keywords of
    :meth:`SegmentScorers.fit` (the network, the BERT vectors, the threads and the rule's
    params)."""
    scorers, scores = SegmentScorers.fit(segments, meta, **fit)
    table = score_table(segments, scores, scorer=scorers.primary, labels=scorers.label(scores))
    for name, a in scorers.agreement.items():
        _log.info("%s: polar segments agreeing with their review %s", name, a["polar_agreement"])
    return table, scorers


# --------------------------------------------------------------------------- rule polarity


def review_frame(scores_table: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """Per review polarity of every review of ``meta`` (its order), with split, label, rating."""
    per = review_polarity(scores_table, meta["review_id"].tolist())
    return per.merge(meta[META_COLUMNS], on="review_id", how="left", validate="1:1")


def summary_document(
    reviews: pd.DataFrame,
    scored: pd.DataFrame,
    segments: pd.DataFrame,
    scorers: SegmentScorers,
    cfg: dict,
    scale=None,
) -> dict:
    """polarity/summary.json from the per-review frame (:func:`review_frame`), the scored
    segments and the scorers, on the run's rating ``scale``
    (:class:`sentclust.finegrained.scale.RunScale`)."""
    with_text = scored.merge(
        segments[["review_id", "segment_no", "text"]], on=["review_id", "segment_no"]
    )
    return polarity_summary(
        reviews,
        with_text,
        scorer=scorers.primary,
        thresholds=scorers.thresholds[scorers.primary].to_dict(),
        agreement=scorers.agreement,
        examples=cfg["examples"],
        scale=scale,
    )


def review_polarity_outputs(
    scored: pd.DataFrame,
    meta: pd.DataFrame,
    segments: pd.DataFrame,
    scorers: SegmentScorers,
    cfg: dict,
    scale=None,
) -> tuple[pa.Table, dict]:
    """(polarity/reviews.parquet, polarity/summary.json) from the segment scores, the reviews
    (:data:`META_COLUMNS`), the segments' texts and the scorers; ``cfg``: the polarity section;
    ``scale``: the run's rating scale (:func:`sentclust.finegrained.scale.run_scale`)."""
    reviews = review_frame(scored, meta)
    doc = summary_document(reviews, scored, segments, scorers, cfg, scale)
    own = [c for c in reviews if c not in META_COLUMNS[1:]]
    return reviews_table(reviews[own]), doc


# --------------------------------------------------------------------------- rule polarity_texts


def explain_text_polarity(
    texts: Sequence[str],
    *,
    segment_spans,
    network,
    lowercase: bool,
    scorers: SegmentScorers,
    bert_vectors=None,
) -> list[dict]:
    """Cleaned texts segmented and scored as the reviews are: per text its segments (text,
    offsets, each scorer's score, the primary label) and ``dual_polarity``. ``segment_spans``:
    per text its (start, end, sentence_no); ``bert_vectors``: (segment vectors, coverage) in
    the flattened span order, or None without the BERT scorer (every segment is scored,
    whatever its coverage)."""
    flat = [(i, s, e) for i, spans in enumerate(segment_spans) for s, e, *_ in spans]
    seg_texts = [texts[i][s:e] for i, s, e in flat]
    scores = scorers.score(
        seg_texts,
        network=network,
        lowercase=lowercase,
        bert_vectors=bert_vectors,
        min_coverage=0.0,
        sizes=[len(spans) for spans in segment_spans],
    )
    labels = scorers.label(scores)
    out = [{"text": t, "segments": []} for t in texts]
    for j, (i, s, e) in enumerate(flat):
        out[i]["segments"].append(
            {
                "text": seg_texts[j],
                "start": s,
                "end": e,
                **{f"score_{n}": float(v[j]) for n, v in scores.items()},
                "label": int(labels[j]),
            }
        )
    for item in out:
        got = {seg["label"] for seg in item["segments"]}
        item["dual_polarity"] = POSITIVE in got and NEGATIVE in got
    return out


def text_segments(
    texts: Sequence[str],
    *,
    scorers: SegmentScorers,
    segments: dict,
    unicode_form: str,
    encoding: dict,
    runtime: dict,
    bert_mode: str,
    threads: int,
    siblings: Sequence[dict] = (),
):
    """(the cleaned texts, their segment spans, their BERT segment vectors or None) of raw
    ``texts`` (config explain.texts) for :func:`explain_text_polarity`: cleaned as the reviews
    were (``unicode_form``), segmented with ``segments`` (the config's segments section), and
    the BERT segment vectors (:func:`bert_text_segments`, with ``encoding``, ``runtime`` and
    ``bert_mode``: polarity.bert_segments) when the scorers have a BERT classifier, encoded on
    the path of the run's shards (``siblings``: :func:`sentclust.bert.shards.summary_siblings`).
    """
    cleaned = [clean_text(t, unicode_form=unicode_form) for t in texts]
    spans = [segment_review(t, **segments) for t in cleaned]
    vectors = None
    if scorers.bert is not None and cleaned:
        vectors = bert_text_segments(
            cleaned,
            spans,
            encoding=encoding,
            runtime=runtime,
            mode=bert_mode,
            threads=threads,
            siblings=siblings,
        )
    return cleaned, spans, vectors


def bert_text_segments(
    texts, spans, *, encoding: dict, runtime: dict, mode: str, threads: int, siblings=()
):
    """(segment vectors, coverage) of a few texts' segments as the corpus got them: pooled in
    the pass that encodes each text, or each segment encoded alone (``mode`` separate), on the
    backend and precision of the run's shards where ``siblings`` (their records) name one."""
    flat = [(s, e) for sp in spans for s, e, *_ in sp]
    if mode == "separate":
        seg_texts = [texts[i][s:e] for i, sp in enumerate(spans) for s, e, *_ in sp]
        vectors, *_ = encode_configured(
            seg_texts, encoding, runtime, threads=threads, siblings=siblings
        )
        return vectors, np.ones(len(flat), dtype=np.float32)
    *_, pooled = encode_configured(
        texts,
        encoding,
        runtime,
        threads=threads,
        siblings=siblings,
        segment_spans=[[(s, e) for s, e, *_ in sp] for sp in spans],
    )
    return pooled.vectors, pooled.coverage
