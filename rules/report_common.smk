# The report rule's functions (rules/report.smk): its aspects inputs and its skipped stages.
from sentclust.aspects.summary import skipped_stages as aspects_skipped


def report_aspects_file(template):
    """Input function: the aspects output ``template`` for the report, only when the aspects
    stage is on (aspects_on(), rules/aspects_common.smk); none otherwise."""

    def files(wildcards):
        return results(template) if aspects_on() else []

    return files


def report_skipped(wildcards):
    """The stages the report lists as skipped (stage -> why): those a corpus without labels
    leaves out, and the aspects when polarity.bert_segments is off."""
    return {**SKIPPED_STAGES, **aspects_skipped(config["polarity"]["bert_segments"])}
