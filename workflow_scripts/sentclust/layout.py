"""The results layout and the embedding kinds: one home for where a run's outputs live.

Every path here is relative to a run's results folder (config ``results_dir``) and is a template
whose ``{name}`` fields are the workflow's wildcards (``kind``, ``raw``, ``k``, ``shard``,
``n``, ``name``). The rules write their outputs at these templates (``rules/common.smk``:
``results(L.CENTRES)``), the report's inputs and the model manifest are listed from them, and
the code that reads a finished run (:mod:`sentclust.assign`) finds its files with
:func:`path`. Renaming an output is one edit here; ``tests/unit/test_layout.py`` checks that the
workflow's jobs write exactly these paths.
"""

from __future__ import annotations

import re

# ----------------------------------------------------------------------------- embedding kinds

#: the raw embedding kinds: the network's word vectors, a pre-trained sentence-transformer
RAW_KINDS = ("wordvec", "bert")
#: the suffix of a raw kind's sentiment-aligned PLS view (fitted on train-split labels)
PLS_SUFFIX = "_pls"
#: what each kind is computed from and whether it saw labels (written into its outputs)
SUPERVISION = {
    "wordvec": "used labels: the network's embedding layer, trained on train-split labels",
    "bert": "unsupervised: a pre-trained sentence-transformers model, no labels",
    "wordvec_pls": "used labels: PLS projection of wordvec fitted on train-split labels",
    "bert_pls": "used labels: PLS projection of bert fitted on train-split labels",
}


def pls_kinds(projection_enabled: bool) -> list[str]:
    """The PLS views of the raw kinds (none when config projection.enabled is false)."""
    return [f"{raw}{PLS_SUFFIX}" for raw in RAW_KINDS] if projection_enabled else []


def kinds(projection_enabled: bool) -> list[str]:
    """Every embedding kind a run computes: the raw kinds, then their PLS views."""
    return [*RAW_KINDS, *pls_kinds(projection_enabled)]


def source_of(kind: str) -> str:
    """The raw kind whose vectors ``kind`` is computed from (itself for a raw kind)."""
    if kind not in SUPERVISION:
        raise ValueError(f"unknown embedding kind {kind!r}; known: {', '.join(SUPERVISION)}")
    return kind.removesuffix(PLS_SUFFIX)


def is_pls(kind: str) -> bool:
    return kind.endswith(PLS_SUFFIX)


# ----------------------------------------------------------------------------- the run folder

LOGS = "logs"
BENCHMARKS = "benchmarks"
DOWNLOAD = "downloads/{name}"
# ingest and prepare
REVIEWS = "data/reviews.parquet"
INGEST_SUMMARY = "data/ingest_summary.json"
PREPARED = "data/prepared.parquet"
PREPARE_SUMMARY = "data/prepare_summary.json"
# the network, its explanations, the probes
WORDVEC_MODEL = "wordvec/model.keras"
WORDVEC_METRICS = "wordvec/metrics.json"
WORD_VECTORS = "wordvec/word_vectors.parquet"
EXPLANATIONS = "explain/explanations.json"
EXPLAIN_FIGURES = "explain/figures"
EXPLAIN_HTML = "explain/html"
PROBE = "probe/{kind}.json"
# review vectors of every kind, the BERT shards, the int8 encoder, the PLS parameters
EMBEDDINGS = "embeddings/{kind}.parquet"
EMBEDDINGS_SUMMARY = "embeddings/{kind}_summary.json"
SHARD = "embeddings/bert_shards/shard_{shard}_of_{n}.parquet"
SHARD_INFO = "embeddings/bert_shards/shard_{shard}_of_{n}.json"
SHARD_SEGMENTS = "embeddings/bert_shards/segments_{shard}_of_{n}.parquet"
INT8_MODEL = "embeddings/int8/transformer.xml"
INT8_WEIGHTS = "embeddings/int8/transformer.bin"
INT8_CHECK = "embeddings/int8/check.json"
PLS_MODEL = "embeddings/{raw}_pls_model.npz"
# the K-means sweep, the choice of k, the fine-grained levels
ASSIGNMENTS = "clusters/{kind}/k{k}/assignments.parquet"
METRICS = "clusters/{kind}/k{k}/metrics.json"
BY_LABEL = "clusters/{kind}/k{k}/contingency_labels.parquet"
BY_RATING = "clusters/{kind}/k{k}/contingency_ratings.parquet"
CENTRES = "clusters/{kind}/k{k}/centres.npz"
CHOICE = "clusters/{kind}/choice.json"
SWEEP = "clusters/{kind}/k_sweep.tsv"
CHOICE_FIGURES = "clusters/{kind}/figures"
TERM_COUNTS = "clusters/term_counts.npz"
TERM_VOCAB = "clusters/term_counts_vocab.parquet"
TERM_ROWS = "clusters/term_counts_rows.parquet"
FINEGRAINED = "clusters/{kind}/finegrained.json"
FINEGRAINED_TABLE = "clusters/{kind}/finegrained.parquet"
RATING_FIGURE = "clusters/{kind}/rating_by_cluster.png"
# segments and the polarity inside reviews
SEGMENTS = "segments/segments.parquet"
SEGMENTS_SUMMARY = "segments/summary.json"
POLARITY_MODEL = "polarity/mil_model.json"
SEGMENT_SCORES = "polarity/segment_scores.parquet"
SCORERS = "polarity/scorers.json"
POLARITY_REVIEWS = "polarity/reviews.parquet"
POLARITY_SUMMARY = "polarity/summary.json"
POLARITY_FIGURE = "polarity/by_rating.png"
POLARITY_TEXTS = "polarity/explain_texts.json"
# the report, the saved models, new reviews
PROJECTION_FIGURE = "report/projection/{kind}.png"
PROJECTION_INFO = "report/projection/{kind}.json"
REPORT_HTML = "report/report.html"
REPORT_SUMMARY = "report/summary.md"
MANIFEST = "model/manifest.json"
ASSIGNED = "assign/{name}/assignments.parquet"
ASSIGNED_SEGMENTS = "assign/{name}/segments.parquet"
# aspects
ASPECTS_ASSIGNMENTS = "aspects/k{k}/assignments.parquet"
ASPECTS_CENTRES = "aspects/k{k}/centres.npz"
ASPECTS_RECORD = "aspects/k{k}/record.json"
ASPECTS = "aspects/aspects.json"
ASPECTS_TABLE = "aspects/aspects.parquet"
ASPECTS_DETAIL = "aspects/detail"

_FIELD = re.compile(r"\{(\w+)\}")


def path(template: str, **wildcards) -> str:
    """``template`` with the given wildcards filled in; the others stay as ``{name}``
    (Snakemake's wildcards). ``path(CENTRES, kind="bert", k=3)`` is
    ``clusters/bert/k3/centres.npz``."""
    return _FIELD.sub(lambda m: str(wildcards.get(m[1], m[0])), template)


def shard_files(n_shards: int, template: str = SHARD) -> list[str]:
    """The shards' files in shard order (``SHARD``, ``SHARD_INFO`` or ``SHARD_SEGMENTS``)."""
    return [path(template, shard=f"{i:03d}", n=f"{n_shards:03d}") for i in range(n_shards)]


def templates() -> dict[str, str]:
    """Every template of the layout by its name (``CENTRES`` ...)."""
    return {k: v for k, v in globals().items() if k.isupper() and isinstance(v, str) and "/" in v}


def pattern(template: str) -> re.Pattern:
    """A regular expression that matches the paths of ``template`` (a wildcard: one folder
    name or part of one)."""
    parts = _FIELD.split(template)
    regex = "".join(re.escape(p) if i % 2 == 0 else "[^/]+" for i, p in enumerate(parts))
    return re.compile(regex + "$")
