"""The BERT stage in the real DAG on tiny data: shards, gather, resumption, reruns."""

import json
import os
import re
import signal
import subprocess
import time

import numpy as np
import pyarrow.parquet as pq
import pytest

from conftest import (
    ROOT,
    SNAKEMAKE,
    jobs_of,
    run_snakemake,
    tiny_overrides,
    workflow_env,
    write_config,
)
from sentclust.files import read_embeddings

pytestmark = pytest.mark.workflow

#: what follows the shards: the gather, the probes and the sweep of bert and bert_pls, the segment
#: scores (the BERT scorer reads the pooled segment vectors) and so every kind's names, which show
#: the polarity of their reviews, and the aspects (K-means on those segment vectors)
DOWNSTREAM_OF_BERT = {
    "gather_bert": 1,
    "probe": 2,
    "pls_projection": 1,
    "kmeans": 4,
    "choose_k": 2,
    "score_segments": 1,
    "polarity": 1,
    "polarity_texts": 1,
    "finegrained": 4,
    "projection_2d": 4,  # coloured by the named clusters of every kind
    "aspects_k": 2,  # the aspects cluster the BERT segment vectors (the tiny run's 2 counts)
    "aspects": 1,
    "report": 1,
    "model_manifest": 1,
    "all": 1,
}


def test_bert_embeddings_follow_the_contract(tiny_run):
    workdir, _, _ = tiny_run
    res = workdir / "results"
    ids, x = read_embeddings(res / "embeddings" / "bert.parquet")
    reviews = pq.read_table(res / "data" / "reviews.parquet").column("review_id").to_pylist()
    assert ids.tolist() == reviews
    assert x.shape == (160, 384) and x.dtype == np.float32 and np.isfinite(x).all()
    summary = json.loads((res / "embeddings" / "bert_summary.json").read_text())
    assert summary["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert summary["n_shards"] == 2 and summary["n_reviews"] == 160
    assert 0 < summary["n_truncated"] < 160  # many IMDB reviews exceed 128 tokens
    assert [s["rows"] for s in summary["shards"]] == [[0, 80], [80, 160]]
    probe = json.loads((res / "probe" / "bert.json").read_text())
    assert probe["dimensions"] == 384


def test_deleting_one_shard_reruns_that_shard_only(tiny_run):
    workdir, cfg, _ = tiny_run
    shard = workdir / "results/embeddings/bert_shards/shard_001_of_002.parquet"
    moved = shard.with_name("moved.parquet")
    os.rename(shard, moved)
    try:
        r = run_snakemake(workdir, "-n", "--configfile", str(cfg))
        assert r.returncode == 0, r.stderr
        assert jobs_of(r.stdout) == {"encode_shard": 1, **DOWNSTREAM_OF_BERT}
        assert "logs/encode_shard/shard_001_of_002.log" in r.stdout
        assert "logs/encode_shard/shard_000_of_002.log" not in r.stdout
    finally:
        os.rename(moved, shard)


@pytest.mark.parametrize(
    "change",
    [
        {"max_seq_length": 64},
        {"mode": "chunk_mean"},
        {"model": "sentence-transformers/paraphrase-MiniLM-L3-v2"},
    ],
)
def test_changing_the_encoding_reruns_shards_not_the_network(tiny_run, change):
    workdir, _, _ = tiny_run
    cfg = write_config(workdir / "enc.yaml", **tiny_overrides(bert=change))
    r = run_snakemake(workdir, "-n", "--configfile", str(cfg))
    assert r.returncode == 0, r.stderr
    assert jobs_of(r.stdout) == {"encode_shard": 2, **DOWNSTREAM_OF_BERT}


def test_changing_batch_size_threads_or_backend_reruns_nothing(tiny_run):
    workdir, _, _ = tiny_run
    cfg = write_config(
        workdir / "rt.yaml",
        **tiny_overrides(bert={"runtime": {"batch_size_cpu": 8, "threads": 2, "backend": "torch"}}),
    )
    r = run_snakemake(workdir, "-n", "--configfile", str(cfg))
    assert r.returncode == 0, r.stderr
    assert jobs_of(r.stdout) == {}


def test_killed_encoding_resumes_with_the_missing_shards_only(tmp_path):
    cfg = write_config(
        tmp_path / "kill.yaml",
        **tiny_overrides(ingest={"subsample": 96}, bert={"shards": 4, "max_seq_length": 64}),
    )
    target = "results/embeddings/bert.parquet"
    shards = tmp_path / "results/embeddings/bert_shards"
    cmd = [SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(tmp_path)]
    env = workflow_env()
    out = tmp_path / "killed_run.txt"
    with open(out, "w") as fh:
        proc = subprocess.Popen(
            [*cmd, target, "--cores", "1", "--configfile", str(cfg)],
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )

    def finished_shards() -> list[str]:
        """Shards whose job Snakemake reported finished (job ids mapped to their outputs)."""
        text = out.read_text()
        shard_of = dict(
            (jobid, name)
            for name, jobid in re.findall(
                r"output: \S*/(shard_\d+_of_\d+)\.parquet.*?\n\s+jobid: (\d+)", text, re.S
            )
        )
        finished = re.findall(r"Finished jobid: (\d+) \(Rule: encode_shard\)", text)
        return sorted(shard_of[j] for j in finished)

    try:
        deadline = time.time() + 600
        while not finished_shards() and time.time() < deadline:
            assert proc.poll() is None, "snakemake ended before any shard was done"
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # like a node failure: no clean-up at all
        proc.wait()
    done = finished_shards()
    n_done = len(done)
    assert 1 <= n_done < 4, out.read_text()[-2000:]
    # SIGKILL runs no clean-up: a shard being written leaves at most its atomic write's hidden
    # temporary, never a partial file under a shard's name (the resumed run removes it)
    hidden = [p.name for p in shards.glob(".*")]
    assert all(re.match(r"^\.shard_\d+_of_\d+\.(parquet|json)\..*\.tmp", h) for h in hidden), hidden

    unlock = run_snakemake(tmp_path, "--unlock", "--configfile", str(cfg))
    assert unlock.returncode == 0, unlock.stderr
    r = run_snakemake(tmp_path, target, "-n", "--configfile", str(cfg))
    assert r.returncode == 0, r.stderr
    assert jobs_of(r.stdout) == {"encode_shard": 4 - n_done, "gather_bert": 1}
    for name in done:
        assert f"logs/encode_shard/{name}.log" not in r.stdout

    mtimes = {n: (shards / f"{n}.parquet").stat().st_mtime_ns for n in done}
    r = run_snakemake(tmp_path, target, "--cores", "2", "--configfile", str(cfg))
    assert r.returncode == 0, r.stderr[-3000:]
    assert {n: (shards / f"{n}.parquet").stat().st_mtime_ns for n in done} == mtimes
    ids, x = read_embeddings(tmp_path / target)
    assert len(ids) == 96 and x.shape == (96, 384)
    assert not list(shards.glob(".*")), "the resumed run removes the killed writer's temporaries"
