# The aspects stage's functions (rules/aspects.smk): its parameters, inputs and outputs.


def aspects_on():
    """Whether the run has BERT segment vectors to cluster (polarity.bert_segments)."""
    return config["polarity"]["bert_segments"] != "off"


def aspects_ks():
    """The aspect counts, in the order of every aspects_files() list."""
    return list(config["aspects"]["k"])


def aspects_files(template):
    """The file ``template`` of every aspect count, in the order of aspects_ks()."""
    return [results(template, k=k) for k in aspects_ks()]


def aspects_fit_params():
    """What changes one aspects_k job's result: the fit sample's cap, the K-means settings and
    the BERT coverage a segment vector needs (not the naming keys: they rerun only the summary).
    """
    return {
        "max_fit_segments": config["aspects"]["max_fit_segments"],
        "kmeans": kmeans_params(),
        "min_coverage": config["polarity"]["min_coverage"],
    }


def aspects_params():
    """What changes the aspects summary's result: the aspects block but its counts (it
    takes them as ks), and what aspects_fit_params() gives (the stability refit uses them).
    """
    return {**result_params(config, "aspects", drop=("k",)), **aspects_fit_params()}


def aspects_manifest_params():
    """What the models' manifest records of the aspects stage (None without it): the BERT
    coverage below which a new text's segment gets no aspect, as the corpus's got none.
    """
    if not aspects_on():
        return None
    return {"min_coverage": config["polarity"]["min_coverage"]}


def aspects_inputs(wildcards):
    """The aspects rule's inputs: the sweep, the segments and their vectors, the reviews, the
    segment scores where the run has labels, and per kind its choice, its fine-grained levels
    (their names and order) and its sweep assignments.
    """
    inputs = {
        "records": aspects_files(L.ASPECTS_RECORD),
        "assignments": aspects_files(L.ASPECTS_ASSIGNMENTS),
        "centres": aspects_files(L.ASPECTS_CENTRES),
        "segments": results(L.SEGMENTS),
        "shards": bert_shard_files(L.SHARD_SEGMENTS),
        "reviews": results(L.REVIEWS),
    }
    if WITH_LABELS:
        inputs["scores"] = results(L.SEGMENT_SCORES)
        for kind in ALL_KINDS:
            inputs[f"{kind}__choice"] = results(L.CHOICE, kind=kind)
            inputs[f"{kind}__finegrained"] = results(L.FINEGRAINED, kind=kind)
            inputs[f"{kind}__assignments"] = [
                results(L.ASSIGNMENTS, kind=kind, k=k) for k in sweep_ks()
            ]
    return inputs


def aspects_outputs():
    """The aspects outputs the analysis waits for (none when the stage is left out)."""
    return [results(L.ASPECTS), results(L.ASPECTS_TABLE)] if aspects_on() else []


if not aspects_on():
    logger.info(
        "aspects: left out (polarity.bert_segments is off: no segment vectors to cluster; "
        "set it to pooled or separate to get them)"
    )
