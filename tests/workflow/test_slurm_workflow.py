"""The tiny demo workflow submitted to a real one-node SLURM cluster through profiles/slurm.

tests/slurm/cluster.sh starts munged, slurmctld and slurmd on this machine (root, Debian's
packages; `make test` installs them through tests/setup/deps.d/slurm.sh) and stops them after the
module. The run uses the slurm workflow profile as a cluster user would, with GPU requests turned
off (SENTCLUST_SLURM_GPUS=0: this node has no GPU) and no account (no accounting database). Every
rule must run as a SLURM job that completed, and the outputs must equal those of the local
`--cores 2` run of the same config (the session's tiny_run).
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, SNAKEMAKE, jobs_of, run_snakemake

pytestmark = [pytest.mark.workflow, pytest.mark.slurm]

CLUSTER = ROOT / "tests" / "slurm" / "cluster.sh"
#: the cluster's state folder (daemons' logs and pid files); short, for munged's socket
STATE = Path(os.environ.get("SLURM_TEST_STATE", "/tmp/sc-slurm"))
#: snakemake ignores SIGTERM while jobs run: the run is bounded with `timeout -s KILL`
RUN_LIMIT_S = 1200
#: keys of the metrics JSON files that hold timings or package versions, not results
VOLATILE_KEYS = {
    "seconds",
    "encode_seconds_total",
    "reviews_per_second",
    "texts_per_second",
    "versions",
    "package_versions",
}


def why_no_slurm() -> str | None:
    if os.geteuid() != 0:
        return "the SLURM test starts slurmd and munged: it needs root (CI runs as root)"
    missing = [
        b for b in ("munged", "slurmctld", "slurmd", "sbatch", "squeue") if not shutil.which(b)
    ]
    if missing:
        return (
            f"SLURM is not installed ({', '.join(missing)} missing): `make test` installs "
            "slurmctld, slurmd, slurm-client and munge as root (tests/setup/deps.d/slurm.sh)"
        )
    try:
        import snakemake_executor_plugin_slurm  # noqa: F401
    except ImportError:
        return "snakemake-executor-plugin-slurm is not installed (envs/requirements.txt)"
    return None


@pytest.fixture(scope="module")
def slurm_cluster():
    reason = why_no_slurm()
    if reason:
        pytest.skip(reason)
    env = {**os.environ, "SLURM_TEST_STATE": str(STATE)}
    start = subprocess.run(
        ["bash", str(CLUSTER), "start"], capture_output=True, text=True, timeout=300, env=env
    )
    try:
        assert start.returncode == 0, f"SLURM did not start:\n{start.stdout}\n{start.stderr}"
        yield STATE
    finally:
        stop = subprocess.run(
            ["bash", str(CLUSTER), "stop"], capture_output=True, text=True, timeout=120, env=env
        )
        assert stop.returncode == 0, stop.stderr


def normalised(doc):
    """A metrics document without its timings and versions."""
    if isinstance(doc, dict):
        return {k: normalised(v) for k, v in doc.items() if k not in VOLATILE_KEYS}
    if isinstance(doc, list):
        return [normalised(v) for v in doc]
    return doc


def result_files(results: Path) -> set[str]:
    """Every output under results/ but the logs and benchmarks (they record this run's timings)."""
    return {
        str(p.relative_to(results))
        for p in results.rglob("*")
        if p.is_file() and p.relative_to(results).parts[0] not in ("logs", "benchmarks")
    }


def submitted_jobs(log: str) -> dict[int, tuple[str, int]]:
    """Snakemake job id -> (rule, SLURM job id), from the executor's log lines."""
    rule_of = {int(j): r for j, r in re.findall(r"Finished jobid: (\d+) \(Rule: (\w+)\)", log)}
    slurm_of = {
        int(j): int(s)
        for j, s in re.findall(r"Job (\d+) has been submitted with SLURM jobid (\d+)", log)
    }
    return {j: (rule_of.get(j, "?"), s) for j, s in slurm_of.items()} | {
        j: (r, None) for j, r in rule_of.items() if j not in slurm_of
    }


def test_workflow_runs_as_slurm_jobs_with_the_local_runs_outputs(slurm_cluster, tiny_run, tmp_path):
    _, tiny_cfg, _ = tiny_run
    local = tiny_run[0] / "results"
    cfg = tmp_path / "tiny.yaml"
    shutil.copy(tiny_cfg, cfg)
    expected = jobs_of(run_snakemake(tmp_path, "-n", "--configfile", str(cfg)).stdout)
    assert expected.get("encode_shard") == 2 and expected.get("kmeans") == 8, expected

    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        # the one override this GPU-less node needs: GPU jobs ask for CPUs instead
        "SENTCLUST_SLURM_GPUS": "0",
    }
    cmd = [
        "timeout", "-s", "KILL", str(RUN_LIMIT_S),
        SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(tmp_path),
        "--workflow-profile", str(ROOT / "profiles" / "slurm"),
        "--configfile", str(cfg),
        "--slurm-no-account",  # no accounting database, nothing to guess an account from
        "--slurm-init-seconds-before-status-checks", "2",  # tiny jobs: look often
        "--max-threads", str(os.cpu_count()),  # no job asks for more CPUs than the node has
    ]  # fmt: skip
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=RUN_LIMIT_S + 60)
    log = run.stdout + run.stderr
    (tmp_path / "snakemake.log").write_text(log)
    assert run.returncode == 0, log[-6000:]

    # every job of every rule but the target `all` (no action, a local rule) was a SLURM job
    jobs = submitted_jobs(log)
    local_jobs = sorted(rule for rule, slurm_id in jobs.values() if slurm_id is None)
    assert local_jobs == ["all"], local_jobs
    ran = {}
    for rule, _ in jobs.values():
        ran[rule] = ran.get(rule, 0) + 1
    assert ran == expected, (ran, expected)

    # ... and SLURM's controller saw each of them submitted and completed with exit status 0
    ctld = (slurm_cluster / "slurmctld.log").read_text()
    slurm_ids = sorted(s for _, s in jobs.values() if s is not None)
    for sid in slurm_ids:
        assert f"_slurm_rpc_submit_batch_job: JobId={sid} " in ctld, sid
        assert f"_job_complete: JobId={sid} WEXITSTATUS 0" in ctld, sid
    # jobs finished less than MinJobAge ago are still listed by squeue, with the rule as comment
    queue = subprocess.run(
        ["squeue", "--states=all", "--noheader", "--format=%i|%T|%k"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rule_of_slurm_id = {s: r for r, s in jobs.values() if s is not None}
    listed = [line.split("|") for line in queue.split()]
    for sid, state, comment in listed:
        if int(sid) in rule_of_slurm_id:
            assert state == "COMPLETED", (sid, state)
            assert comment.startswith(f"rule_{rule_of_slurm_id[int(sid)]}"), (sid, comment)

    # the outputs equal those of the local run
    remote = tmp_path / "results"
    files = result_files(remote)
    assert files == result_files(local)
    compared = 0
    for rel in sorted(files):
        if rel.endswith(".parquet"):
            assert pq.read_table(remote / rel).equals(pq.read_table(local / rel)), rel
        elif rel.endswith(".json"):
            a = json.loads((remote / rel).read_text())
            b = json.loads((local / rel).read_text())
            assert normalised(a) == normalised(b), rel
        elif rel.endswith(".tsv"):
            a, b = (pd.read_csv(d / rel, sep="\t") for d in (remote, local))
            volatile = [c for c in a.columns if c in VOLATILE_KEYS]
            pd.testing.assert_frame_equal(a.drop(columns=volatile), b.drop(columns=volatile))
        else:
            continue
        compared += 1
    assert compared >= 40, compared

    # and nothing is left to do
    again = run_snakemake(tmp_path, "-n", "--configfile", str(cfg))
    assert again.returncode == 0 and jobs_of(again.stdout) == {}
