"""The command-line tool's arguments and input checks (without a run: see
tests/workflow/test_assign_workflow.py for the tool on real runs)."""

import subprocess
import sys

import numpy as np
import pandas as pd
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
    for option in ("--run", "--kind", "--k", "--file", "--json", "--output", "--segments",
                   "--threads", "TEXT"):  # fmt: skip
        assert option in r.stdout
    assert "examples:" in r.stdout and "confidence" in r.stdout and "aspect" in r.stdout


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
    r = _run("assign", "--run", str(tmp_path), "--segments", "s.csv", "Good.", cwd=tmp_path)
    assert r.returncode == 2 and "--segments s.csv: name the file ....parquet" in r.stderr


def _segments(**about):
    """The per-segment rows of the seed's example and a comparison (real segmentation and
    comparison finder), with planted aspects and labels where ``about`` has them."""
    from test_assign_segments import SEED_EXAMPLE, _segmented

    from sentclust.assign import segment_aspects as sa

    texts = [SEED_EXAMPLE, "Ah. The book is far better than this film."]
    flat = _segmented(texts)
    flat["text_id"] = flat["text_id"].map({"t0": "new_0", "t1": "new_1"})
    aspects = (np.array([0, 1, 1, -1]), np.zeros(4)) if about.get("aspects") else None
    labels = [-1, 1, 0, 0] if about.get("polarity") else None
    names = {0: "location / place", 1: "people / staff"}
    rows = sa.segment_rows(flat, aspects=aspects, names=names, labels=labels,
                           coverage=[1.0, 1.0, 1.0, 0.1] if aspects else None)  # fmt: skip
    return sa.segments_frame(rows), pd.DataFrame({"text_id": ["new_0", "new_1"], "text": texts})


def test_each_segment_is_shown_with_its_aspect_polarity_and_comparison():
    segments, texts = _segments(aspects=True, polarity=True)
    about = {"aspects": {"k": 2}, "polarity": {}}
    shown = "\n".join(cli.segment_lines(segments, texts, about))
    assert "segments of new_0: The location was truly disgusting" in shown
    assert "aspect 0 (location / place); polarity negative" in shown
    assert "aspect 1 (people / staff); polarity positive" in shown
    assert "aspect none (its BERT vector covers too little of it)" in shown  # the planted -1
    assert 'comparison "better than": left "The book" [0:8], right "this film" [28:37]' in shown
    records = cli.segment_records(segments)
    assert [s["aspect"] for s in records["new_0"]] == [0, 1]
    (c,) = records["new_1"][1]["comparisons"]
    assert (c["left"], c["right"], c["left_start"], c["right_end"]) == ("The book", "this film",
                                                                        0, 37)  # fmt: skip


def test_a_run_without_aspects_or_labels_says_what_is_absent():
    segments, texts = _segments()
    shown = "\n".join(cli.segment_lines(segments, texts, {"aspects": None, "polarity": None}))
    assert "aspect none (the run has no aspects stage" in shown
    assert "polarity none (the run has no segment polarity: its corpus has no labels)" in shown
    assert "comparison" in shown
    none = cli.segment_lines(segments.iloc[:0], texts, {})
    assert "segments: none (the run segments no texts" in none[-1]


HOSTILE = "Fine film.\x1b]0;owned\x07\x1b[2J\x9b31m\u202eevil"


def test_control_characters_of_a_review_never_reach_the_terminal():
    import pandas as pd

    texts = pd.DataFrame({"text_id": ["t0"], "text": [HOSTILE]})
    placed = pd.DataFrame(
        {"text_id": ["t0"], "kind": ["wordvec"], "k": [2], "chosen_k": [True],
         "name": ["positive\x1b[5m"], "mean_rating": [7.0], "positive_share": [0.8],
         "confidence": [0.5], "network_probability": [0.9]}
    )  # fmt: skip
    shown = cli.table_view(placed, texts, None).to_string(index=False)
    for char in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert char not in shown
    assert "Fine film.\\x1b]0;owned\\x07" in shown and "positive\\x1b[5m" in shown
    assert cli.printable("a\x1b[31mb\nc") == "a\\x1b[31mb\nc"  # a message keeps its lines


def test_an_error_message_is_printed_without_control_characters(tmp_path):
    r = _run("assign", "--run", str(tmp_path / "run\x1b]0;owned\x07"), "Good.", cwd=tmp_path)
    assert r.returncode == 2 and "is not a folder" in r.stderr
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr and "run\\x1b]0;owned" in r.stderr


HUB_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY")


def _environment_at_placing(monkeypatch, run, model_path, model="org/m"):
    """The hub variables as the tool's placer would see them, for a run whose model folder is
    ``model_path`` (the placer itself is replaced: it stops the tool)."""
    import json
    import os

    from sentclust import layout as L

    doc = json.loads((run / L.MANIFEST).read_text())
    doc["about"]["bert"]["model_path"] = str(model_path)
    doc["about"]["bert"]["encoding"]["model"] = model
    (run / L.MANIFEST).write_text(json.dumps(doc))  # about is not checksummed: the run still opens
    seen = []

    def placer(*args, **kwargs):
        seen.append({k: os.environ[k] for k in HUB_VARS if k in os.environ})
        raise ValueError("stopped before loading")

    monkeypatch.setattr(cli, "Placer", placer)
    assert cli.main(["assign", "--run", str(run), "--quiet", "Good."]) == 2
    return seen[0]


def test_the_tool_goes_online_only_for_a_run_model_missing_here(tmp_path, monkeypatch):
    from huggingface_hub import constants
    from test_run_models import _finished_run

    for k in HUB_VARS:
        monkeypatch.delenv(k, raising=False)  # restored after the test, whatever main sets
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    run = _finished_run(tmp_path)
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    here = _environment_at_placing(monkeypatch, run, folder)  # the run's model is on this machine
    assert here == {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                    "HF_HUB_DISABLE_TELEMETRY": "1"}  # fmt: skip
    for k in HUB_VARS:
        monkeypatch.delenv(k, raising=False)
    missing = _environment_at_placing(monkeypatch, run, tmp_path / "gone")  # a hub model, not here
    assert missing == {"HF_HUB_DISABLE_TELEMETRY": "1"}
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")  # the user's own setting wins
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "0")
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    mine = _environment_at_placing(monkeypatch, run, folder)
    assert mine == {"HF_HUB_OFFLINE": "0", "HF_HUB_DISABLE_TELEMETRY": "0"}
