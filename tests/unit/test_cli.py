"""The command-line tool's arguments and input checks (without a run: see
tests/workflow/test_assign_workflow.py for the tool on real runs)."""

import subprocess
import sys

import pytest

from conftest import ROOT
from sentclust.assign import cli


def _run(*args, stdin=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "sentclust", *args],
        capture_output=True,
        text=True,
        input=stdin,
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT / "workflow_scripts"), "PATH": ""},
        timeout=300,
    )


def test_help_explains_every_option():
    out = cli.build_parser().parse_args(["assign", "--run", "r", "x"])
    assert out.run == "r" and out.texts == ["x"] and out.threads == 1
    r = _run("assign", "--help")
    assert r.returncode == 0
    for option in ("--run", "--kind", "--k", "--file", "--json", "--output", "--threads", "TEXT"):
        assert option in r.stdout
    assert "examples:" in r.stdout and "confidence" in r.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x", "--file", "f.txt"], "give the reviews one way"),
        ([], "give the reviews one way"),
        (["   "], "empty or whitespace-only"),
        (["--file", "missing.csv"], "is not a file"),
    ],
)
def test_bad_input_stops_with_the_fix_and_status_2(tmp_path, args, message):
    r = _run("assign", "--run", str(tmp_path), *args, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr and "Traceback" not in r.stderr


def test_a_folder_that_is_no_run_is_named(tmp_path):
    r = _run("assign", "--run", str(tmp_path), "Good film.", cwd=tmp_path)
    assert r.returncode == 2 and "model/manifest.json is missing" in r.stderr
    r = _run("assign", "--run", str(tmp_path), "-", stdin="Good.\n\xff\n", cwd=tmp_path)
    assert r.returncode == 2 and "model/manifest.json is missing" in r.stderr
    r = _run("assign", "--run", str(tmp_path), "--output", "x.csv", "Good.", cwd=tmp_path)
    assert r.returncode == 2 and "name the file ....parquet" in r.stderr
    assert not (tmp_path / "x.csv").exists()
