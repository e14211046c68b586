"""tests/compare_runs.py: two results folders compared file by file, timings left out."""

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from compare_runs import compare_dirs, first_difference, main, strip_volatile


def write_run(root, *, value=1.5, seconds=3.0, rows=(1, 2), extra=False):
    (root / "clusters" / "k2").mkdir(parents=True)
    (root / "logs").mkdir()
    metrics = {"k": 2, "inertia": value, "seconds": seconds, "shards": [{"seconds": seconds}]}
    (root / "clusters" / "k2" / "metrics.json").write_text(json.dumps(metrics))
    pd.DataFrame({"k": [2], "inertia": [value], "seconds": [seconds]}).to_csv(
        root / "clusters" / "k_sweep.tsv", sep="\t", index=False
    )
    pq.write_table(pa.table({"cluster": list(rows)}), root / "clusters" / "a.parquet")
    np.savez(root / "counts.npz", data=np.arange(3))
    (root / "logs" / "x.json").write_text(json.dumps({"anything": seconds}))
    if extra:
        (root / "new.json").write_text("{}")
    return root


def test_equal_runs_differ_only_in_timings(tmp_path):
    a = write_run(tmp_path / "a", seconds=1.0)
    b = write_run(tmp_path / "b", seconds=9.0)
    result = compare_dirs(a, b)
    assert set(result) == {
        "clusters/k2/metrics.json",
        "clusters/k_sweep.tsv",
        "clusters/a.parquet",
        "counts.npz",
    }
    assert all(d is None for d in result.values()), result
    assert main([str(a), str(b)]) == 0


def test_a_changed_value_row_or_file_is_found(tmp_path):
    a = write_run(tmp_path / "a")
    b = write_run(tmp_path / "b", value=1.5000001, rows=(2, 1), extra=True)
    result = compare_dirs(a, b)
    assert "inertia" in result["clusters/k2/metrics.json"]
    assert result["clusters/k_sweep.tsv"] is not None
    assert result["clusters/a.parquet"] is not None
    assert result["new.json"] == "only in the second folder"
    assert main([str(a), str(b)]) == 1
    # a tolerance forgives the float, not the reordered rows
    loose = compare_dirs(a, b, rtol=1e-6)
    assert loose["clusters/k2/metrics.json"] is None
    assert loose["clusters/a.parquet"] is not None


def test_json_key_order_and_types_count():
    assert first_difference({"a": 1, "b": 2}, {"b": 2, "a": 1}, 0.0) is not None
    assert first_difference([1], [1.0], 0.0) is not None
    assert first_difference({"x": [float("nan")]}, {"x": [float("nan")]}, 0.0) is None
    assert strip_volatile({"reviews_per_second": 3, "k": [{"encode_seconds_total": 1}]}) == {
        "k": [{}]
    }


def test_the_manifests_checksums_are_left_out_its_about_is_compared(tmp_path):
    for name, digest, kinds in (("a", "1" * 64, ["bert"]), ("b", "2" * 64, ["bert"]),
                                ("c", "1" * 64, ["wordvec"])):  # fmt: skip
        (tmp_path / name / "model").mkdir(parents=True)
        doc = {"layout": 1, "about": {"kinds": kinds}, "files": {"x.npz": {"sha256": digest}}}
        (tmp_path / name / "model" / "manifest.json").write_text(json.dumps(doc))
    assert compare_dirs(tmp_path / "a", tmp_path / "b") == {"model/manifest.json": None}
    assert "kinds" in compare_dirs(tmp_path / "a", tmp_path / "c")["model/manifest.json"]
