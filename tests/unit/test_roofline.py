"""The encoder's arithmetic counts of the benchmarks (tests/benchmarks/roofline.py), by hand."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import roofline  # noqa: E402


def test_encoder_flops_by_hand():
    # one layer, h = 2, i = 3, one sequence of 4 tokens:
    # projections 4 * (4 * 2 * 2 + 2 * 2 * 3) = 4 * 28 = 112 multiply-adds,
    # attention 2 * 4 * 4 * 2 = 64; (112 + 64) * 2 FLOPs = 352
    assert roofline.encoder_flops([4], layers=1, hidden=2, intermediate=3) == 352.0
    # layers and sequences add up; an empty sequence costs nothing
    assert roofline.encoder_flops([4, 0, 4], layers=3, hidden=2, intermediate=3) == 6 * 352.0


def test_projection_and_padded_attention_by_hand():
    # the 352 FLOPs above split into 224 for the projections and 128 for attention
    assert roofline.projection_flops(4, layers=1, hidden=2, intermediate=3) == 224.0
    assert roofline.attention_flops([[4]], layers=1, hidden=2) == 128.0
    # a batch of lengths 4 and 2 is computed at width 4 for both rows: twice the 4-token cost
    assert roofline.attention_flops([[4, 2]], layers=1, hidden=2) == 256.0
    # unpadded (one sequence per batch): 4*4 + 2*2 = 20 squared tokens, 2 * 20 * 2 * 2 = 160
    assert roofline.attention_flops([[4], [2]], layers=1, hidden=2) == 160.0
    assert roofline.attention_flops([[]], layers=1, hidden=2) == 0.0


def test_minilm_per_token():
    """all-MiniLM-L6-v2 (6 layers, 384, 1536): about 21.2 MFLOP a token for short inputs."""
    per_token = roofline.encoder_flops([1], layers=6, hidden=384, intermediate=1536)
    assert per_token == pytest.approx(2 * 6 * (4 * 384**2 + 2 * 384 * 1536 + 2 * 384))
    assert 21.2e6 < per_token < 21.3e6


def test_negative_length():
    with pytest.raises(ValueError, match="negative"):
        roofline.encoder_flops([-1], layers=1, hidden=2, intermediate=3)


def test_model_shape_from_a_config():
    from transformers import BertConfig

    cfg = BertConfig(num_hidden_layers=6, hidden_size=384, intermediate_size=1536)
    assert roofline.model_shape(cfg) == {"layers": 6, "hidden": 384, "intermediate": 1536}


def test_gemm_rate_restores_threads():
    import torch

    before = torch.get_num_threads()
    rate = roofline.gemm_gflops(1, rows=256, inner=64, cols=64, repeats=2)
    assert rate > 0 and torch.get_num_threads() == before
