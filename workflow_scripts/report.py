"""Rule report: the aggregated HTML page and the Markdown summary of the whole run."""

from pathlib import Path

from sentclust.files import write_text
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    import sentclust
    from sentclust.report import job

    html, summary, ctx = job.pages(
        sm.input,  # run-wide inputs by name; scaling only when config report.scaling is set
        sm.params.kinds,
        config=sm.params.config,
        explore=sm.params.explore,
        bench_dir=sm.params.benchmarks,
        results_dir=str(Path(sm.output.html).parents[1]),
        # the workflow's own checkout (sentclust lives in workflow_scripts/ under it)
        workflow_dir=Path(sentclust.__file__).resolve().parents[2],
        # the stages a corpus without labels left out (sentclust.workflow.label_stages)
        skipped=sm.params.skipped,
    )
    write_text(html, sm.output.html)
    write_text(summary, sm.output.summary)
    log.info(
        "report: %d bytes, %d benchmark files", len(html.encode()), ctx["benchmarks"]["n_jobs"]
    )
