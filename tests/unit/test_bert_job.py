"""sentclust.bert.job: the configured encoding, and the encode_shard rule's script."""

import hashlib
import json
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bert_data import MINILM, segments_file

from sentclust.bert import encode, job, models

SCRIPT = Path(__file__).resolve().parents[2] / "workflow_scripts" / "encode_shard.py"
#: the rule's params.encoding (bert section less the run-time keys), as the tests set it
ENCODING = {
    "model": MINILM,
    "revision": None,
    "models_dir": None,
    "mode": "truncate",
    "max_seq_length": 64,
    "precision": "float32",
    "calibration_reviews": 1,
}
RUNTIME = {"device": "cpu", "backend": "torch", "batch_size_cpu": 2, "batch_size_gpu": 8}


@pytest.fixture(scope="module")
def minilm():
    return models.load_model(models.resolve_model(MINILM), "cpu")


def test_encode_configured_matches_encode(minilm, caplog):
    texts = ["A wonderful, moving film.", "I did not like it at all."]
    with caplog.at_level(logging.INFO, logger="sentclust"):
        vectors, info, prov = job.encode_configured(texts, ENCODING, RUNTIME, threads=1)
    ref, _ = encode.encode(
        minilm, texts, mode="truncate", max_seq_length=64, batch_size=2, progress=False
    )
    np.testing.assert_allclose(vectors, ref, atol=1e-5)
    assert info["backend"] == "torch" and info["batch_size"] == 2 and info["n_texts"] == 2
    keys = ["model", "model_source", "model_revision", "dimensions", "encoding_path"]
    keys += ["encoding_setting", "versions"]
    assert list(prov) == keys
    assert prov["dimensions"] == 384 and prov["encoding_path"] == {"rule": "set in the config"}
    # the packaged copy's weights, by hash (what `sha256sum model.safetensors` prints)
    weights = models.weight_files(models.resolve_model(MINILM).path)
    assert [w.name for w in weights] == ["model.safetensors"]
    digest = hashlib.sha256(weights[0].read_bytes()).hexdigest()
    assert prov["model_revision"] == f"sha256:{digest}"
    assert "torch float32 (set in the config)" in caplog.text


def test_encode_configured_returns_segments_when_asked(minilm):
    texts = ["Great acting. But the plot was weak.", "Meh."]
    spans = [[(0, 13), (14, 36)], [(0, 4)]]
    vectors, info, prov, seg = job.encode_configured(
        texts, ENCODING, RUNTIME, threads=1, segment_spans=spans
    )
    assert seg.vectors.shape == (3, 384) and seg.how == "pooled"
    assert "n_segments" not in info, "the caller adds the segments' summary"
    assert len(job.encode_configured(texts, ENCODING, RUNTIME, threads=1)) == 3
    *_, sep = job.encode_configured(
        texts, ENCODING, RUNTIME, threads=1, segment_spans=spans, segment_vectors="separate"
    )
    seg_texts = ["Great acting.", "But the plot was weak.", "Meh."]
    ref, _ = encode.encode(minilm, seg_texts, mode="truncate", max_seq_length=64, progress=False)
    np.testing.assert_allclose(sep.vectors, ref, atol=1e-5)
    assert sep.how == "separate" and sep.coverage.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="segment vectors are"):
        job.encode_configured(texts, ENCODING, RUNTIME, threads=1, segment_vectors="both")


def _fake_snakemake(tmp_path, how: str):
    """The ``snakemake`` object of one encode_shard job (shard 1 of 2: reviews r2 and r3);
    ``how``: params.bert_segments (the segments are an input unless it is off)."""
    from snakemake.iocontainers import InputFiles, Log, OutputFiles, Params, Wildcards

    tmp_path.mkdir(parents=True, exist_ok=True)
    ids = ["r0", "r1", "r2", "r3"]
    texts = ["Great acting. But the plot was weak.", "Meh.", "", "Lovely; truly lovely."]
    prepared = tmp_path / "prepared.parquet"
    pd.DataFrame({"review_id": ids, "clean_text": texts}).to_parquet(prepared)
    rows = [("r0", 0, 0, 13), ("r0", 1, 14, 36), ("r1", 0, 0, 4), ("r3", 0, 0, 7)]
    rows.append(("r3", 1, 8, 21))
    inputs = {"prepared": str(prepared)}
    if how != "off":
        inputs["segments"] = str(segments_file(tmp_path / "segments.parquet", rows))
    outputs = {
        "embeddings": str(tmp_path / "shard.parquet"),
        "info": str(tmp_path / "shard.json"),
        "segments": str(tmp_path / "segments_001_of_002.parquet"),
    }
    runtime = {**RUNTIME, "path_cache": str(tmp_path / "paths")}
    return SimpleNamespace(
        input=InputFiles(fromdict=inputs),
        output=OutputFiles(fromdict=outputs),
        params=Params(fromdict={"encoding": ENCODING, "bert_segments": how}),
        log=Log([str(tmp_path / "log.txt")]),
        wildcards=Wildcards(fromdict={"shard": "1", "n": "2"}),
        config={"bert": {"runtime": runtime}, "polarity": {"min_coverage": 0.5}},
        threads=1,
    )


def _run_encode_shard(tmp_path, how):
    sm = _fake_snakemake(tmp_path / how, how)
    runpy.run_path(str(SCRIPT), init_globals={"snakemake": sm})
    return sm


def test_encode_shard_script_writes_the_segment_vectors(tmp_path):
    runs = {how: _run_encode_shard(tmp_path, how) for how in ("pooled", "separate", "off")}
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
        assert record["segment_seconds"] >= 0 and record["segment_min_coverage"] == 0.5
        assert list(record).index("segment_vectors") == list(record).index("texts_per_second") + 1
    assert tables["off"].num_rows == 0
    pooled, separate = (
        np.asarray(tables[h].column("embedding").combine_chunks().flatten()).reshape(2, 384)
        for h in ("pooled", "separate")
    )
    cos = encode.cosine_rows(pooled, separate)
    assert (cos > 0.5).all() and (cos < 0.9999).all(), "related, but not the same vectors"
    # the review vectors are the same whatever happens to the segments
    plain = pq.read_table(runs["off"].output.embeddings).column("embedding")
    for how in ("pooled", "separate"):
        assert pq.read_table(runs[how].output.embeddings).column("embedding").equals(plain)
    assert "n_segments" not in json.loads(Path(runs["off"].output.info).read_text())


def test_segments_asked_for_without_a_segments_file_are_refused(tmp_path):
    prepared = tmp_path / "prepared.parquet"
    pd.DataFrame({"review_id": ["r0"], "clean_text": ["Fine."]}).to_parquet(prepared)
    with pytest.raises(ValueError, match="no segments file"):
        job.encode_shard(
            prepared,
            0,
            1,
            encoding=ENCODING,
            runtime=RUNTIME,
            bert_segments="pooled",
            min_coverage=0.5,
            threads=1,
            shard_path=tmp_path / "shard_000_of_001.parquet",
            log=logging.getLogger("sentclust"),
        )


def test_an_int8_model_is_offered_only_when_its_check_passed(tmp_path):
    check = {
        "passed": False,
        "failures": ["ARI 0.9000 < 0.98 at k=2"],
        "n_reviews": 40,
        "worst_ari": 0.9,
        "ari_per_k": [{"k": 2, "ari_int8_vs_float32": 0.9, "ari_float32_other_seed": 1.0}],
        "probe_accuracy": {"float32": 0.8, "int8": 0.8, "change": 0.0},
        "label_metrics_k2": {m: {"change": 0.0} for m in ("purity", "ari", "nmi")},
    }
    path = tmp_path / "check.json"
    log = logging.getLogger("sentclust")
    path.write_text(json.dumps(check))
    model, summary = job.int8_candidate("int8.xml", path, log=log)
    assert model is None and summary["failures"] == check["failures"]
    assert summary["label_changes_k2"] == {"purity": 0.0, "ari": 0.0, "nmi": 0.0}
    path.write_text(json.dumps({**check, "passed": True, "failures": []}))
    assert job.int8_candidate("int8.xml", path, log=log)[0] == "int8.xml"


def test_texts_after_the_run_are_encoded_as_its_shards_were(monkeypatch, caplog):
    """Rule polarity_texts encodes the config's texts on the path the run's shards recorded in
    bert_summary.json, without measuring again: on a loaded machine (the chaos test's resumed
    runs) the measured fastest path could flip, and the scores' last digits with it."""
    from sentclust.bert import paths, shards
    from sentclust.polarity.job import bert_text_segments

    def no_measuring(*args, **kwargs):
        raise AssertionError("measured again instead of following the run's shards")

    monkeypatch.setattr(paths, "measure_paths", no_measuring)
    auto = {**ENCODING, "precision": "auto"}
    setting = paths.encoding_setting(auto)
    summary = {"shards": [
        {"shard": 0, "device": "cpu", "backend": "torch", "precision": "float32",
         "encoding_setting": setting},
    ]}  # fmt: skip
    siblings = shards.summary_siblings(summary)
    assert shards.path_to_follow(siblings, setting) == ("torch", "float32", "shard 0 of the run")
    texts = ["Great acting. But the plot was weak."]
    spans = [[(0, 13), (14, 36)]]
    with caplog.at_level(logging.INFO, logger="sentclust"):
        vectors, coverage = bert_text_segments(
            texts, spans, encoding=auto, runtime={**RUNTIME, "backend": "auto"},
            mode="pooled", threads=1, siblings=siblings,
        )  # fmt: skip
    assert vectors.shape == (2, 384) and len(coverage) == 2
    assert "as the run's shards already encoded (shard 0 of the run)" in caplog.text
    if len(paths._cpu_candidates("auto", "auto", None)) == 1:
        return  # one path on this machine (no OpenVINO, no bf16): nothing to measure
    with pytest.raises(AssertionError, match="measured again"):  # without them it measures
        bert_text_segments(
            texts, spans, encoding=auto, runtime={**RUNTIME, "backend": "auto"},
            mode="pooled", threads=1,
        )  # fmt: skip
