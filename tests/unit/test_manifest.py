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


def test_paths_outside_the_run_and_files_not_listed_are_refused(tmp_path):
    run, doc = _run(tmp_path)
    (tmp_path / "outside.bin").write_bytes(b"x")
    entry = {"bytes": 1, "sha256": manifest.sha256_of(tmp_path / "outside.bin")}
    for rel in ("../outside.bin", str(tmp_path / "outside.bin"), "clusters/../../outside.bin"):
        bad = {**doc, "files": {**doc["files"], rel: entry}}
        with pytest.raises(ManifestError, match=r"outside the run folder.*Fix: rerun"):
            manifest.verify(run, bad)
    with pytest.raises(ManifestError, match=r"lists no model/network.keras.*Fix: rerun"):
        manifest.verify(run, doc, required=["model/network.keras"])
    with pytest.raises(ManifestError, match=r"lists no clusters/bert/k2/centres.npz"):
        manifest.verify(run, {**doc, "files": {}}, required=["clusters/bert/k2/centres.npz"])
    with pytest.raises(ManifestError, match="outside the run folder"):
        manifest.verify(run, doc, required=["../evil.keras"])


@pytest.mark.parametrize("doc", [[], [1, 2], "text", None, {"layout": 1, "files": []},
                                 {"layout": 1, "files": {"a": "b"}}])  # fmt: skip
def test_a_manifest_of_another_shape_is_a_manifest_error(tmp_path, doc):
    with pytest.raises(ManifestError, match=r"Fix: delete it and rerun"):
        manifest.verify(tmp_path, doc)


def test_the_bytes_that_are_loaded_are_the_checked_ones(tmp_path):
    run, doc = _run(tmp_path)
    rel = "clusters/bert/k2/centres.npz"
    assert manifest.read_verified(run, doc, rel) == b"centres"
    (run / rel).write_bytes(b"CENTRES")  # replaced after the run was opened
    with pytest.raises(ManifestError, match=rf"{rel} changed since the run wrote it"):
        manifest.read_verified(run, doc, rel)
    with pytest.raises(ManifestError, match=r"lists no model/other.npz"):
        manifest.read_verified(run, doc, "model/other.npz")


def test_the_manifest_lists_and_verifies_the_chosen_aspect_count(tmp_path):
    from sentclust import layout as L
    from sentclust.assign import job, run_models

    run = tmp_path / "run"
    (run / "aspects" / "k3").mkdir(parents=True)
    (run / "aspects" / "k4").mkdir()
    summary = {"choice": {"k": 3}, "aspects": [{"aspect": a, "name": f"a{a}"} for a in range(3)]}
    (run / L.ASPECTS).write_text(json.dumps(summary))
    for k in (3, 4):  # every count's centres exist; the manifest lists the chosen one
        (run / L.path(L.ASPECTS_CENTRES, k=k)).write_bytes(b"k%d" % k)
    entry = job.run_aspects(run, segments={}, bert_segments="pooled", min_coverage=0.5)
    assert entry["k"] == 3 and entry["min_coverage"] == 0.5
    files = run_models.model_files({"kinds": {}, "aspects": entry})
    assert files == [L.ASPECTS, "aspects/k3/centres.npz"]
    doc = manifest.build(run, files, about={"aspects": entry}, versions={})
    manifest.verify(run, doc, required=files)
    (run / "aspects/k3/centres.npz").write_bytes(b"K3")
    with pytest.raises(ManifestError, match=r"aspects/k3/centres.npz changed since the run"):
        manifest.verify(run, doc, required=files)
    (run / L.ASPECTS).write_text("{not json")
    with pytest.raises(ValueError, match=r"aspects/aspects.json cannot be read.*Fix: rerun"):
        job.run_aspects(run, segments={}, bert_segments="pooled", min_coverage=0.5)
