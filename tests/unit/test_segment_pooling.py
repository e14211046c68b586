"""Segment vectors pooled in the review's own forward pass (sentclust.bert.pooling)."""

import re

import numpy as np
import pytest

from sentclust.bert import encode, models, openvino
from sentclust.bert import pooling as segment_pooling
from sentclust.bert.pooling import SegmentTokens, plan_pieces, ranges, token_ranges

MINILM = "sentence-transformers/all-MiniLM-L6-v2"
SEED = "The location was truly disgusting ... but the people there were glorious."


def spans_of(text: str, parts: list[str]) -> list[tuple[int, int]]:
    """The (start, end) of each part, found left to right in ``text``."""
    out, at = [], 0
    for p in parts:
        s = text.index(p, at)
        out.append((s, s + len(p)))
        at = s + len(p)
    return out


def test_ranges_concatenates_integer_ranges():
    np.testing.assert_array_equal(ranges([5, 0, 9], [2, 0, 3]), [5, 6, 9, 10, 11])
    assert ranges([], []).size == 0 and ranges([3], [0]).size == 0


def test_token_ranges_on_hand_offsets():
    # "Great acting. But it was weak." tokens: great, acting, ., but, it, was, weak, .
    offsets = [(0, 5), (6, 12), (12, 13), (14, 17), (18, 20), (21, 24), (25, 29), (29, 30)]
    spans = [(0, 13), (14, 30), (13, 14), (3, 8), (30, 30), (0, 30)]
    got = token_ranges(offsets, spans)
    assert got.tolist() == [[0, 3], [3, 8], [0, 0], [0, 2], [0, 0], [0, 8]]
    # (13, 14) is the space between the sentences: no tokens; (3, 8) cuts two tokens: both
    assert token_ranges([], [(0, 4)]).tolist() == [[0, 0]]
    # a zero-length token counts as one character wide
    assert token_ranges([(0, 2), (3, 3), (4, 6)], [(3, 4)]).tolist() == [[1, 2]]


def test_check_spans_names_the_problem():
    with pytest.raises(ValueError, match="one list of"):
        segment_pooling.check_spans([[(0, 1)]], ["a", "b"])
    with pytest.raises(ValueError, match=r"span \(2, 9\) of text 1 does not fit its 5"):
        segment_pooling.check_spans([[(0, 1)], [(0, 2), (2, 9)]], ["a", "bcdef"])
    with pytest.raises(ValueError, match="0 <= start <= end"):
        segment_pooling.check_spans([[(3, 2)]], ["abcdef"])
    out = segment_pooling.check_spans([[], [(0, 2)]], ["", "ab"])
    assert out[0].shape == (0, 2) and out[1].tolist() == [[0, 2]]


def test_plan_pieces_cut_segments_at_windows():
    # one review of 10 tokens, segments at tokens 0-4, 4-7, 7-10 and an empty one
    seg = SegmentTokens(np.array([[0, 4], [4, 7], [7, 10], [5, 5]]), np.array([0, 4]))
    # truncate: one sequence with the first 5 tokens after 1 head token
    plan = plan_pieces(seg, np.array([0]), np.array([0]), np.array([5]), head=1)
    assert plan.seen.tolist() == [4, 1, 0, 0] and plan.total.tolist() == [4, 3, 3, 0]
    assert list(zip(plan.lo, plan.hi, strict=True)) == [(1, 5), (5, 6)]
    # windows of 5: the second segment is cut in two, every token is seen
    plan = plan_pieces(seg, np.array([0, 0]), np.array([0, 5]), np.array([5, 5]), head=1)
    assert plan.seen.tolist() == [4, 3, 3, 0] and plan.seq_ptr.tolist() == [0, 2, 4]
    assert plan.segment.tolist() == [0, 1, 1, 2]
    assert list(zip(plan.lo, plan.hi, strict=True)) == [(1, 5), (5, 6), (1, 3), (3, 6)]


@pytest.fixture(scope="module")
def minilm():
    return models.load_model(models.resolve_model(MINILM), "cpu")


def test_spans_map_to_the_right_tokens(minilm):
    text = "Great acting. But the plot was weak."
    spans = segment_pooling.check_spans([spans_of(text, ["Great acting.", "But the"])], [text])
    ids, seg = segment_pooling.tokenize_with_offsets(minilm.tokenizer, [text], spans)
    tokens = minilm.tokenizer.convert_ids_to_tokens(ids[0])
    assert tokens[:5] == ["great", "acting", ".", "but", "the"]
    assert seg.ranges.tolist() == [[0, 3], [3, 5]] and seg.ptr.tolist() == [0, 2]
    plain = minilm.tokenizer([text], add_special_tokens=False)["input_ids"]
    assert ids == plain, "asking for offsets does not change the ids"


def test_whole_review_segment_is_the_mean_of_its_tokens(minilm):
    texts = ["A wonderful, moving film.", "I did not like it at all, it was boring."]
    spans = [[(0, len(t))] for t in texts]
    emb, info, seg = encode.encode(
        minilm, texts, mode="truncate", max_seq_length=64, progress=False, segment_spans=spans
    )
    minilm.max_seq_length = 64
    tokens = minilm.encode(texts, output_value="token_embeddings", convert_to_numpy=False)
    for i, t in enumerate(tokens):
        t = t.float().numpy()
        inner = t[1:-1].mean(axis=0)  # without [CLS] and [SEP]
        np.testing.assert_allclose(seg.vectors[i], inner / np.linalg.norm(inner), atol=1e-5)
        whole = t.mean(axis=0)  # the review vector: mean pooling over every token
        np.testing.assert_allclose(emb[i], whole / np.linalg.norm(whole), atol=1e-5)
    # the two differ only by the special tokens
    assert encode.cosine_rows(emb, seg.vectors).min() > 0.95
    assert seg.coverage.tolist() == [1.0, 1.0] and seg.summary(0.5)["segments_scored"] == 2


LONG = "The first half is a joy. " * 12 + "The ending is a dreadful, boring mess. " * 12
LONG_SPANS = spans_of(LONG, ["The first half is a joy.", "The ending is a dreadful, boring mess."])
LAST = LONG.rstrip().rfind("The ending")
LONG_SPANS.append((LAST, len(LONG.rstrip())))


def test_coverage_truncate_against_chunk_mean(minilm):
    texts, spans = [LONG, "Short.", "   "], [LONG_SPANS, [(0, 6)], [(0, 3)]]
    kw = dict(max_seq_length=64, progress=False, segment_spans=spans, batch_size=2)
    _, ti, trunc = encode.encode(minilm, texts, mode="truncate", **kw)
    _, ci, chunk = encode.encode(minilm, texts, mode="chunk_mean", **kw)
    # the last sentence of the long review lies past the first window: not seen when truncating
    assert trunc.coverage.tolist() == [1.0, 0.0, 0.0, 1.0, 0.0]
    assert np.isnan(trunc.vectors[2]).all() and np.isfinite(trunc.vectors[[0, 3]]).all()
    assert chunk.coverage.tolist() == [1.0, 1.0, 1.0, 1.0, 0.0]
    assert np.isnan(chunk.vectors[4]).all(), "a whitespace-only segment has no tokens"
    np.testing.assert_allclose(np.linalg.norm(chunk.vectors[:4], axis=1), 1.0, atol=1e-5)
    assert trunc.summary(0.5)["segments_scored"] == 2 and ti["n_texts"] == 3
    assert chunk.summary(0.5)["segments_scored"] == 4 and ci["n_sequences"] > 3


def test_chunk_mean_sums_each_segment_over_its_windows(minilm):
    import torch

    # every sentence of the long review, some cut by a window edge
    sentences = [(m.start(), m.end() - 1) for m in re.finditer(r"[^.]+\. ", LONG)]
    spans = [[(s + (LONG[s] == " "), e) for s, e in sentences]]
    kw = dict(mode="chunk_mean", max_seq_length=64)
    _, _, seg = encode.encode(minilm, [LONG], progress=False, segment_spans=spans, **kw)
    tk = encode.tokenize(
        minilm, [LONG], segment_spans=segment_pooling.check_spans(spans, [LONG]), **kw
    )
    assert len(tk.ids) == 4 and tk.start.tolist() == [0, 62, 124, 186]
    sums = np.zeros((len(spans[0]), 384))
    counts = np.zeros(len(spans[0]))
    for ids, start in zip(tk.ids, tk.start, strict=True):  # each window on its own
        x = torch.tensor([ids])
        with torch.inference_mode():
            out = minilm[0]({"input_ids": x, "attention_mask": torch.ones_like(x)})
        tokens = out["token_embeddings"][0, 1:-1].numpy()  # review tokens start .. start + n
        for k, (lo, hi) in enumerate(tk.segments.ranges):
            a, b = max(lo, start), min(hi, start + len(tokens))
            if b > a:
                sums[k] += tokens[a - start : b - start].sum(axis=0)
                counts[k] += b - a
    cut = [k for k, (lo, hi) in enumerate(tk.segments.ranges) if lo // 62 != (hi - 1) // 62]
    assert cut, "some sentence crosses a window edge"
    ref = sums / counts[:, None]
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    np.testing.assert_allclose(seg.vectors, ref, atol=1e-5)
    assert (seg.coverage == 1.0).all()


TEXTS = [
    SEED,
    "Dull. " * 80,
    "",
    "The acting was superb but the plot dragged on and on without any point.",
    "Meh.",
]
SPANS = [
    spans_of(
        SEED, ["The location was truly disgusting ...", "but the people there were glorious."]
    ),
    [(i * 6, i * 6 + 5) for i in range(80)],
    [],
    spans_of(TEXTS[3], ["The acting was superb", "but the plot dragged on"]),
    [(0, 4)],
]


@pytest.mark.parametrize("mode", ["truncate", "chunk_mean"])
def test_review_vectors_are_unchanged_by_segments(minilm, mode):
    kw = dict(mode=mode, max_seq_length=32, progress=False, batch_size=2)
    plain, plain_info = encode.encode(minilm, TEXTS, **kw)
    with_segments, info, seg = encode.encode(minilm, TEXTS, segment_spans=SPANS, **kw)
    assert np.array_equal(plain, with_segments), "bit for bit the same review vectors"
    assert {k: v for k, v in info.items() if k in plain_info and "second" not in k} == {
        k: v for k, v in plain_info.items() if "second" not in k
    }
    assert seg.vectors.shape == (sum(len(s) for s in SPANS), 384)
    assert seg.vectors.dtype == np.float32 and seg.coverage.dtype == np.float32
    assert "n_segments" not in info, "the caller adds the segments' summary"
    assert seg.summary(0.5)["n_segments"] == 85 and seg.seconds >= 0


@pytest.mark.skipif(not openvino.openvino_available(), reason="openvino is not installed")
@pytest.mark.parametrize("mode", ["truncate", "chunk_mean"])
def test_openvino_pools_the_same_segments(minilm, mode):
    kw = dict(mode=mode, max_seq_length=32, progress=False, batch_size=2, precision="float32")
    ref, _, ref_seg = encode.encode(minilm, TEXTS, segment_spans=SPANS, **kw)
    ov_kw = dict(backend="openvino", threads=1, **kw)
    plain, _ = encode.encode(minilm, TEXTS, **ov_kw)
    ov, _, seg = encode.encode(minilm, TEXTS, segment_spans=SPANS, **ov_kw)
    assert np.array_equal(plain, ov), "segments leave OpenVINO's review vectors unchanged"
    np.testing.assert_array_equal(seg.coverage, ref_seg.coverage)
    seen = seg.coverage > 0
    assert np.abs(seg.vectors[seen] - ref_seg.vectors[seen]).max() < 1e-4
    assert np.isnan(seg.vectors[~seen]).all() and np.isnan(ref_seg.vectors[~seen]).all()


def test_summary_counts_scored_segments():
    seg = segment_pooling.SegmentVectors(
        np.zeros((4, 2), np.float32), np.array([1.0, 0.5, 0.49, 0.0], np.float32), 0.1234
    )
    s = seg.summary(0.5)
    assert s["n_segments"] == 4 and s["segments_scored"] == 2 and s["segment_min_coverage"] == 0.5
    assert s["segment_coverage_mean"] == pytest.approx(0.4975) and s["segment_seconds"]
    assert seg.summary(0.4)["segments_scored"] == 3


def test_a_slow_tokenizer_is_refused_clearly():
    from types import SimpleNamespace

    with pytest.raises(ValueError, match="needs the character offsets of a fast tokenizer"):
        segment_pooling.tokenize_with_offsets(SimpleNamespace(is_fast=False), ["a"], [[(0, 1)]])


def test_no_texts_no_segments(minilm):
    kw = dict(mode="truncate", max_seq_length=64, progress=False)
    emb, info, seg = encode.encode(minilm, [], segment_spans=[], **kw)
    assert emb.shape == (0, 384) and seg.vectors.shape == (0, 384)
    assert info["n_texts"] == 0 and seg.summary(0.5)["n_segments"] == 0
    emb, info, seg = encode.encode(minilm, ["", "Fine."], segment_spans=[[], []], **kw)
    assert seg.vectors.shape == (0, 384) and seg.summary(0.5)["segment_coverage_mean"] is None
