"""Rule choose_k: one kind's k-sweep table, the choice of k, its figures (elbow, overlap)."""

from sentclust.cluster import job
from sentclust.cluster.choice import write_sweep_table
from sentclust.files import write_json
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    choice, table = job.choose_k(
        sm.input.metrics,
        sm.input.by_label,
        sm.input.by_rating,
        criterion=sm.params.criterion,
        kind=sm.wildcards.kind,
        supervision=sm.params.supervision,
        ks=sm.params.ks,
        figures=sm.output.figures,
    )
    log.info("%s: chosen k=%s (%s)", sm.wildcards.kind, choice["k"], choice["rule"])
    write_sweep_table(table, sm.output.table)
    write_json(choice, sm.output.choice)
