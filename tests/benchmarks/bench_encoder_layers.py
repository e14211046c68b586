"""Where the encoder's time goes: OpenVINO's own per-layer timings, float32, on real reviews.

    .venv/bin/python tests/benchmarks/bench_encoder_layers.py [--n 64] [--threads 1]
        [--max-seq-length 256] [--batch-size 16] [--model sentence-transformers/all-MiniLM-L6-v2]

Compiles the model's transformer as the encode stage does (``sentclust.bert.openvino``, float32)
with OpenVINO's ``PERF_COUNT`` on, runs N reviews (a seeded sample of the test split, cleaned like
the workflow does, tokenised to ``--max-seq-length``, sorted by length and batched as the stage
batches them; two batches first to warm up), and prints after the machine line:

- per layer kind (OpenVINO's node type and the kernel it chose): seconds and share of the time;
- the matrix products' rate: the fully connected layers (their FLOPs from the model's shape, on
  the padded batches the kernels compute; their time includes fused bias and activation) and
  the attention (the scaled dot-product subgraphs: QK^T and AV), in GFLOP/s, beside PyTorch's
  float32 GEMM rate measured here at the same threads.

A kind far below the GEMM rate is where an encoder could still gain; one near it cannot.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import roofline  # noqa: E402
from bench_encode import add_sample_args, load  # noqa: E402

from sentclust.bert import machine  # noqa: E402
from sentclust.bert.encode import padded_batch  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_sample_args(ap, n=64)
    return ap.parse_args(argv)


def batches(model, texts, names, batch_size: int, max_len: int):
    """The texts as the stage feeds them: tokenised, longest first, padded per batch."""
    ids = model.tokenizer(texts, truncation=True, max_length=max_len)["input_ids"]
    ids = sorted(ids, key=len, reverse=True)
    pad = model.tokenizer.pad_token_id or 0
    for a in range(0, len(ids), batch_size):
        part = ids[a : a + batch_size]
        arrays = padded_batch(part, pad, with_types=True)
        yield {n: arrays[n] for n in names}, [len(s) for s in part]


def main() -> None:
    import openvino as ov

    from sentclust.bert.openvino import _convert, input_names

    args = parse_args()
    print(machine.header())
    model, texts = load(args)
    names = input_names(model)
    settings = {
        "INFERENCE_PRECISION_HINT": "f32",
        "PERFORMANCE_HINT": "LATENCY",
        "ENABLE_CPU_PINNING": False,
        "INFERENCE_NUM_THREADS": args.threads,
        "PERF_COUNT": True,
    }
    compiled = ov.Core().compile_model(_convert(model[0].auto_model.eval(), names), "CPU", settings)
    request = compiled.create_infer_request()
    feed = list(batches(model, texts, names, args.batch_size, args.max_seq_length))
    for arrays, _ in feed[:2]:
        request.infer(arrays)  # warm up
    by_kind, by_op = collections.Counter(), collections.Counter()
    t0 = time.perf_counter()
    for arrays, _ in feed:
        request.infer(arrays)
        for p in request.profiling_info:
            s = p.real_time.total_seconds()
            by_kind[(p.node_type, p.exec_type)] += s
            by_op["attention" if "scaled_dot_product" in p.node_name else p.node_type] += s
    wall = time.perf_counter() - t0
    lengths = [lens for _, lens in feed]
    n_tokens = sum(map(sum, lengths))
    shape = roofline.model_shape(model[0].auto_model.config)
    padded = sum(len(lens) * max(lens) for lens in lengths)  # what the kernels compute
    fc = roofline.projection_flops(padded, **shape)
    att = roofline.attention_flops(lengths, layers=shape["layers"], hidden=shape["hidden"])
    total = sum(by_kind.values())
    print(
        f"{len(texts)} reviews, {n_tokens} tokens ({padded} padded), {args.threads} thread(s): "
        f"{wall:.2f} s, "
        f"{n_tokens / wall:.0f} tokens/s; layer times sum to {total:.2f} s"
    )
    print("\n| layer kind | kernel | seconds | share |\n| --- | --- | --- | --- |")
    for (kind, kernel), s in by_kind.most_common(8):
        print(f"| {kind} | {kernel} | {s:.3f} | {100 * s / total:.1f}% |")
    gemm = roofline.gemm_gflops(args.threads)
    print(f"\nfloat32 GEMM here at {args.threads} thread(s): {gemm:.1f} GFLOP/s")
    print("\n| matrix products | GFLOP | seconds | GFLOP/s | of GEMM |")
    print("| --- | --- | --- | --- | --- |")
    for label, flops, secs in (
        ("fully connected (Q, K, V, output, FFN; padded)", fc, by_op["FullyConnected"]),
        ("attention (QK^T, AV; padded)", att, by_op["attention"]),
    ):
        rate = flops / 1e9 / secs
        print(
            f"| {label} | {flops / 1e9:.1f} | {secs:.3f} | {rate:.1f} | {100 * rate / gemm:.0f}% |"
        )


if __name__ == "__main__":
    main()
