"""Encoding benchmark: plain ``SentenceTransformer.encode`` against the stage's CPU path.

    .venv/bin/python tests/benchmarks/bench_encode.py [--n 1000] [--max-seq-length 256]
        [--model sentence-transformers/all-MiniLM-L6-v2] [--data ../shared/data/imdb]

Encodes the same N real reviews (a seeded sample of the test split, cleaned like the workflow
does) in one run:

- plain: ``SentenceTransformer.encode(texts)`` with its defaults (batch 32, float32);
- stage: the encode stage's path as the workflow runs it (``backend: auto``: OpenVINO when
  it imports; exact token-length sorting, the precision that ``precision: auto`` picks here
  after its calibration check, the configured CPU batch);

and prints both throughputs, their ratio, and the mean and minimum cosine similarity
between the two sets of embeddings. Also the stage on torch with the same precision
(bf16 autocast) and in float32 (what sorting alone gives).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))

import pandas as pd  # noqa: E402

from sentclust import encode, prepare  # noqa: E402


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--max-seq-length", type=int, default=256)
    ap.add_argument("--model", default="sentence-transformers/all-MiniLM-L6-v2")
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "imdb"))
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--backend", default="auto", choices=encode.BACKENDS)
    return ap.parse_args()


def timed(fn):
    """(fn's result, seconds it took)."""
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def stage_runs(model, texts, args) -> tuple[str, dict, list]:
    """The precision ``auto`` picks, why, and (name, seconds, embeddings) of each stage path."""
    backend = encode.resolve_backend(args.backend, "cpu")
    precision, why = encode.choose_precision(
        model,
        "auto",
        "cpu",
        texts[:32],
        mode="truncate",
        max_seq_length=args.max_seq_length,
        batch_size=args.batch_size,
        backend=backend,
        threads=args.threads,
    )
    kw = dict(max_seq_length=args.max_seq_length, batch_size=args.batch_size, progress=False)
    on = dict(backend=backend, threads=args.threads)
    (stage, _), t_stage = timed(
        lambda: encode.encode(model, texts, precision=precision, **on, **kw)
    )
    (torch_, _), t_torch = timed(lambda: encode.encode(model, texts, precision=precision, **kw))
    (stage32, _), t32 = timed(lambda: encode.encode(model, texts, precision="float32", **kw))
    runs = [
        (f"stage path ({backend}, {precision})", t_stage, stage),
        (f"stage path (torch, {precision})", t_torch, torch_),
        ("stage path (torch, float32)", t32, stage32),
    ]
    return precision, why, runs


def comparison(plain, t_plain: float, runs: list, n: int) -> pd.DataFrame:
    """Speed and cosine similarity of every path against plain ``encode``."""
    rows = []
    for name, seconds, emb in [("plain encode (defaults, float32)", t_plain, plain), *runs]:
        cos = encode.cosine_rows(plain, emb)
        rows.append(
            {
                "path": name,
                "seconds": round(seconds, 2),
                "reviews/s": round(n / seconds, 1),
                "ratio": round(t_plain / seconds, 2),
                "mean cos": round(float(cos.mean()), 5),
                "min cos": round(float(cos.min()), 5),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    args = parse_args()

    import torch

    torch.set_num_threads(args.threads)
    test = pd.read_parquet(Path(args.data) / "test.parquet", columns=["text"])
    texts = [prepare.clean_text(t) for t in test.sample(args.n, random_state=args.seed)["text"]]
    resolved = encode.resolve_model(args.model)
    model = encode.load_model(resolved, "cpu")
    model.max_seq_length = args.max_seq_length

    model.encode(texts[:16])  # warm-up, outside the timings
    plain, t_plain = timed(lambda: model.encode(texts, convert_to_numpy=True))
    precision, why, runs = stage_runs(model, texts, args)
    print(
        f"{args.model}, max_seq_length {args.max_seq_length}, {len(texts)} test reviews, "
        f"{args.threads} threads, CPU bf16 native: {encode.cpu_supports_bf16()}"
    )
    print(f"precision auto chose {precision}: {why}")
    print(comparison(plain, t_plain, runs, len(texts)).to_string(index=False))


if __name__ == "__main__":
    main()
