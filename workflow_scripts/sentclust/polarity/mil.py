"""A multiple-instance polarity model in the way of MILNET (Angelidis & Lapata, TACL 2018,
"Multiple Instance Learning Networks for Fine-Grained Sentiment Analysis"): :class:`MilModel`.

Every segment of a review gets a distribution over the review classes (a linear softmax on its
features) and an attention weight (gated attention over a bidirectional GRU that reads the
review's segments in order, so a segment's weight sees its neighbours). The review's prediction
is the attention-weighted sum of its segments' distributions, and the whole is fitted on review
labels only: the star ratings where the corpus has them (IMDB's 1-4 and 7-10 are eight
classes), the binary label otherwise. A segment's polarity is the expectation of class
weights spaced by the classes' values in [-1, 1] under its own distribution; MILNET's
attention-weighted polarity is scaled by the review's segment count so that a segment with an
average share of attention keeps its polarity: ``score = n * attention * polarity``. A segment
the model gives little attention (plot retelling, facts, but also a mixed review's minority
opinion) scores near 0 by the latter whatever its words. Which of the two labels the segments
is the config's polarity.mil.score (:mod:`.milfit`).

Fitting is seeded and deterministic on CPU (PyTorch, one thread); the saved form is plain
arrays (:meth:`MilModel.to_dict`: JSON lists, no pickle), applied again through PyTorch.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sentclust.files import write_json

_log = logging.getLogger("sentclust")

#: the saved parameter names, in the order of the torch module's state
_PARAMS = (
    "classifier.weight",
    "classifier.bias",
    "gru.weight_ih_l0",
    "gru.weight_hh_l0",
    "gru.bias_ih_l0",
    "gru.bias_hh_l0",
    "gru.weight_ih_l0_reverse",
    "gru.weight_hh_l0_reverse",
    "gru.bias_ih_l0_reverse",
    "gru.bias_hh_l0_reverse",
    "gate_tanh.weight",
    "gate_tanh.bias",
    "gate_sigmoid.weight",
    "gate_sigmoid.bias",
    "attention.weight",
)


@dataclass(frozen=True)
class MilParams:
    """The model's settings (the config's polarity.mil section): GRU units per direction,
    gated attention units, dropout on the segment features, Adam's step, reviews per batch,
    the most epochs, early-stopping patience on the held-out reviews' loss."""

    hidden: int
    attention: int
    dropout: float
    learning_rate: float
    batch_size: int
    max_epochs: int
    patience: int

    @classmethod
    def from_config(cls, cfg: dict) -> MilParams:
        """The settings of the config's polarity.mil section (its ``features`` left out)."""
        return cls(**{k: v for k, v in cfg.items() if k in cls.__dataclass_fields__})


def class_weights(classes: Sequence[float]) -> np.ndarray:
    """MILNET's polarity weight of each class: uniformly spaced in [-1, 1] by the classes'
    values (ratings 1..4, 7..10 keep their gap; binary labels 0, 1 give -1, +1)."""
    c = np.asarray(classes, dtype=np.float64)
    if len(c) < 2:
        raise ValueError("the polarity model needs at least two review classes in the train split")
    return 2 * (c - c.min()) / (c.max() - c.min()) - 1


def _module(dim: int, n_classes: int, p: MilParams):
    import torch
    from torch import nn

    class MilNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(p.dropout)
            self.classifier = nn.Linear(dim, n_classes)
            self.gru = nn.GRU(dim, p.hidden, batch_first=True, bidirectional=True)
            self.gate_tanh = nn.Linear(2 * p.hidden, p.attention)
            self.gate_sigmoid = nn.Linear(2 * p.hidden, p.attention)
            self.attention = nn.Linear(p.attention, 1, bias=False)

        def forward(self, x, mask):
            """(segment class distributions (B, N, C), attention (B, N), review log-probs)."""
            lengths = mask.sum(1)
            x = self.drop(x)
            dist = torch.softmax(self.classifier(x), dim=-1)
            packed = nn.utils.rnn.pack_padded_sequence(
                x, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            h, _ = self.gru(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=x.shape[1])
            gate = torch.tanh(self.gate_tanh(h)) * torch.sigmoid(self.gate_sigmoid(h))
            e = self.attention(gate).squeeze(-1).masked_fill(~mask, float("-inf"))
            att = torch.softmax(e, dim=1)
            review = (att.unsqueeze(-1) * dist).sum(1)
            return dist, att, torch.log(review.clamp_min(1e-7))

    return MilNet()


def _batches(groups: Sequence[np.ndarray], order: np.ndarray, size: int):
    """Padded (x, mask, rows) batches of reviews in ``order``."""
    import torch

    for a in range(0, len(order), size):
        rows = order[a : a + size]
        n = max(len(groups[r]) for r in rows)
        dim = groups[rows[0]].shape[1]
        x = np.zeros((len(rows), n, dim), dtype=np.float32)
        mask = np.zeros((len(rows), n), dtype=bool)
        for j, r in enumerate(rows):
            x[j, : len(groups[r])] = groups[r]
            mask[j, : len(groups[r])] = True
        yield torch.from_numpy(x), torch.from_numpy(mask), rows


def _bucketed(groups: Sequence[np.ndarray], rows: np.ndarray, size: int, rng):
    """:func:`_batches` of reviews of similar segment counts (rows sorted by count, ties in a
    random order), the batches in a random order: little padding, and the GRU runs as many
    steps as the batch's longest review, not the corpus'."""
    sizes = np.array([len(groups[r]) for r in rows])
    order = rows[np.lexsort((rng.random(len(rows)), sizes))]
    starts = rng.permutation(np.arange(0, len(order), size))
    for a in starts:
        yield from _batches(groups, order[a : a + size], size)


@dataclass
class MilModel:
    """A fitted model: feature standardisation (``mean``, ``scale``), the review ``classes``
    (values, in order) and the module's parameters (``weights``: name -> array)."""

    params: MilParams
    classes: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    weights: dict[str, np.ndarray]
    fit_info: dict

    # ------------------------------------------------------------------ apply

    def _net(self):
        import torch

        net = _module(len(self.mean), len(self.classes), self.params)
        net.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in self.weights.items()})
        return net.eval()

    def segment_outputs(self, groups: Sequence[np.ndarray], batch_size: int = 256) -> dict:
        """Per segment, flattened in ``groups``' order (one array of segment features per review,
        its segments in order): ``polarity`` (class-weight expectation, in [-1, 1]),
        ``attention`` (sums to 1 in each review) and ``score`` (n * attention * polarity)."""
        import torch

        sizes = np.array([len(g) for g in groups], dtype=np.int64)
        if (sizes == 0).any():
            raise ValueError("every review given to the polarity model needs a segment")
        std = [((np.asarray(g, np.float32) - self.mean) / self.scale) for g in groups]
        w = torch.from_numpy(class_weights(self.classes).astype(np.float32))
        net = self._net()
        pol = [None] * len(groups)
        att = [None] * len(groups)
        with torch.inference_mode():
            for x, mask, rows in _batches(std, np.argsort(sizes, kind="stable"), batch_size):
                dist, a, _ = net(x, mask)
                p = (dist * w).sum(-1).numpy()
                a = a.numpy()
                for j, r in enumerate(rows):
                    pol[r], att[r] = p[j, : sizes[r]], a[j, : sizes[r]]
        polarity = np.concatenate(pol).astype(np.float32)
        attention = np.concatenate(att).astype(np.float32)
        score = (np.repeat(sizes, sizes) * attention * polarity).astype(np.float32)
        return {"polarity": polarity, "attention": attention, "score": score}

    def review_proba(self, groups: Sequence[np.ndarray]) -> np.ndarray:
        """The review class distributions (n_reviews, n_classes): the attention-weighted sums."""
        import torch

        std = [((np.asarray(g, np.float32) - self.mean) / self.scale) for g in groups]
        out = np.empty((len(groups), len(self.classes)), dtype=np.float32)
        net = self._net()
        with torch.inference_mode():
            for x, mask, rows in _batches(std, np.arange(len(groups)), 256):
                out[rows] = net(x, mask)[2].exp().numpy()
        return out

    # ------------------------------------------------------------------ saved form

    def to_dict(self) -> dict:
        return {
            "params": self.params.__dict__,
            "classes": self.classes.tolist(),
            "class_weights": class_weights(self.classes).tolist(),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "weights": {k: np.asarray(v).tolist() for k, v in self.weights.items()},
            "fit": self.fit_info,
        }

    def save(self, path) -> None:
        """The saved form (:meth:`to_dict`) as JSON, written atomically."""
        write_json(self.to_dict(), path)

    @classmethod
    def read(cls, path) -> MilModel:
        """The model saved at ``path``."""
        return cls.from_dict(json.loads(Path(path).read_text()))

    @classmethod
    def from_dict(cls, d: dict) -> MilModel:
        missing = [k for k in _PARAMS if k not in d["weights"]]
        if missing:
            raise ValueError(f"the saved polarity model lacks {missing}: rerun score_segments")
        return cls(
            params=MilParams(**d["params"]),
            classes=np.asarray(d["classes"], dtype=np.float64),
            mean=np.asarray(d["mean"], dtype=np.float32),
            scale=np.asarray(d["scale"], dtype=np.float32),
            weights={k: np.asarray(d["weights"][k], dtype=np.float32) for k in _PARAMS},
            fit_info=d["fit"],
        )

    # ------------------------------------------------------------------ fit

    @classmethod
    def fit(
        cls,
        groups: Sequence[np.ndarray],
        targets: Sequence[float],
        held_out: np.ndarray,
        p: MilParams,
        *,
        seed: int,
        progress: bool = True,
    ) -> MilModel:
        """The model fitted on the reviews not ``held_out`` (one feature array per review,
        ``targets`` its class value: rating or label), stopped early on the held-out reviews'
        loss (the best epoch's weights kept). Seeded; deterministic on CPU."""
        import torch

        targets = np.asarray(targets, dtype=np.float64)
        held_out = np.asarray(held_out, dtype=bool)
        fit_rows = np.flatnonzero(~held_out)
        val_rows = np.flatnonzero(held_out)
        if len(fit_rows) == 0 or len(val_rows) == 0:
            raise ValueError("the polarity model needs train reviews both to fit and to hold out")
        classes = np.unique(targets[fit_rows])
        class_weights(classes)
        y = torch.from_numpy(np.searchsorted(classes, targets).astype(np.int64))
        stack = np.concatenate([groups[r] for r in fit_rows]).astype(np.float64)
        mean = stack.mean(0).astype(np.float32)
        scale = np.where(stack.std(0) > 0, stack.std(0), 1.0).astype(np.float32)
        del stack
        std = [((np.asarray(g, np.float32) - mean) / scale) for g in groups]
        with _torch_seeded(seed):
            net = _module(len(mean), len(classes), p)
            info = _train(net, std, y, fit_rows, val_rows, p, seed=seed, progress=progress)
        weights = {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}
        info |= {"n_fit_reviews": int(len(fit_rows)), "n_held_out_reviews": int(len(val_rows))}
        return cls(p, classes, mean, scale, weights, info)


class _torch_seeded:
    """Seeded, single-threaded, deterministic torch for the duration of a fit."""

    def __init__(self, seed: int):
        self.seed = seed

    def __enter__(self):
        import torch

        self.threads = torch.get_num_threads()
        torch.set_num_threads(1)
        torch.manual_seed(self.seed)
        return self

    def __exit__(self, *exc):
        import torch

        torch.set_num_threads(self.threads)


def _train(net, std, y, fit_rows, val_rows, p: MilParams, *, seed: int, progress: bool) -> dict:
    """Adam on the review NLL; the weights of the epoch with the lowest held-out loss."""
    import torch
    from tqdm import tqdm

    opt = torch.optim.Adam(net.parameters(), lr=p.learning_rate)
    rng = np.random.default_rng(seed)
    best, best_state, since, history = np.inf, None, 0, []
    for _ in tqdm(range(p.max_epochs), desc="polarity model", disable=not progress):
        net.train()
        for x, mask, rows in _bucketed(std, fit_rows, p.batch_size, rng):
            opt.zero_grad()
            loss = torch.nn.functional.nll_loss(net(x, mask)[2], y[rows])
            loss.backward()
            opt.step()
        net.eval()
        total = 0.0
        with torch.inference_mode():
            for x, mask, rows in _batches(std, val_rows, 512):
                total += float(
                    torch.nn.functional.nll_loss(net(x, mask)[2], y[rows], reduction="sum")
                )
        val = total / len(val_rows)
        history.append(round(val, 5))
        if val < best - 1e-5:
            best, since = val, 0
            best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        else:
            since += 1
            if since > p.patience:
                break
    net.load_state_dict(best_state)
    _log.info("polarity model: held-out loss %.4f after %d epochs", best, len(history))
    return {"held_out_loss": float(best), "epochs": len(history), "loss_history": history}
