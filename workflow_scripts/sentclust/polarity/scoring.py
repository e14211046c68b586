"""The segment scorers, models trained on review labels only (IMDB labels whole reviews, never
sentences: the multiple-instance view of fine-grained sentiment):

- ``wordvec``: the word-embedding network reads any number of tokens, so a segment's tokens go
  through it as a short review; its score is the logit of P(positive);
- ``bert``: a logistic regression fitted on the train split's BERT review vectors, applied to
  each segment's BERT vector (pooled from the review's own token embeddings, or encoded alone);
  its score is the decision function (a logit too).

What a score means as a label is up to the thresholds (:mod:`.thresholds`); the scorers of a
run, with their thresholds, are one object (:class:`sentclust.polarity.scorers.SegmentScorers`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sentclust.prepare.text import tokenize_many

#: logits are clipped to this probability range (a sigmoid output of exactly 0 or 1)
_EPS = 1e-6


def logit(p) -> np.ndarray:
    """log(p / (1 - p)), float32, p clipped away from 0 and 1."""
    p = np.clip(np.asarray(p, dtype=np.float64), _EPS, 1 - _EPS)
    return np.log(p / (1 - p)).astype(np.float32)


def wordvec_scores(network, segment_texts, *, lowercase: bool, n_jobs: int = 1) -> np.ndarray:
    """The network's (:class:`sentclust.wordvec.model.SentimentNetwork`) logit of P(positive)
    for each segment text, tokenised as the reviews were
    (:func:`sentclust.prepare.text.tokenize_many`). A segment with no known token gets the
    network's score of an empty review, as a review would."""
    tokens = tokenize_many(list(segment_texts), lowercase=lowercase, n_jobs=n_jobs)
    return logit(network.predict_proba_short(tokens))


def wordvec_pooled_scores(network, pooled: np.ndarray) -> np.ndarray:
    """:func:`wordvec_scores` of segments already pooled (``network.pooled_short``'s vectors)."""
    return logit(network.proba_of_pooled(pooled))


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
