"""One home for the results layout (sentclust.layout): the workflow's jobs write exactly its paths.

A dry run of the demo config (int8 and an assign input on, so that every optional output is in
the DAG) lists every job's outputs. Each output must be a path of the layout (matched by exactly
one template), every template must be written by some job, and every file a finished run's
readers open (the model manifest's list, sentclust.assign.run_models) must be among the outputs.
A rule whose output is renamed without the layout, or a reader that looks elsewhere, fails here
before any run.
"""

import re

import pytest

from conftest import DEMO_REVIEWS, run_snakemake, write_config
from sentclust import layout as L
from sentclust.assign import run_models

pytestmark = pytest.mark.workflow

KINDS = L.kinds(True)
KS = [2, 3]
#: templates that only some inputs need: the download (only without a local copy)
OPTIONAL = {"DOWNLOAD"}


def dry_run_outputs(tmp_path) -> list[str]:
    cfg = write_config(
        tmp_path / "demo.yaml",
        kmeans={"k": KS},
        choose_k={"explore": []},
        bert={"int8": {"enabled": True}},
        assign={"inputs": {"mine": str(DEMO_REVIEWS)}},
    )
    r = run_snakemake(tmp_path, "-n", "--configfile", str(cfg))
    assert r.returncode == 0, r.stderr[-3000:]
    found = re.findall(r"^\s+output: (.+)$", r.stdout, flags=re.MULTILINE)
    assert found, r.stdout[-3000:]
    return [p for line in found for p in line.split(", ")]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    paths = dry_run_outputs(tmp_path_factory.mktemp("layout"))
    assert all(p.startswith("results/") for p in paths), paths
    return sorted(p.removeprefix("results/") for p in paths)


def test_every_output_of_the_dag_is_a_path_of_the_layout(outputs):
    templates = L.templates()
    unknown, ambiguous = [], []
    for path in outputs:
        names = [n for n, t in templates.items() if L.pattern(t).match(path)]
        if not names:
            unknown.append(path)
        elif len(names) > 1:
            ambiguous.append((path, names))
    assert unknown == [], "outputs that sentclust.layout does not know"
    assert ambiguous == []


def test_every_template_of_the_layout_is_written(outputs):
    unwritten = [
        name
        for name, template in L.templates().items()
        if name not in OPTIONAL and not any(L.pattern(template).match(p) for p in outputs)
    ]
    assert unwritten == [], "templates no job writes"


def test_what_a_finished_run_reads_is_what_the_workflow_writes(outputs):
    about = run_models.about_document(
        kinds=KINDS,
        ks=KS,
        prepare={"lowercase": True, "unicode_form": "NFKC"},
        bert={"int8": {"model": L.INT8_MODEL, "weights": L.INT8_WEIGHTS}},
        polarity={"scorers": L.SCORERS, "segments": {}, "bert_segments": "pooled"},
    )
    missing = sorted(set(run_models.model_files(about)) - set(outputs))
    assert missing == []
    assert L.MANIFEST in outputs and L.path(L.ASSIGNED, name="mine") in outputs
