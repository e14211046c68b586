import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED_IMDB = ROOT.parent / "shared" / "data" / "imdb"
DEMO_REVIEWS = ROOT / "resources" / "demo" / "reviews.parquet"
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")


PATH_CACHE = Path(tempfile.mkdtemp(prefix="sentclust-paths-"))


def workflow_env(**extra: str) -> dict[str, str]:
    """The environment of every workflow run of the tests (local or through SLURM)."""
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        # the measured encoding paths: one cache for the test session, not the user's
        "SENTCLUST_CACHE_DIR": str(PATH_CACHE),
        **extra,
    }


def run_snakemake(workdir: Path, *args: str, timeout: int = 1200) -> subprocess.CompletedProcess:
    """Run the real workflow (this checkout's Snakefile) with ``workdir`` as working directory."""
    env = workflow_env()
    cmd = [SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)


def jobs_of(dry_run_output: str) -> dict[str, int]:
    """The 'Job stats' table of a dry run as {rule: count}; {} when nothing is to be done."""
    lines = dry_run_output.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Job stats:")]
    if not starts:
        return {}
    out = {}
    for line in lines[starts[0] + 3 :]:
        parts = line.split()
        if len(parts) != 2 or parts[0] == "total":
            break
        out[parts[0]] = int(parts[1])
    return out


def schema_defaults(section: str | None = None) -> dict:
    """The config's defaults as the workflow gets them (config/schema.yaml, their one home):
    an empty config validated with the schema's defaults filled in; one section of it when
    ``section`` is given. Tests take settings from here instead of restating them."""
    from snakemake.utils import validate

    config: dict = {}
    validate(config, str(ROOT / "config" / "schema.yaml"))
    return config if section is None else config[section]


def full_config() -> dict:
    """The full analysis' config as the workflow gets it: config/config.yaml (only what the
    analysis sets) validated, with the schema's defaults filled in."""
    from snakemake.utils import validate

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    validate(config, str(ROOT / "config" / "schema.yaml"))
    return config


def run_ingest(path, **changes):
    """sentclust.ingest.ingest on ``path`` with the settings the rule passes by default (the
    schema's), ``changes`` applied."""
    from sentclust.ingest import ingest

    config = schema_defaults()
    settings = {
        "fmt": config["input_format"],
        **config["ingest"],
        "seed": config["seed"],
    }
    return ingest(str(path), **{**settings, **changes})


def write_config(path: Path, **overrides) -> Path:
    """The demo config with absolute input paths and ``overrides`` merged in (one level deep)."""
    cfg = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text())
    cfg["input_path"] = str(DEMO_REVIEWS)
    cfg["results_dir"] = "results"
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            cfg[key] = {**cfg[key], **value}
        else:
            cfg[key] = value
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


TINY = {
    "ingest": {"subsample": 160},
    "wordvec": {"max_epochs": 1, "max_tokens": 5000, "sequence_length": 200},
    "explain": {
        "num_samples": 300,
        "per_category": {
            "confident_positive": 1,
            "confident_negative": 1,
            "uncertain": 1,
            "misclassified": 1,
        },
        "texts": ["The location was truly disgusting ... but the people there were glorious."],
    },
    "bert": {"max_seq_length": 128, "shards": 2},
    "kmeans": {"k": [2, 3], "stability_runs": 1, "silhouette_sample": 500},
    "choose_k": {"explore": [2]},
    "aspects": {"k": [2, 3]},
}


def tiny_overrides(**more) -> dict:
    """The tiny run's overrides (160 reviews, a 1-epoch network), ``more`` merged in."""
    out = {k: dict(v) for k, v in TINY.items()}
    for key, value in more.items():
        out[key] = {**out.get(key, {}), **value} if isinstance(value, dict) else value
    return out


@pytest.fixture
def tiny_config(tmp_path):
    """A tiny run: 160 demo reviews (stratified), results under tmp_path/results."""
    return write_config(tmp_path / "tiny.yaml", **tiny_overrides())


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """The tiny DAG run once for the session: (workdir, config path, snakemake result)."""
    workdir = tmp_path_factory.mktemp("tiny_run")
    cfg = write_config(workdir / "tiny.yaml", **tiny_overrides())
    result = run_snakemake(workdir, "--cores", "2", "--configfile", str(cfg))
    assert result.returncode == 0, result.stderr[-6000:]
    return workdir, cfg, result


def copy_tiny_run(tiny_run, dest: Path) -> Path:
    """A copy of the finished tiny run's working directory at ``dest`` (outputs and .snakemake
    metadata, mtimes kept; no locks)."""
    import shutil

    workdir, _, _ = tiny_run
    shutil.copytree(workdir, dest, symlinks=True, ignore=shutil.ignore_patterns("locks"))
    return dest


def run_sentclust(*args: str, cwd, timeout: int = 1800) -> subprocess.CompletedProcess:
    """The command-line tool (``python -m sentclust ...``) as a user runs it, from ``cwd``."""
    env = workflow_env(PYTHONPATH=str(ROOT / "workflow_scripts"))
    cmd = [sys.executable, "-m", "sentclust", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


def require_shared_imdb():
    if not (SHARED_IMDB / "train.parquet").exists():
        pytest.skip(f"the full IMDB Parquet files are not at {SHARED_IMDB}")


def assert_png(path):
    """A non-empty, valid PNG: the signature, then an IHDR chunk with a size."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 0 and height > 0 and len(data) > 1000
