"""Rule assign: new reviews (one assign.inputs entry) placed on the run's scale with its saved
models: one row per review, kind and named k (sentclust.assign.placing)."""

from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    from sentclust.assign import new_texts, placing

    texts = new_texts.from_path(sm.input.texts)
    log.info("%d new texts from %s", len(texts), sm.input.texts)
    placer = placing.Placer(sm.params.run, threads=sm.threads, log=log)
    placed = placer.place(texts)
    placing.write_assignments(placed, sm.output[0])
    chosen = placed[placed["chosen_k"]]
    for kind, group in chosen.groupby("kind", sort=False):
        log.info(
            "%s at k = %d: %s", kind, group["k"].iloc[0], group["name"].value_counts().to_dict()
        )
