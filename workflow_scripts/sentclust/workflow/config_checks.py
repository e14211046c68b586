"""Config checks the schema cannot express, run by the Snakefile right after ``validate()``:
a bad setting stops the run before any job starts, with what to change, instead of failing
jobs (or whole stages) later.

Kept light: the Snakefile is read again by every job, so nothing here imports NLTK, PyTorch
or TensorFlow, and the corpus size is read from Parquet metadata only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sentclust.ingest.columns import mapping_problems
from sentclust.ingest.detect import detect_format, parquet_files
from sentclust.prepare.text import clean_text

__all__ = ["ConfigError", "check_config", "known_corpus_size"]

#: top-level system folders that must never hold (or be) the results
_SYSTEM_DIRS = "bin boot dev etc home lib lib64 opt proc root run sbin srv sys tmp usr var"


class ConfigError(ValueError):
    """The config asks for something the workflow cannot do; the message says what to change."""


def check_config(config: dict[str, Any], *, workflow_dir: str | os.PathLike | None = None) -> None:
    """Raise :class:`ConfigError` listing every problem found in ``config`` (validated and
    filled with the schema's defaults), each with its fix; ``workflow_dir`` is the folder of
    the Snakefile (results must not land in it). Relative paths are read from the current
    directory, as Snakemake reads them."""
    problems = [
        *_results_dir_problems(config["results_dir"], workflow_dir),
        *_split_problems(config["ingest"]["splits"]),
        *_mixed_band_problems(config["finegrained"]["mixed_band"]),
        *_k_problems(config),
        *_explain_text_problems(config),
        *_polarity_problems(config["polarity"]),
        *mapping_problems(config["ingest"].get("columns")),
    ]
    if problems:
        listed = "\n".join(f"- {p}" for p in problems)
        raise ConfigError(f"the config cannot run ({len(problems)} problem(s)):\n{listed}")


def _results_dir_problems(results_dir: Any, workflow_dir) -> list[str]:
    fix = "set results_dir to a folder of its own, e.g. --config results_dir=results/myrun"
    if not isinstance(results_dir, str) or not results_dir.strip():
        return [f"results_dir is empty: every output would land in the working folder; {fix}"]
    if "{" in results_dir or "}" in results_dir:
        return [f"results_dir '{results_dir}' holds braces (Snakemake wildcards); {fix}"]
    target = Path(results_dir).resolve()
    protected = {Path("/"), Path.home(), *(Path("/", d) for d in _SYSTEM_DIRS.split())}
    why = None
    if target in {p.resolve() for p in protected}:
        why = "is the root folder, the home folder or a system folder"
    for folder, name in ((Path.cwd(), "the working folder"), (workflow_dir, "the workflow")):
        folder = Path(folder).resolve() if folder is not None else None
        if why is None and folder is not None and target in (folder, *folder.parents):
            why = f"is {name} ({folder}) or a folder above it"
    if why is None:
        return []
    return [
        f"results_dir '{results_dir}' ({target}) {why}: the workflow writes (and replaces) "
        f"folders such as data/, logs/ and report/ in it; {fix}"
    ]


def _split_problems(splits: list[str]) -> list[str]:
    missing = [s for s in ("train", "test") if s not in splits]
    if not missing:
        return []
    return [
        f"ingest.splits {list(splits)} leaves out {' and '.join(missing)}: the word-embedding "
        "network, the linear probes and the PLS projections are fitted on the train split, and "
        "the network's accuracy, the probes and LIME's examples are measured on the test split; "
        "keep both (ingest.splits: [train, test]) and use ingest.subsample for a smaller run"
    ]


def _polarity_problems(polarity: dict) -> list[str]:
    features = polarity["mil"]["features"]
    problems = []
    if polarity["scorer"] == "bert" and polarity["bert_segments"] == "off":
        problems.append(
            "polarity.scorer is bert but polarity.bert_segments is off (no BERT segment "
            "vectors): set polarity.scorer to mil or wordvec, or turn the BERT segments on"
        )
    separate = polarity["bert_segments"] == "separate"
    if polarity["scorer"] == "mil" and features != "wordvec" and not separate:
        problems.append(
            f"polarity.mil.features is {features}, which reads BERT vectors of segments "
            f"encoded alone, but polarity.bert_segments is {polarity['bert_segments']}: set "
            "polarity.bert_segments: separate (it about doubles the encoding time) or "
            "polarity.mil.features: wordvec"
        )
    return problems


def _mixed_band_problems(band: float) -> list[str]:
    if 0 <= band < 0.5:
        return []
    return [
        f"finegrained.mixed_band={band}: must be in [0, 0.5) (a cluster is 'mixed' when its "
        "positive share is within this of one half; at 0.5 every cluster would be); "
        "use e.g. 0.1"
    ]


def known_corpus_size(config: dict[str, Any]) -> int | None:
    """The most reviews the run can cluster, where known before any job: ``ingest.subsample``
    and the row count of a Parquet input (from its files' metadata); None when neither tells."""
    sizes = []
    subsample = config["ingest"]["subsample"]
    if subsample:
        sizes.append(int(subsample))
    rows = _parquet_rows(config["input_path"], config["input_format"])
    if rows is not None:
        sizes.append(rows)
    return min(sizes) if sizes else None


def _parquet_rows(path: str | None, fmt: str) -> int | None:
    """Rows of a Parquet input file or folder; None for other inputs or any doubt (a missing or
    unreadable input is the ingest job's to report, with its own advice)."""
    if not path or fmt not in ("auto", "parquet"):
        return None
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        if fmt == "auto" and detect_format(path) != "parquet":
            return None
        p = Path(path)
        files = parquet_files(p) if p.is_dir() else [p]
        return sum(pq.ParquetFile(f).metadata.num_rows for f in files) if files else None
    except (OSError, ValueError, pa.ArrowException):  # IngestError is a ValueError
        return None


def _k_problems(config: dict[str, Any]) -> list[str]:
    n = known_corpus_size(config)
    ks = config["kmeans"]["k"]
    too_big = sorted(k for k in ks if n is not None and k >= n)
    if not too_big:
        return []
    listed = ", ".join(f"k={k}" for k in too_big)
    return [
        f"kmeans.k has {listed} but the run clusters at most {n} reviews (ingest.subsample or "
        f"the input's rows): K-means needs fewer clusters than reviews; remove those k "
        f"(use k <= {n - 1}) or cluster more reviews"
    ]


def _explain_text_problems(config: dict[str, Any]) -> list[str]:
    form = config["prepare"]["unicode_form"]
    texts = config["explain"]["texts"] or []
    empty = [i for i, t in enumerate(texts) if not clean_text(str(t), unicode_form=form)]
    if not empty:
        return []
    shown = ", ".join(f"#{i + 1} {texts[i]!r}" for i in empty)
    return [
        f"explain.texts {shown} is empty once markup is removed (as the reviews are prepared): "
        "LIME has no words to explain; remove it or give it words"
    ]
