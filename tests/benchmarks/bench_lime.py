"""LIME benchmark: one explanation (5,000 perturbations) through the stage's path and a plain one.

    .venv/bin/python tests/benchmarks/bench_lime.py [RESULTS_DIR] [--reviews N] [--samples S]

RESULTS_DIR is a finished run (default results/full): its trained network and prepared text
are used. For each of N test reviews (the longest first-N by review_id order), in one run:

- stage:    the explain rule's path: LIME over the network's own tokens (split on spaces),
            the classifier vectorising whole batches of perturbed texts;
- baseline: LIME with its defaults (split on \\W+ over the cleaned text) and a classifier that
            prepares every perturbed text (NLTK tokens) and calls ``model.predict`` on them all.

It prints seconds per explanation for both, their ratio, and the overlap of the top-10 words.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sentclust.bert import machine  # noqa: E402
from sentclust.prepare import text as prepare  # noqa: E402
from sentclust.wordvec import explain  # noqa: E402
from sentclust.wordvec import network as wordvec  # noqa: E402
from sentclust.wordvec.model import SentimentNetwork  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("results", nargs="?", default=str(ROOT / "results" / "full"))
    ap.add_argument("--reviews", type=int, default=5)
    ap.add_argument("--samples", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    print(machine.header(), flush=True)
    res = Path(args.results)
    wordvec.configure_tensorflow(args.seed, 2)
    model = SentimentNetwork.load(res / "wordvec" / "model.keras")
    reviews = pd.read_parquet(res / "data" / "reviews.parquet", columns=["review_id", "split"])
    prepared = pd.read_parquet(res / "data" / "prepared.parquet")
    test = prepared[reviews["split"].to_numpy() == "test"]
    # typical reviews: those nearest the median token count
    med = test["n_tokens"].median()
    pick = test.iloc[(test["n_tokens"] - med).abs().argsort()[: args.reviews]]

    stage_fn = explain.batched(lambda t: model.predict_proba(t, 1000), 1000)

    def baseline_fn(texts):
        toks = [" ".join(prepare.tokenize_one(t)) for t in texts]
        p = model.predict(np.array(toks, dtype=object), verbose=0)[:, 0]
        return np.column_stack([1 - p, p])

    from lime.lime_text import LimeTextExplainer

    rows = []
    for r in pick.itertuples():
        t0 = time.perf_counter()
        exp = explain.explain_one(
            r.tokens, stage_fn, num_samples=args.samples, num_features=10, seed=args.seed
        )
        t_stage = time.perf_counter() - t0
        t0 = time.perf_counter()
        base = LimeTextExplainer(class_names=["negative", "positive"], random_state=args.seed)
        bexp = base.explain_instance(
            r.clean_text, baseline_fn, num_features=10, num_samples=args.samples
        )
        t_base = time.perf_counter() - t0
        top_s = {w for w, _ in explain.weights_of(exp)}
        top_b = {w.lower() for w, _ in bexp.as_list()}
        rows.append(
            {
                "review_id": r.review_id,
                "tokens": int(r.n_tokens),
                "stage_s": t_stage,
                "baseline_s": t_base,
                "speedup": t_base / t_stage,
                "top10_overlap": len(top_s & top_b),
            }
        )
    df = pd.DataFrame(rows)
    print(f"LIME, {args.samples} perturbations per explanation, {len(df)} test reviews")
    print(df.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    s, b = df.stage_s.median(), df.baseline_s.median()
    print(f"\nmedian s per explanation: stage {s:.2f}, baseline {b:.2f}, ratio {b / s:.1f}x")


if __name__ == "__main__":
    main()
