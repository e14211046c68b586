"""Chaos: the tiny DAG killed with SIGKILL at seeded random moments, resumed each time as the README
says (`snakemake --unlock`, then the same command), ends with the uninterrupted run's outputs.

The moments come from each run's own progress, not from the clock, so the test holds on a CPU of
any speed: a run is killed once it has finished a seeded number of jobs (1 or 2), after a seeded
delay of up to a second (so the kill often lands while other jobs are writing). Each run so
finishes at least one job and at most a few, and the tiny DAG has far more jobs than the kills
can use up (checked from a dry run before the first start).

Every kill takes the whole Snakemake process group (the scheduler and its running jobs), like a
node failure: no clean-up runs. At the end every output equals the session's uninterrupted tiny
run (Parquet, JSON, TSV, NPZ by content, timings left out), no temporary file of an atomic write
is left under results/, and a dry run has nothing to do. Once, while a run holds the folder, a
second `snakemake` on the same folder must stop with Snakemake's lock message and change nothing.

The numbers (kills, resumes, files compared) are printed: `pytest -s` shows them.
"""

import os
import random
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from compare_runs import compare_dirs
from conftest import ROOT, SNAKEMAKE, jobs_of, run_snakemake, workflow_env

pytestmark = pytest.mark.workflow

KILLS = 10
SEED = 20261130
#: a run is killed after it has finished this many jobs (seeded, inclusive range) ...
FINISHED_JOBS = (1, 2)
#: ... and then this many more seconds (seeded): while the jobs that started beside it run
DELAY_S = (0.0, 1.0)
#: the most jobs one run can finish: its FINISHED_JOBS, plus jobs ending within DELAY_S on 2 cores
MOST_PER_RUN = FINISHED_JOBS[1] + 2
#: how long one run may take to finish its jobs before the test gives up (a stuck run)
PROGRESS_TIMEOUT_S = 900
#: Snakemake's line for each finished job (snakemake.scheduling.job_scheduler)
FINISHED = re.compile(r"^Finished jobid: \d+ ", re.MULTILINE)
#: the run during which a second snakemake process tries the same folder
SECOND_PROCESS_AT = 4
#: what an atomic write leaves while it runs (sentclust.files): a hidden name with ".tmp"
TEMPORARY = re.compile(r"^\..*\.tmp")


def start(workdir: Path, cfg: Path, log: Path) -> subprocess.Popen:
    """The README's command for this config, in its own process group."""
    cmd = [SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir)]
    with open(log, "a") as fh:
        return subprocess.Popen(
            [*cmd, "--cores", "2", "--configfile", str(cfg)],
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=workflow_env(),
        )


def finished_since(log: Path, offset: int) -> int:
    """The jobs Snakemake reported finished in ``log`` after byte ``offset``."""
    with open(log, "rb") as fh:
        fh.seek(offset)
        return len(FINISHED.findall(fh.read().decode("utf-8", "replace")))


def wait_for_jobs(proc: subprocess.Popen, log: Path, offset: int, jobs: int) -> bool:
    """Wait until the run has finished ``jobs`` jobs (True), or has ended (False)."""
    deadline = time.time() + PROGRESS_TIMEOUT_S
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        if finished_since(log, offset) >= jobs:
            return True
        time.sleep(0.1)
    kill(proc)
    raise AssertionError(
        f"no {jobs} finished job(s) in {PROGRESS_TIMEOUT_S} s:\n" + log.read_text()[-3000:]
    )


def kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def second_process_is_refused(workdir: Path, cfg: Path) -> None:
    """While a run holds the folder, another one stops with the lock message, doing nothing."""
    locks = workdir / ".snakemake" / "locks"
    deadline = time.time() + 60
    while not any(locks.glob("*")) and time.time() < deadline:
        time.sleep(0.2)
    assert any(locks.glob("*")), "the running snakemake took no lock"
    second = run_snakemake(workdir, "--cores", "1", "--configfile", str(cfg))
    assert second.returncode != 0
    text = second.stdout + second.stderr
    assert "Directory cannot be locked" in text, text[-3000:]


def temporaries(results: Path) -> list[str]:
    return sorted(
        str(p.relative_to(results)) for p in results.rglob("*") if TEMPORARY.match(p.name)
    )


def test_runs_killed_at_random_moments_resume_to_the_uninterrupted_outputs(tiny_run, tmp_path):
    reference = tiny_run[0] / "results"
    cfg = tmp_path / "tiny.yaml"
    shutil.copy(tiny_run[1], cfg)
    log = tmp_path / "chaos.log"
    log.touch()
    planned = sum(jobs_of(run_snakemake(tmp_path, "-n", "--configfile", str(cfg)).stdout).values())
    assert planned > KILLS * MOST_PER_RUN, f"the tiny DAG has {planned} jobs: too few for the kills"
    rng = random.Random(SEED)
    kills, finished_early, refused = 0, 0, False
    for run_no in range(KILLS):
        if run_no:  # the README's resume: remove the killed run's lock, then the same command
            unlock = run_snakemake(tmp_path, "--unlock", "--configfile", str(cfg))
            assert unlock.returncode == 0, unlock.stderr[-3000:]
        offset = log.stat().st_size
        proc = start(tmp_path, cfg, log)
        if run_no == SECOND_PROCESS_AT:
            second_process_is_refused(tmp_path, cfg)
            refused = True
        if not wait_for_jobs(proc, log, offset, rng.randint(*FINISHED_JOBS)):
            finished_early += 1  # the DAG finished before this kill: nothing left to interrupt
            assert proc.returncode == 0, log.read_text()[-6000:]
            break
        try:
            proc.wait(timeout=rng.uniform(*DELAY_S))
            finished_early += 1
            assert proc.returncode == 0, log.read_text()[-6000:]
            break
        except subprocess.TimeoutExpired:
            kill(proc)
            kills += 1

    unlock = run_snakemake(tmp_path, "--unlock", "--configfile", str(cfg))
    assert unlock.returncode == 0, unlock.stderr[-3000:]
    final = run_snakemake(tmp_path, "--cores", "2", "--configfile", str(cfg))
    assert final.returncode == 0, final.stderr[-6000:]

    results = tmp_path / "results"
    compared = compare_dirs(reference, results)
    differing = {rel: d for rel, d in compared.items() if d is not None}
    left = temporaries(results)
    print(
        f"\nchaos: {planned} jobs planned, {kills} kills (SIGKILL to the process group), "
        f"{kills + 1} resumes, "
        f"{finished_early} run(s) finished before its kill; {len(compared)} output files "
        f"compared, {len(differing)} differ; {len(left)} temporaries left; second process "
        f"refused: {refused}"
    )
    assert kills == KILLS and refused, log.read_text()[-3000:]
    assert differing == {}
    assert left == []
    dry = run_snakemake(tmp_path, "-n", "--configfile", str(cfg))
    assert dry.returncode == 0 and jobs_of(dry.stdout) == {}, dry.stdout[-3000:]
