# The aggregated report: a 2-D projection per kind, then one self-contained HTML page and a
# Markdown summary (the DAG's final node). Outputs marked report() feed `snakemake --report`.


rule projection_2d:
    input:
        embeddings=results(L.EMBEDDINGS),
        # plain paths, not rules.<name>.output: with those Snakemake would tie this job to the
        # producing rules even under --allowed-rules (rebuilding only the report of a run)
        reviews=results(L.REVIEWS),
        choice=results(L.CHOICE),
        assignments=sweep_files(L.ASSIGNMENTS),
        names=results(L.FINEGRAINED_TABLE),
    output:
        figure=report(
            results(L.PROJECTION_FIGURE),
            caption="../report/projection.rst",
            category="4. 2-D projections",
            labels={"kind": "{kind}"},
        ),
        summary=results(L.PROJECTION_INFO),
    log:
        f"{LOGS}/projection_2d/{{kind}}.log",
    benchmark:
        f"{BENCH}/projection_2d/{{kind}}.tsv"
    conda:
        CONDA_CPU
    params:
        report={k: config["report"][k] for k in ("projection", "projection_sample")},
        supervision=supervision_of,
        seed=SEED,
        # the k of each assignments file, in the same order
        ks=sweep_ks(),
    script:
        "../workflow_scripts/projection_2d.py"


rule report:
    input:
        unpack(report_inputs),
        # the aspects section (sentclust.report.aspects): only with the aspects stage
        aspects=report_aspects_file(L.ASPECTS),
        aspects_detail=report_aspects_file(L.ASPECTS_DETAIL),
    output:
        html=report(
            results(L.REPORT_HTML),
            caption="../report/report.rst",
            category="0. Report",
            labels={"file": "report.html"},
        ),
        summary=report(
            results(L.REPORT_SUMMARY),
            caption="../report/summary.rst",
            category="0. Report",
            labels={"file": "summary.md"},
        ),
    log:
        f"{LOGS}/report.log",
    benchmark:
        f"{BENCH}/report.tsv"
    conda:
        CONDA_CPU
    params:
        kinds=ALL_KINDS,
        explore=config["choose_k"]["explore"],
        benchmarks=BENCH,
        config=provenance_config(),
        skipped=report_skipped,
    script:
        "../workflow_scripts/report.py"
