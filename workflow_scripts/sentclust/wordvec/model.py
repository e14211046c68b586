"""The trained word-embedding network as one object: :class:`SentimentNetwork`.

It owns its fit (:meth:`SentimentNetwork.fit`: the vectoriser and the network trained on the
train split, :func:`sentclust.wordvec.network.train`), its saved form (one ``.keras`` file with
the vectoriser inside, loaded in Keras' safe mode: no pickled code) and what it gives: P(positive)
of token strings (reviews, or short segments through numpy), review vectors (the masked average
of their word vectors) and the word vectors. The rules train_wordvec, wordvec_vectors, explain,
score_segments and polarity_texts and placing new texts (:mod:`sentclust.assign`) all use it.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers
from scipy.special import expit

from sentclust.files import atomic_path
from sentclust.wordvec.network import OOV, NetworkParams, train


class SentimentNetwork:
    """The exported Keras model: token strings -> P(positive), the vectoriser inside."""

    def __init__(self, model: keras.Model):
        self.model = model
        self.vectorizer = model.get_layer("vectorizer")
        self.network = model.get_layer("wordvec_network")

    @classmethod
    def fit(
        cls, tokens, labels, p: NetworkParams, seed: int, *, verbose: int = 2
    ) -> tuple[SentimentNetwork, dict]:
        """(the network trained on ``tokens`` and ``labels`` with early stopping, the training
        report of :func:`~sentclust.wordvec.network.train`)."""
        vec, net, info = train(tokens, labels, p, seed, verbose=verbose)
        return cls.export(vec, net), info

    @classmethod
    def export(cls, vec: layers.TextVectorization, net: keras.Model) -> SentimentNetwork:
        """One model from token strings to P(positive): the vectoriser inside, saved together."""
        text = keras.Input(shape=(), dtype="string", name="tokens")
        out = net(vec(text))
        return cls(keras.Model(text, out, name="wordvec_classifier"))

    @classmethod
    def load(cls, path: str | Path) -> SentimentNetwork:
        """The network saved at ``path`` (Keras safe mode: a Lambda layer is refused)."""
        return cls(keras.models.load_model(str(path), compile=False))

    def save(self, path: str | Path) -> None:
        """The ``.keras`` file, written atomically."""
        with atomic_path(path) as tmp:
            self.model.save(tmp)

    def predict_proba(self, tokens, batch_size: int = 1024) -> np.ndarray:
        """P(positive) for each space-joined token string, in batches."""
        vec, net = self.vectorizer, self.network
        tokens = np.asarray(tokens, dtype=object)
        out = np.empty(len(tokens), dtype=np.float32)
        for a in range(0, len(tokens), batch_size):
            ids = vec(tf.constant(tokens[a : a + batch_size].astype(str)))
            out[a : a + batch_size] = net(ids, training=False).numpy()[:, 0]
        return out

    def predict_proba_short(self, tokens, batch_size: int = 2048) -> np.ndarray:
        """:meth:`predict_proba` for short texts (segments): the network's layers applied in numpy
        to :meth:`pooled_short`'s vectors, at a fraction of the time and memory of the padded
        TensorFlow call (the same result up to float rounding)."""
        return self.proba_of_pooled(self.pooled_short(tokens, batch_size))

    def proba_of_pooled(self, pooled: np.ndarray) -> np.ndarray:
        """P(positive) of :meth:`pooled_short`'s vectors: the network's hidden and output layers
        in numpy (for callers that need the pooled vectors as well, one pooling for both)."""
        net = self.network
        w1, b1 = net.get_layer("hidden").get_weights()
        w2, b2 = net.get_layer("output").get_weights()
        hidden = np.maximum(pooled @ w1 + b1, 0.0)
        # expit: the sigmoid without exp's overflow warning for very negative logits
        return expit(hidden @ w2 + b2)[:, 0].astype(np.float32)

    def pooled_short(self, tokens, batch_size: int = 2048) -> np.ndarray:
        """The masked average of each short text's word vectors (:meth:`review_vectors` for
        segments), float32 (n, embedding_dim): ids cut to the batch's longest text instead of
        ``sequence_length`` (the average skips padding), texts batched in order of their token
        counts, so that one long text does not widen a whole batch of short ones. A text with no
        known token gets a zero vector."""
        vec, net = self.vectorizer, self.network
        table = net.get_layer("embedding").get_weights()[0]
        tokens = np.asarray(tokens, dtype=object)
        order = np.argsort([t.count(" ") if t else -1 for t in tokens], kind="stable")
        out = np.empty((len(tokens), table.shape[1]), dtype=np.float32)
        for a in range(0, len(tokens), batch_size):
            rows = order[a : a + batch_size]
            ids = vec(tf.constant(tokens[rows].astype(str))).numpy()
            known = ids > OOV
            width = int(known.any(axis=0).nonzero()[0].max()) + 1 if known.any() else 1
            ids, known = ids[:, :width], known[:, :width]
            total = (table[ids] * known[..., None]).sum(axis=1)
            count = known.sum(axis=1, keepdims=True)
            out[rows] = np.divide(total, count, out=np.zeros_like(total), where=count > 0)
        return out

    def review_vectors(self, tokens, batch_size: int = 1024, *, with_counts=False):
        """The masked average of each review's word vectors, float32 (n, embedding_dim); with
        ``with_counts`` also how many in-vocabulary ids each review has (0: a zero vector), from the
        same vectorisation."""
        vec, net = self.vectorizer, self.network
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

    def word_vectors(self) -> tuple[list[str], np.ndarray]:
        """The vocabulary (tokens and n-grams) and its vectors; padding and OOV rows left out."""
        vec, net = self.vectorizer, self.network
        vocab = vec.get_vocabulary()
        weights = net.get_layer("embedding").get_weights()[0].astype(np.float32)
        return list(vocab[2:]), weights[2:]

    def evaluate(self, tokens, labels) -> dict:
        # scikit-learn: only to evaluate
        from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

        p = self.predict_proba(tokens)
        y = np.asarray(labels, dtype=int)
        return {
            "accuracy": float(accuracy_score(y, p >= 0.5)),
            "roc_auc": float(roc_auc_score(y, p)) if len(set(y)) == 2 else None,
            "loss": float(log_loss(y, np.clip(p, 1e-7, 1 - 1e-7), labels=[0, 1])),
            "n": int(len(y)),
        }
