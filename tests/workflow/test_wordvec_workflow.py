"""The word-embedding stage in the real DAG on tiny data (a 1-epoch network)."""

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from conftest import jobs_of, run_snakemake, tiny_overrides, write_config
from sentclust.files import read_embeddings

pytestmark = pytest.mark.workflow

DOWNSTREAM_OF_TRAINING = {
    "train_wordvec": 1,
    "wordvec_vectors": 1,
    "explain": 1,
    "probe": 2,  # wordvec and wordvec_pls
    "pls_projection": 1,
    "kmeans": 4,  # wordvec and wordvec_pls, k = 2, 3
    "choose_k": 2,
    "polarity_model": 1,  # it reads the network's word vectors of the segments
    "score_segments": 1,  # the network scores the segments
    "polarity": 1,
    "polarity_texts": 1,
    "finegrained": 4,  # every kind's names show the polarity of their reviews
    "projection_2d": 4,
    "aspects": 1,  # the segments' polarity per aspect and per level
    "report": 1,
    "model_manifest": 1,  # the network is one of the saved models
    "all": 1,
}


def test_network_outputs(tiny_run):
    workdir, _, _ = tiny_run
    res = workdir / "results"
    metrics = json.loads((res / "wordvec" / "metrics.json").read_text())
    assert metrics["training"]["epochs_run"] == 1
    assert 0.0 <= metrics["test"]["accuracy"] <= 1.0 and metrics["test"]["n"] == 80
    assert metrics["seed"] == 42 and "keras" in metrics["versions"]
    assert (res / "wordvec" / "model.keras").stat().st_size > 0

    words = pq.read_table(res / "wordvec" / "word_vectors.parquet")
    assert words.schema.names == ["word", "vector"]
    assert words.schema.field("vector").type.list_size == 64
    assert words.num_rows == metrics["training"]["vocab_size"] - 2


def test_review_vectors_follow_the_contract(tiny_run):
    workdir, _, _ = tiny_run
    res = workdir / "results"
    table = pq.read_table(res / "embeddings" / "wordvec.parquet")
    assert table.schema.names == ["review_id", "embedding"]
    emb_type = table.schema.field("embedding").type
    assert emb_type.list_size == 64 and str(emb_type.value_type) == "float"
    ids, x = read_embeddings(res / "embeddings" / "wordvec.parquet")
    reviews = pq.read_table(res / "data" / "reviews.parquet").column("review_id").to_pylist()
    assert ids.tolist() == reviews, "one vector per review, in the reviews' order"
    assert x.shape == (160, 64) and np.isfinite(x).all()
    summary = json.loads((res / "embeddings" / "wordvec_summary.json").read_text())
    assert summary["n_reviews"] == 160
    assert summary["zero_vector_reviews"] == int((~x.any(axis=1)).sum())


def test_explanations_and_probe(tiny_run):
    workdir, _, _ = tiny_run
    res = workdir / "results"
    doc = json.loads((res / "explain" / "explanations.json").read_text())
    items = doc["explanations"]
    cats = [i["category"] for i in items]
    assert cats[:3] == ["confident_positive", "confident_negative", "uncertain"]
    assert cats[-1] == "user text" and items[-1]["text"].startswith("The location was truly")
    for item in items:
        assert item["weights"], item
        assert (res / "explain" / item["figure"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        page = (res / "explain" / item["html"]).read_text()
        assert "lime" in page
    probe = json.loads((res / "probe" / "wordvec.json").read_text())
    assert probe["kind"] == "wordvec" and probe["n_test"] == 80


def test_same_config_twice_gives_identical_results(tiny_run, tmp_path):
    workdir, _, _ = tiny_run
    cfg = write_config(tmp_path / "tiny.yaml", **tiny_overrides())
    r = run_snakemake(tmp_path, "--cores", "2", "--configfile", str(cfg))
    assert r.returncode == 0, r.stderr[-4000:]
    for rel in ("wordvec/metrics.json", "probe/wordvec.json", "probe/bert_pls.json"):
        a = json.loads((workdir / "results" / rel).read_text())
        b = json.loads((tmp_path / "results" / rel).read_text())
        a.pop("versions", None), b.pop("versions", None)
        assert a == b, rel
    ea = json.loads((workdir / "results/explain/explanations.json").read_text())
    eb = json.loads((tmp_path / "results/explain/explanations.json").read_text())
    assert [i["weights"] for i in ea["explanations"]] == [i["weights"] for i in eb["explanations"]]
    _, xa = read_embeddings(workdir / "results/embeddings/wordvec.parquet")
    _, xb = read_embeddings(tmp_path / "results/embeddings/wordvec.parquet")
    np.testing.assert_array_equal(xa, xb)
    for kind in ("wordvec", "bert", "bert_pls"):
        rel = f"results/clusters/{kind}/k3"
        pa_, pb_ = workdir / rel / "assignments.parquet", tmp_path / rel / "assignments.parquet"
        assert pq.read_table(pa_).equals(pq.read_table(pb_)), kind
        ma = json.loads((workdir / rel / "metrics.json").read_text())
        mb = json.loads((tmp_path / rel / "metrics.json").read_text())
        for m in (ma, mb):
            m.pop("seconds"), m.pop("versions")
        assert ma == mb, kind
        fa = json.loads((workdir / f"results/clusters/{kind}/finegrained.json").read_text())
        fb = json.loads((tmp_path / f"results/clusters/{kind}/finegrained.json").read_text())
        assert fa == fb, kind


@pytest.mark.parametrize(
    "change",
    [
        {"wordvec": {"embedding_dim": 32}},
        {"wordvec": {"learning_rate": 0.002}},
        {"wordvec": {"ngrams": 1}},
    ],
)
def test_changing_a_hyperparameter_reruns_training_and_downstream_only(tiny_run, change):
    workdir, _, _ = tiny_run
    cfg = write_config(workdir / "changed.yaml", **tiny_overrides(**change))
    r = run_snakemake(workdir, "-n", "--configfile", str(cfg))
    assert r.returncode == 0, r.stderr
    assert jobs_of(r.stdout) == DOWNSTREAM_OF_TRAINING


def test_changing_threads_retrains_nothing(tiny_run):
    workdir, _, _ = tiny_run
    cfg = write_config(workdir / "threads.yaml", **tiny_overrides(wordvec={"threads": 1}))
    r = run_snakemake(workdir, "-n", "--configfile", str(cfg))
    assert r.returncode == 0, r.stderr
    assert jobs_of(r.stdout) == {}
