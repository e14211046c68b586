"""Network-training benchmark: the train_wordvec stage's path against a plain Keras baseline.

    .venv/bin/python tests/benchmarks/bench_train.py results/full [--n 0] [--threads 2]

Both train on the train split of a finished run's data (``data/reviews.parquet`` and
``data/prepared.parquet``) and are tested on its test split, in one process, one after the other:

- stage: ``sentclust.wordvec.model.SentimentNetwork.fit`` with the full config's ``wordvec``
  settings (prepared tokens, unigrams + bigrams, masked average, batch 128, early stopping);
- baseline: what a plain Keras tutorial writes: ``TextVectorization`` with its default
  standardisation on the raw text, ``Embedding`` + ``GlobalAveragePooling1D`` + ``Dense(16)`` +
  ``Dense(1)``, Keras' default batch size (32), for as many epochs as the stage ran.

Printed: seconds, epochs, seconds per epoch, test accuracy, and the ratio of the times.
``--n`` takes a stratified subsample of each split (0: all) for a quick try.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from sentclust.bert import machine  # noqa: E402


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run", help="a finished run's results folder, e.g. results/full")
    ap.add_argument("--n", type=int, default=0, help="reviews per split (0: all)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    return ap.parse_args()


def load_splits(run: Path, n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test) of a finished run: split, text, label and prepared tokens per review."""
    reviews = pd.read_parquet(run / "data/reviews.parquet", columns=["review_id", "split"])
    reviews = reviews.merge(
        pd.read_parquet(run / "data/reviews.parquet", columns=["review_id", "text", "label"]),
        on="review_id",
    )
    tokens = pd.read_parquet(run / "data/prepared.parquet", columns=["review_id", "tokens"])
    df = reviews.merge(tokens, on="review_id", validate="one_to_one")
    if n:
        df = df.groupby("split", group_keys=False).sample(n=n, random_state=seed)
    return df[df["split"] == "train"], df[df["split"] == "test"]


def run_stage(train, test, p, seed: int) -> tuple[float, int, float]:
    """The stage's training: (seconds, epochs run, test accuracy)."""
    from sentclust.wordvec.model import SentimentNetwork

    t0 = time.perf_counter()
    model, info = SentimentNetwork.fit(
        train["tokens"].to_numpy(), train["label"].to_numpy(), p, seed, verbose=0
    )
    seconds = time.perf_counter() - t0
    acc = model.evaluate(test["tokens"].to_numpy(), test["label"].to_numpy())
    return seconds, info["epochs_run"], acc["accuracy"]


def run_baseline(train, test, p, epochs: int, seed: int) -> tuple[float, float]:
    """A plain Keras tutorial's network on the raw text: (seconds, test accuracy)."""
    import keras
    import tensorflow as tf
    from keras import layers

    keras.utils.set_random_seed(seed)
    t0 = time.perf_counter()
    tv = layers.TextVectorization(max_tokens=p.max_tokens, output_sequence_length=p.sequence_length)
    tv.adapt(tf.data.Dataset.from_tensor_slices(train["text"].to_numpy()).batch(1024))
    x_train = tv(train["text"].to_numpy()).numpy()
    base = keras.Sequential(
        [
            keras.Input(shape=(p.sequence_length,), dtype="int64"),
            layers.Embedding(p.max_tokens, p.embedding_dim),
            layers.GlobalAveragePooling1D(),
            layers.Dense(16, activation="relu"),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    base.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    base.fit(
        x_train,
        train["label"].to_numpy(dtype="float32"),
        epochs=epochs,
        validation_split=p.validation_fraction,
        verbose=0,
    )
    seconds = time.perf_counter() - t0
    x_test = tv(test["text"].to_numpy()).numpy()
    _, acc = base.evaluate(x_test, test["label"].to_numpy(dtype="float32"), verbose=0)
    return seconds, acc


def main() -> None:
    args = parse_args()
    print(machine.header(), flush=True)

    from snakemake.utils import validate

    from sentclust.wordvec import network as wordvec

    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    validate(cfg, str(ROOT / "config/schema.yaml"))  # the defaults, from their one home
    p = wordvec.NetworkParams.from_config(cfg["wordvec"])
    wordvec.configure_tensorflow(args.seed, args.threads)
    train, test = load_splits(Path(args.run), args.n, args.seed)
    print(f"{len(train)} train, {len(test)} test reviews; threads {args.threads}", flush=True)

    t_stage, epochs, acc_stage = run_stage(train, test, p, args.seed)
    t_base, acc_base = run_baseline(train, test, p, epochs, args.seed)

    print(f"\n{'path':<34} {'seconds':>8} {'epochs':>6} {'s/epoch':>8} {'test acc':>8}")
    print(
        f"{'stage (train_wordvec)':<34} {t_stage:>8.1f} {epochs:>6} {t_stage / epochs:>8.1f} "
        f"{acc_stage:>8.4f}"
    )
    print(
        f"{'baseline (plain Keras, batch 32)':<34} {t_base:>8.1f} {epochs:>6} "
        f"{t_base / epochs:>8.1f} {acc_base:>8.4f}"
    )
    print(f"speed ratio (baseline / stage): {t_base / t_stage:.2f}x at equal epochs")


if __name__ == "__main__":
    main()
