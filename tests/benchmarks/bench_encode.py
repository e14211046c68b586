"""Encoding benchmark: plain ``SentenceTransformer.encode`` against every path of the stage.

    .venv/bin/python tests/benchmarks/bench_encode.py [--n 1000] [--threads 1] [--int8]
        [--layout] [--max-seq-length 256] [--model sentence-transformers/all-MiniLM-L6-v2]
        [--data ../shared/data/imdb]

Encodes the same N real reviews (a seeded sample of the test split, cleaned like the workflow
does) in one run, after a line naming the machine (CPU model, the flags that matter, cores,
versions):

- plain: ``SentenceTransformer.encode(texts)`` with its defaults (batch 32, float32);
- every candidate path of the stage (PyTorch and OpenVINO, float32 and bf16; OpenVINO int8
  with ``--int8``, quantized on 300 train-split reviews), sorted batches as the stage runs;
- the path that ``precision: auto`` picks (measured on 32 calibration reviews, as a job does).

For each: seconds, reviews/s, the ratio to plain encode, the mean and minimum cosine
similarity to plain encode's embeddings, and the encoder's arithmetic rate: the FLOPs of its
matrix products on these texts' tokens (no padding; :mod:`roofline`) per second, and
that as a share of PyTorch's float32 GEMM rate measured here at the same threads. A float32 path
near 100% cannot get faster on this CPU; only bf16 or int8 instructions (or fewer tokens) can.

``--layout`` compares the job layouts on this machine instead: one job with ``--threads``
threads over all N reviews, against ``--threads`` one-thread jobs at once, each on its share
(separate processes, as Snakemake runs shard jobs), on the path auto picks for each layout.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))

import pandas as pd  # noqa: E402
import roofline  # noqa: E402

from sentclust.bert import encode, machine, models, openvino  # noqa: E402
from sentclust.bert import paths as encode_paths  # noqa: E402
from sentclust.prepare import text as prepare  # noqa: E402


def add_sample_args(ap: argparse.ArgumentParser, *, n: int) -> None:
    """The options of the reviews, model and threads that :func:`load` reads (also used by
    bench_encoder_layers.py); ``n``: the default number of reviews."""
    ap.add_argument("--n", type=int, default=n)
    ap.add_argument("--max-seq-length", type=int, default=256)
    ap.add_argument("--model", default="sentence-transformers/all-MiniLM-L6-v2")
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "imdb"))
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=42)


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_sample_args(ap, n=1000)
    ap.add_argument("--int8", action="store_true", help="also quantize and time OpenVINO int8")
    ap.add_argument("--layout", action="store_true", help="compare job layouts (see above)")
    ap.add_argument("--part", default=None, help=argparse.SUPPRESS)  # i/m: one layout job
    return ap.parse_args(argv)


def timed(fn):
    """(fn's result, seconds it took)."""
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def load(args):
    import torch

    torch.set_num_threads(args.threads)
    test = pd.read_parquet(Path(args.data) / "test.parquet", columns=["text"])
    texts = [prepare.clean_text(t) for t in test.sample(args.n, random_state=args.seed)["text"]]
    model = models.load_model(models.resolve_model(args.model), "cpu")
    model.max_seq_length = args.max_seq_length
    return model, texts


def int8_model(model, args, folder: Path) -> Path:
    """The int8 model, quantized on 300 seeded train-split reviews (not the timed ones)."""
    from sentclust.bert import int8

    train = pd.read_parquet(Path(args.data) / "train.parquet", columns=["text"])
    cal = [prepare.clean_text(t) for t in train.sample(300, random_state=args.seed)["text"]]
    path = folder / "int8.xml"
    done = int8.quantize(model, cal, path, max_seq_length=args.max_seq_length)
    print(f"int8: quantized on {done['calibration_reviews']} train reviews in {done['seconds']} s")
    return path


def stage_runs(model, texts, args, q) -> tuple[encode_paths.EncodePath, dict, list]:
    """auto's pick and why, and (name, seconds, embeddings) of every candidate path."""
    kw = dict(max_seq_length=args.max_seq_length, batch_size=args.batch_size, mode="truncate")
    allowed = encode_paths.candidate_paths(
        "auto", "auto", openvino=openvino.openvino_available(), int8=q is not None
    )
    picked, why = encode_paths.choose_encoding(
        model, "auto", "auto", "cpu", texts[:32], encode_kw=kw, threads=args.threads, int8_model=q
    )
    runs = []
    for path in allowed:
        on = dict(precision=path.precision, backend=path.backend, threads=args.threads)
        encode.encode(model, texts[:2], progress=False, int8_model=q, **on, **kw)  # compile
        (emb, _), sec = timed(
            lambda on=on: encode.encode(model, texts, progress=False, int8_model=q, **on, **kw)
        )
        runs.append((f"stage {path}" + (" <- auto" if path == picked else ""), sec, emb))
    return picked, why, runs


def comparison(plain, t_plain: float, runs: list, n: int, gflop: float, peak: float):
    """Speed, arithmetic rate and cosine similarity of every path against plain ``encode``."""
    rows = []
    for name, seconds, emb in [("plain encode (defaults, float32)", t_plain, plain), *runs]:
        cos = encode.cosine_rows(plain, emb)
        rows.append(
            {
                "path": name,
                "seconds": round(seconds, 2),
                "reviews/s": round(n / seconds, 1),
                "ratio": round(t_plain / seconds, 2),
                "GFLOP/s": round(gflop / seconds, 1),
                "of GEMM": f"{gflop / seconds / peak:.0%}",
                "mean cos": round(float(cos.mean()), 5),
                "min cos": round(float(cos.min()), 5),
            }
        )
    return pd.DataFrame(rows)


def arithmetic(model, texts, args) -> tuple[float, float]:
    """(GFLOP of the encoder on these texts, float32 GEMM GFLOP/s here), with a line on both."""
    lengths = [
        len(ids)
        for ids in model.tokenizer(texts, truncation=True, max_length=args.max_seq_length)[
            "input_ids"
        ]
    ]
    shape = roofline.model_shape(model[0].auto_model.config)
    gflop = roofline.encoder_flops(lengths, **shape) / 1e9
    peak = roofline.gemm_gflops(args.threads)
    print(
        f"arithmetic: {sum(lengths)} tokens (mean {sum(lengths) / len(lengths):.0f}), "
        f"{gflop:.0f} GFLOP in the encoder's matrix products; float32 GEMM here at "
        f"{args.threads} thread(s): {peak:.1f} GFLOP/s, so float32 needs >= {gflop / peak:.1f} s "
        f"(<= {len(texts) * peak / gflop:.1f} reviews/s)"
    )
    return gflop, peak


def one_layout_job(args) -> None:
    """A layout job (``--part i/m``): auto's path on its share; prints JSON."""
    i, m = (int(v) for v in args.part.split("/"))
    model, texts = load(args)
    share = texts[i::m]
    kw = dict(max_seq_length=args.max_seq_length, batch_size=args.batch_size, mode="truncate")
    path, _ = encode_paths.choose_encoding(
        model, "auto", "auto", "cpu", share[:32], encode_kw=kw, threads=args.threads
    )
    on = dict(precision=path.precision, backend=path.backend, threads=args.threads)
    encode.encode(model, share[:2], progress=False, **on, **kw)
    _, sec = timed(lambda: encode.encode(model, share, progress=False, **on, **kw))
    print(json.dumps({"part": args.part, "path": str(path), "n": len(share), "seconds": sec}))


def layouts(args) -> None:
    """One job with N threads against N one-thread jobs at once, wall time for all reviews."""
    base = [sys.executable, __file__, "--n", str(args.n), "--data", args.data,
            "--model", args.model, "--max-seq-length", str(args.max_seq_length),
            "--batch-size", str(args.batch_size), "--seed", str(args.seed)]  # fmt: skip
    rows = []
    for jobs, threads in [(1, args.threads), (args.threads, 1)]:
        t0 = time.perf_counter()
        procs = [
            subprocess.Popen(
                [*base, "--threads", str(threads), "--part", f"{i}/{jobs}"],
                stdout=subprocess.PIPE,
                text=True,
            )
            for i in range(jobs)
        ]
        outs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
        wall = time.perf_counter() - t0
        slowest = max(o["seconds"] for o in outs)
        rows.append(
            {
                "layout": f"{jobs} job(s) x {threads} thread(s)",
                "paths": ", ".join(sorted({o["path"] for o in outs})),
                "encode s (slowest job)": round(slowest, 1),
                "reviews/s together": round(args.n / slowest, 1),
                "wall s (with loading)": round(wall, 1),
            }
        )
    print(pd.DataFrame(rows).to_string(index=False))


def main() -> None:
    args = parse_args()
    if args.part:
        return one_layout_job(args)
    print(machine.header())
    if args.layout:
        return layouts(args)
    model, texts = load(args)
    model.encode(texts[:16])  # warm-up, outside the timings
    plain, t_plain = timed(lambda: model.encode(texts, convert_to_numpy=True))
    with tempfile.TemporaryDirectory() as tmp:
        q = int8_model(model, args, Path(tmp)) if args.int8 else None
        picked, why, runs = stage_runs(model, texts, args, q)
    print(
        f"{args.model}, max_seq_length {args.max_seq_length}, {len(texts)} test reviews, "
        f"{args.threads} thread(s), batch {args.batch_size}"
    )
    print(f"auto picked {picked}: {why['rule']}")
    gflop, peak = arithmetic(model, texts, args)
    print(comparison(plain, t_plain, runs, len(texts), gflop, peak).to_string(index=False))


if __name__ == "__main__":
    main()
