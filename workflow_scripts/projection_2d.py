"""Rule projection_2d: one kind's embeddings in two dimensions (report.projection: PCA or
UMAP), a seeded sample coloured by cluster (chosen k, clusters named) and by label; the JSON
records the method used."""

import json
from pathlib import Path

from sentclust.files import atomic_path, write_json
from sentclust.report import job
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    kind = sm.wildcards.kind
    cfg = sm.params.report
    k = json.loads(Path(sm.input.choice).read_text())["k"]
    # the sweep's assignments, in the order of params.ks
    assignments = dict(zip(sm.params.ks, sm.input.assignments, strict=True))[k]
    with atomic_path(sm.output.figure) as tmp:
        info = job.draw_projection_2d(
            sm.input.embeddings,
            sm.input.reviews,
            assignments,
            sm.input.names,
            kind=kind,
            k=k,
            sample=cfg["projection_sample"],
            seed=sm.params.seed,
            method=cfg["projection"],
            path=tmp,
        )
    info.update(kind=kind, k=k, supervision=sm.params.supervision)
    write_json(info, sm.output.summary)
    log.info("%s: %s of %d points", kind, info["method"], info["n_points"])
