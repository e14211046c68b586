"""The polarity rules' work: score every segment with each scorer, fit the thresholds on the
train split, label the segments (rule score_segments); then per review polarity and its check
against the star ratings (rule polarity). The rule scripts only read and write files.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sentclust.polarity import scoring as pol
from sentclust.polarity.check import polarity_summary, segment_agreement

_log = logging.getLogger("sentclust")

#: the columns read from the reviews
META_COLUMNS = ["review_id", "split", "label", "rating"]


def segment_meta(segments: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """Each segment's review ``split`` and ``label`` (``segments``' row order kept);
    ValueError when a segment's review is not among the reviews."""
    out = segments[["review_id", "segment_no"]].merge(
        meta[["review_id", "split", "label"]], on="review_id", how="left", validate="m:1"
    )
    if out["split"].isna().any():
        missing = out.loc[out["split"].isna(), "review_id"].iloc[0]
        raise ValueError(
            f"segment of review {missing!r} has no review in reviews.parquet: the segments are "
            "from another run; delete segments/ and rerun"
        )
    return out


def bert_segment_scores(
    segments: pd.DataFrame,
    files: Sequence,
    scorer: pol.LinearScorer,
    *,
    min_coverage: float,
    fold_scorers: Sequence[pol.LinearScorer] = (),
    fold_of_segment: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(the BERT scorer's logit of every segment, in ``segments``' order; the held-out logit:
    each segment scored by the model of its review's fold, NaN for segments of reviews in no
    fold) from the per-shard segment-vector files (``review_id``, ``segment_no``,
    ``coverage``, ``embedding``), read one shard at a time (the vectors of a full run do not
    all fit in a job's memory bound)."""
    from sentclust.files import read_embeddings

    fold = pd.Series(
        np.full(len(segments), -1) if fold_of_segment is None else fold_of_segment,
        index=pd.MultiIndex.from_frame(segments[["review_id", "segment_no"]]),
    )
    parts = []
    for path in files:
        keys = pq.read_table(path, columns=["review_id", "segment_no", "coverage"]).to_pandas()
        _, x = read_embeddings(path)
        keys["score"] = pol.bert_scores(scorer, x, keys["coverage"], min_coverage=min_coverage)
        f = fold.reindex(pd.MultiIndex.from_frame(keys[["review_id", "segment_no"]]))
        f = f.fillna(-1).to_numpy(np.int64)
        held = np.full(len(keys), np.nan, dtype=np.float32)
        for k, fs in enumerate(fold_scorers):
            rows = f == k
            held[rows] = pol.bert_scores(
                fs, x[rows], keys["coverage"][rows], min_coverage=min_coverage
            )
        keys["held_out"] = held
        parts.append(keys[["review_id", "segment_no", "score", "held_out"]])
        del x
    got = pd.concat(parts, ignore_index=True)
    merged = segments[["review_id", "segment_no"]].merge(
        got, on=["review_id", "segment_no"], how="left", validate="1:1", indicator=True
    )
    if len(got) != len(segments) or (merged["_merge"] != "both").any():
        raise ValueError(
            f"the BERT segment vectors ({len(got)} rows) do not match the segments "
            f"({len(segments)} rows): the shards were encoded from other segments; delete "
            "embeddings/bert_shards/ and rerun"
        )
    return merged["score"].to_numpy(np.float32), merged["held_out"].to_numpy(np.float32)


def fit_all_thresholds(held_out: dict[str, np.ndarray], seg_meta: pd.DataFrame, confidence: float):
    """Per scorer: thresholds fitted on train-split segments only, on their held-out scores
    (scores of a model that did not fit on their review; NaN for segments not held out), and
    the fit's info."""
    train = (seg_meta["split"] == "train").to_numpy()
    if not train.any():
        raise ValueError(
            "segment thresholds are fitted on the train split, and this run has none: keep "
            "train in ingest.splits"
        )
    y = seg_meta["label"].to_numpy()
    out = {}
    for name, s in held_out.items():
        t, info = pol.fit_thresholds(s[train], y[train], confidence=confidence)
        out[name] = (t, info)
    return out


def agreement_by_scorer(scores, thresholds, seg_meta: pd.DataFrame) -> dict:
    """:func:`segment_agreement` of each scorer on the test split (all rows without one)."""
    test = (seg_meta["split"] == "test").to_numpy()
    rows = test if test.any() else np.ones(len(seg_meta), dtype=bool)
    y = seg_meta["label"].to_numpy()
    out = {}
    for name, s in scores.items():
        t = thresholds[name][0]
        out[name] = segment_agreement(s[rows], t.label(s[rows]), y[rows])
        out[name]["split"] = "test" if test.any() else "all"
    return out


def scorers_document(thresholds, classifier: dict | None, primary: str, agreement) -> dict:
    """polarity/scorers.json: each scorer's thresholds and fit, the BERT classifier (weights on
    raw vectors: enough to score a new segment with numpy), the primary scorer, agreement."""
    return {
        "primary": primary,
        "thresholds": {n: t.to_dict() | {"fit": info} for n, (t, info) in thresholds.items()},
        "bert_classifier": classifier,
        "segment_agreement": agreement,
    }


def label_primary(scores: dict[str, np.ndarray], thresholds, primary: str) -> np.ndarray:
    if primary not in scores:
        raise ValueError(
            f"polarity.scorer is {primary!r} but that scorer did not run (polarity.bert_segments "
            "is off?): set polarity.scorer to wordvec or turn the BERT segments on"
        )
    return thresholds[primary][0].label(scores[primary])


def review_frame(scores_table: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """Per review polarity of every review of ``meta`` (its order), with split, label, rating."""
    per = pol.review_polarity(scores_table, meta["review_id"].tolist())
    return per.merge(meta[META_COLUMNS], on="review_id", how="left", validate="1:1")


def summary_document(
    reviews: pd.DataFrame, scored: pd.DataFrame, segments: pd.DataFrame, scorers: dict, cfg: dict
) -> dict:
    """polarity/summary.json from the per-review frame (:func:`review_frame`), the scored
    segments and polarity/scorers.json."""
    with_text = scored.merge(
        segments[["review_id", "segment_no", "text"]], on=["review_id", "segment_no"]
    )
    primary = scorers["primary"]
    return polarity_summary(
        reviews,
        with_text,
        scorer=primary,
        thresholds={k: v for k, v in scorers["thresholds"][primary].items() if k != "fit"},
        agreement=scorers["segment_agreement"],
        examples=cfg["examples"],
    )


#: folds of the BERT classifier's cross-fit (held-out scores of train segments)
FOLDS = 5


def score_segments(
    segments: pd.DataFrame,
    meta: pd.DataFrame,
    *,
    model,
    bert: tuple[np.ndarray, np.ndarray] | None,
    bert_segment_files: Sequence | None,
    cfg: dict,
    probe: dict,
    validation_fraction: float,
    lowercase: bool,
    seed: int,
    threads: int = 1,
):
    """Rule score_segments: (the segment-scores table, polarity/scorers.json).

    ``bert``: the review ids and BERT review vectors (None: no BERT scorer). Both scorers and
    their thresholds see the train split only, and the thresholds are fitted on scores of
    models that did not fit on the segment's review: for the network, the segments of its
    validation hold-out (``validation_fraction``, ``seed``: the network's own); for the BERT
    classifier, each train review scored by a model cross-fitted without its fold.
    """
    from sentclust.wordvec.network import held_out_ids, train_test_frames

    seg_meta = segment_meta(segments, meta)
    _log.info("scoring %d segments of %d reviews", len(segments), segments["review_id"].nunique())
    scores = {"wordvec": wordvec_scores_of(segments, model, lowercase, threads)}
    train_df, _ = train_test_frames(meta[["review_id", "split", "label"]], meta[["review_id"]])
    val = segments["review_id"].isin(held_out_ids(train_df, validation_fraction, seed))
    held = {"wordvec": np.where(val.to_numpy(), scores["wordvec"], np.nan)}
    classifier = None
    if bert is not None:
        classifier, scores["bert"], held["bert"] = bert_scorer(
            segments, meta, bert, bert_segment_files, cfg=cfg, probe=probe, seed=seed
        )
    thresholds = fit_all_thresholds(held, seg_meta, cfg["confidence"])
    thresholds["wordvec"][1]["fitted_on"] = "segments of the network's validation hold-out"
    if "bert" in thresholds:
        thresholds["bert"][1]["fitted_on"] = f"train segments, {FOLDS}-fold cross-fitted scores"
    labels = label_primary(scores, thresholds, cfg["scorer"])
    table = pol.score_table(segments, scores, scorer=cfg["scorer"], labels=labels)
    agreement = agreement_by_scorer(scores, thresholds, seg_meta)
    doc = scorers_document(thresholds, classifier, cfg["scorer"], agreement)
    for name, a in agreement.items():
        _log.info("%s: polar segments agreeing with their review %s", name, a["polar_agreement"])
    return table, doc


def bert_scorer(segments, meta, bert, files, *, cfg: dict, probe: dict, seed: int):
    """(the classifier's record, every segment's BERT score, the held-out scores of train
    segments): the review classifier fitted on train-split review vectors, cross-fitted."""
    ids, x = bert
    m = meta.set_index("review_id").loc[ids]
    train = (m["split"] == "train").to_numpy()
    linear, fit, fold_scorers, fold_of = pol.cross_fitted_classifiers(
        x[train],
        m["label"].to_numpy()[train],
        folds=FOLDS,
        c=probe["C"],
        max_iter=probe["max_iter"],
        seed=seed,
    )
    fold_of_review = pd.Series(fold_of, index=ids[train])
    fold_of_segment = fold_of_review.reindex(segments["review_id"]).fillna(-1).to_numpy(np.int64)
    score, held = bert_segment_scores(
        segments,
        files,
        linear,
        min_coverage=cfg["min_coverage"],
        fold_scorers=fold_scorers,
        fold_of_segment=fold_of_segment,
    )
    return linear.to_dict() | {"fit": fit}, score, held


def wordvec_scores_of(segments: pd.DataFrame, model, lowercase: bool, threads: int) -> np.ndarray:
    return pol.wordvec_scores(model, segments["text"].tolist(), lowercase=lowercase, n_jobs=threads)


def explain_text_polarity(
    texts: Sequence[str],
    *,
    segment_spans,
    model,
    lowercase: bool,
    scorers: dict,
    bert_vectors=None,
) -> list[dict]:
    """The explained texts of the config (``explain.texts``), segmented and scored as the
    reviews are: per text its segments (text, offsets, each scorer's score, the primary
    label) and ``dual_polarity``. ``segment_spans``: per (cleaned) text its (start, end,
    sentence_no); ``scorers``: polarity/scorers.json (thresholds, the BERT classifier);
    ``bert_vectors``: (segment vectors, coverage) in the flattened span order, or None without
    the BERT scorer."""
    flat = [(i, s, e) for i, spans in enumerate(segment_spans) for s, e, *_ in spans]
    seg_texts = [texts[i][s:e] for i, s, e in flat]
    scores = {"wordvec": pol.wordvec_scores(model, seg_texts, lowercase=lowercase)}
    if bert_vectors is not None and scorers.get("bert_classifier") is not None:
        vecs, cov = bert_vectors
        linear = pol.LinearScorer.from_dict(scorers["bert_classifier"])
        scores["bert"] = pol.bert_scores(linear, vecs, cov, min_coverage=0.0)
    primary = scorers["primary"]
    labels = pol.Thresholds.from_dict(scorers["thresholds"][primary]).label(scores[primary])
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
        item["dual_polarity"] = pol.POSITIVE in got and pol.NEGATIVE in got
    return out


def bert_text_segments(texts, spans, *, encoding: dict, runtime: dict, mode: str, threads: int):
    """(segment vectors, coverage) of a few texts' segments as the corpus got them: pooled in
    the pass that encodes each text, or each segment encoded alone (``mode`` separate)."""
    from sentclust.bert.encode import encode_configured

    flat = [(s, e) for sp in spans for s, e, *_ in sp]
    if mode == "separate":
        seg_texts = [texts[i][s:e] for i, sp in enumerate(spans) for s, e, *_ in sp]
        vectors, *_ = encode_configured(seg_texts, encoding, runtime, threads=threads)
        return vectors, np.ones(len(flat), dtype=np.float32)
    *_, pooled = encode_configured(
        texts,
        encoding,
        runtime,
        threads=threads,
        segment_spans=[[(s, e) for s, e, *_ in sp] for sp in spans],
    )
    return pooled.vectors, pooled.coverage
