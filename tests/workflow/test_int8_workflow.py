"""The int8 encoder in the real DAG on tiny data: int8_check, then the shards that may use it."""

import importlib.util
import json
import shutil

import pytest

from conftest import PATH_CACHE, copy_tiny_run, jobs_of, run_snakemake, tiny_overrides, write_config
from sentclust.bert import openvino

pytestmark = [
    pytest.mark.workflow,
    pytest.mark.skipif(
        importlib.util.find_spec("nncf") is None or not openvino.openvino_available(),
        reason="nncf and openvino are not installed",
    ),
]

INT8 = {"enabled": True, "calibration_reviews": 16, "check_reviews": 60}


def test_int8_is_checked_then_offered_to_the_shards_only_if_it_passed(tiny_run, tmp_path):
    work = copy_tiny_run(tiny_run, tmp_path / "work")
    cfg = write_config(tmp_path / "int8.yaml", **tiny_overrides(bert={"int8": INT8}))
    r = run_snakemake(work, "-n", "--configfile", str(cfg))
    assert r.returncode == 0, r.stderr[-3000:]
    planned = jobs_of(r.stdout)
    assert planned["int8_check"] == 1 and planned["encode_shard"] == 2

    # without the tiny run's shards: a shard job that finds finished shards of its setting
    # follows their path without measuring (with a failed check, int8 changes nothing), and this
    # test is about the measurement
    shutil.rmtree(work / "results" / "embeddings" / "bert_shards")
    target = "results/embeddings/bert_summary.json"
    r = run_snakemake(work, target, "--cores", "2", "--configfile", str(cfg))
    assert r.returncode == 0, r.stderr[-6000:]
    res = work / "results" / "embeddings"
    check = json.loads((res / "int8" / "check.json").read_text())
    assert check["n_reviews"] == 60 and check["quantization"]["calibration_reviews"] == 16
    assert [row["k"] for row in check["ari_per_k"]] == [2, 3]
    assert isinstance(check["passed"], bool) and "| k | ARI int8 vs float32 |" in check["table"]
    assert (res / "int8" / "transformer.bin").stat().st_size > 0

    summary = json.loads((res / "bert_summary.json").read_text())
    measured = [
        s["encoding_path"] for s in summary["shards"] if "measurements" in s["encoding_path"]
    ]
    assert measured, "the first shard job measures"
    for shard in summary["shards"]:
        why = shard["encoding_path"]
        assert why["int8_check"]["passed"] == check["passed"]
        if "measurements" not in why:  # a later shard job follows the run's finished shards
            assert why["rule"].startswith("as the run's shards already encoded"), why
    for why in measured:
        timed = {m["path"] for m in why["measurements"]}
        assert ("openvino int8" in timed) == check["passed"]
        assert "openvino float32" in timed and "torch float32" in timed
    # the shards of one machine share one measured choice, and one path
    assert len({why["key"] for why in measured}) == 1
    assert len({(s["backend"], s["precision"]) for s in summary["shards"]}) == 1
    assert len(list(PATH_CACHE.glob("*.json"))) >= 1
