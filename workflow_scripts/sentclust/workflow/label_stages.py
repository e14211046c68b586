"""Which stages need review labels: the one table of them, and what a run without labels keeps.

A corpus with no labels (``sentclust.ingest.peek.input_labels(config) == "none"``) still runs
every stage that needs none (the BERT encoding, the K-means sweep, the choice of k, the terms,
the segments, the report and ``assign`` on the ``bert`` kind). The stages of
:data:`NEEDS_LABELS` are left out of the DAG (``rules/common.smk``), and the report, its
summary.md and ``assign`` name them with the reason given here.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import layout as L

__all__ = [
    "LABEL_SOURCES_WITH_LABELS",
    "NEEDS_LABELS",
    "available_kinds",
    "has_labels",
    "skipped_stages",
    "skipped_text",
]

#: where labels come from when the run has them (ingest.peek.input_labels's other answer: none)
LABEL_SOURCES_WITH_LABELS = ("given", "from_ratings")

#: stage -> why it needs labels (the rules it stands for are in rules/common.smk)
NEEDS_LABELS: dict[str, str] = {
    "network (wordvec kind)": "the network learns its word vectors by classifying review labels",
    "LIME explanations": "LIME explains the network's label predictions",
    "probes": "a linear probe is scored against the labels",
    "PLS kinds (wordvec_pls, bert_pls)": "the projection is fitted on the train split's labels",
    "label overlap (purity, ARI, NMI)": "clusters are compared with the labels",
    "polarity models": "the segment scorers train on review labels",
}


def has_labels(labels: str) -> bool:
    """Whether a run whose labels come from ``labels`` (given / from_ratings / none) has any."""
    if labels in LABEL_SOURCES_WITH_LABELS:
        return True
    if labels == "none":
        return False
    raise ValueError(
        f"labels: {labels!r} is not one of given, from_ratings, none "
        "(sentclust.ingest.peek.input_labels's answers)"
    )


def available_kinds(projection_enabled: bool, labels: str) -> list[str]:
    """The embedding kinds a run builds: every kind with labels, only the unsupervised ones
    (``bert``) without."""
    kinds = L.kinds(projection_enabled)
    if has_labels(labels):
        return kinds
    return [kind for kind in kinds if L.SUPERVISION[kind].startswith("unsupervised")]


def skipped_stages(labels: str) -> dict[str, str]:
    """The stages left out of a run (stage -> why): none with labels, :data:`NEEDS_LABELS`
    without."""
    return {} if has_labels(labels) else dict(NEEDS_LABELS)


def skipped_text(skipped: dict[str, str] | Iterable[tuple[str, str]]) -> list[str]:
    """One line per skipped stage, ``stage: skipped, no labels (why)``, for the report and logs."""
    items = skipped.items() if isinstance(skipped, dict) else skipped
    return [f"{stage}: skipped, the corpus has no labels ({why})" for stage, why in items]
