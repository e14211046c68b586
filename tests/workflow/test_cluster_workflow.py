"""The K-sweep in the real DAG on tiny data: fan-out, choice of k, fine-grained clusters."""

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import jobs_of, run_snakemake, tiny_overrides, write_config
from sentclust.files import embeddings_table, write_parquet

pytestmark = pytest.mark.workflow
KINDS = ("wordvec", "bert", "wordvec_pls", "bert_pls")


def test_each_job_writes_the_assignment_contract_and_metrics(tiny_run):
    workdir, _, _ = tiny_run
    res = workdir / "results"
    ids = pq.read_table(res / "data/reviews.parquet").column("review_id").to_pylist()
    for kind in KINDS:
        for k in (2, 3):
            d = res / "clusters" / kind / f"k{k}"
            a = pq.read_table(d / "assignments.parquet")
            assert a.schema.names == ["review_id", "cluster", "distance"]
            assert str(a.schema.field("cluster").type) == "int32"
            assert str(a.schema.field("distance").type) == "float"
            assert a.column("review_id").to_pylist() == ids
            assert set(a.column("cluster").to_pylist()) == set(range(k))
            m = json.loads((d / "metrics.json").read_text())
            assert m["k"] == k and m["kind"] == kind and m["backend"] in ("sklearn", "faiss")
            assert ("unsupervised" in m["supervision"]) == (kind == "bert")
            for key in ("inertia", "silhouette", "calinski_harabasz", "davies_bouldin"):
                assert np.isfinite(m[key]), key
            assert m["labels_test"]["n"] == 80 and m["labels_all"]["n"] == 160
            assert 0.5 <= m["labels_test"]["purity"] <= 1
            assert m["stability"]["pairs"] and len(m["clusters"]) == k
            by_label = pd.read_parquet(d / "contingency_labels.parquet")
            assert by_label[["0", "1"]].to_numpy().sum() == 160


def test_choice_of_k_and_figures(tiny_run):
    workdir, _, _ = tiny_run
    for kind in KINDS:
        d = workdir / "results/clusters" / kind
        choice = json.loads((d / "choice.json").read_text())
        assert choice["criterion"] == "elbow" and choice["k"] in (2, 3)
        assert set(choice["picks"]) == {
            "elbow",
            "silhouette",
            "calinski_harabasz",
            "davies_bouldin",
        }
        assert choice["rule"] and choice["chosen_by"]
        for name in (
            "elbow.png",
            "silhouette.png",
            "overlap_labels_k2.png",
            "overlap_ratings_k3.png",
        ):
            assert (d / "figures" / name).read_bytes()[:4] == b"\x89PNG", name
        table = pd.read_csv(d / "k_sweep.tsv", sep="\t")
        assert table["k"].tolist() == [2, 3]


def test_finegrained_names_follow_the_majority_and_are_checked(tiny_run):
    workdir, _, _ = tiny_run
    for kind in KINDS:
        doc = json.loads((workdir / f"results/clusters/{kind}/finegrained.json").read_text())
        assert doc["results"][0]["chosen"] and doc["results"][0]["k"] == doc["chosen_k"]
        for result in doc["results"]:
            shares = [c["positive_share"] for c in result["clusters"]]
            assert shares == sorted(shares), "clusters in sentiment order"
            for c in result["clusters"]:
                if c["positive_share"] > 0.5:
                    assert "negative" not in c["name"].replace("leaning negative", "")
                if c["positive_share"] < 0.5:
                    assert "positive" not in c["name"].replace("leaning positive", "")
                assert len(c["nearest_review_ids"]) == 3 and c["terms"]
            assert result["rating_check_test"]["n_rated"] == 80
        png = workdir / f"results/clusters/{kind}/rating_by_cluster.png"
        assert png.read_bytes()[:4] == b"\x89PNG"


def test_term_counts_are_built_once_for_every_kind_and_k(tiny_run):
    from sentclust.finegrained.counts import read_term_counts

    workdir, _, _ = tiny_run
    res = workdir / "results"
    d = res / "clusters"
    counts, vocab, ids, about = read_term_counts(
        d / "term_counts.npz", d / "term_counts_vocab.parquet", d / "term_counts_rows.parquet"
    )
    reviews = pq.read_table(res / "data/reviews.parquet").column("review_id").to_pylist()
    assert ids.tolist() == reviews and counts.shape == (160, len(vocab))
    assert counts.dtype == np.int32 and counts.nnz > 0 and list(vocab) == sorted(vocab)
    assert about["min_df"] == 5 and about["max_df"] == 0.3
    doc = json.loads((d / "bert/finegrained.json").read_text())
    assert doc["stop_words"] == about["stop_words"]
    assert (res / "logs/term_counts.log").exists()
    assert (res / "benchmarks/term_counts.tsv").exists()


def test_adding_a_k_adds_one_job_per_kind_plus_the_aggregates(tiny_run):
    workdir, _, _ = tiny_run
    cfg = write_config(workdir / "addk.yaml", **tiny_overrides(kmeans={"k": [2, 3, 4]}))
    r = run_snakemake(workdir, "-n", "--configfile", str(cfg))
    assert r.returncode == 0, r.stderr
    assert jobs_of(r.stdout) == {
        "kmeans": 4,
        "choose_k": 4,
        "finegrained": 4,
        "projection_2d": 4,  # coloured by the clusters of the chosen k
        "aspects": 1,  # its level x aspect tables read the sweep
        "report": 1,
        "model_manifest": 1,
        "all": 1,
    }
    for kind in KINDS:
        assert f"logs/kmeans/{kind}_k4.log" in r.stdout


def test_k_not_below_the_number_of_reviews(tmp_path):
    cfg = write_config(
        tmp_path / "bigk.yaml",
        **tiny_overrides(ingest={"subsample": 16}, kmeans={"k": [2, 16]}),
    )
    r = run_snakemake(tmp_path, "--cores", "2", "--configfile", str(cfg), "--keep-going")
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert "k=16" in out and "kmeans.k" in out


def test_k_below_two_is_rejected_by_the_schema(tmp_path, tiny_config):
    cfg = write_config(tmp_path / "k1.yaml", **tiny_overrides(kmeans={"k": [1, 2]}))
    r = run_snakemake(tmp_path, "-n", "--configfile", str(cfg))
    assert r.returncode != 0 and "kmeans" in r.stdout + r.stderr


def test_embeddings_with_nan_get_a_clear_error(tiny_run, tmp_path):
    workdir, _, _ = tiny_run
    # a kmeans job on an embedding table with a NaN row, outside the DAG's own outputs
    res = tmp_path / "results"
    (res / "data").mkdir(parents=True)
    (res / "embeddings").mkdir()
    for name in ("data/reviews.parquet", "data/ingest_summary.json"):
        (res / name).write_bytes((workdir / "results" / name).read_bytes())
    ids = pq.read_table(res / "data/reviews.parquet").column("review_id").to_pylist()
    x = np.random.default_rng(0).normal(size=(len(ids), 8)).astype(np.float32)
    x[7, 3] = np.nan
    write_parquet(embeddings_table(ids, x), res / "embeddings/bert.parquet")
    cfg = write_config(tmp_path / "nan.yaml", **tiny_overrides())
    r = run_snakemake(
        tmp_path, "results/clusters/bert/k2/metrics.json", "--cores", "1", "--configfile", str(cfg)
    )
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "NaN" in out or "nan" in out
