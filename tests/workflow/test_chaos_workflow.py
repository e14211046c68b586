"""Chaos: the tiny DAG killed with SIGKILL at seeded random moments, resumed each time as the README
says (`snakemake --unlock`, then the same command), ends with the uninterrupted run's outputs.

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
#: seconds a run is given before it is killed (a start of Snakemake alone takes ~5 s here; the
#: whole tiny DAG about 3 minutes, so ten kills come before it can finish: with up to 20 s a run,
#: one-thread TensorFlow jobs packed beside others finished it after 8 kills)
DELAY_S = (3.0, 14.0)
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
    rng = random.Random(SEED)
    kills, finished_early, refused = 0, 0, False
    for run_no in range(KILLS):
        if run_no:  # the README's resume: remove the killed run's lock, then the same command
            unlock = run_snakemake(tmp_path, "--unlock", "--configfile", str(cfg))
            assert unlock.returncode == 0, unlock.stderr[-3000:]
        proc = start(tmp_path, cfg, log)
        if run_no == SECOND_PROCESS_AT:
            second_process_is_refused(tmp_path, cfg)
            refused = True
        try:
            proc.wait(timeout=rng.uniform(*DELAY_S))
            finished_early += 1  # the DAG finished before this kill: nothing left to interrupt
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
        f"\nchaos: {kills} kills (SIGKILL to the process group), {kills + 1} resumes, "
        f"{finished_early} run(s) finished before its kill; {len(compared)} output files "
        f"compared, {len(differing)} differ; {len(left)} temporaries left; second process "
        f"refused: {refused}"
    )
    assert kills == KILLS and refused, log.read_text()[-3000:]
    assert differing == {}
    assert left == []
    dry = run_snakemake(tmp_path, "-n", "--configfile", str(cfg))
    assert dry.returncode == 0 and jobs_of(dry.stdout) == {}, dry.stdout[-3000:]
