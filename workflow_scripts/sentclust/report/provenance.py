"""Where a run came from: the workflow's git commit, package versions, config, BERT encoding.

The config is shown with ``input_url``'s credentials removed (:func:`sentclust.redact.redact_url`).
"""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
from pathlib import Path
from typing import Any

from sentclust.files import package_versions
from sentclust.redact import redact_config

#: packages whose versions the provenance section lists
PROVENANCE_PACKAGES = [
    "snakemake",
    "numpy",
    "pandas",
    "pyarrow",
    "scikit-learn",
    "scipy",
    "kneed",
    "nltk",
    "tensorflow-cpu",
    "tensorflow",
    "keras",
    "lime",
    "torch",
    "transformers",
    "sentence-transformers",
    "faiss-cpu",
    "cuml",
    "umap-learn",
    "matplotlib",
    "seaborn",
    "Jinja2",
]


def git_info(directory: str | Path) -> dict[str, Any]:
    """The workflow's git commit and whether its checkout has uncommitted changes."""

    def git(*args):
        return subprocess.run(
            ["git", "-C", str(directory), *args], capture_output=True, text=True, timeout=30
        )

    try:
        head = git("rev-parse", "HEAD")
    except (OSError, subprocess.SubprocessError) as exc:
        return {"commit": None, "dirty": None, "note": f"git not available: {exc}"}
    if head.returncode != 0:
        return {"commit": None, "dirty": None, "note": "not a git checkout"}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": head.stdout.strip(),
        "dirty": bool(status.stdout.strip()) if status.returncode == 0 else None,
        "note": "",
    }


def encoding_note(bert_summary: dict) -> str | None:
    """How the shards were encoded, e.g. 'cpu, openvino, bfloat16: 8 shard(s), 52.1 reviews/s'."""
    shards = bert_summary.get("shards") or []
    if not shards:
        return None
    ways = sorted(
        {
            ", ".join(str(s[k]) for k in ("device", "backend", "precision") if s.get(k))
            for s in shards
        }
    )
    rate = bert_summary.get("reviews_per_second")
    tail = f", {rate} reviews/s per job" if rate else ""
    return f"{'; '.join(ways)}: {len(shards)} shard(s){tail}{_path_choice(shards[0])}"


def _path_choice(shard: dict) -> str:
    """'; measured on <machine>: torch float32 12.1/s, ...' where the path was measured."""
    why = shard.get("encoding_path") or {}
    int8 = _int8_note(why.get("int8_check"))
    if not why.get("measurements"):
        return (f" ({why['rule']})" if why.get("rule") else "") + int8
    timings = ", ".join(
        f"{m['path']} {m['reviews_per_second']}/s (cos {m['mean_cosine']})"
        if m.get("error") is None
        else f"{m['path']} failed"
        for m in why["measurements"]
    )
    return f"; {why['rule']}; calibration timings: {timings}; {why.get('machine', '')}{int8}"


def _int8_note(check: dict | None) -> str:
    """'; int8 check on N held-back reviews: passed (ARI per k ..., changes ...)'."""
    if not check:
        return ""
    aris = ", ".join(f"k={r['k']} {r['ari_int8_vs_float32']:.3f}" for r in check["ari_per_k"])
    changes = {**check["label_changes_k2"], "probe accuracy": check["probe_accuracy"]["change"]}
    moved = ", ".join(f"{m} {d:+.4f}" for m, d in changes.items())
    verdict = "passed" if check["passed"] else "failed (not used)"
    return (
        f"; int8 check on {check['n_reviews']} held-back reviews {verdict}: ARI to float32 "
        f"{aris}; changes at k=2 {moved}"
    )


def provenance_section(
    config: dict,
    bert_summary: dict,
    *,
    workflow_dir: str | Path | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Build date, seed, git commit, package versions, platform, the run's config as YAML
    (``input_url`` redacted) and the sentence-transformers model with its revision (the hub
    snapshot's commit, or sha256 of a local copy's weights) and how it was run
    (``bert_summary``: its summary, or {})."""
    import yaml

    now = now or dt.datetime.now(dt.UTC)
    model = bert_summary.get("model") or config.get("bert", {}).get("model")
    revision = bert_summary.get("model_revision")
    return {
        "date": now.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "seed": config.get("seed"),
        "git": git_info(workflow_dir) if workflow_dir else {"commit": None, "note": "unknown"},
        "versions": [(k, v) for k, v in package_versions(PROVENANCE_PACKAGES).items()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "config_yaml": yaml.safe_dump(redact_config(config), sort_keys=False, allow_unicode=True),
        "bert_model": f"{model}, revision {revision}" if revision else model,
        "bert_revision": revision,
        "bert_dimensions": bert_summary.get("dimensions"),
        "bert_encoding": encoding_note(bert_summary),
    }
