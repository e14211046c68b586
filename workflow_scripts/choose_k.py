"""Rule choose_k: one kind's k-sweep table, the choice of k, its figures (elbow, overlap)."""

from sentclust.cluster import choice as k_choice
from sentclust.files import write_json
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    kind = sm.wildcards.kind
    table = k_choice.sweep_table(sm.input.metrics)
    choice = k_choice.choose_k(table, sm.params.criterion)
    choice.update(kind=kind, supervision=sm.params.supervision)
    log.info("%s: chosen k=%s (%s)", kind, choice["k"], choice["rule"])
    k_choice.write_sweep_table(table, sm.output.table)
    choice["figures"] = k_choice.write_figures(
        sm.output.figures,
        table,
        choice,
        kind=kind,
        ks=sm.params.ks,
        by_label=sm.input.by_label,
        by_rating=sm.input.by_rating,
    )
    write_json(choice, sm.output.choice)
