# Fine-grained sentiment analysis by clustering: the workflow's entry point.
# Run: snakemake --cores N [--configfile config/demo.yaml] [--config key=value ...]
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "config/schema.yaml")


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/ingest.smk"
include: "rules/prepare.smk"
include: "rules/wordvec.smk"
include: "rules/bert.smk"
include: "rules/cluster.smk"
include: "rules/report.smk"


rule all:
    default_target: True
    input:
        final_outputs(),
