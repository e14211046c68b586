"""The word-embedding rules' work (rules/wordvec.smk): rule train_wordvec (train on the train
split, test on the test split, the metrics record, the word vectors table) and rule
wordvec_vectors (the summary of the review vectors).
"""

from __future__ import annotations

import logging
from dataclasses import asdict

import numpy as np
import pandas as pd
import pyarrow as pa

from sentclust.files import fixed_size_list, package_versions
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
