"""Compare two results folders file by file: the same outputs, by content.

    .venv/bin/python tests/compare_runs.py BEFORE AFTER [--rtol 0]

Every Parquet, JSON, TSV and NPZ file under either folder (logs/ and benchmarks/ left out) is
compared: Parquet by schema and values (pyarrow), JSON as parsed values (key order included),
TSV as tables, NPZ array by array. Timings differ from run to run and are left out: JSON keys
and TSV columns whose name contains "seconds" or "per_second", and the encode jobs'
`encoding_path` (the timings of the measured path choice; the path itself is compared as
`backend` and `precision`), and the model manifest's per-file sizes and checksums (zip archives
such as ``.keras`` and ``.npz`` hold their write time; the files themselves are compared, and the
manifest's ``about`` is). Prints one line per file and a count; exits 1 when a file differs or
is missing on one side.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

SUFFIXES = (".parquet", ".json", ".tsv", ".npz")
SKIPPED_DIRS = ("logs", "benchmarks")
VOLATILE = re.compile(r"seconds|per_second|encoding_path")
#: top-level keys of one file that differ between equal runs: the manifest's checksums
VOLATILE_IN = {"model/manifest.json": ("files",)}


def output_files(root: Path) -> set[str]:
    """The compared files under ``root``, as relative paths."""
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and p.suffix in SUFFIXES and p.relative_to(root).parts[0] not in SKIPPED_DIRS
    }


def strip_volatile(obj):
    """``obj`` without the dict keys that hold timings (recursively)."""
    if isinstance(obj, dict):
        return {k: strip_volatile(v) for k, v in obj.items() if not VOLATILE.search(str(k))}
    if isinstance(obj, list):
        return [strip_volatile(v) for v in obj]
    return obj


def first_difference(a, b, rtol: float, where: str = "") -> str | None:
    """Where two parsed JSON values first differ (None when equal; floats within ``rtol``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{where or '/'}: keys {list(a)} != {list(b)}"
        found = (first_difference(a[k], b[k], rtol, f"{where}/{k}") for k in a)
        return next((d for d in found if d), None)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} != {len(b)} items"
        pairs = enumerate(zip(a, b, strict=True))
        found = (first_difference(x, y, rtol, f"{where}[{i}]") for i, (x, y) in pairs)
        return next((d for d in found if d), None)
    if isinstance(a, float) and isinstance(b, float):
        same = (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=rtol, abs_tol=0)
        return None if same else f"{where}: {a!r} != {b!r}"
    return None if a == b and type(a) is type(b) else f"{where}: {a!r} != {b!r}"


def _frames_differ(a: pd.DataFrame, b: pd.DataFrame, rtol: float) -> str | None:
    try:
        pd.testing.assert_frame_equal(a, b, check_exact=rtol == 0, rtol=rtol or 1e-5, atol=0)
    except AssertionError as err:
        return " ".join(str(err).split())[:300]
    return None


def compare_file(a: Path, b: Path, rtol: float = 0.0, rel: str = "") -> str | None:
    """None when the two files hold the same outputs, else what differs first (``rel``: the
    path inside the results folder, for :data:`VOLATILE_IN`)."""
    if a.suffix == ".json":
        left, right = (strip_volatile(json.loads(p.read_text())) for p in (a, b))
        for key in VOLATILE_IN.get(rel, ()):
            left.pop(key, None)
            right.pop(key, None)
        return first_difference(left, right, rtol)
    if a.suffix == ".tsv":
        left, right = (pd.read_csv(p, sep="\t") for p in (a, b))
        drop = [c for c in left.columns if VOLATILE.search(c)]
        return _frames_differ(
            left.drop(columns=drop), right.drop(columns=drop, errors="ignore"), rtol
        )
    if a.suffix == ".parquet":
        left, right = pq.read_table(a), pq.read_table(b)
        if not left.schema.equals(right.schema, check_metadata=False):
            return f"schema {left.schema} != {right.schema}"
        return _frames_differ(left.to_pandas(), right.to_pandas(), rtol)
    with np.load(a) as left, np.load(b) as right:
        if sorted(left.files) != sorted(right.files):
            return f"arrays {sorted(left.files)} != {sorted(right.files)}"
        bad = [k for k in left.files if not np.array_equal(left[k], right[k])]
        return f"arrays differ: {bad}" if bad else None


def compare_dirs(before: Path, after: Path, rtol: float = 0.0) -> dict[str, str | None]:
    """{relative path: None (same) or what differs}, for every output file of either folder."""
    left, right = output_files(before), output_files(after)
    out: dict[str, str | None] = {}
    for rel in sorted(left | right):
        if rel not in right:
            out[rel] = "only in the first folder"
        elif rel not in left:
            out[rel] = "only in the second folder"
        else:
            out[rel] = compare_file(before / rel, after / rel, rtol, rel)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--rtol", type=float, default=0.0, help="relative tolerance for floats")
    args = ap.parse_args(argv)
    result = compare_dirs(args.before, args.after, args.rtol)
    for rel, diff in result.items():
        print(
            f"{'same' if diff is None else 'DIFF'}  {rel}" + ("" if diff is None else f"  {diff}")
        )
    n_diff = sum(d is not None for d in result.values())
    print(f"{len(result) - n_diff} same, {n_diff} different, of {len(result)} files")
    return 1 if n_diff or not result else 0


if __name__ == "__main__":
    sys.exit(main())
