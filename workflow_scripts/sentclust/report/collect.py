"""A finished run's outputs read into the plain dictionary that the page and summary render."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sentclust.workflow.label_stages import NEEDS_LABELS

from .aspects import aspects_of
from .benchmarks import benchmarks_section
from .kinds import kind_section
from .polarity import polarity_of, read_json_if, text_polarity
from .provenance import provenance_section
from .render import page_sections
from .scaling import scaling_of
from .sections import data_section, headline, lime_section, network_section

TITLE = "Fine-grained sentiment by clustering"


def _load(path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _load_if(path) -> Any:
    """The JSON document at ``path``, or None when no path is given."""
    return _load(path) if path else None


def kind_from_files(
    kind: str, files: Mapping[str, Any], *, probe: dict | None, explore: Sequence[int]
) -> dict[str, Any]:
    """:func:`kind_section` from one kind's files (named as in ``report_inputs``)."""
    return kind_section(
        kind,
        choice=_load(files["choice"]),
        sweep=pd.read_csv(files["sweep"], sep="\t"),
        figure_dir=files["figures"],
        finegrained=_load(files["finegrained"]),
        rating_figure=files["rating_figure"],
        projection_figure=files["projection_figure"],
        projection_info=_load_if(files["projection_info"]),
        probe=probe,
        explore=explore,
    )


def _split_skipped(skipped: Mapping[str, str] | None) -> tuple[list, list]:
    """(the stages that need labels, those the configuration left out) as ``{stage, why}``."""
    stages = [{"stage": stage, "why": why} for stage, why in (skipped or {}).items()]
    return (
        [s for s in stages if s["stage"] in NEEDS_LABELS],
        [s for s in stages if s["stage"] not in NEEDS_LABELS],
    )


def collect(
    inputs: Any,
    kinds: Mapping[str, Mapping[str, Any]],
    *,
    config: dict,
    explore: Sequence[int],
    bench_dir=None,
    workflow_dir=None,
    results_dir: str = "",
    now: dt.datetime | None = None,
    skipped: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the page shows, read from a finished run's files.

    ``inputs``: the run-wide files by name (a dict or ``snakemake.input``): ingest_summary,
    prepare_summary, wordvec_metrics, explanations, explain_figures, bert_summary, and scaling
    (table, slopes, figure) when config report.scaling is set; segments_summary,
    polarity_summary, polarity_figure and polarity_explain when the run has them (the polarity
    section is left out without polarity_summary); aspects and aspects_detail when the run has
    the aspects stage (the aspects section is left out without them). ``kinds``: per kind, in
    the page's order, its files by name (:func:`inputs_by_kind`). ``skipped``: the stages the
    run left out (stage -> why): a corpus without labels' (``sentclust.workflow.label_stages``:
    no network, LIME or probe input then) and the config's (the aspects without segment
    vectors, ``sentclust.aspects.summary.skipped_stages``); the page says why each did not run.
    """
    probes = {kind: _load(files["probe"]) for kind, files in kinds.items() if "probe" in files}
    ctx: dict[str, Any] = {"title": TITLE, "results_dir": results_dir}
    ctx["data"] = data_section(
        _load(inputs["ingest_summary"]), _load_if(inputs.get("prepare_summary"))
    )
    ctx["skipped"], ctx["left_out"] = _split_skipped(skipped)
    ctx["network"] = ctx["lime"] = None
    if inputs.get("wordvec_metrics"):
        ctx["network"] = network_section(_load(inputs["wordvec_metrics"]), probes)
        ctx["lime"] = lime_section(
            _load(inputs["explanations"]),
            inputs["explain_figures"],
            text_polarity(read_json_if(inputs.get("polarity_explain"))),
        )
    ctx["kinds"] = [
        kind_from_files(kind, files, probe=probes.get(kind), explore=explore)
        for kind, files in kinds.items()
    ]
    ctx["polarity"] = polarity_of(inputs, ctx["kinds"])
    ctx["aspects"] = aspects_of(inputs, ctx["kinds"])
    ctx["benchmarks"] = benchmarks_section(bench_dir)
    ctx["scaling"] = scaling_of(inputs.get("scaling"))
    ctx["sections"] = page_sections(
        ctx["scaling"] is not None,
        ctx["polarity"] is not None,
        labels=ctx["network"] is not None,
        aspects=ctx["aspects"] is not None,
        left_out=bool(ctx["left_out"]),
    )
    ctx["provenance"] = provenance_section(
        config, _load_if(inputs.get("bert_summary")) or {}, workflow_dir=workflow_dir, now=now
    )
    ctx["headline"] = headline(ctx)
    return ctx
