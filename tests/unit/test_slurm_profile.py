"""profiles/slurm/: what each job asks SLURM for, under the site settings, without a cluster.

The profile is read by Snakemake's own profile parser, and the sbatch options are built by the
executor plugin's own functions (tests/workflow/test_slurm_workflow.py submits to a real SLURM).
"""

import re
from pathlib import Path

import pytest
import yaml
from snakemake.profiles import ProfileConfigFileParser

from conftest import full_config
from sentclust.workflow.gpu import gpu_resources, uses_gpu

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "profiles" / "slurm" / "config.yaml"
SITE_VARS = ["ACCOUNT", "PARTITION", "GPU_PARTITION", "GPU_MODEL", "GPUS", "CPUS_PER_GPU", "JOBS"]


@pytest.fixture(autouse=True)
def no_site_settings(monkeypatch):
    for name in SITE_VARS:
        monkeypatch.delenv(f"SENTCLUST_SLURM_{name}", raising=False)


def profile(monkeypatch, **site) -> dict:
    for name, value in site.items():
        monkeypatch.setenv(f"SENTCLUST_SLURM_{name}", str(value))
    with PROFILE.open() as f:
        return dict(ProfileConfigFileParser().parse(f))


def value(text: str):
    """A resource value as Snakemake evaluates it (a bare word stays a string)."""
    try:
        return eval(text, {})
    except (NameError, SyntaxError):
        return text


class Resources(dict):
    __getattr__ = dict.__getitem__


def demo_config(**changes) -> dict:
    """The full config with ``changes`` ({"kmeans": {"backend": "sklearn"}}) merged in."""
    cfg = full_config()
    for section, values in changes.items():
        cfg[section] = {**cfg[section], **values}
    return cfg


class Job:
    """What the plugin's submit-string functions read of a job: the profile's default resources,
    the rule's own (its GPU request, from the config), then the profile's set-resources."""

    def __init__(self, args: dict, rule: str, threads: int, config: dict | None = None):
        res = Resources()
        for item in args.get("default-resources", []):
            key, val = item.split("=", 1)
            res[key] = value(val)
        res.update(gpu_resources(rule, config or demo_config()))
        for item in args.get("set-resources", []):
            name, rest = item.split(":", 1)
            if name == rule:
                key, val = rest.split("=", 1)
                res[key] = value(val)
        for item in args.get("set-threads", []):
            name, val = item.split("=", 1)
            if name == rule:
                threads = int(val)
        self.resources, self.threads, self.name = res, threads, rule
        self.is_group = lambda: False


def sbatch(args: dict, rule: str, threads: int = 1, config: dict | None = None) -> str:
    from snakemake_executor_plugin_slurm.submit_string import get_submit_command
    from snakemake_executor_plugin_slurm.utils import set_gres_string

    job = Job(args, rule, threads, config)
    params = {
        "run_uuid": "RUN",
        "slurm_logfile": "LOG",
        "comment_str": f"rule_{rule}",
        "account": "",
        "partition": "",
        "workdir": "",
    }
    return get_submit_command(job, params) + set_gres_string(job)


def test_gpu_jobs_ask_for_one_gpu_and_cpus_per_gpu(monkeypatch):
    args = profile(monkeypatch)
    shard = sbatch(args, "encode_shard", threads=2)
    assert "--gpus=1" in shard and "--cpus-per-gpu=4" in shard
    assert "--mem 12000" in shard and "-t 60" in shard
    kmeans = sbatch(args, "kmeans", threads=1)
    assert "--gpus=1" in kmeans and "--cpus-per-gpu=4" in kmeans and "--mem 8000" in kmeans


@pytest.mark.parametrize(
    ("rule", "changes"),
    [
        ("kmeans", {"kmeans": {"backend": "sklearn"}}),
        ("kmeans", {"kmeans": {"backend": "faiss"}}),
        ("encode_shard", {"bert": {"runtime": {"device": "cpu"}}}),
    ],
)
def test_a_job_whose_config_uses_no_gpu_asks_for_none(monkeypatch, rule, changes):
    args = profile(monkeypatch)
    cmd = sbatch(args, rule, threads=1, config=demo_config(**changes))
    assert "--gpus" not in cmd and "--cpus-per-gpu" not in cmd
    assert "--cpus-per-task=1" in cmd


def test_only_the_encoding_and_kmeans_rules_can_use_a_gpu(monkeypatch):
    args = profile(monkeypatch)
    rules = set()
    for smk in (ROOT / "rules").glob("*.smk"):
        rules |= set(re.findall(r"^rule (\w+):", smk.read_text(), re.M))
    asking = {rule for rule in rules if "--gpus" in sbatch(args, rule, threads=1)}
    assert asking == {"encode_shard", "kmeans"}
    assert uses_gpu("kmeans", demo_config(kmeans={"backend": "torch"}))
    assert uses_gpu("kmeans", demo_config(kmeans={"backend": "cuml"}))


def test_cpu_jobs_ask_for_their_threads_and_sized_memory(monkeypatch):
    args = profile(monkeypatch)
    train = sbatch(args, "train_wordvec", threads=2)
    assert "--cpus-per-task=2" in train and "--mem 6000" in train and "-t 60" in train
    assert "--gpus" not in train
    ingest = sbatch(args, "ingest")
    assert "--cpus-per-task=1" in ingest and "--mem 2000" in ingest and "-t 30" in ingest


def test_site_settings_from_the_environment(monkeypatch):
    args = profile(
        monkeypatch,
        ACCOUNT="proj42",
        PARTITION="short",
        GPU_PARTITION="gpu",
        GPU_MODEL="a100",
        CPUS_PER_GPU=8,
        JOBS=20,
    )
    assert args["jobs"] == "20"
    cpu_job = Job(args, "prepare", 2).resources
    assert cpu_job["slurm_account"] == "proj42" and cpu_job["slurm_partition"] == "short"
    gpu_job = Job(args, "encode_shard", 2).resources
    assert gpu_job["slurm_partition"] == "gpu" and gpu_job["slurm_account"] == "proj42"
    shard = sbatch(args, "encode_shard", threads=2)
    assert "--gpus=a100:1" in shard and "--cpus-per-gpu=8" in shard


def test_gpus_off_makes_gpu_jobs_cpu_jobs(monkeypatch):
    args = profile(monkeypatch, GPUS=0)
    shard = sbatch(args, "encode_shard", threads=2)
    assert "--gpus" not in shard and "--cpus-per-gpu" not in shard
    assert "--cpus-per-task=2" in shard


def test_no_site_settings_leaves_account_and_partition_to_the_cluster(monkeypatch):
    args = profile(monkeypatch)
    for rule in ("ingest", "encode_shard", "kmeans"):
        res = Job(args, rule, 1).resources
        assert "slurm_account" not in res and "slurm_partition" not in res


def test_profile_names_only_real_rules_and_keeps_the_local_defaults(monkeypatch):
    args = profile(monkeypatch)
    rules = set()
    for smk in (ROOT / "rules").glob("*.smk"):
        rules |= set(re.findall(r"^rule (\w+):", smk.read_text(), re.M))
    named = {item.split(":", 1)[0] for item in args["set-resources"]}
    named |= {item.split("=", 1)[0] for item in args.get("set-threads", [])}
    assert named <= rules, named - rules
    assert args["executor"] == "slurm"
    assert args["slurm-status-command"] == "squeue"  # no accounting database needed
    # a run on the cluster reruns what a local run would
    local = yaml.safe_load((ROOT / "profiles" / "default" / "config.yaml").read_text())
    for key, val in local.items():
        assert args[key] == (val if isinstance(val, list) else str(val)), key
