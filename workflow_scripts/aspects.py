"""Rule aspects: the aspect count chosen from the sweep, the aspects named, their polarity per
aspect and per fine-grained level x aspect (without labels: counts and names only)."""

from pathlib import Path

from sentclust.aspects import job
from sentclust.files import write_json
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    Path(sm.output.detail).mkdir(parents=True, exist_ok=True)
    doc, table = job.summarise(
        dict(sm.input.items()),
        ks=sm.params.ks,
        sweep_ks=sm.params.sweep_ks,
        params=sm.params.aspects,
        kinds=sm.params.kinds,
        seed=sm.params.seed,
        min_words=sm.params.min_words,
        out_dir=sm.output.detail,
    )
    table.to_parquet(sm.output.table)
    write_json(doc, sm.output.json)
