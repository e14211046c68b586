# Placing new reviews on the run's scale: the saved models with their manifest, then one assign
# job per input of config assign.inputs (name -> path). Assigning reads only the saved models and
# the new texts: it never reruns the corpus stages; a changed model or k reruns it.


rule model_manifest:
    input:
        unpack(manifest_inputs),
    output:
        MANIFEST_FILE,
    log:
        f"{LOGS}/model_manifest.log",
    benchmark:
        f"{BENCH}/model_manifest.tsv"
    conda:
        CONDA_CPU
    params:
        run=lambda wildcards, output: run_of(output[0]),
        kinds=embedding_kinds(),
        ks=sweep_ks(),
        prepare=result_params(config, "prepare"),
        encoding=encoding_params(),
        segments=result_params(config, "segments"),
        bert_segments=config["polarity"]["bert_segments"],
    script:
        "../workflow_scripts/model_manifest.py"


rule assign:
    input:
        texts=assign_input,
        manifest=MANIFEST_FILE,
        models=manifest_files,
    output:
        f"{RESULTS}/assign/{{name}}/assignments.parquet",
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
        run=lambda wildcards, input: run_of(input.manifest),
    script:
        "../workflow_scripts/assign.py"
