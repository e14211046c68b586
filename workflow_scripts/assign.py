"""Rule assign: new reviews (one assign.inputs entry) placed on the run's scale with its saved
models: one row per review, kind and named k (sentclust.assign.placing), and one row per segment
with its aspect, polarity and comparisons (sentclust.assign.segment_aspects)."""

from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    from sentclust.assign import job
    from sentclust.assign.placing import write_assignments
    from sentclust.assign.segment_aspects import write_segments

    placed, segments = job.place_input(sm.input.texts, sm.params.run, threads=sm.threads, log=log)
    write_assignments(placed, sm.output.assignments)
    write_segments(segments, sm.output.segments)
