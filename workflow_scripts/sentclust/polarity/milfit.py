"""The multiple-instance polarity model (:mod:`.mil`) on a corpus and on new texts: its
segment features (the network's pooled word vectors, BERT segments encoded alone, or both), the
segments grouped by review, its fit on the train split (rule polarity_model) and its scores of
a corpus (rule score_segments).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sentclust.files import read_embeddings
from sentclust.polarity.mil import MilModel, MilParams


def mil_features(kind: str, pooled: np.ndarray, bert: np.ndarray | None) -> np.ndarray:
    """The polarity model's segment features (polarity.mil.features): the network's pooled
    word vectors, the BERT vectors of segments encoded alone, or both side by side."""
    if kind == "wordvec":
        return pooled
    if bert is None:
        raise ValueError(
            f"polarity.mil.features is {kind!r}, which reads BERT segments encoded alone: set "
            "polarity.bert_segments: separate (or polarity.mil.features: wordvec)"
        )
    return bert if kind == "bert" else np.hstack([pooled, bert.astype(np.float32)])


def by_text(x: np.ndarray, sizes: Sequence[int]) -> list[np.ndarray]:
    """Rows of ``x`` split into consecutive groups of ``sizes`` (texts with no segment left out)."""
    parts = np.split(x, np.cumsum(np.asarray(sizes, dtype=np.int64))[:-1])
    return [g for g in parts if len(g)]


def read_segment_vectors(segments: pd.DataFrame, files, polarity: dict) -> np.ndarray | None:
    """The BERT vectors of the segments in ``segments`` (their order; every segment of the
    shards or some of them), each encoded alone, when the polarity model reads them; else None.
    Read one shard at a time, keeping only the rows asked for."""
    if polarity["mil"]["features"] == "wordvec":
        return None
    if polarity["bert_segments"] != "separate" or not files:
        return None
    want = pd.MultiIndex.from_frame(segments[["review_id", "segment_no"]])
    out = None
    found = np.zeros(len(segments), dtype=bool)
    for path in files:
        keys = pq.read_table(path, columns=["review_id", "segment_no"]).to_pandas()
        at = want.get_indexer(pd.MultiIndex.from_frame(keys))
        if not (at >= 0).any():
            continue
        _, x = read_embeddings(path)
        if out is None:
            out = np.zeros((len(segments), x.shape[1]), dtype=np.float32)
        out[at[at >= 0]] = x[at >= 0]
        found[at[at >= 0]] = True
        del x
    if out is None or not found.all():
        raise ValueError(
            "the BERT segment vectors lack some of the segments: the shards were encoded from "
            "other segments; delete embeddings/bert_shards/ and rerun"
        )
    return out


def corpus_features(segments, pooled: np.ndarray, bert_segment_files, polarity: dict):
    """The polarity model's features of every segment in ``segments`` (their order): the
    network's pooled word vectors of their tokens (``network.pooled_short``'s ``pooled``),
    beside or instead of their BERT vectors (polarity.mil.features)."""
    bert = read_segment_vectors(segments, bert_segment_files, polarity)
    return mil_features(polarity["mil"]["features"], pooled, bert)


def train_segments(segments: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """The segments of the train split's reviews (their order kept)."""
    train = meta.loc[meta["split"] == "train", "review_id"]
    return segments[segments["review_id"].isin(train)].reset_index(drop=True)


def fit_mil(segments, meta, features, held_ids, polarity: dict, seed: int) -> MilModel:
    """The polarity model fitted on ``segments`` of the train split's reviews outside the
    network's validation hold-out ``held_ids``, stopped early on that hold-out (``features``:
    :func:`corpus_features` of ``segments``). Its target: the star rating where every train
    review has one, else the label. Segments of other splits are left out: test reviews never
    enter the fit."""
    is_train = segments["review_id"].isin(meta.loc[meta["split"] == "train", "review_id"])
    segments, features = segments[is_train.to_numpy()], features[is_train.to_numpy()]
    if segments.empty:
        raise ValueError("the polarity model is fitted on the train split, and this run has none")
    sizes = segments.groupby("review_id", sort=False).size()
    m = meta.set_index("review_id").loc[sizes.index]
    ratings = m.get("rating")
    use_ratings = ratings is not None and ratings.notna().all()
    target = ratings if use_ratings else m["label"]
    model = MilModel.fit(
        by_text(features, sizes.to_numpy()),
        target.to_numpy(np.float64),
        sizes.index.isin(held_ids),
        MilParams.from_config(polarity["mil"]),
        seed=seed,
    )
    model.fit_info["target"] = "rating" if use_ratings else "label"
    return model


#: polarity.mil.score -> the output of :meth:`MilModel.segment_outputs` that labels segments
SCORE_OUTPUT = {"polarity": "polarity", "attention": "score"}


def score_groups(model: MilModel, groups, score: str) -> np.ndarray:
    """The score of polarity.mil.score (``polarity`` or ``attention``) of every segment of
    ``groups`` (one feature array per text), flattened."""
    return model.segment_outputs(groups)[SCORE_OUTPUT[score]]


def score_corpus(model: MilModel, segments: pd.DataFrame, features: np.ndarray, score: str):
    """Every segment's score (``segments``' order, grouped by review as they come)."""
    sizes = segments.groupby("review_id", sort=False).size().to_numpy()
    return score_groups(model, by_text(features, sizes), score)
