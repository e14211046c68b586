"""The pure parts of the benchmark scripts: slopes, the scaling table, kept wall times."""

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_end_to_end  # noqa: E402
import scaling  # noqa: E402


def test_slopes_recover_power_laws_and_apply_the_target():
    n = [6250, 12500, 25000, 50000]
    table = pd.DataFrame(
        {
            size: {
                "linear": 0.01 * size,
                "quadratic": 1e-6 * size**2,
                "fixed": 7.0,
                "report": 0.001 * size**2,  # fixed-cost stages are measured, not held
                "tiny": 1e-5 * size,  # under MIN_SECONDS at the largest n: start-up, not work
            }
            for size in n
        }
    )
    got = scaling.slopes(table).set_index("stage")
    assert got.loc["linear", "slope"] == pytest.approx(1.0)
    assert got.loc["quadratic", "slope"] == pytest.approx(2.0)
    assert got.loc["fixed", "slope"] == pytest.approx(0.0, abs=1e-9)
    assert bool(got.loc["linear", "meets_target"]) and bool(got.loc["fixed", "meets_target"])
    assert got.loc["quadratic", "meets_target"] == False  # noqa: E712
    assert got.loc["report", "meets_target"] is None and not got.loc["report", "held_to_target"]
    assert got.loc["tiny", "meets_target"] is None
    assert got.loc["linear", "seconds_at_largest_n"] == pytest.approx(500.0)
    assert got.loc["quadratic", "slope_last_doubling"] == pytest.approx(2.0)


def test_slopes_skip_missing_sizes():
    table = pd.DataFrame({1000: {"a": 1.0}, 2000: {"a": np.nan}, 4000: {"a": 4.0}})
    assert scaling.slopes(table).set_index("stage").loc["a", "slope"] == pytest.approx(1.0)


def _fake_run(root: Path, n: int, seconds: dict[str, float], wall: float | None) -> None:
    bench = root / f"n{n}" / "benchmarks"
    header = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    for rule, s in seconds.items():
        path = bench / f"{rule}.tsv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header + f"{s}\t0:00:01\t100\t200\t50\t60\t0\t0\t90\t{s}\n")
    if wall is not None:
        bench_end_to_end.wall_path(root / f"n{n}").write_text(json.dumps({"wall_seconds": wall}))


def test_collect_adds_the_kept_wall_time_as_the_last_row(tmp_path):
    _fake_run(tmp_path, 100, {"prepare": 2.0, "ingest": 1.0}, wall=5.5)
    _fake_run(tmp_path, 200, {"prepare": 4.0, "ingest": 1.0}, wall=None)
    table = scaling.collect(tmp_path, [100, 200])
    assert list(table.index) == ["ingest", "prepare", scaling.WALL]
    assert table.loc["prepare", 200] == pytest.approx(4.0)
    assert table.loc[scaling.WALL, 100] == pytest.approx(5.5)
    assert np.isnan(table.loc[scaling.WALL, 200])
    assert bench_end_to_end.read_wall(tmp_path / "n200") is None
