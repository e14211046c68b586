"""The machine a measurement was taken on: CPU model, the flags that matter, cores, versions.

Speed depends on the CPU (bf16 and int8 instructions, AMX), so every benchmark table and
every measured choice of the encode stage names its machine with :func:`describe`.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

from sentclust.files import package_versions

#: CPU flags that change which encoding path is fast
FLAGS = ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "avx_vnni", "amx_bf16", "amx_int8")
#: packages whose versions change the speed or the numbers of the encoding
ENCODING_PACKAGES = ("torch", "openvino", "nncf", "transformers", "sentence-transformers")


def _cpuinfo(path: str | Path = "/proc/cpuinfo") -> dict[str, str]:
    """The first processor's fields of ``/proc/cpuinfo`` ({} where there is none)."""
    try:
        text = Path(path).read_text()
    except OSError:
        return {}
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break
            continue
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    return fields


def cpu_model(cpuinfo: dict[str, str] | None = None) -> str:
    info = _cpuinfo() if cpuinfo is None else cpuinfo
    return info.get("model name") or platform.processor() or platform.machine() or "unknown"


def cpu_flags(cpuinfo: dict[str, str] | None = None) -> dict[str, bool]:
    """Whether the CPU reports each flag of :data:`FLAGS`."""
    info = _cpuinfo() if cpuinfo is None else cpuinfo
    have = set(info.get("flags", "").split())
    return {f: f in have for f in FLAGS}


def cores() -> int:
    """The machine's cores (``os.cpu_count()``), not the affinity mask of this process: a SLURM
    job confined to one core runs on the same machine as a local run, and must find the same
    cached measurement (the thread count is part of that key on its own)."""
    return os.cpu_count() or 1


def describe(packages=ENCODING_PACKAGES) -> dict:
    """CPU model, flags, cores and package versions: the key of a measurement."""
    info = _cpuinfo()
    return {
        "cpu": cpu_model(info),
        "flags": cpu_flags(info),
        "cores": cores(),
        "versions": package_versions(list(packages)),
    }


def header(machine: dict | None = None) -> str:
    """One line for a benchmark table: 'AMD EPYC, 2 cores, flags avx2 (no avx512_bf16 ...)'."""
    m = machine or describe()
    have = [f for f, on in m["flags"].items() if on]
    lacks = [f for f, on in m["flags"].items() if not on]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v != "missing")
    return (
        f"CPU: {m['cpu']}, {m['cores']} cores; flags: {' '.join(have) or 'none of note'}"
        f" (not: {' '.join(lacks) or '-'}); {versions}"
    )
