# Placing new reviews on the run's scale: the saved models with their manifest, then one assign
# job per input of config assign.inputs (name -> path). Assigning reads only the saved models and
# the new texts: it never reruns the corpus stages; a changed model or k reruns it. With the
# aspects stage, the manifest lists aspects.json and the chosen count's centres, and each
# segment of a new text gets its aspect (assign/<name>/segments.parquet).


rule model_manifest:
    input:
        unpack(manifest_inputs),
    output:
        results(L.MANIFEST),
    log:
        f"{LOGS}/model_manifest.log",
    benchmark:
        f"{BENCH}/model_manifest.tsv"
    conda:
        CONDA_CPU
    params:
        run=run_of_output,
        kinds=ALL_KINDS,
        ks=sweep_ks(),
        prepare=result_params(config, "prepare"),
        encoding=encoding_params(),
        segments=result_params(config, "segments"),
        bert_segments=config["polarity"]["bert_segments"],
        skipped=SKIPPED_STAGES,
        aspects=aspects_manifest_params(),
    script:
        "../workflow_scripts/model_manifest.py"


rule assign:
    input:
        texts=assign_input,
        manifest=rules.model_manifest.output[0],
        models=manifest_files,
    output:
        assignments=results(L.ASSIGNED),
        segments=results(L.ASSIGNED_SEGMENTS),
    log:
        f"{LOGS}/assign/{{name}}.log",
    benchmark:
        f"{BENCH}/assign/{{name}}.tsv"
    wildcard_constraints:
        name=r"[^/]+",  # one folder; the schema checks the names of assign.inputs
    conda:
        CONDA_GPU_CAPABLE
    threads: config["bert"]["runtime"]["threads"]
    params:
        run=run_of_input,
    script:
        "../workflow_scripts/assign.py"
