"""The config checks the Snakefile runs right after validate(), before any job."""

import copy
import os
from pathlib import Path

import pandas as pd
import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from sentclust.workflow.config_checks import ConfigError, check_config, known_corpus_size

ROOT = Path(__file__).resolve().parents[2]


def _config(*overlays: dict) -> dict:
    """config/config.yaml with ``overlays`` merged in (one level deep), validated and filled
    with the schema's defaults, as the Snakefile sees it."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    for overlay in overlays:
        for key, value in copy.deepcopy(overlay).items():
            if isinstance(value, dict) and isinstance(config.get(key), dict):
                config[key].update(value)
            else:
                config[key] = value
    validate(config, str(ROOT / "config" / "schema.yaml"))
    return config


def _problems(config: dict, tmp_path: Path | None = None) -> str:
    """The check's message ('' when the config passes), run from ``tmp_path`` (default: here)."""
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path or ROOT)
        check_config(config, workflow_dir=ROOT)
    except ConfigError as err:
        return str(err)
    finally:
        os.chdir(cwd)
    return ""


def test_the_shipped_configs_pass(monkeypatch):
    monkeypatch.chdir(ROOT)  # the configs' paths are relative to the project
    demo = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text())
    minilm = yaml.safe_load((ROOT / "config" / "minilm.yaml").read_text())
    assert _problems(_config()) == ""
    assert _problems(_config(demo)) == ""
    assert _problems(_config(minilm)) == ""
    assert known_corpus_size(_config(demo)) == 2000  # from the Parquet file's metadata


@pytest.mark.parametrize("results_dir", ["", "  ", "/", ".", "./", "..", "/usr", "/tmp"])
def test_dangerous_results_dirs_are_refused(results_dir):
    message = _problems(_config({"results_dir": results_dir}))
    assert "results_dir" in message and "--config results_dir=results/myrun" in message


def test_results_dir_must_not_hold_the_workflow(tmp_path):
    # run from elsewhere with results_dir pointing at the project, or a folder above it
    for results_dir in (str(ROOT), str(ROOT.parent), "{sample}"):
        message = _problems(_config({"results_dir": results_dir}), tmp_path)
        assert "results_dir" in message, results_dir
    assert _problems(_config({"results_dir": str(tmp_path / "results")}), tmp_path) == ""
    assert _problems(_config({"results_dir": "results/full"})) == ""


def test_mixed_band_half_is_refused_by_the_schema_and_the_check():
    config = _config()
    config["finegrained"]["mixed_band"] = 0.5
    with pytest.raises(WorkflowError):
        validate(copy.deepcopy(config), str(ROOT / "config" / "schema.yaml"))
    assert "finegrained.mixed_band=0.5: must be in [0, 0.5)" in _problems(config)
    assert _problems(_config({"finegrained": {"mixed_band": 0.49}})) == ""


@pytest.mark.parametrize("splits", [["train"], ["test"]])
def test_both_splits_are_needed(splits):
    message = _problems(_config({"ingest": {"splits": splits}}))
    assert f"ingest.splits {splits} leaves out" in message
    assert "measured on the test split" in message and "ingest.splits: [train, test]" in message


def test_k_larger_than_a_subsample_is_refused():
    message = _problems(_config({"ingest": {"subsample": 10}, "kmeans": {"k": [2, 9, 10, 12]}}))
    assert "kmeans.k has k=10, k=12 but the run clusters at most 10 reviews" in message
    assert "use k <= 9" in message
    assert _problems(_config({"ingest": {"subsample": 13}, "kmeans": {"k": [2, 12]}})) == ""


def test_k_larger_than_a_parquet_input_is_refused(tmp_path):
    folder = tmp_path / "reviews"
    folder.mkdir()
    rows = pd.DataFrame({"review_id": ["a", "b", "c"], "text": ["x", "y", "z"]})
    rows.to_parquet(folder / "part-0.parquet")
    rows.to_parquet(folder / "part-1.parquet")
    rows.to_parquet(folder / "._part-2.parquet")  # hidden: not an input, not counted
    config = _config({"input_path": str(folder), "kmeans": {"k": [2, 5, 6, 7]}})
    assert known_corpus_size(config) == 6
    assert "kmeans.k has k=6, k=7 but the run clusters at most 6 reviews" in _problems(config)
    config = _config({"input_path": str(folder / "part-0.parquet"), "kmeans": {"k": [2, 3]}})
    assert "kmeans.k has k=3 but" in _problems(config)
    # any other input, or a missing one: the size is unknown here (ingest reports its own errors)
    assert known_corpus_size(_config({"input_path": str(tmp_path / "missing")})) is None
    assert known_corpus_size(_config({"input_path": str(tmp_path / "x.csv")})) is None


def test_explain_texts_of_only_markup_are_refused():
    texts = ["A fine film.", "<br /><br />", " &nbsp; <i></i>"]
    message = _problems(_config({"explain": {"texts": texts}}))
    assert "explain.texts #2 '<br /><br />', #3 ' &nbsp; <i></i>' is empty" in message
    assert "#1" not in message
    assert _problems(_config({"explain": {"texts": ["<b>Great</b>"]}})) == ""


def test_every_problem_is_listed_at_once():
    config = _config({"results_dir": "/", "ingest": {"splits": ["train"], "subsample": 5}})
    message = _problems(config)
    assert message.startswith("the config cannot run (3 problem(s)):")
    assert message.count("\n- ") == 3


def test_the_snakefile_checks_the_config_before_any_rule():
    text = (ROOT / "Snakefile").read_text()
    check = text.index("check_config(config, workflow_dir=workflow.basedir)")
    assert text.index("validate(config") < check < text.index("include:")


def test_polarity_scorers_that_lack_their_vectors_are_refused():
    separate = _problems(_config({"polarity": {"scorer": "mil", "mil": {"features": "both"}}}))
    assert "polarity.mil.features is both" in separate
    assert "polarity.bert_segments: separate" in separate
    assert (
        _problems(
            _config(
                {
                    "polarity": {
                        "scorer": "mil",
                        "mil": {"features": "bert"},
                        "bert_segments": "separate",
                    }
                }
            )
        )
        == ""
    )
    off = _problems(_config({"polarity": {"scorer": "bert", "bert_segments": "off"}}))
    assert "polarity.scorer is bert but polarity.bert_segments is off" in off
    assert _problems(_config({"polarity": {"bert_segments": "off"}})) == ""  # mil on word vectors
