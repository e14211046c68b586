"""sentclust.workflow.offline: what goes online (the hub only for a model the config asks for and
this machine lacks), and no telemetry (Hugging Face, OpenVINO)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sentclust.bert import models
from sentclust.workflow import offline

ROOT = Path(__file__).resolve().parents[2]
MINILM = "sentence-transformers/all-MiniLM-L6-v2"
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _bert(model, **kw):
    return {"bert": {"model": model, "models_dir": None, "revision": None, **kw}}


def _hub_cache(monkeypatch, tmp_path, name, commit=COMMIT):
    """A hub cache holding a snapshot of ``name`` at ``commit`` (the main branch)."""
    from huggingface_hub import constants

    repo = tmp_path / "hub" / f"models--{name.replace('/', '--')}"
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (snapshot / "modules.json").write_text("[]")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    return snapshot


def test_a_model_on_this_machine_turns_the_hub_off(tmp_path):
    assert offline.hub_environment(_bert(MINILM), {}) == OFFLINE  # an installed package's copy
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    assert offline.hub_environment(_bert(str(folder)), {}) == OFFLINE  # a model folder


def test_a_hub_model_missing_here_may_be_downloaded_without_telemetry(tmp_path, monkeypatch):
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "empty"))
    cfg = _bert("sentence-transformers/bert-base-nli-stsb-mean-tokens")  # the full config's
    assert offline.hub_environment(cfg, {}) == {"HF_HUB_DISABLE_TELEMETRY": "1"}
    # a pinned revision the cache lacks (even of a packaged model) needs the hub too
    assert offline.hub_environment(_bert(MINILM, revision="v1"), {}) == {
        "HF_HUB_DISABLE_TELEMETRY": "1"
    }


def test_a_hub_model_in_the_cache_turns_the_hub_off(tmp_path, monkeypatch):
    name = "org/cached-model"
    _hub_cache(monkeypatch, tmp_path, name)
    assert offline.hub_environment(_bert(name), {}) == OFFLINE
    assert offline.hub_environment(_bert(name, revision=COMMIT), {}) == OFFLINE
    other = "fedcba9876543210fedcba9876543210fedcba98"
    assert "HF_HUB_OFFLINE" not in offline.hub_environment(_bert(name, revision=other), {})


def test_a_users_own_setting_wins():
    env = {"HF_HUB_OFFLINE": "0", "HF_HUB_DISABLE_TELEMETRY": "0"}
    assert offline.hub_environment(_bert(MINILM), env) == {}
    env = {"TRANSFORMERS_OFFLINE": "0"}
    assert offline.set_hub_environment(_bert(MINILM), env) == {"HF_HUB_DISABLE_TELEMETRY": "1"}
    assert env == {"TRANSFORMERS_OFFLINE": "0", "HF_HUB_DISABLE_TELEMETRY": "1"}
    env = {"PATH": "/bin"}
    assert offline.set_hub_environment(_bert(MINILM), env) == OFFLINE
    assert env == {"PATH": "/bin", **OFFLINE}


def test_the_snakefile_sets_the_environment_before_any_job():
    text = (ROOT / "Snakefile").read_text()
    call = text.index("set_hub_environment(config)")
    assert text.index("validate(config") < call < text.index("rule all")


def test_a_revision_resolves_the_hub_only_and_is_recorded(tmp_path, monkeypatch):
    snapshot = _hub_cache(monkeypatch, tmp_path, MINILM)
    r = models.resolve_model(MINILM, revision="main", offline=True)  # not the packaged copy
    assert r.source == "hub cache" and r.path == str(snapshot) and r.revision == COMMIT
    assert models.recorded_revision(r) == COMMIT
    seen = []

    def hub(name, off, revision):
        seen.append(revision)
        raise OSError("no network here")

    with pytest.raises(models.ModelNotAvailableError, match="at revision 'v2'.*bert.revision"):
        models.resolve_model(MINILM, revision="v2", hub=hub, offline=False)
    assert seen == ["v2"]
    folder = tmp_path / "local"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    with pytest.raises(ValueError, match="local folder.*set bert.revision to null"):
        models.resolve_model(str(folder), revision="main", hub=hub)


def test_a_local_copy_is_recorded_by_the_hash_of_its_weights(tmp_path):
    import hashlib

    folder = tmp_path / "m"
    (folder / "onnx").mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"weights")
    (folder / "pytorch_model.bin").write_bytes(b"pickled")
    (folder / "onnx" / "model.safetensors").write_bytes(b"other runtime")
    r = models.resolve_model(str(folder), hub=None)
    assert r.source == "local directory" and r.revision is None
    assert models.weight_files(folder) == [folder / "model.safetensors"]
    assert models.recorded_revision(r) == "sha256:" + hashlib.sha256(b"weights").hexdigest()
    (folder / "model-2.safetensors").write_bytes(b"more")  # several files: one hash of all
    two = models.recorded_revision(r)
    assert two.startswith("sha256:") and two != "sha256:" + hashlib.sha256(b"more").hexdigest()
    (folder / "model-2.safetensors").write_bytes(b"changed")
    assert models.recorded_revision(r) != two
    with pytest.raises(ValueError, match="no \\*.safetensors or \\*.bin"):
        models.weights_sha256(tmp_path / "onnx-only")


def _python(code, home):
    """Run ``code`` in a fresh interpreter (HOME: ``home``, not in CI) and parse its last line."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TF_BUILD", "JENKINS_URL")}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT / "workflow_scripts"))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_openvino_telemetry_is_off_before_openvino_is_imported(tmp_path):
    pytest.importorskip("openvino")
    code = (
        "import json, os\n"
        "import sentclust.bert.openvino as r\n"
        "assert r.openvino_available()\n"
        "import openvino.tools.ovc.convert_impl as ci\n"
        "print(json.dumps({'tm': ci.tm.__name__, 'home': os.listdir(os.environ['HOME'])}))\n"
    )
    got = _python(code, tmp_path)
    # OpenVINO's converter uses its no-telemetry stub; no consent folder or client id was made
    assert got == {"tm": "openvino.tools.ovc.telemetry_stub", "home": []}


def test_opting_out_after_openvino_was_imported_withdraws_consent(tmp_path):
    pytest.importorskip("openvino")
    code = (
        "import json\n"
        "import openvino, openvino_telemetry\n"
        "before = openvino_telemetry.Telemetry().consent\n"
        "from sentclust.bert.openvino import opt_out_of_openvino_telemetry\n"
        "opt_out_of_openvino_telemetry()\n"
        "try:\n"
        "    import openvino_telemetry as again\n"
        "except ImportError:\n"
        "    again = None\n"
        "print(json.dumps([before, openvino_telemetry.Telemetry().consent, again is None]))\n"
    )
    assert _python(code, tmp_path) == [True, False, True]
