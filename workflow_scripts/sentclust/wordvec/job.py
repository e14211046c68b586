"""The word-embedding rules' work (rules/wordvec.smk): rule train_wordvec (train on the train
split, test on the test split, the metrics record, the word vectors table), rule
wordvec_vectors (the summary of the review vectors), rule explain (LIME on chosen test reviews
and the config's texts) and rule probe (a linear probe of one embedding kind).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from sentclust.files import atomic_dir, fixed_size_list, package_versions
from sentclust.wordvec import explain
from sentclust.wordvec.probe import linear_probe

if TYPE_CHECKING:  # TensorFlow loads with these: rule probe's jobs never need it
    from sentclust.wordvec.model import SentimentNetwork
    from sentclust.wordvec.network import NetworkParams

#: packages whose versions the network's metrics record
VERSIONS_OF = ["tensorflow-cpu", "tensorflow", "keras", "numpy"]


def params_dict(p: NetworkParams) -> dict:
    return asdict(p)


def train_and_test(
    train_df: pd.DataFrame,
    test_df: pd.DataFrame,
    p: NetworkParams,
    seed: int,
    *,
    verbose: int = 2,
    log: logging.Logger | None = None,
) -> tuple[SentimentNetwork, dict]:
    """Train on ``train_df`` (tokens, label), test on ``test_df``: the exported model and its
    metrics record (test metrics, training report, parameters, seed, package versions)."""
    log = log or logging.getLogger("sentclust")
    log.info("training on %d reviews (%s)", len(train_df), p)
    from sentclust.wordvec.model import SentimentNetwork  # TensorFlow: only when training

    model, info = SentimentNetwork.fit(
        train_df["tokens"].to_numpy(), train_df["label"].to_numpy(), p, seed, verbose=verbose
    )
    test_metrics = model.evaluate(test_df["tokens"].to_numpy(), test_df["label"].to_numpy())
    log.info("test: %s", test_metrics)
    record = {
        "test": test_metrics,
        "training": info,
        "params": params_dict(p),
        "seed": seed,
        "versions": package_versions(VERSIONS_OF),
    }
    return model, record


def word_vectors_table(model: SentimentNetwork) -> pa.Table:
    """The word vectors as a table: ``word`` and a fixed-size float32 ``vector``."""
    words, vectors = model.word_vectors()
    return pa.table({"word": pa.array(words, type=pa.string()), "vector": fixed_size_list(vectors)})


def vectors_summary(review_ids, vectors: np.ndarray, known: np.ndarray) -> dict:
    """``wordvec_summary.json``: sizes, and the reviews with no known word (zero vectors)."""
    zero = pd.Series(review_ids)[known == 0].tolist()
    return {
        "kind": "wordvec",
        "supervision": "trained on train-split labels (the network's own embedding layer)",
        "n_reviews": len(known),
        "dimensions": int(vectors.shape[1]),
        "zero_vector_reviews": len(zero),
        "zero_vector_review_ids": zero[:100],
        "known_tokens_per_review": {
            "min": int(known.min()),
            "median": float(pd.Series(known).median()),
            "max": int(known.max()),
        },
    }


def explain_predictions(
    model: SentimentNetwork,
    reviews: pd.DataFrame,
    prepared: pd.DataFrame,
    cfg: dict,
    *,
    prepare: dict,
    batch_size: int,
    seed: int,
    figures,
    html,
    log: logging.Logger,
) -> dict:
    """Rule explain: LIME explanations of the test reviews chosen by rule and of the config's
    texts (cleaned and tokenised with ``prepare``'s ``unicode_form`` and ``lowercase``), their
    figures and pages written into the folders ``figures`` and ``html`` (atomically); returns
    explain/explanations.json."""
    predict = model.predict_proba
    items = explain.review_items(reviews, prepared, predict, cfg["per_category"])
    items += explain.text_items(
        cfg["texts"], predict, unicode_form=prepare["unicode_form"], lowercase=prepare["lowercase"]
    )
    lime_fn = explain.batched(partial(predict, batch_size=batch_size), batch_size)
    with atomic_dir(figures) as fig_dir, atomic_dir(html) as html_dir:
        explain.explain_items(items, lime_fn, fig_dir, html_dir, cfg, seed=seed, log=log)
    return explain.explanations_record(items, cfg, seed)


def probe_embeddings(x, meta, *, kind: str, c: float, max_iter: int, seed: int) -> dict:
    """:func:`linear_probe` from the train split's vectors to the test split's; ``meta`` holds
    the reviews' ``split`` and ``label`` in the order of ``x``'s rows. The record of
    probe/<kind>.json: the probe's numbers, then ``kind`` and ``seed``."""
    train = (meta["split"] == "train").to_numpy()
    test = (meta["split"] == "test").to_numpy()
    y = meta["label"].to_numpy(dtype=np.int64)
    result = linear_probe(x[train], y[train], x[test], y[test], c=c, max_iter=max_iter, seed=seed)
    result["kind"] = kind
    result["seed"] = seed
    return result
