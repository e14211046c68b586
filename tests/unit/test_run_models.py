"""What a run saves for new texts (sentclust.assign.run_models): the manifest's about, its file
list, the BERT identity from the shard records, and opening a run folder (every refusal names the
fix)."""

import json

import numpy as np
import pytest

from sentclust import layout as L
from sentclust.assign import manifest, run_models, segment_aspects
from sentclust.assign.encoder import encoding_here
from sentclust.assign.manifest import ManifestError
from sentclust.assign.placing import confidence
from sentclust.files import write_npz

RECORD = {
    "model": "m",
    "model_revision": "sha256:abc",
    "model_source": "local directory",
    "device": "cpu",
    "backend": "openvino",
    "precision": "float32",
    "dimensions": 4,
    "encoding_path": {"rule": "measured"},
}
ENCODING = {"model": "m", "models_dir": None, "revision": None, "mode": "truncate",
            "max_seq_length": 64, "precision": "auto", "calibration_reviews": 8}  # fmt: skip


#: aspects.json as the aspects stage writes it (the fields the assign step reads)
SUMMARY = {
    "choice": {"k": 2, "criterion": "elbow"},
    "sweep": [],
    "labels": False,
    "aspects": [{"aspect": 0, "name": "acting / cast"}, {"aspect": 1, "name": "plot"}],
}


def _aspects():
    return segment_aspects.aspects_about(
        SUMMARY, segments={"min_words": 2}, bert_segments="pooled", min_coverage=0.5
    )


def _about(kinds=("wordvec", "bert_pls"), ks=(3, 2), polarity=True, records=(RECORD,), **more):
    return run_models.about_document(
        kinds=kinds,
        ks=ks,
        prepare={"lowercase": True, "unicode_form": "NFKC"},
        bert=run_models.bert_identity(ENCODING, list(records), "/models/m"),
        polarity={"scorers": L.SCORERS, "segments": {}, "bert_segments": "pooled"}
        if polarity
        else None,
        **more,
    )


def test_about_names_each_kinds_source_projection_levels_and_ks():
    about = _about()
    assert about["kinds"]["wordvec"] == {
        "source": "wordvec",
        "pls": None,
        "finegrained": L.path(L.FINEGRAINED, kind="wordvec"),
        "ks": [2, 3],
    }
    assert about["kinds"]["bert_pls"]["source"] == "bert"
    assert about["kinds"]["bert_pls"]["pls"] == L.path(L.PLS_MODEL, raw="bert")
    bert = about["bert"]
    assert (bert["backend"], bert["precision"], bert["model_revision"]) == (
        "openvino", "float32", "sha256:abc",
    )  # fmt: skip
    assert bert["encoding"]["max_seq_length"] == 64 and bert["int8"] is None
    json.dumps(about)
    with pytest.raises(ValueError, match="unknown embedding kind"):
        _about(kinds=("glove",))
    with pytest.raises(ValueError, match="no shard records"):
        _about(records=())


def test_the_file_list_covers_every_model_file():
    files = run_models.model_files(_about())
    expected = [
        L.WORDVEC_MODEL,
        *(L.path(L.FINEGRAINED, kind=kind) for kind in ("wordvec", "bert_pls")),
        *(L.path(L.CENTRES, kind=kind, k=k) for kind in ("wordvec", "bert_pls") for k in (2, 3)),
        L.path(L.PLS_MODEL, raw="bert"),
        L.SCORERS,
    ]
    assert files == sorted(expected) and len(files) == 9
    int8 = {**RECORD, "precision": "int8", "encoding_path": {"int8_check": {"passed": True}}}
    about = _about(polarity=False, records=(int8,))
    assert about["bert"]["int8"]["check"] == {"passed": True}
    assert {L.INT8_MODEL, L.INT8_WEIGHTS} <= set(run_models.model_files(about))
    assert L.SCORERS not in run_models.model_files(about)
    assert _about()["aspects"] is None  # a run without the aspects stage lists none of its files
    with_aspects = run_models.model_files(_about(aspects=_aspects()))
    assert set(with_aspects) - set(files) == {L.ASPECTS, L.path(L.ASPECTS_CENTRES, k=2)}


def _finished_run(tmp_path, aspects=False):
    """A run folder with real files for kind wordvec at k = 2, 3 (chosen 3, named 2 and 3);
    ``aspects``: with the aspects stage's aspects.json and chosen centres (k = 2, dim 4)."""
    run = tmp_path / "run"
    about = _about(kinds=("wordvec",), polarity=False, aspects=_aspects() if aspects else None)
    if aspects:
        (run / L.ASPECTS).parent.mkdir(parents=True)
        (run / L.ASPECTS).write_text(json.dumps(SUMMARY))
        arrays = {"centres": np.eye(2, 4, dtype=np.float32), "sizes": np.ones(2, dtype=np.int64)}
        write_npz(arrays, run / L.path(L.ASPECTS_CENTRES, k=2))
    for k in (2, 3):
        arrays = {"centres": np.eye(k, 4, dtype=np.float32), "sizes": np.ones(k, dtype=np.int64)}
        write_npz(arrays, run / run_models.centres_path("wordvec", k))

    def clusters(k):
        level = {"grade": "mixed", "size": 1, "positive_share": 0.5, "mean_rating": 5.0}
        return [{"cluster": c, "rank": c, "name": f"level {c}", **level} for c in range(k)]

    results = [{"k": 3, "clusters": clusters(3)}, {"k": 2, "clusters": clusters(2)}]
    fg = {"kind": "wordvec", "chosen_k": 3, "results": results}
    (run / L.path(L.FINEGRAINED, kind="wordvec")).write_text(json.dumps(fg))
    (run / L.WORDVEC_MODEL).parent.mkdir(parents=True)
    (run / L.WORDVEC_MODEL).write_bytes(b"network")
    doc = manifest.build(run, run_models.model_files(about), about=about, versions={})
    (run / L.MANIFEST).parent.mkdir(parents=True)
    (run / L.MANIFEST).write_text(json.dumps(doc))
    return run


def test_open_run_reads_a_checked_run_and_its_levels(tmp_path):
    models = run_models.open_run(_finished_run(tmp_path))
    assert models.kinds == ["wordvec"]
    assert models.chosen_k("wordvec") == 3 and models.named_ks("wordvec") == [2, 3]
    assert models.check_request(None, 2) == ["wordvec"]
    with pytest.raises(ValueError, match=r"no kind bert\. Fix: choose from wordvec"):
        models.check_request(["bert"], None)
    with pytest.raises(ValueError, match=r"k = \[2, 3\] only, not k = 5.*choose_k.explore"):
        models.check_request(None, 5)


def test_open_run_refuses_what_it_cannot_trust(tmp_path):
    with pytest.raises(ManifestError, match="is not a folder"):
        run_models.open_run(tmp_path / "nothing")
    with pytest.raises(ManifestError, match="model/manifest.json is missing.*finish this one"):
        run_models.open_run(tmp_path)  # a folder, but no run of this version
    run = _finished_run(tmp_path)
    (run / L.path(L.CENTRES, kind="wordvec", k=2)).write_bytes(b"edited")
    with pytest.raises(ManifestError, match="changed since the run wrote it"):
        run_models.open_run(run)
    doc = json.loads((run / L.MANIFEST).read_text())
    (run / L.MANIFEST).write_text(json.dumps({**doc, "layout": 0}))
    with pytest.raises(ManifestError, match="another version of the workflow"):
        run_models.open_run(run)
    (run / L.MANIFEST).write_text("{not json")
    with pytest.raises(ManifestError, match="not valid JSON"):
        run_models.open_run(run)


def test_confidence_is_zero_on_the_boundary_and_one_on_the_centre():
    out = confidence([1.0, 0.0, 2.0, 1.0], [0.0, 3.0, 2.0, np.inf])
    np.testing.assert_allclose(out, [0.0, 1.0, 2.0 / 6.0, 1.0], rtol=1e-6)


def test_new_texts_encode_as_the_run_did_or_in_float32_on_a_cpu():
    cpu_run = {"device": "cpu", "precision": "bfloat16", "backend": "openvino"}
    assert encoding_here(cpu_run, cuda=True) == ("cpu", "bfloat16", "openvino")
    gpu_run = {"device": "cuda", "precision": "float16", "backend": "torch"}
    assert encoding_here(gpu_run, cuda=True) == ("cuda", "float16", "torch")
    assert encoding_here(gpu_run, cuda=False) == ("cpu", "float32", "torch")


def test_open_run_checks_every_file_it_loads_and_the_bytes_it_loads(tmp_path):
    run = _finished_run(tmp_path)
    doc = json.loads((run / L.MANIFEST).read_text())
    evil = {**doc, "about": {**doc["about"], "wordvec_model": "../evil.keras"}}
    for bad, message in (
        (evil, r"\.\./evil\.keras \(a file the models load\) is outside the run folder"),
        ({**doc, "files": {}}, r"lists no clusters/wordvec/k2/centres\.npz"),
        ([doc], r"is not a JSON object"),
    ):
        (run / L.MANIFEST).write_text(json.dumps(bad))
        with pytest.raises(ManifestError, match=message):
            run_models.open_run(run)
    (run / L.MANIFEST).write_text(json.dumps(doc))
    models = run_models.open_run(run)
    np.testing.assert_array_equal(models.centres("wordvec", 2).centres, np.eye(2, 4))
    centres = run / run_models.centres_path("wordvec", 3)
    write_npz({"centres": np.zeros((3, 4), np.float32), "sizes": np.ones(3)}, centres)  # replaced
    with pytest.raises(ManifestError, match=r"k3/centres\.npz changed since the run wrote it"):
        models.centres("wordvec", 3)


def test_the_aspects_files_are_verified_like_every_model_file(tmp_path):
    run = _finished_run(tmp_path, aspects=True)
    models = run_models.open_run(run)
    aspects = segment_aspects.AspectModel.from_run(models)
    assert aspects.names == {0: "acting / cast", 1: "plot"} and aspects.min_coverage == 0.5
    assert aspects.nearest(np.array([[0.0, 0.9, 0.1, 0.0]]))[0].tolist() == [1]
    centres = run / L.path(L.ASPECTS_CENTRES, k=2)
    write_npz({"centres": np.zeros((2, 4), np.float32), "sizes": np.ones(2)}, centres)  # replaced
    with pytest.raises(ManifestError, match=r"aspects/k2/centres\.npz changed since the run"):
        segment_aspects.AspectModel.from_run(models)
    with pytest.raises(ManifestError, match=r"aspects/k2/centres\.npz changed since the run"):
        run_models.open_run(run)
    (run / L.ASPECTS).unlink()
    with pytest.raises(ManifestError, match=r"aspects/aspects\.json is missing"):
        run_models.open_run(run)


def test_an_old_manifest_without_aspects_still_opens(tmp_path):
    run = _finished_run(tmp_path)
    doc = json.loads((run / L.MANIFEST).read_text())
    del doc["about"]["aspects"]  # as written before the aspects stage
    (run / L.MANIFEST).write_text(json.dumps(doc))
    models = run_models.open_run(run)
    assert segment_aspects.AspectModel.from_run(models) is None
