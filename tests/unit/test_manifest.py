"""The run's model manifest: checksums written, and every kind of mismatch refused."""

import json

import pytest

from sentclust.assign import manifest
from sentclust.assign.manifest import ManifestError


def _run(tmp_path):
    run = tmp_path / "run"
    (run / "clusters" / "bert" / "k2").mkdir(parents=True)
    (run / "clusters" / "bert" / "k2" / "centres.npz").write_bytes(b"centres")
    (run / "embeddings").mkdir()
    (run / "embeddings" / "bert_pls_model.npz").write_bytes(b"pls")
    files = ["embeddings/bert_pls_model.npz", run / "clusters" / "bert" / "k2" / "centres.npz"]
    doc = manifest.build(run, files, about={"kinds": ["bert"]}, versions={"numpy": "2"})
    return run, doc


def test_the_manifest_lists_sizes_and_checksums(tmp_path):
    run, doc = _run(tmp_path)
    assert doc["layout"] == manifest.LAYOUT and doc["about"] == {"kinds": ["bert"]}
    assert list(doc["files"]) == ["clusters/bert/k2/centres.npz", "embeddings/bert_pls_model.npz"]
    entry = doc["files"]["embeddings/bert_pls_model.npz"]
    assert entry["bytes"] == 3 and len(entry["sha256"]) == 64
    json.dumps(doc)  # plain JSON
    manifest.verify(run, doc)  # unchanged: passes


def test_a_missing_or_changed_file_is_refused_with_the_fix(tmp_path):
    run, doc = _run(tmp_path)
    (run / "embeddings" / "bert_pls_model.npz").write_bytes(b"PLS")  # same size, other bytes
    (run / "clusters" / "bert" / "k2" / "centres.npz").unlink()
    with pytest.raises(ManifestError) as err:
        manifest.verify(run, doc)
    msg = str(err.value)
    assert "clusters/bert/k2/centres.npz is missing" in msg
    assert "embeddings/bert_pls_model.npz changed" in msg and "rerun the workflow" in msg


def test_another_layout_is_refused(tmp_path):
    run, doc = _run(tmp_path)
    with pytest.raises(ManifestError, match="another version of the workflow"):
        manifest.verify(run, {**doc, "layout": 0})
