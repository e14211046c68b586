"""The segment scorers of a run with their thresholds, as one object: :class:`SegmentScorers`.

It owns its fit (rule score_segments, on the corpus), its apply (each scorer's scores of any
segments, then the labels by the primary scorer's thresholds: the corpus, the explained texts
of rule polarity_texts and new texts placed on a finished run all go through it) and its saved
form, polarity/scorers.json (:meth:`SegmentScorers.to_dict`: each scorer's thresholds and fit,
the BERT classifier's weights on raw vectors, the primary scorer, the segments' agreement with
their reviews' labels on the test split).

Both scorers and their thresholds see the train split only, and the thresholds are fitted on
scores of models that did not fit on the segment's review: for the network, the segments of its
validation hold-out (the network's own ``validation_fraction`` and seed); for the BERT
classifier, each train review scored by a model cross-fitted without its fold (:data:`FOLDS`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sentclust.files import read_embeddings
from sentclust.polarity.check import segment_agreement
from sentclust.polarity.mil import MilModel
from sentclust.polarity.milfit import (
    by_text,
    corpus_features,
    mil_features,
    score_corpus,
    score_groups,
)
from sentclust.polarity.scoring import (
    LinearScorer,
    bert_scores,
    cross_fitted_classifiers,
    wordvec_pooled_scores,
)
from sentclust.polarity.thresholds import Thresholds, fit_symmetric_thresholds, fit_thresholds
from sentclust.prepare.text import tokenize_many

_log = logging.getLogger("sentclust")

#: folds of the BERT classifier's cross-fit (held-out scores of train segments)
FOLDS = 5
#: which train segments each scorer's thresholds are fitted on (scores of models that did not
#: fit on their review)
FITTED_ON = {
    "wordvec": "segments of the network's validation hold-out",
    "bert": f"train segments, {FOLDS}-fold cross-fitted scores",
    "mil": "segments of the network's validation hold-out (the polarity model's too)",
}


@dataclass
class SegmentScorers:
    """The scorers of a run: ``primary`` (config polarity.scorer) gives the labels; per scorer
    its :class:`Thresholds` and ``fits`` (how they were fitted); ``bert``, the BERT review
    classifier on raw vectors (None without that scorer) and ``bert_fit``, its fit; the
    ``agreement`` of each scorer's labels with the reviews' (:func:`segment_agreement`)."""

    primary: str
    thresholds: dict[str, Thresholds]
    fits: dict[str, dict] = field(default_factory=dict)
    bert: LinearScorer | None = None
    bert_fit: dict | None = None
    agreement: dict[str, dict] = field(default_factory=dict)
    #: the multiple-instance model (scorer mil), its segment features and the score that labels
    #: (polarity.mil.features, polarity.mil.score)
    mil: MilModel | None = None
    mil_features: str | None = None
    mil_score: str | None = None

    @property
    def needs_bert(self) -> bool:
        """Whether scoring new segments needs their BERT vectors (the primary scorer reads them)."""
        return self.primary == "bert" or (
            self.primary == "mil" and self.mil_features in ("bert", "both")
        )

    # ------------------------------------------------------------------ apply

    def score(
        self,
        segment_texts: Sequence[str],
        *,
        network,
        lowercase: bool,
        bert_vectors: tuple[np.ndarray, np.ndarray] | None = None,
        min_coverage: float,
        sizes: Sequence[int] | None = None,
        n_jobs: int = 1,
    ) -> dict[str, np.ndarray]:
        """Each scorer's score of the segments: the network's of ``segment_texts`` (tokenised
        with ``lowercase`` as the reviews were), the BERT classifier's of ``bert_vectors``
        ((vectors, coverage) in the same order) when they are given and the run has that
        scorer (NaN where less than ``min_coverage`` of a segment was inside the window), and
        the multiple-instance model's when the run has it: it reads each text's segments
        together, ``sizes`` (segments per text, in order) says which are whose."""
        tokens = tokenize_many(list(segment_texts), lowercase=lowercase, n_jobs=n_jobs)
        pooled = network.pooled_short(tokens)  # the network's score and the model's features
        scores = {"wordvec": wordvec_pooled_scores(network, pooled)}
        if bert_vectors is not None and self.bert is not None:
            vectors, coverage = bert_vectors
            scores["bert"] = bert_scores(self.bert, vectors, coverage, min_coverage=min_coverage)
        if self.mil is not None:
            if sizes is None or sum(sizes) != len(segment_texts):
                raise ValueError(
                    "the polarity model scores whole texts: pass each text's segment count"
                )
            bert = None if bert_vectors is None else bert_vectors[0]
            x = mil_features(self.mil_features, pooled, bert)
            scores["mil"] = score_groups(self.mil, by_text(x, sizes), self.mil_score)
        return scores

    def label(self, scores: dict[str, np.ndarray]) -> np.ndarray:
        """The segments' labels (+1, 0, -1) by the primary scorer's thresholds."""
        if self.primary not in scores:
            raise ValueError(
                f"polarity.scorer is {self.primary!r} but that scorer did not run "
                "(polarity.bert_segments is off?): set polarity.scorer to wordvec or turn the "
                "BERT segments on"
            )
        return self.thresholds[self.primary].label(scores[self.primary])

    # ------------------------------------------------------------------ saved form

    def to_dict(self) -> dict:
        """polarity/scorers.json: each scorer's thresholds and fit, the BERT classifier
        (weights on raw vectors: enough to score a new segment with numpy), the primary
        scorer, the agreement."""
        clf = self.bert
        return {
            "primary": self.primary,
            "thresholds": {
                n: t.to_dict() | {"fit": self.fits[n]} for n, t in self.thresholds.items()
            },
            "bert_classifier": None if clf is None else clf.to_dict() | {"fit": self.bert_fit},
            "segment_agreement": self.agreement,
            "mil": None
            if self.mil is None
            else self.mil.to_dict() | {"features": self.mil_features, "score": self.mil_score},
        }

    @classmethod
    def from_dict(cls, d: dict) -> SegmentScorers:
        """The scorers of :meth:`to_dict`'s document."""
        clf = d["bert_classifier"]
        return cls(
            primary=d["primary"],
            thresholds={n: Thresholds.from_dict(t) for n, t in d["thresholds"].items()},
            fits={n: t["fit"] for n, t in d["thresholds"].items()},
            bert=None if clf is None else LinearScorer.from_dict(clf),
            bert_fit=None if clf is None else clf["fit"],
            agreement=d["segment_agreement"],
            mil=None if d.get("mil") is None else MilModel.from_dict(d["mil"]),
            mil_features=None if d.get("mil") is None else d["mil"]["features"],
            mil_score=None if d.get("mil") is None else d["mil"]["score"],
        )

    @classmethod
    def read(cls, path) -> SegmentScorers:
        """The scorers saved in ``path`` (polarity/scorers.json)."""
        return cls.from_dict(json.loads(Path(path).read_text()))

    # ------------------------------------------------------------------ fit

    @classmethod
    def fit(
        cls,
        segments: pd.DataFrame,
        meta: pd.DataFrame,
        *,
        network,
        bert: tuple[np.ndarray, np.ndarray] | None,
        bert_segment_files: Sequence | None,
        polarity: dict,
        probe: dict,
        validation_fraction: float,
        lowercase: bool,
        seed: int,
        threads: int,
        mil: MilModel | None = None,
    ) -> tuple[SegmentScorers, dict[str, np.ndarray]]:
        """(the scorers fitted on the corpus, each scorer's scores of every segment in
        ``segments``' order). ``meta``: the reviews' ``review_id``, ``split``, ``label``;
        ``bert``: the review ids and BERT review vectors (None: no BERT scorer) and
        ``bert_segment_files`` the per-shard segment vectors; ``polarity`` and ``probe``: those
        sections of the config; ``validation_fraction`` and ``seed``: the network's; ``mil``:
        the polarity model fitted by rule polarity_model (None: scorer is not mil)."""
        # TensorFlow: the network's validation split lives with the network
        from sentclust.wordvec.network import held_out_ids, train_test_frames

        seg_meta = segment_meta(segments, meta)
        _log.info(
            "scoring %d segments of %d reviews", len(segments), segments["review_id"].nunique()
        )
        tokens = tokenize_many(segments["text"].tolist(), lowercase=lowercase, n_jobs=threads)
        pooled = network.pooled_short(tokens)  # the network's score and the model's features
        scores = {"wordvec": wordvec_pooled_scores(network, pooled)}
        train_df, _ = train_test_frames(meta[["review_id", "split", "label"]], meta[["review_id"]])
        held_ids = held_out_ids(train_df, validation_fraction, seed)
        val = segments["review_id"].isin(held_ids).to_numpy()
        held = {"wordvec": np.where(val, scores["wordvec"], np.nan)}
        linear = bert_fit = None
        if bert is not None:
            linear, bert_fit, scores["bert"], held["bert"] = bert_scorer(
                segments, meta, bert, bert_segment_files, cfg=polarity, probe=probe, seed=seed
            )
        if mil is not None:
            features = corpus_features(segments, pooled, bert_segment_files, polarity)
            scores["mil"] = score_corpus(mil, segments, features, polarity["mil"]["score"])
            held["mil"] = np.where(val, scores["mil"], np.nan)
        fitted = fit_all_thresholds(held, seg_meta, polarity["confidence"])
        scorers = cls(
            primary=polarity["scorer"],
            thresholds={n: t for n, (t, _) in fitted.items()},
            fits={n: info for n, (_, info) in fitted.items()},
            bert=linear,
            bert_fit=bert_fit,
            mil=mil,
            mil_features=None if mil is None else mil.fit_info["features"],
            mil_score=None if mil is None else polarity["mil"]["score"],
        )
        scorers.agreement = agreement_by_scorer(scores, scorers.thresholds, seg_meta)
        return scorers, scores


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
        # the polarity model's sign is the segment's own polarity: a band on its strength
        fit = fit_symmetric_thresholds if name == "mil" else fit_thresholds
        t, info = fit(s[train], y[train], confidence=confidence)
        out[name] = (t, info | {"fitted_on": FITTED_ON[name]})
    return out


def agreement_by_scorer(
    scores: dict[str, np.ndarray], thresholds: dict[str, Thresholds], seg_meta: pd.DataFrame
) -> dict:
    """:func:`segment_agreement` of each scorer on the test split (all rows without one)."""
    test = (seg_meta["split"] == "test").to_numpy()
    rows = test if test.any() else np.ones(len(seg_meta), dtype=bool)
    y = seg_meta["label"].to_numpy()
    out = {}
    for name, s in scores.items():
        out[name] = segment_agreement(s[rows], thresholds[name].label(s[rows]), y[rows])
        out[name]["split"] = "test" if test.any() else "all"
    return out


def bert_scorer(segments, meta, bert, files, *, cfg: dict, probe: dict, seed: int):
    """(the review classifier, its fit, every segment's BERT score, the held-out scores of
    train segments): the classifier fitted on train-split review vectors, cross-fitted."""
    ids, x = bert
    m = meta.set_index("review_id").loc[ids]
    train = (m["split"] == "train").to_numpy()
    linear, fit, fold_scorers, fold_of = cross_fitted_classifiers(
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
    return linear, fit, score, held


def bert_segment_scores(
    segments: pd.DataFrame,
    files: Sequence,
    scorer: LinearScorer,
    *,
    min_coverage: float,
    fold_scorers: Sequence[LinearScorer] = (),
    fold_of_segment: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(the BERT scorer's logit of every segment, in ``segments``' order; the held-out logit:
    each segment scored by the model of its review's fold, NaN for segments of reviews in no
    fold) from the per-shard segment-vector files (``review_id``, ``segment_no``,
    ``coverage``, ``embedding``), read one shard at a time (the vectors of a full run do not
    all fit in a job's memory bound)."""
    fold = pd.Series(
        np.full(len(segments), -1) if fold_of_segment is None else fold_of_segment,
        index=pd.MultiIndex.from_frame(segments[["review_id", "segment_no"]]),
    )
    parts = []
    for path in files:
        keys = pq.read_table(path, columns=["review_id", "segment_no", "coverage"]).to_pandas()
        _, x = read_embeddings(path)
        keys["score"] = bert_scores(scorer, x, keys["coverage"], min_coverage=min_coverage)
        f = fold.reindex(pd.MultiIndex.from_frame(keys[["review_id", "segment_no"]]))
        f = f.fillna(-1).to_numpy(np.int64)
        held = np.full(len(keys), np.nan, dtype=np.float32)
        for k, fs in enumerate(fold_scorers):
            rows = f == k
            held[rows] = bert_scores(fs, x[rows], keys["coverage"][rows], min_coverage=min_coverage)
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
