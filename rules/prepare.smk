# Text preparation: tags, entities, unicode, whitespace, NLTK tokens (no stop-word removal).


rule prepare:
    input:
        reviews=rules.ingest.output.reviews,
    output:
        prepared=results(L.PREPARED),
        summary=results(L.PREPARE_SUMMARY),
    log:
        f"{LOGS}/prepare.log",
    benchmark:
        f"{BENCH}/prepare.tsv"
    conda:
        CONDA_CPU
    threads: config["prepare"]["threads"]
    params:
        lowercase=config["prepare"]["lowercase"],
        unicode_form=config["prepare"]["unicode_form"],
    script:
        "../workflow_scripts/prepare.py"
