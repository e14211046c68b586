"""The tutorial-faithful baseline: what the original notebooks do, as one sequential script.

    .venv/bin/python tests/benchmarks/baseline_tutorial.py ../shared/data/imdb [--n 50000]
        [--model sentence-transformers/all-MiniLM-L6-v2] [--k 2-12] [--seed 42]
        [--json results/benchmarks/baseline.json]
        [--embeddings results/full/embeddings/bert.parquet]

Steps, each timed, in the original's order and with its library defaults:

1. read the reviews (the same reader and, with --n, the same stratified seeded subsample as the
   workflow's ingest stage, so both sides see the same reviews);
2. ``SentenceTransformer(model).encode(texts)``: plain encode, default batch size and the model's
   own maximum sequence length, float32, default threads;
3. for k in the list: ``KMeans(n_clusters=k, n_init=10, random_state=seed).fit(embeddings)``,
   recording the inertia;
4. for each k: ``silhouette_score(embeddings, labels)`` on all points (the O(n^2) step the original
   called "time consuming").

It computes one embedding kind and no label metrics, report or explanations: it is the cost of
the original analysis, to set beside the workflow's end-to-end time (bench_end_to_end.py).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

from bench_kmeans import parse_ks  # noqa: E402


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", help="the reviews: any input the ingest stage reads (Parquet, aclImdb)")
    ap.add_argument("--n", type=int, default=None, help="stratified subsample size (all: none)")
    ap.add_argument("--model", default="sentence-transformers/all-MiniLM-L6-v2")
    ap.add_argument("--k", default="2-12")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-silhouette", action="store_true", help="skip step 4")
    ap.add_argument("--json", help="write the step times here")
    ap.add_argument(
        "--embeddings",
        help="skip step 2: time steps 3-4 on these vectors (a run's embeddings/bert.parquet), "
        "e.g. to re-measure them beside a sampled encode step",
    )
    return ap.parse_args()


def read_texts(args, steps: dict[str, float]) -> list[str]:
    from sentclust import ingest

    t0 = time.perf_counter()
    df = ingest.sort_reviews(ingest.read_parquet_input(args.data))
    df = ingest.stratified_subsample(df, args.n, args.seed)
    steps["read"] = time.perf_counter() - t0
    print(f"read {len(df)} reviews in {steps['read']:.1f} s", flush=True)
    return df["text"].tolist()


def plain_encode(texts: list[str], args, steps: dict[str, float]):
    """The original's encode: SentenceTransformer.encode with its defaults."""
    from sentence_transformers import SentenceTransformer

    from sentclust.bert import models

    t0 = time.perf_counter()
    # the model from the same local copy the workflow uses (no hub here); plain defaults otherwise
    model = SentenceTransformer(models.resolve_model(args.model).path, device="cpu")
    emb = model.encode(texts, show_progress_bar=True, convert_to_numpy=True)
    steps["encode"] = time.perf_counter() - t0
    print(
        f"encode: {steps['encode']:.1f} s ({len(texts) / steps['encode']:.1f} reviews/s), "
        f"max_seq_length {model.max_seq_length}, {emb.shape}",
        flush=True,
    )
    return model, emb


def kmeans_loop(emb, args, steps: dict[str, float]) -> list[dict]:
    """The original's per-k loop: KMeans(n_init=10), then the silhouette on all points."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    rows = []
    steps["kmeans"] = 0.0
    steps["silhouette"] = 0.0
    for k in parse_ks(args.k):
        t0 = time.perf_counter()
        km = KMeans(n_clusters=k, n_init=10, random_state=args.seed).fit(emb)
        t_km = time.perf_counter() - t0
        t0 = time.perf_counter()
        sil = None if args.no_silhouette else float(silhouette_score(emb, km.labels_))
        t_sil = time.perf_counter() - t0
        steps["kmeans"] += t_km
        steps["silhouette"] += t_sil
        rows.append(
            {
                "k": k,
                "inertia": float(km.inertia_),
                "silhouette": sil,
                "kmeans_s": t_km,
                "silhouette_s": t_sil,
            }
        )
        print(
            f"k={k:>2}: KMeans(n_init=10) {t_km:6.1f} s, inertia {km.inertia_:.6g}; "
            f"silhouette {sil if sil is None else round(sil, 4)} in {t_sil:.1f} s",
            flush=True,
        )
    return rows


def main() -> None:
    args = parse_args()
    from sentclust.bert import machine

    print(machine.header(), flush=True)
    steps: dict[str, float] = {}
    t_all = time.perf_counter()
    texts = read_texts(args, steps)
    if args.embeddings:
        from sentclust.files import read_embeddings

        emb = read_embeddings(args.embeddings)[1]
        if len(emb) != len(texts):
            raise SystemExit(
                f"--embeddings holds {len(emb)} vectors, the reviews read are {len(texts)}: "
                "give the --n of the run that wrote them (or none for a full run)"
            )
        print(f"encode: skipped, {emb.shape} vectors from {args.embeddings}", flush=True)
        max_len = None
    else:
        model, emb = plain_encode(texts, args, steps)
        max_len = model.max_seq_length
    rows = kmeans_loop(emb, args, steps)
    steps["total"] = time.perf_counter() - t_all
    print("\nstep        seconds")
    for name, sec in steps.items():
        print(f"{name:<10} {sec:>9.1f}")
    if args.json:
        out = {
            "n_reviews": len(texts),
            "model": args.model,
            "max_seq_length": max_len,
            "embeddings": args.embeddings,
            "steps": steps,
            "rows": rows,
            "machine": {**machine.describe(), "platform": platform.platform()},
            "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
