# Fine-grained sentiment analysis by clustering: the workflow's entry point.
# Run: snakemake --cores N [--configfile config/demo.yaml] [--config key=value ...]
import sys

from snakemake.utils import min_version, validate

min_version("9.0")


# the full analysis, read first; --configfile overlays (config/demo.yaml, config/minilm.yaml) change keys
configfile: f"{workflow.basedir}/config/config.yaml"


validate(config, "config/schema.yaml")
# what the schema cannot express (results_dir, splits, k against the corpus size, ...), checked
# before any job: workflow_scripts/sentclust/workflow/config_checks.py
sys.path.insert(0, f"{workflow.basedir}/workflow_scripts")
from sentclust.workflow.config_checks import ConfigError, check_config

try:
    check_config(config, workflow_dir=workflow.basedir)
except ConfigError as err:
    raise WorkflowError(str(err)) from None


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/aspects_common.smk"
include: "rules/report_common.smk"


# what goes online (README: What goes online, and when): only a hub model download the config
# asks for; no telemetry. Every job inherits these variables; a user's own setting wins.
from sentclust.workflow.offline import set_hub_environment

set_hub_environment(config)


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
include: "rules/aspects.smk"
include: "rules/report.smk"
include: "rules/assign.smk"


rule all:
    default_target: True
    input:
        final_outputs(),
