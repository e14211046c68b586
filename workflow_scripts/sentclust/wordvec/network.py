"""Custom word embeddings: a small Keras network (fastText-style) and what it gives.

The network: a ``TextVectorization`` fitted on the training split only (whitespace split of the
prepared tokens, optional n-grams), an ``Embedding`` layer, masked average pooling (padding and
out-of-vocabulary ids are left out of the average), one small dense layer and a sigmoid output.
The pooled vector is a review's vector; the embedding matrix gives the word vectors.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402
from scipy.special import expit  # noqa: E402

from sentclust.files import fixed_size_list, package_versions  # noqa: E402

PAD, OOV = 0, 1  # TextVectorization's reserved ids: '' (padding) and '[UNK]'
#: packages whose versions the network's metrics record
VERSIONS_OF = ["tensorflow-cpu", "tensorflow", "keras", "numpy"]


@dataclass(frozen=True)
class NetworkParams:
    """Hyperparameters of the network (the config's ``wordvec`` section)."""

    max_tokens: int = 50000
    sequence_length: int = 600
    ngrams: int = 2
    embedding_dim: int = 64
    hidden_units: int = 16
    dropout: float = 0.2
    learning_rate: float = 0.001
    batch_size: int = 128
    max_epochs: int = 15
    patience: int = 2
    validation_fraction: float = 0.1

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


def export_model(vec: layers.TextVectorization, net: keras.Model) -> keras.Model:
    """One model from token strings to P(positive): the vectoriser inside, saved together."""
    text = keras.Input(shape=(), dtype="string", name="tokens")
    out = net(vec(text))
    return keras.Model(text, out, name="wordvec_classifier")


def load_model(path: str) -> keras.Model:
    return keras.models.load_model(path, compile=False)


def _parts(model: keras.Model) -> tuple[layers.TextVectorization, keras.Model]:
    vec = model.get_layer("vectorizer")
    net = model.get_layer("wordvec_network")
    return vec, net


def predict_proba(model: keras.Model, tokens, batch_size: int = 1024) -> np.ndarray:
    """P(positive) for each space-joined token string, in batches."""
    vec, net = _parts(model)
    tokens = np.asarray(tokens, dtype=object)
    out = np.empty(len(tokens), dtype=np.float32)
    for a in range(0, len(tokens), batch_size):
        ids = vec(tf.constant(tokens[a : a + batch_size].astype(str)))
        out[a : a + batch_size] = net(ids, training=False).numpy()[:, 0]
    return out


def predict_proba_short(model: keras.Model, tokens, batch_size: int = 2048) -> np.ndarray:
    """:func:`predict_proba` for short texts (segments): the network's layers applied in numpy
    to ids cut to the batch's longest text instead of ``sequence_length`` (the average skips
    padding, so the result is the same up to float rounding), at a fraction of the time and
    memory of the padded TensorFlow call. Texts are batched in order of their token counts, so
    that one long text does not widen a whole batch of short ones."""
    vec, net = _parts(model)
    table = net.get_layer("embedding").get_weights()[0]
    w1, b1 = net.get_layer("hidden").get_weights()
    w2, b2 = net.get_layer("output").get_weights()
    tokens = np.asarray(tokens, dtype=object)
    order = np.argsort([t.count(" ") if t else -1 for t in tokens], kind="stable")
    out = np.empty(len(tokens), dtype=np.float32)
    for a in range(0, len(tokens), batch_size):
        rows = order[a : a + batch_size]
        ids = vec(tf.constant(tokens[rows].astype(str))).numpy()
        known = ids > OOV
        width = int(known.any(axis=0).nonzero()[0].max()) + 1 if known.any() else 1
        ids, known = ids[:, :width], known[:, :width]
        total = (table[ids] * known[..., None]).sum(axis=1)
        count = known.sum(axis=1, keepdims=True)
        pooled = np.divide(total, count, out=np.zeros_like(total), where=count > 0)
        hidden = np.maximum(pooled @ w1 + b1, 0.0)
        # expit: the sigmoid without exp's overflow warning for very negative logits
        out[rows] = expit(hidden @ w2 + b2)[:, 0]
    return out


def review_vectors(model: keras.Model, tokens, batch_size: int = 1024, *, with_counts=False):
    """The masked average of each review's word vectors, float32 (n, embedding_dim); with
    ``with_counts`` also how many in-vocabulary ids each review has (0: a zero vector), from the
    same vectorisation."""
    vec, net = _parts(model)
    pooled = keras.Model(net.input, net.get_layer("review_vector").output)
    tokens = np.asarray(tokens, dtype=object)
    dim = net.get_layer("embedding").output_dim
    out = np.empty((len(tokens), dim), dtype=np.float32)
    counts = np.empty(len(tokens), dtype=np.int64)
    for a in range(0, len(tokens), batch_size):
        ids = vec(tf.constant(tokens[a : a + batch_size].astype(str)))
        out[a : a + batch_size] = pooled(ids, training=False).numpy()
        counts[a : a + batch_size] = (ids.numpy() > OOV).sum(axis=1)
    return (out, counts) if with_counts else out


def word_vectors(model: keras.Model) -> tuple[list[str], np.ndarray]:
    """The vocabulary (tokens and n-grams) and its vectors; padding and OOV rows left out."""
    vec, net = _parts(model)
    vocab = vec.get_vocabulary()
    weights = net.get_layer("embedding").get_weights()[0].astype(np.float32)
    return list(vocab[2:]), weights[2:]


def evaluate(model: keras.Model, tokens, labels) -> dict:
    from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

    p = predict_proba(model, tokens)
    y = np.asarray(labels, dtype=int)
    return {
        "accuracy": float(accuracy_score(y, p >= 0.5)),
        "roc_auc": float(roc_auc_score(y, p)) if len(set(y)) == 2 else None,
        "loss": float(log_loss(y, np.clip(p, 1e-7, 1 - 1e-7), labels=[0, 1])),
        "n": int(len(y)),
    }


def params_dict(p: NetworkParams) -> dict:
    return asdict(p)


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


def train_and_test(
    train_df: pd.DataFrame,
    test_df: pd.DataFrame,
    p: NetworkParams,
    seed: int,
    *,
    verbose: int = 2,
    log: logging.Logger | None = None,
) -> tuple[keras.Model, dict]:
    """Train on ``train_df`` (tokens, label), test on ``test_df``: the exported model and its
    metrics record (test metrics, training report, parameters, seed, package versions)."""
    log = log or logging.getLogger("sentclust")
    log.info("training on %d reviews (%s)", len(train_df), p)
    vec, net, info = train(
        train_df["tokens"].to_numpy(), train_df["label"].to_numpy(), p, seed, verbose=verbose
    )
    model = export_model(vec, net)
    test_metrics = evaluate(model, test_df["tokens"].to_numpy(), test_df["label"].to_numpy())
    log.info("test: %s", test_metrics)
    record = {
        "test": test_metrics,
        "training": info,
        "params": params_dict(p),
        "seed": seed,
        "versions": package_versions(VERSIONS_OF),
    }
    return model, record


def word_vectors_table(model: keras.Model) -> pa.Table:
    """The word vectors as a table: ``word`` and a fixed-size float32 ``vector``."""
    words, vectors = word_vectors(model)
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
