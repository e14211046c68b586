"""GPU jobs: which rules use a GPU under the config, and what such a job asks SLURM for.

The encoding jobs use a GPU unless ``bert.runtime.device`` is ``cpu``; the K-means jobs when
``kmeans.backend`` is ``auto``, ``cuml`` or ``torch`` (``auto`` takes cuML, then torch on CUDA;
``sklearn`` and ``faiss`` never use one). No other rule uses a GPU. A GPU job's request depends
on the config, which a workflow profile cannot see, so the rules ask for it
(``resources: **gpu_resources(...)`` in rules/common.smk); the site's GPU settings come from the
``SENTCLUST_SLURM_*`` variables described in profiles/slurm/config.yaml. Standard library only:
the Snakefile imports this while it parses.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

#: K-means backends that run on a GPU when one is there
GPU_KMEANS_BACKENDS = ("auto", "cuml", "torch")
#: the site's GPU settings: SENTCLUST_SLURM_<name>, and their defaults
SITE_DEFAULTS = {"GPUS": "1", "CPUS_PER_GPU": "4", "GPU_MODEL": "", "GPU_PARTITION": ""}


def uses_gpu(rule: str, config: Mapping[str, Any]) -> bool:
    """Whether the jobs of ``rule`` would use a GPU when one is there."""
    if rule == "encode_shard":
        return config["bert"]["runtime"]["device"] != "cpu"
    if rule == "kmeans":
        return config["kmeans"]["backend"] in GPU_KMEANS_BACKENDS
    return False


def site_setting(name: str, environ: Mapping[str, str] | None = None) -> str:
    """A site GPU setting: ``SENTCLUST_SLURM_<name>``, else its default."""
    env = os.environ if environ is None else environ
    return env.get(f"SENTCLUST_SLURM_{name}", SITE_DEFAULTS[name]).strip()


def gpu_resources(
    rule: str, config: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The SLURM executor's GPU resources of a ``rule`` job ({} when it uses no GPU, or the site
    turned GPUs off with SENTCLUST_SLURM_GPUS=0): ``gpu``, ``cpus_per_gpu`` and, when set,
    ``gpu_model`` and ``slurm_partition``. Local runs ignore them (unless ``--resources gpu=N``
    is given, which then limits how many GPU jobs run at once)."""
    if not uses_gpu(rule, config):
        return {}
    gpus = int(site_setting("GPUS", environ) or 0)
    if gpus < 1:
        return {}
    out: dict[str, Any] = {
        "gpu": gpus,
        "cpus_per_gpu": int(site_setting("CPUS_PER_GPU", environ)),
    }
    if model := site_setting("GPU_MODEL", environ):
        out["gpu_model"] = model
    if partition := site_setting("GPU_PARTITION", environ):
        out["slurm_partition"] = partition
    return out
