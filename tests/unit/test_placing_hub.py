"""New reviews placed on a run whose sentence-transformer came from the Hugging Face hub cache
(issue 28, item 1): the manifest records the weights' identity and the placer compares the copy
it loads with it, so the run's own reviews land again in their clusters.

The hub cache is a fake one (``models--org--m/snapshots/<commit>/``) whose files link to the
packaged all-MiniLM-L6-v2, as the real cache links its snapshots to blobs; nothing goes online.
"""

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bert_data import MINILM

from sentclust import layout as L
from sentclust.assign import job, manifest, run_models
from sentclust.assign.encoder import BertEncoder, run_model
from sentclust.assign.manifest import ManifestError
from sentclust.bert import models, shards
from sentclust.bert.job import encode_configured
from sentclust.cluster.model import KMeansModel
from sentclust.prepare.text import clean_text, tokenize_many

COMMIT = "0123456789abcdef0123456789abcdef01234567"
NAME = "org/m"
ENCODING = {"model": NAME, "models_dir": None, "revision": None, "mode": "truncate",
            "max_seq_length": 128, "precision": "float32", "calibration_reviews": 4}  # fmt: skip
RUNTIME = {"device": "cpu", "backend": "torch", "batch_size_cpu": 16, "batch_size_gpu": 16}
PREPARE = {"lowercase": True, "unicode_form": "NFKC"}
REVIEWS = [
    "A wonderful film, I loved every minute of it.",
    "Great acting and a moving story; one of the best this year.",
    "Brilliant, funny and warm. I would watch it again tomorrow.",
    "An excellent cast and a beautiful score made this a joy.",
    "Terrible. The plot made no sense and the acting was wooden.",
    "Boring and far too long; I nearly walked out.",
    "The worst film I have seen in years, a waste of money.",
    "Awful dialogue, dull characters and an ending that insults you.",
]


def fake_hub_cache(tmp_path, monkeypatch, name=NAME, commit=COMMIT):
    """``models--org--m/snapshots/<commit>/`` whose files link to the packaged model's."""
    from huggingface_hub import constants

    source = models.resolve_model(MINILM).path
    repo = tmp_path / "hub" / f"models--{name.replace('/', '--')}"
    snapshot = repo / "snapshots" / commit
    for f in sorted(p for p in Path(source).rglob("*") if p.is_file()):
        rel = f.relative_to(source)
        (snapshot / rel).parent.mkdir(parents=True, exist_ok=True)
        (snapshot / rel).symlink_to(f)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return snapshot


def _encoded_run(tmp_path, cleaned):
    """The shards' record of ``cleaned`` encoded as rule encode_shard does, and the vectors."""
    vectors, info, provenance = encode_configured(
        cleaned, ENCODING, RUNTIME, threads=1, cache_dir=tmp_path / "paths"
    )
    shard = tmp_path / "run" / "embeddings" / "bert_shards" / "shard_000.parquet"
    shard.parent.mkdir(parents=True)
    record = shards.shard_record(info, provenance, 0, 1, (0, len(cleaned)))
    shards.record_path(shard).write_text(json.dumps(record))
    return vectors, shards.read_records([shard])


def _finegrained(k):
    level = {"grade": "mixed", "size": 1, "positive_share": 0.5, "mean_rating": 5.0}
    clusters = [{"cluster": c, "rank": c, "name": f"level {c}", **level} for c in range(k)]
    return {"kind": "bert", "chosen_k": k, "results": [{"k": k, "clusters": clusters}]}


def _save_run(run, about, cleaned, kmeans):
    """The run folder's model files for kind bert at k = 2 and its manifest."""
    from sentclust.wordvec import network as wordvec
    from sentclust.wordvec.model import SentimentNetwork

    tiny = wordvec.NetworkParams(
        max_tokens=200, sequence_length=12, ngrams=1, embedding_dim=4, hidden_units=2,
        dropout=0.0, learning_rate=0.05, batch_size=8, max_epochs=1, patience=1,
        validation_fraction=0.25,
    )  # fmt: skip
    wordvec.configure_tensorflow(1, 1)
    tokens = np.array(tokenize_many(cleaned, lowercase=True, n_jobs=1), dtype=object)
    network, _ = SentimentNetwork.fit(tokens, np.array([1, 1, 1, 1, 0, 0, 0, 0]), tiny, seed=1,
                                      verbose=0)  # fmt: skip
    network.save(run / L.WORDVEC_MODEL)
    kmeans.save(run / run_models.centres_path("bert", 2))
    (run / L.path(L.FINEGRAINED, kind="bert")).write_text(json.dumps(_finegrained(2)))
    doc = manifest.build(run, run_models.model_files(about), about=about, versions={})
    (run / L.MANIFEST).parent.mkdir(parents=True, exist_ok=True)
    (run / L.MANIFEST).write_text(json.dumps(doc))


def test_a_run_made_with_a_hub_cached_model_places_its_own_reviews_again(tmp_path, monkeypatch):
    from sentclust.assign.placing import Placer

    snapshot = fake_hub_cache(tmp_path, monkeypatch)
    cleaned = [clean_text(t, unicode_form="NFKC") for t in REVIEWS]
    vectors, records = _encoded_run(tmp_path, cleaned)
    assert records[0]["model_revision"] == COMMIT  # the shards record the snapshot's commit
    run = tmp_path / "run"
    about_bert = job.bert_about(ENCODING, records, run)
    assert about_bert["model_path"] == str(snapshot)
    about = run_models.about_document(
        kinds=["bert"], ks=[2], prepare=PREPARE, bert=about_bert, polarity=None
    )
    kmeans, _ = KMeansModel.fit(vectors, 2, backend="sklearn", seed=0, n_init=2)
    own_clusters, own_distance, _ = kmeans.assign(vectors)
    _save_run(run, about, cleaned, kmeans)
    texts = pd.DataFrame({"text_id": [f"r{i}" for i in range(len(REVIEWS))], "text": REVIEWS})
    placed = Placer(run, kinds=["bert"]).place(texts)
    assert placed["kind"].tolist() == ["bert"] * len(REVIEWS)
    assert placed["cluster"].tolist() == own_clusters.tolist()
    # the same vectors as the corpus got: the same distances to the centres
    np.testing.assert_allclose(placed["distance"], own_distance, atol=1e-4)


def test_a_hub_model_whose_weights_changed_is_refused(tmp_path, monkeypatch):
    snapshot = fake_hub_cache(tmp_path, monkeypatch)
    cleaned = [clean_text(t, unicode_form="NFKC") for t in REVIEWS[:2]]
    _, records = _encoded_run(tmp_path, cleaned)
    about_bert = job.bert_about(ENCODING, records, tmp_path / "run")
    # the run's folder on another machine: the model is found by its name at the run's commit
    moved = run_model({**about_bert, "model_path": str(tmp_path / "elsewhere")})
    assert (moved.path, moved.revision) == (str(snapshot), COMMIT)
    old = {**about_bert, "model_weights": None}  # an earlier manifest: the commit only
    with pytest.raises(ManifestError, match=r"by the hub commit .* only.*Fix: delete"):
        BertEncoder(old, threads=1, log=logging.getLogger("t"))
    weights = snapshot / "model.safetensors"
    data = weights.read_bytes()
    weights.unlink()
    weights.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # the same commit, other weights
    with pytest.raises(ManifestError, match=r"is not the one the run encoded with.*Fix:"):
        BertEncoder(about_bert, threads=1, log=logging.getLogger("t"))
