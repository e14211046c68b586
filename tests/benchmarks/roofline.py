"""How close an encoder runs to the CPU's float32 limit: its arithmetic against a measured GEMM.

A BERT-style encoder spends nearly all its time in matrix products. For one sequence of ``L``
tokens, each layer multiplies ``L x h`` by the four ``h x h`` attention projections and the two
``h x i`` / ``i x h`` feed-forward matrices, and forms two ``L x L x h`` attention products:
``L (4 h^2 + 2 h i) + 2 L^2 h`` multiply-adds (:func:`encoder_flops` counts two FLOPs each;
embeddings, norms, softmax and pooling are left out, so the count is a lower bound on the work).
Dividing it by the seconds an encoding took gives the GFLOP/s the encoder reached; the float32
GEMM of the same threads (:func:`gemm_gflops`) is about the most a CPU path without lower
precision can reach. When an encoder is near it, only fewer FLOPs (shorter inputs) or cheaper
ones (bf16, int8 instructions) make it faster.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence


def encoder_flops(lengths: Iterable[int], *, layers: int, hidden: int, intermediate: int) -> float:
    """FLOPs of the encoder's matrix products over sequences of ``lengths`` tokens (no padding)."""
    lengths = [int(n) for n in lengths]
    if any(n < 0 for n in lengths):
        raise ValueError(f"a sequence length cannot be negative: {min(lengths)}")
    return projection_flops(
        sum(lengths), layers=layers, hidden=hidden, intermediate=intermediate
    ) + attention_flops([[n] for n in lengths], layers=layers, hidden=hidden)


def projection_flops(n_tokens: int, *, layers: int, hidden: int, intermediate: int) -> float:
    """FLOPs of the fully connected products (Q, K, V, attention output, the feed-forward
    pair) over ``n_tokens`` tokens: they grow with the tokens, padding or not."""
    return 2.0 * layers * n_tokens * (4 * hidden * hidden + 2 * hidden * intermediate)


def attention_flops(batches: Iterable[Sequence[int]], *, layers: int, hidden: int) -> float:
    """FLOPs of the attention products (QK^T and AV) over ``batches`` of sequence lengths, each
    batch padded to its longest sequence, as an attention kernel computes them (a batch of one
    sequence each: the sequences' own tokens)."""
    total = 0.0
    for lengths in batches:
        width = max((int(n) for n in lengths), default=0)
        total += len(lengths) * 2 * width * width * hidden
    return 2.0 * layers * total


def model_shape(config) -> dict[str, int]:
    """``layers``, ``hidden`` and ``intermediate`` of a transformers BERT-style config."""
    return {
        "layers": int(config.num_hidden_layers),
        "hidden": int(config.hidden_size),
        "intermediate": int(config.intermediate_size),
    }


def gemm_gflops(
    threads: int, *, rows: int = 4096, inner: int = 384, cols: int = 1536, repeats: int = 20
) -> float:
    """The float32 GEMM rate of PyTorch here at ``threads`` threads, GFLOP/s (best of 3 rounds).

    The default shape is a feed-forward product of a batch of 16 x 256 tokens of a 384-wide
    model; the thread setting is restored afterwards.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(int(threads))
    try:
        g = torch.Generator().manual_seed(0)
        a = torch.randn(rows, inner, generator=g)
        b = torch.randn(inner, cols, generator=g)
        for _ in range(3):
            a @ b
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            for _ in range(repeats):
                a @ b
            best = min(best, time.perf_counter() - t0)
    finally:
        torch.set_num_threads(before)
    return 2.0 * rows * inner * cols * repeats / best / 1e9
