"""Which config keys change results: the one table of run-time-only keys.

A run-time-only key changes how a job runs (threads, batch sizes, device, backend, how the
encoding is split into jobs) but not what it computes. Such keys are left out of every rule's
``params:`` and out of the report's provenance, so changing one reruns nothing. The rule files
and the tests read this table; nothing else lists these keys.
"""

from __future__ import annotations

from typing import Any

from sentclust.redact import redact_config

#: (section, key) pairs; a key of None is a top-level key.
RUNTIME_KEYS: tuple[tuple[str | None, str], ...] = (
    (None, "conda_flavour"),  # which conda environment runs the GPU-capable jobs
    ("prepare", "threads"),
    ("wordvec", "threads"),
    ("explain", "batch_size"),  # texts per classifier call
    ("bert", "runtime"),  # device, backend, batch sizes, threads
    ("bert", "shards"),  # how many encoding jobs (shard files are named by it: they rerun)
    ("kmeans", "threads"),
    ("segments", "threads"),
    ("polarity", "threads"),
)

#: sections that use a finished run and change none of its results (new reviews placed on its
#: scale): left out of the report's provenance, so adding an input reruns only its assign job
AFTER_THE_RUN: tuple[str, ...] = ("assign",)

#: run-time-only keys that still rerun their stage, because output file names depend on them
RENAMES_OUTPUTS: tuple[tuple[str | None, str], ...] = (("bert", "shards"),)


def runtime_keys(section: str | None) -> set[str]:
    """The run-time-only keys of one config section (None: the top level)."""
    return {key for sec, key in RUNTIME_KEYS if sec == section}


def canonical(value: Any) -> Any:
    """``value`` with every dict's keys sorted (recursively). Snakemake compares a rule's params
    with their order: the merged config's key order depends on which overlay named a key first,
    so an unchanged value given once more (or a run-time key named in an overlay) would
    otherwise rerun the rule."""
    if isinstance(value, dict):
        return {k: canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def result_params(config: dict[str, Any], section: str, *, drop: tuple[str, ...] = ()) -> dict:
    """A config section without its run-time-only keys (and ``drop``), in canonical order: a
    rule's ``params``."""
    skip = runtime_keys(section) | set(drop)
    return canonical({k: v for k, v in config[section].items() if k not in skip})


def provenance(config: dict[str, Any]) -> dict[str, Any]:
    """The whole config without run-time-only keys, in canonical order: what the report shows
    as provenance (a rule param, stored in .snakemake/metadata: ``input_url`` redacted)."""
    config = redact_config(config)
    out = {}
    for key, value in config.items():
        if key in runtime_keys(None) or key in AFTER_THE_RUN:
            continue
        out[key] = (
            {k: v for k, v in value.items() if k not in runtime_keys(key)}
            if isinstance(value, dict)
            else value
        )
    return canonical(out)
