"""The saved models of a run without labels: no network, no segment scorers, and a request for
a missing kind says which stages were skipped and why."""

import pytest

from sentclust.assign.run_models import RunModels, about_document, model_files
from sentclust.workflow.label_stages import skipped_stages

PREPARE = {"lowercase": True, "unicode_form": "NFC"}


def about(skipped):
    return about_document(
        kinds=["bert"], ks=[2, 3], prepare=PREPARE, bert={}, polarity=None, skipped=skipped
    )


def test_unlabelled_about_names_no_network_and_keeps_the_skipped_stages():
    doc = about(skipped_stages("none"))
    assert doc["wordvec_model"] is None and doc["polarity"] is None
    assert doc["skipped"] == skipped_stages("none")
    files = model_files(doc)
    assert not any("wordvec" in f or "scorers" in f for f in files)
    assert "clusters/bert/k2/centres.npz" in files and "clusters/bert/finegrained.json" in files


def test_labelled_about_still_names_the_network():
    doc = about(None)
    assert doc["wordvec_model"] == "wordvec/model.keras" and doc["skipped"] == {}
    assert "wordvec/model.keras" in model_files(doc)


def test_a_missing_kind_says_the_corpus_has_no_labels(tmp_path):
    models = RunModels(tmp_path, {"about": about(skipped_stages("none"))})
    with pytest.raises(ValueError, match="no kind wordvec .*no labels.*network") as err:
        models.check_request(["wordvec"], None)
    assert "Fix: choose from bert" in str(err.value)
