"""Partial reruns on copies of the tiny run: a real run after adding a k, and the code trigger
(editing one stage's script reruns that stage and what follows, nothing upstream).

The other partial-rerun checks sit beside their stages: changing a network hyperparameter
(test_wordvec_workflow), the BERT model, window or mode and deleting one shard
(test_bert_workflow), adding a k on the dry-run job list (test_cluster_workflow), nothing to do
after a clean finish (test_foundation_workflow).
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import (
    ROOT,
    SNAKEMAKE,
    copy_tiny_run,
    jobs_of,
    tiny_overrides,
    workflow_env,
    write_config,
)

pytestmark = pytest.mark.workflow

#: what a copy of the workflow needs (the Snakefile finds profiles/default/ beside itself)
WORKFLOW_PARTS = ["Snakefile", "rules", "workflow_scripts", "config", "envs", "profiles", "report"]
#: the stages that come before the K-sweep: none of them may run again
UPSTREAM_OF_SWEEP = {
    "ingest",
    "prepare",
    "train_wordvec",
    "wordvec_vectors",
    "explain",
    "encode_shard",
    "gather_bert",
    "pls_projection",
    "probe",
    "term_counts",  # counted once from the prepared texts, for every kind and k
}


def snakemake(snakefile: Path, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = workflow_env()
    cmd = [SNAKEMAKE, "--snakefile", str(snakefile), "--directory", str(workdir), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=1200, env=env)


def copy_workflow(dest: Path) -> Path:
    """This checkout's workflow (mtimes kept, so its scripts stay older than the outputs)."""
    dest.mkdir()
    for part in WORKFLOW_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, dest / part)
    return dest / "Snakefile"


def mtimes(results: Path) -> dict[str, int]:
    return {
        str(p.relative_to(results)): p.stat().st_mtime_ns
        for p in results.rglob("*")
        if p.is_file() and p.relative_to(results).parts[0] not in ("logs", "benchmarks")
    }


def test_adding_a_k_runs_its_jobs_and_the_aggregates_only(tiny_run, tmp_path):
    work = copy_tiny_run(tiny_run, tmp_path / "work")
    snakefile = ROOT / "Snakefile"
    results = work / "results"
    before = mtimes(results)
    cfg = write_config(tmp_path / "addk.yaml", **tiny_overrides(kmeans={"k": [2, 3, 4]}))

    planned = snakemake(snakefile, work, "-n", "--configfile", str(cfg))
    assert planned.returncode == 0, planned.stderr
    plan = jobs_of(planned.stdout)
    assert plan["kmeans"] == 4 and plan["choose_k"] == 4 and plan["finegrained"] == 4, plan
    assert not UPSTREAM_OF_SWEEP & set(plan), plan

    run = snakemake(snakefile, work, "--cores", "2", "--configfile", str(cfg))
    assert run.returncode == 0, run.stderr[-6000:]
    assert jobs_of(run.stdout + run.stderr) == plan, "the run did what the dry run listed"

    after = mtimes(results)
    rewritten = {rel for rel, t in before.items() if after[rel] != t}
    # the old (kind, k) jobs' outputs and everything upstream of the sweep are untouched ...
    assert not [rel for rel in rewritten if "/k2/" in rel or "/k3/" in rel], rewritten
    assert not [rel for rel in rewritten if rel.split("/")[0] in ("data", "embeddings")]
    assert not [rel for rel in rewritten if rel.split("/")[0] in ("wordvec", "explain", "probe")]
    # ... the new k has its four jobs' outputs, and the per-kind aggregates were redone
    new = set(after) - set(before)
    for kind in ("wordvec", "bert", "wordvec_pls", "bert_pls"):
        assert f"clusters/{kind}/k4/assignments.parquet" in new
        assert f"clusters/{kind}/choice.json" in rewritten
        assert f"clusters/{kind}/finegrained.json" in rewritten
    assert all(rel.startswith("clusters/") and "k4" in rel for rel in new), new

    again = snakemake(snakefile, work, "-n", "--configfile", str(cfg))
    assert again.returncode == 0 and jobs_of(again.stdout) == {}, again.stdout[-3000:]


@pytest.mark.parametrize(
    ("script", "rule", "must_not_run"),
    [
        ("choose_k.py", "choose_k", UPSTREAM_OF_SWEEP | {"kmeans"}),
        ("train_wordvec.py", "train_wordvec", {"ingest", "prepare", "encode_shard"}),
        ("encode_shard.py", "encode_shard", {"ingest", "prepare", "train_wordvec"}),
    ],
)
def test_editing_a_stage_script_reruns_that_stage_and_its_downstream(
    tiny_run, tmp_path, script, rule, must_not_run
):
    _, cfg, _ = tiny_run
    work = copy_tiny_run(tiny_run, tmp_path / "work")
    snakefile = copy_workflow(tmp_path / "workflow")

    untouched = snakemake(snakefile, work, "-n", "--configfile", str(cfg))
    assert untouched.returncode == 0, untouched.stderr
    assert jobs_of(untouched.stdout) == {}, "a copy of the unchanged workflow reruns nothing"
    # what "this stage and its downstream" means, as Snakemake computes it
    forced = snakemake(snakefile, work, "-n", "--configfile", str(cfg), "--forcerun", rule)
    downstream = jobs_of(forced.stdout)
    assert downstream and rule in downstream, forced.stdout[-3000:]

    # Snakemake's code trigger for script rules: a script newer than the rule's outputs
    path = snakefile.parent / "workflow_scripts" / script
    path.write_text(path.read_text() + "\n# an edit\n")
    edited = snakemake(snakefile, work, "-n", "--configfile", str(cfg))
    assert edited.returncode == 0, edited.stderr
    jobs = jobs_of(edited.stdout)
    assert jobs == downstream
    assert not must_not_run & set(jobs), jobs
    assert "Code has changed since last execution" in edited.stdout
