"""The tiny demo workflow submitted to a real one-node SLURM cluster through profiles/slurm.

tests/slurm/cluster.sh starts munged, slurmctld and slurmd on this machine (root, Debian's
packages; `make test` installs them through tests/setup/deps.d/slurm.sh) and stops them after the
module. The run uses the slurm workflow profile as a cluster user would, with GPU requests turned
off (SENTCLUST_SLURM_GPUS=0: this node has no GPU) and no account (no accounting database). Every
rule must run as a SLURM job that completed, and the outputs must equal those of the local
`--cores 2` run of the same config (the session's tiny_run).
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from compare_runs import compare_dirs
from conftest import ROOT, SNAKEMAKE, jobs_of, run_snakemake, workflow_env

pytestmark = [pytest.mark.workflow, pytest.mark.slurm]

CLUSTER = ROOT / "tests" / "slurm" / "cluster.sh"
#: the cluster's state folder (daemons' logs and pid files); short, for munged's socket
STATE = Path(os.environ.get("SLURM_TEST_STATE", "/tmp/sc-slurm"))
#: snakemake ignores SIGTERM while jobs run: the run is bounded with `timeout -s KILL`
RUN_LIMIT_S = 1200


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


def run_through_slurm(workdir: Path, cfg: Path) -> str:
    """The run through profiles/slurm, as a cluster user starts it: its log."""
    # the one override this GPU-less node needs: GPU jobs ask for CPUs instead
    env = workflow_env(SENTCLUST_SLURM_GPUS="0")
    cmd = [
        "timeout", "-s", "KILL", str(RUN_LIMIT_S),
        SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir),
        "--workflow-profile", str(ROOT / "profiles" / "slurm"),
        "--configfile", str(cfg),
        "--slurm-no-account",  # no accounting database, nothing to guess an account from
        "--slurm-init-seconds-before-status-checks", "2",  # tiny jobs: look often
        "--max-threads", str(os.cpu_count()),  # no job asks for more CPUs than the node has
    ]  # fmt: skip
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=RUN_LIMIT_S + 60)
    log = run.stdout + run.stderr
    (workdir / "snakemake.log").write_text(log)
    assert run.returncode == 0, log[-6000:]
    return log


def check_completed_in_slurm(jobs: dict[int, tuple[str, int]], state: Path) -> None:
    """SLURM's controller saw each job submitted and completed with exit status 0, and squeue
    (jobs finished less than MinJobAge ago) lists them COMPLETED with the rule as comment."""
    ctld = (state / "slurmctld.log").read_text()
    slurm_ids = sorted(s for _, s in jobs.values() if s is not None)
    for sid in slurm_ids:
        assert f"_slurm_rpc_submit_batch_job: JobId={sid} " in ctld, sid
        assert f"_job_complete: JobId={sid} WEXITSTATUS 0" in ctld, sid
    queue = subprocess.run(
        ["squeue", "--states=all", "--noheader", "--format=%i|%T|%k"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rule_of_slurm_id = {s: r for r, s in jobs.values() if s is not None}
    listed = [line.split("|") for line in queue.split()]
    for sid, state_name, comment in listed:
        if int(sid) in rule_of_slurm_id:
            assert state_name == "COMPLETED", (sid, state_name)
            assert comment.startswith(f"rule_{rule_of_slurm_id[int(sid)]}"), (sid, comment)


def test_workflow_runs_as_slurm_jobs_with_the_local_runs_outputs(slurm_cluster, tiny_run, tmp_path):
    _, tiny_cfg, _ = tiny_run
    local = tiny_run[0] / "results"
    cfg = tmp_path / "tiny.yaml"
    shutil.copy(tiny_cfg, cfg)
    expected = jobs_of(run_snakemake(tmp_path, "-n", "--configfile", str(cfg)).stdout)
    assert expected.get("encode_shard") == 2 and expected.get("kmeans") == 8, expected

    # every job of every rule but the target `all` (no action, a local rule) was a SLURM job
    jobs = submitted_jobs(run_through_slurm(tmp_path, cfg))
    local_jobs = sorted(rule for rule, slurm_id in jobs.values() if slurm_id is None)
    assert local_jobs == ["all"], local_jobs
    ran = {}
    for rule, _ in jobs.values():
        ran[rule] = ran.get(rule, 0) + 1
    assert ran == expected, (ran, expected)
    check_completed_in_slurm(jobs, slurm_cluster)

    # the outputs equal those of the local run (timings left out), and nothing is left to do
    remote = tmp_path / "results"
    assert result_files(remote) == result_files(local)
    compared = compare_dirs(local, remote)
    assert {rel: d for rel, d in compared.items() if d is not None} == {}
    assert len(compared) >= 40, len(compared)
    again = run_snakemake(tmp_path, "-n", "--configfile", str(cfg))
    assert again.returncode == 0 and jobs_of(again.stdout) == {}
