"""Polarity inside reviews: segment scores from models trained on review labels only, the
positive / neutral / negative thresholds fitted on the train split, and per-review polarity.

IMDB labels whole reviews, never sentences. Segments are scored with what the review labels
trained (the multiple-instance view of fine-grained sentiment):

- ``wordvec``: the word-embedding network reads any number of tokens, so a segment's tokens go
  through it as a short review; its score is the logit of P(positive);
- ``bert``: a logistic regression fitted on the train split's BERT review vectors, applied to
  each segment's BERT vector (pooled from the review's own token embeddings, or encoded alone);
  its score is the decision function (a logit too).

Scores are not probabilities that a *segment* is positive. The thresholds say how sure one may
be: an isotonic regression of the review label on the segment score over train-split segments
gives the share of positive reviews among segments of that score; a segment is positive where
that share reaches ``confidence``, negative where it is at most ``1 - confidence``, neutral
between. Test rows never enter the fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

#: labels of a segment
POSITIVE, NEUTRAL, NEGATIVE = 1, 0, -1
#: scorers, in the order of their columns
SCORERS = ("wordvec", "bert")
#: a step of the isotonic fit places a threshold only when it holds at least this many
#: train segments, and this share of them
MIN_STEP_SEGMENTS, MIN_STEP_SHARE = 10, 0.001
#: logits are clipped to this probability range (a sigmoid output of exactly 0 or 1)
_EPS = 1e-6

SCORES_SCHEMA = pa.schema(
    [
        ("review_id", pa.string()),
        ("segment_no", pa.int32()),
        ("score_wordvec", pa.float32()),
        ("score_bert", pa.float32()),
        ("score", pa.float32()),
        ("label", pa.int8()),
    ]
)


def logit(p) -> np.ndarray:
    """log(p / (1 - p)), float32, p clipped away from 0 and 1."""
    p = np.clip(np.asarray(p, dtype=np.float64), _EPS, 1 - _EPS)
    return np.log(p / (1 - p)).astype(np.float32)


# --------------------------------------------------------------------------- scorers


def wordvec_scores(model, segment_texts, *, lowercase: bool, n_jobs: int = 1) -> np.ndarray:
    """The network's logit of P(positive) for each segment text, tokenised as the reviews were
    (:func:`sentclust.prepare.text.tokenize_many`). A segment with no known token gets the network's
    score of an empty review, as a review would."""
    from sentclust.prepare.text import tokenize_many
    from sentclust.wordvec.network import predict_proba_short

    tokens = tokenize_many(list(segment_texts), lowercase=lowercase, n_jobs=n_jobs)
    return logit(predict_proba_short(model, tokens))


@dataclass
class LinearScorer:
    """A linear decision function on raw vectors: ``x @ weights + bias`` (a logit)."""

    weights: np.ndarray  # (dim,) float64
    bias: float

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=np.float64) @ self.weights + self.bias).astype(np.float32)

    def to_dict(self) -> dict:
        return {"weights": self.weights.tolist(), "bias": float(self.bias)}

    @classmethod
    def from_dict(cls, d: dict) -> LinearScorer:
        return cls(np.asarray(d["weights"], dtype=np.float64), float(d["bias"]))


def fit_review_classifier(
    x_train: np.ndarray, y_train: np.ndarray, *, c: float, max_iter: int, seed: int
) -> tuple[LinearScorer, dict]:
    """The probe's model (standardised features, L2 logistic regression) fitted on train-split
    review vectors, folded into one :class:`LinearScorer` on raw vectors, and its train accuracy."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    y_train = np.asarray(y_train)
    if len(np.unique(y_train)) < 2:
        raise ValueError(
            "the BERT segment scorer needs both labels in the train split; keep both classes "
            "(ingest.splits, ingest.subsample) or set polarity.bert_segments: off"
        )
    scaler = StandardScaler().fit(x_train)
    clf = LogisticRegression(C=c, max_iter=max_iter, random_state=seed)
    clf.fit(scaler.transform(x_train), y_train)
    w = clf.coef_[0] / scaler.scale_
    b = float(clf.intercept_[0] - (w * scaler.mean_).sum())
    scorer = LinearScorer(w.astype(np.float64), b)
    acc = float(((scorer(x_train) > 0).astype(int) == y_train).mean())
    return scorer, {"train_accuracy": acc, "n_train": int(len(y_train)), "C": c}


def cross_fitted_classifiers(
    x_train: np.ndarray, y_train: np.ndarray, *, folds: int, c: float, max_iter: int, seed: int
) -> tuple[LinearScorer, dict, list[LinearScorer], np.ndarray]:
    """The review classifier on every train row (:func:`fit_review_classifier`), and one per
    seeded fold fitted without that fold's rows: (scorer, its fit, fold scorers, each row's
    fold). A train review's segments scored by the model of its own fold are scored as unseen
    data, which is what thresholds must be fitted on (the model on all rows has seen them)."""
    scorer, fit = fit_review_classifier(x_train, y_train, c=c, max_iter=max_iter, seed=seed)
    fold_of = np.random.default_rng(seed).permutation(len(y_train)) % folds
    fold_scorers = [
        fit_review_classifier(
            x_train[fold_of != f], y_train[fold_of != f], c=c, max_iter=max_iter, seed=seed
        )[0]
        for f in range(folds)
    ]
    fit["cross_fit_folds"] = folds
    return scorer, fit, fold_scorers, fold_of


def bert_scores(scorer: LinearScorer, vectors, coverage, *, min_coverage: float) -> np.ndarray:
    """The review classifier's logit for each segment vector; NaN where less than
    ``min_coverage`` of the segment's tokens were inside the encoded window."""
    scores = scorer(vectors)
    scores[np.asarray(coverage) < min_coverage] = np.nan
    return scores


# --------------------------------------------------------------------------- thresholds


@dataclass
class Thresholds:
    """Segment labels from a score: positive at or above ``positive``, negative at or below
    ``negative``, neutral between."""

    negative: float
    positive: float
    confidence: float

    def label(self, scores) -> np.ndarray:
        s = np.asarray(scores, dtype=np.float64)
        out = np.zeros(len(s), dtype=np.int8)
        out[s >= self.positive] = POSITIVE
        out[s <= self.negative] = NEGATIVE
        return out  # NaN compares False: neutral, and excluded by the caller

    def to_dict(self) -> dict:
        """JSON-safe: an infinite threshold (that label never given) is None."""
        return {
            "negative": self.negative if np.isfinite(self.negative) else None,
            "positive": self.positive if np.isfinite(self.positive) else None,
            "confidence": self.confidence,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Thresholds:
        neg, posi = d["negative"], d["positive"]
        return cls(
            negative=float("-inf") if neg is None else float(neg),
            positive=float("inf") if posi is None else float(posi),
            confidence=float(d["confidence"]),
        )


def fit_thresholds(scores, review_labels, *, confidence: float) -> tuple[Thresholds, dict]:
    """Thresholds from train-split segments only: ``scores`` and the labels of the reviews the
    segments come from (pass train rows only; NaN scores are left out).

    An isotonic regression of the review label on the score estimates, for each score, the
    share of positive reviews among segments that score so; ``positive`` is the lowest score
    where it reaches ``confidence``, ``negative`` the highest where it is at most
    ``1 - confidence``; a step of the fitted curve that rests on fewer than
    ``MIN_STEP_SEGMENTS`` segments (or ``MIN_STEP_SHARE`` of them) places no threshold. When the
    scores never get that sure on one side, that side's threshold is infinite (no segment gets
    that label).
    """
    from sklearn.isotonic import IsotonicRegression

    if not 0.5 < confidence < 1:
        raise ValueError(f"polarity.confidence must be in (0.5, 1), got {confidence}")
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(review_labels, dtype=np.float64)
    keep = np.isfinite(s)
    s, y = s[keep], y[keep]
    if len(s) == 0 or len(np.unique(y)) < 2:
        raise ValueError(
            "fitting segment thresholds needs scored train-split segments from positive and "
            "negative reviews; keep both classes in the train split"
        )
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(s, y)
    xs, n_at = np.unique(s, return_counts=True)
    share = iso.predict(xs)
    # a step of the fitted curve resting on a handful of segments (the extremes of a small run)
    # places no threshold
    step = np.concatenate([[0], np.cumsum(np.diff(share) != 0)])
    support = np.bincount(step, weights=n_at)[step]
    solid = support >= max(MIN_STEP_SEGMENTS, MIN_STEP_SHARE * len(s))
    pos = xs[solid & (share >= confidence)]
    neg = xs[solid & (share <= 1 - confidence)]
    t = Thresholds(
        negative=float(neg.max()) if len(neg) else float("-inf"),
        positive=float(pos.min()) if len(pos) else float("inf"),
        confidence=confidence,
    )
    labels = t.label(s)
    info = {
        "n_train_segments": int(len(s)),
        "train_positive_review_share": float(y.mean()),
        "train_label_shares": {
            "positive": float((labels == POSITIVE).mean()),
            "neutral": float((labels == NEUTRAL).mean()),
            "negative": float((labels == NEGATIVE).mean()),
        },
        "midpoint": float(xs[np.argmin(np.abs(share - 0.5))]),
    }
    return t, info


def score_table(segments: pd.DataFrame, scores: dict[str, np.ndarray], *, scorer: str, labels):
    """The segment-scores table (SCORES_SCHEMA): one row per segment, in ``segments``' order;
    a scorer not run has NaN scores."""
    n = len(segments)
    cols = {name: np.asarray(scores.get(name, np.full(n, np.nan)), np.float32) for name in SCORERS}
    return pa.table(
        {
            "review_id": pa.array(segments["review_id"].astype(str).to_numpy(), pa.string()),
            "segment_no": pa.array(segments["segment_no"].to_numpy(np.int32), pa.int32()),
            "score_wordvec": pa.array(cols["wordvec"], pa.float32()),
            "score_bert": pa.array(cols["bert"], pa.float32()),
            "score": pa.array(cols[scorer], pa.float32()),
            "label": pa.array(np.asarray(labels, dtype=np.int8), pa.int8()),
        },
        schema=SCORES_SCHEMA,
    )


# --------------------------------------------------------------------------- per review

REVIEW_SCHEMA = pa.schema(
    [
        ("review_id", pa.string()),
        ("n_segments", pa.int32()),
        ("n_scored", pa.int32()),
        ("n_positive", pa.int32()),
        ("n_negative", pa.int32()),
        ("n_neutral", pa.int32()),
        ("share_positive", pa.float32()),
        ("share_negative", pa.float32()),
        ("share_neutral", pa.float32()),
        ("spread_std", pa.float32()),
        ("spread_range", pa.float32()),
        ("most_positive_segment", pa.int32()),
        ("most_negative_segment", pa.int32()),
        ("most_positive_score", pa.float32()),
        ("most_negative_score", pa.float32()),
        ("dual_polarity", pa.bool_()),
    ]
)


def review_polarity(scored: pd.DataFrame, review_ids) -> pd.DataFrame:
    """One row per review of ``review_ids`` (in that order; REVIEW_SCHEMA's columns) from the
    scored segments (``review_id``, ``segment_no``, ``score``, ``label``).

    Shares are of the scored segments (a NaN score is unscored); the spread is the population
    standard deviation and the range of the scores (0 with one scored segment, NaN with none);
    ``dual_polarity``: at least one positive and one negative segment. A review without scored
    segments has counts 0, NaN shares, segment numbers -1.
    """
    df = scored[["review_id", "segment_no", "score", "label"]].copy()
    n_all = df.groupby("review_id", sort=False).size()
    df = df[np.isfinite(df["score"].to_numpy(np.float64))]
    g = df.groupby("review_id", sort=False)
    lab = df["label"].to_numpy()
    counts = (
        pd.DataFrame(
            {
                "review_id": df["review_id"],
                "pos": lab == POSITIVE,
                "neg": lab == NEGATIVE,
                "neu": lab == NEUTRAL,
            }
        )
        .groupby("review_id", sort=False)[["pos", "neg", "neu"]]
        .sum()
    )
    stats = g["score"].agg(["count", "max", "min"])
    stats["std"] = g["score"].std(ddof=0)
    top = df.loc[g["score"].idxmax(), ["review_id", "segment_no"]].set_index("review_id")
    low = df.loc[g["score"].idxmin(), ["review_id", "segment_no"]].set_index("review_id")
    out = pd.DataFrame(index=pd.Index(list(review_ids), name="review_id"))
    out["n_segments"] = n_all.reindex(out.index).fillna(0).astype(np.int32)
    out["n_scored"] = stats["count"].reindex(out.index).fillna(0).astype(np.int32)
    for col, src in (("n_positive", "pos"), ("n_negative", "neg"), ("n_neutral", "neu")):
        out[col] = counts[src].reindex(out.index).fillna(0).astype(np.int32)
    scored_n = out["n_scored"].where(out["n_scored"] > 0).astype(np.float64)
    for col, src in (
        ("share_positive", "n_positive"),
        ("share_negative", "n_negative"),
        ("share_neutral", "n_neutral"),
    ):
        out[col] = (out[src] / scored_n).astype(np.float32)
    out["spread_std"] = stats["std"].reindex(out.index).astype(np.float32)
    out["spread_range"] = (stats["max"] - stats["min"]).reindex(out.index).astype(np.float32)
    out["most_positive_segment"] = top["segment_no"].reindex(out.index).fillna(-1).astype(np.int32)
    out["most_negative_segment"] = low["segment_no"].reindex(out.index).fillna(-1).astype(np.int32)
    out["most_positive_score"] = stats["max"].reindex(out.index).astype(np.float32)
    out["most_negative_score"] = stats["min"].reindex(out.index).astype(np.float32)
    out["dual_polarity"] = (out["n_positive"] > 0) & (out["n_negative"] > 0)
    return out.reset_index()


def reviews_table(reviews: pd.DataFrame) -> pa.Table:
    """:func:`review_polarity`'s frame as Parquet-ready Arrow (REVIEW_SCHEMA)."""
    return pa.Table.from_pandas(reviews, schema=REVIEW_SCHEMA, preserve_index=False)
