"""Rule report: the aggregated HTML page and the Markdown summary of the whole run."""

from pathlib import Path

from sentclust.files import write_text
from sentclust.smk import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    import sentclust
    from sentclust import report

    inp = sm.input
    ctx = report.collect(
        ingest_summary=inp.ingest_summary,
        prepare_summary=inp.prepare_summary,
        wordvec_metrics=inp.wordvec_metrics,
        explanations=inp.explanations,
        explain_figures=inp.explain_figures,
        bert_summary=inp.bert_summary,
        scaling=getattr(inp, "scaling", None),  # only when config report.scaling is set
        kinds=sm.params.kinds,
        probes=inp.probes,
        choices=inp.choices,
        sweeps=inp.sweeps,
        figure_dirs=inp.figure_dirs,
        finegrained=inp.finegrained,
        rating_figures=inp.rating_figures,
        projection_figures=inp.projection_figures,
        projection_infos=inp.projection_infos,
        bench_dir=sm.params.benchmarks,
        config=sm.params.config,
        explore=sm.params.explore,
        results_dir=str(Path(sm.output.html).parents[1]),
        # the workflow's own checkout (sentclust lives in workflow_scripts/ under it)
        workflow_dir=Path(sentclust.__file__).resolve().parents[2],
    )
    html = report.render_html(ctx)
    write_text(html, sm.output.html)
    write_text(report.render_summary(ctx), sm.output.summary)
    log.info(
        "report: %d bytes, %d benchmark files", len(html.encode()), ctx["benchmarks"]["n_jobs"]
    )
