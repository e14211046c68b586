# The aggregated report: a 2-D projection per kind, then one self-contained HTML page and a
# Markdown summary (the DAG's final node). Outputs marked report() feed `snakemake --report`.


rule projection_2d:
    input:
        embeddings=f"{RESULTS}/embeddings/{{kind}}.parquet",
        # plain paths, not rules.<name>.output: with those Snakemake would tie this job to the
        # producing rules even under --allowed-rules (rebuilding only the report of a run)
        reviews=f"{RESULTS}/data/reviews.parquet",
        choice=f"{RESULTS}/clusters/{{kind}}/choice.json",
        assignments=sweep_files("assignments.parquet"),
        names=f"{RESULTS}/clusters/{{kind}}/finegrained.parquet",
    output:
        figure=report(
            f"{RESULTS}/report/projection/{{kind}}.png",
            caption="../report/projection.rst",
            category="4. 2-D projections",
            labels={"kind": "{kind}"},
        ),
        summary=f"{RESULTS}/report/projection/{{kind}}.json",
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
    output:
        html=report(
            f"{RESULTS}/report/report.html",
            caption="../report/report.rst",
            category="0. Report",
            labels={"file": "report.html"},
        ),
        summary=report(
            f"{RESULTS}/report/summary.md",
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
    script:
        "../workflow_scripts/report.py"
