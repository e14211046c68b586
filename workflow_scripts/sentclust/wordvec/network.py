"""The word-embedding network's layers and training: a small Keras network (fastText-style).

The network: a ``TextVectorization`` fitted on the training split only (whitespace split of the
prepared tokens, optional n-grams), an ``Embedding`` layer, masked average pooling (padding and
out-of-vocabulary ids are left out of the average), one small dense layer and a sigmoid output.
The pooled vector is a review's vector; the embedding matrix gives the word vectors. What the
trained network is and gives (its saved form, predictions, vectors) is
:class:`sentclust.wordvec.model.SentimentNetwork`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402

PAD, OOV = 0, 1  # TextVectorization's reserved ids: '' (padding) and '[UNK]'


@dataclass(frozen=True)
class NetworkParams:
    """Hyperparameters of the network: the config's ``wordvec`` section (its defaults live in
    config/schema.yaml only: every field is required)."""

    max_tokens: int
    sequence_length: int
    ngrams: int
    embedding_dim: int
    hidden_units: int
    dropout: float
    learning_rate: float
    batch_size: int
    max_epochs: int
    patience: int
    validation_fraction: float

    @classmethod
    def from_config(cls, cfg: dict) -> NetworkParams:
        known = {k: v for k, v in cfg.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def configure_tensorflow(seed: int, threads: int) -> None:
    """Seed every generator and make ops deterministic, so the same config gives the same model."""
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(max(1, min(2, threads)))
    except RuntimeError:  # already initialised in this process (tests): keep the settings
        pass


@keras.saving.register_keras_serializable(package="sentclust")
class MaskedAverage(layers.Layer):
    """Mean of the embeddings of known tokens; ids 0 (padding) and 1 (OOV) are left out.

    A review without any known token gets the zero vector.
    """

    def call(self, embeddings, ids):
        mask = tf.cast(ids > OOV, embeddings.dtype)[..., None]
        total = tf.reduce_sum(embeddings * mask, axis=1)
        count = tf.reduce_sum(mask, axis=1)
        return tf.math.divide_no_nan(total, count)


def build_vectorizer(p: NetworkParams) -> layers.TextVectorization:
    return layers.TextVectorization(
        max_tokens=p.max_tokens,
        standardize=None,  # the prepare stage already cleaned and lower-cased
        split="whitespace",
        ngrams=p.ngrams if p.ngrams > 1 else None,
        output_mode="int",
        output_sequence_length=p.sequence_length,
        name="vectorizer",
    )


def build_network(vocab_size: int, p: NetworkParams) -> keras.Model:
    """ids (batch, sequence_length) -> P(positive). Layers named for later extraction."""
    ids = keras.Input(shape=(p.sequence_length,), dtype="int64", name="ids")
    emb = layers.Embedding(vocab_size, p.embedding_dim, name="embedding")(ids)
    pooled = MaskedAverage(name="review_vector")(emb, ids)
    h = layers.Dropout(p.dropout, name="dropout")(pooled)
    h = layers.Dense(p.hidden_units, activation="relu", name="hidden")(h)
    out = layers.Dense(1, activation="sigmoid", name="output")(h)
    model = keras.Model(ids, out, name="wordvec_network")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=p.learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def validation_split(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded (train_idx, val_idx) of a hold-out of ``fraction`` of n rows."""
    order = np.random.default_rng(seed).permutation(n)
    n_val = max(1, int(round(fraction * n))) if n > 1 else 0
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def held_out_ids(train_df: pd.DataFrame, fraction: float, seed: int) -> np.ndarray:
    """The review ids of the network's validation hold-out: the train-split rows (in the order
    :func:`train_test_frames` gives them) that :func:`train` keeps out of the weights' fit (it
    draws the same :func:`validation_split`)."""
    _, va = validation_split(len(train_df), fraction, seed)
    return train_df["review_id"].to_numpy()[va]


def train(
    train_tokens: np.ndarray,
    train_labels: np.ndarray,
    p: NetworkParams,
    seed: int,
    *,
    verbose: int = 2,
) -> tuple[layers.TextVectorization, keras.Model, dict]:
    """Fit the vectoriser on the training texts only, then train with early stopping."""
    vec = build_vectorizer(p)
    vec.adapt(tf.data.Dataset.from_tensor_slices(train_tokens).batch(4096))
    vocab_size = len(vec.get_vocabulary())
    x = vec(train_tokens).numpy()
    y = np.asarray(train_labels, dtype="float32")
    tr, va = validation_split(len(x), p.validation_fraction, seed)
    model = build_network(vocab_size, p)
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=p.patience, restore_best_weights=True
    )
    hist = model.fit(
        x[tr],
        y[tr],
        validation_data=(x[va], y[va]),
        epochs=p.max_epochs,
        batch_size=p.batch_size,
        shuffle=True,
        callbacks=[stop],
        verbose=verbose,
    )
    history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
    best = int(np.argmin(history["val_loss"])) + 1
    info = {
        "epochs_run": len(history["loss"]),
        "best_epoch": best,
        "vocab_size": vocab_size,
        "n_train": int(len(tr)),
        "n_validation": int(len(va)),
        "history": history,
    }
    return vec, model, info


def train_test_frames(reviews: pd.DataFrame, tokens: pd.DataFrame):
    """(train, test): ``reviews`` (review_id, split, label) joined with their ``tokens``.

    The network needs reviews in both splits; without them this fails with the counts.
    """
    df = reviews.merge(tokens, on="review_id", how="inner", validate="one_to_one")
    train, test = df[df["split"] == "train"], df[df["split"] == "test"]
    if train.empty or test.empty:
        raise ValueError(
            "the network needs reviews in both the train and the test split; "
            f"found train={len(train)}, test={len(test)} (check ingest.splits)"
        )
    return train, test
