# Fine-grained sentiment analysis by clustering: the workflow's entry point.
# Run: snakemake --cores N [--configfile config/demo.yaml] [--config key=value ...]
from snakemake.utils import min_version, validate

min_version("9.0")


# the full analysis, read first; --configfile overlays (config/demo.yaml, config/minilm.yaml) change keys
configfile: f"{workflow.basedir}/config/config.yaml"


validate(config, "config/schema.yaml")


report: "report/workflow.rst"


include: "rules/common.smk"


# one set of wildcard constraints for every rule (the kinds come from common.smk)
wildcard_constraints:
    kind="|".join(ALL_KINDS),
    raw="|".join(RAW_KINDS),
    k=r"\d+",
    shard=r"\d+",
    n=r"\d+",


include: "rules/ingest.smk"
include: "rules/prepare.smk"
include: "rules/wordvec.smk"
include: "rules/bert.smk"
include: "rules/polarity.smk"
include: "rules/cluster.smk"
include: "rules/report.smk"


rule all:
    default_target: True
    input:
        final_outputs(),
