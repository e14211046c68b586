"""The Snakemake glue (Snakefile, rules/common.smk and every rule script): what the workflow
needs from Python before and around the stages' own work.

Modules, one purpose each:

- :mod:`.logged`: :func:`~.logged.logged`, the context every rule script runs in: everything it
  prints goes to the rule's log, a failure ends the job with one clear message;
- :mod:`.config_keys`: the one table of run-time-only config keys, and the ``params:`` and
  provenance built without them (changing one reruns nothing);
- :mod:`.config_checks`: what the schema cannot express, checked before any job
  (:func:`~.config_checks.check_config`);
- :mod:`.gpu`: which rules use a GPU under the config, and their SLURM resources;
- :mod:`.offline`: what goes online (the hub only for a model the config asks for and this
  machine lacks) and no telemetry, set before any job;
- :mod:`.named_inputs`: per-kind named inputs for the report rule, flat for Snakemake and
  grouped back by kind;
- :mod:`.label_stages`: the one table of stages that need labels (stage -> why), and the kinds
  a run without labels keeps.

The package imports nothing itself: the Snakefile imports the light modules it needs while it
parses, and every job imports :mod:`.logged` first.
"""

__all__ = [
    "config_checks",
    "config_keys",
    "gpu",
    "label_stages",
    "logged",
    "named_inputs",
    "offline",
]
