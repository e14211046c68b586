"""The aggregated report (rules/report.smk: rules projection_2d and report): one
self-contained HTML page and a Markdown summary of a run.

:func:`inputs_by_kind` groups the rule's named inputs by embedding kind, :func:`collect` reads a
finished run's outputs into a plain dictionary (figures become base64 PNG data URIs),
:func:`render_html` and :func:`render_summary` turn that dictionary into the page and the
summary. The page is rendered by Jinja2 with autoescaping on: review texts, cluster terms and
config values are always text, never markup. The page has no scripts, fetches nothing (a
Content-Security-Policy forbids it) and uses the system's fonts.

Modules, one purpose each:

- :mod:`.job`: the rules' work: one kind's 2-D projection drawn, the page and the summary;
- :mod:`.collect`: a finished run read into what the page shows;
- :mod:`.sections`: the run-wide sections (data, the network, LIME, the headline);
- :mod:`.kinds`: one embedding kind's section (choice of k, sweep, overlaps, levels);
- :mod:`.polarity`: polarity inside reviews (segments coloured by polarity, dual polarity by
  rating);
- :mod:`.aspects`: what reviewers praise and pan (the aspects stage: aspect table, level x
  aspect heatmaps with example segments, comparisons, quality; ``templates/aspects.html.j2``);
- :mod:`.projection`: the 2-D projection (PCA or UMAP) of a seeded sample;
- :mod:`.benchmarks`: Snakemake's benchmark files, per job and per rule;
- :mod:`.scaling`: the optional scaling-with-corpus-size section;
- :mod:`.provenance`: git commit, package versions, config (credentials removed), encoding;
- :mod:`.render`: the page (Jinja2, ``templates/``) and the Markdown summary;
- :mod:`.format`: values as shown (data URIs, numbers, durations, cells).
"""

from sentclust.workflow.named_inputs import KIND_SEP, inputs_by_kind, per_kind_inputs

from .aspects import ASPECTS_SECTION, aspects_of, aspects_section
from .benchmarks import (
    BENCHMARK_COLUMNS,
    benchmark_summary,
    benchmarks_section,
    empty_benchmarks,
    read_benchmarks,
)
from .collect import TITLE, collect, kind_from_files
from .format import SENTIMENT, data_uri, figure_uri, file_uri, finite, fmt, hms, md_cell, pct
from .kinds import SWEEP_COLUMNS, kind_section
from .polarity import (
    POLARITY_SECTION,
    polarity_of,
    polarity_section,
    segment_view,
    text_polarity,
)
from .provenance import PROVENANCE_PACKAGES, encoding_note, git_info, provenance_section
from .render import (
    SCALING_SECTION,
    SECTIONS,
    TEMPLATES,
    page_sections,
    render_html,
    render_summary,
)
from .scaling import SCALING_TARGET, scaling_of, scaling_section
from .sections import data_section, headline, highlight_segments, lime_section, network_section

__all__ = [
    "ASPECTS_SECTION",
    "BENCHMARK_COLUMNS",
    "KIND_SEP",
    "POLARITY_SECTION",
    "PROVENANCE_PACKAGES",
    "SCALING_SECTION",
    "SCALING_TARGET",
    "SECTIONS",
    "SENTIMENT",
    "SWEEP_COLUMNS",
    "TEMPLATES",
    "TITLE",
    "aspects_of",
    "aspects_section",
    "benchmark_summary",
    "benchmarks_section",
    "collect",
    "data_section",
    "data_uri",
    "empty_benchmarks",
    "encoding_note",
    "figure_uri",
    "file_uri",
    "finite",
    "fmt",
    "git_info",
    "headline",
    "highlight_segments",
    "hms",
    "inputs_by_kind",
    "kind_from_files",
    "kind_section",
    "lime_section",
    "md_cell",
    "network_section",
    "page_sections",
    "pct",
    "per_kind_inputs",
    "polarity_of",
    "polarity_section",
    "provenance_section",
    "read_benchmarks",
    "render_html",
    "render_summary",
    "scaling_of",
    "scaling_section",
    "segment_view",
    "text_polarity",
]
