import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED_IMDB = ROOT.parent / "shared" / "data" / "imdb"
DEMO_REVIEWS = ROOT / "resources" / "demo" / "reviews.parquet"
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")


def run_snakemake(workdir: Path, *args: str, timeout: int = 1200) -> subprocess.CompletedProcess:
    """Run the real workflow (this checkout's Snakefile) with ``workdir`` as working directory."""
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    cmd = [SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)


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


@pytest.fixture
def tiny_config(tmp_path):
    """A tiny run: 160 demo reviews (stratified), results under tmp_path/results."""
    return write_config(tmp_path / "tiny.yaml", ingest={"subsample": 160})


def require_shared_imdb():
    if not (SHARED_IMDB / "train.parquet").exists():
        pytest.skip(f"the full IMDB Parquet files are not at {SHARED_IMDB}")
