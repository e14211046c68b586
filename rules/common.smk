# Helpers and input functions shared by every rule file.
import os
import sys
from pathlib import Path

# light modules of the sentclust package (workflow_scripts/): the table of run-time-only config
# keys, the naming of per-kind inputs, and which jobs ask for a GPU
sys.path.insert(0, str(Path(workflow.basedir) / "workflow_scripts"))
from sentclust import layout as L
from sentclust.workflow.config_keys import canonical, provenance, result_params
from sentclust.workflow.named_inputs import per_kind_inputs
from sentclust.workflow.gpu import gpu_resources
from sentclust.workflow.label_stages import available_kinds, has_labels, skipped_stages

RESULTS = config["results_dir"].rstrip("/")


def results(template, **wildcards):
    """A path of the results layout (sentclust.layout) in this run's results folder, with
    ``wildcards`` filled in (the others stay Snakemake wildcards)."""
    return f"{RESULTS}/{L.path(template, **wildcards)}"


LOGS = results(L.LOGS)
BENCH = results(L.BENCHMARKS)
SEED = config["seed"]
#: the priority of the BERT encoding jobs and of the segmentation they wait for: above every
#: other rule (score_segments has 10; it can run only once the vectors are gathered)
ENCODE_PRIORITY = 20
# conda environment of the CPU stages (paths are relative to the rule files)
CONDA_CPU = "../envs/cpu.yaml"
# the encoding and K-means rules: the GPU flavour when conda_flavour is gpu
CONDA_GPU_CAPABLE = f"../envs/{config['conda_flavour']}.yaml"


def downloaded_input():
    """Where the download rule puts input_url's file; the download's settings (https, a
    checksum, the size cap) are checked here, before any job starts."""
    from sentclust.ingest.download import DownloadError
    from sentclust.ingest.inputs import check_input_config, download_name

    try:
        check_input_config(config)
    except DownloadError as err:
        raise WorkflowError(str(err)) from None
    # the name comes from the URL's path alone: no user:token@host, ;token=, ?sig=, #sig= parts
    return results(L.DOWNLOAD, name=download_name(config["input_url"]))


def ingest_input():
    """The ingest rule's input: the local input, or the download rule's output."""
    from sentclust.ingest import IngestError
    from sentclust.ingest.inputs import ingest_files

    path = config.get("input_path")
    if path:
        # a folder of Parquet files: depend on the files (not hidden ones, not temporaries), so
        # editing one reruns ingest
        try:
            return ingest_files(path)
        except IngestError as err:
            raise WorkflowError(str(err)) from None
    if config.get("input_url"):
        return [downloaded_input()]
    raise WorkflowError(
        "No input data: set input_path to a local copy of the reviews (Parquet, aclImdb/ "
        "folder, aclImdb_v1.tar.gz or review,sentiment CSV), e.g. "
        "--config input_path=../shared/data/imdb, or set input_url to download the archive."
    )


def planned_labels():
    """given / from_ratings / none: sentclust.ingest.peek.input_labels (column names only); an
    unreadable input stops here, before any job."""
    from sentclust.ingest import IngestError
    from sentclust.ingest.peek import input_labels

    try:
        return input_labels(config)
    except IngestError as err:
        raise WorkflowError(str(err)) from None


def ingest_source(wildcards, input):
    """The path ingest reads: one input file, or the folder that holds the Parquet files."""
    files = list(input)
    return files[0] if len(files) == 1 else os.path.commonpath(files)


def network_params():
    """The network's hyperparameters (run-time-only keys left out: they retrain nothing)."""
    return result_params(config, "wordvec")


def encoding_params():
    """What changes the BERT embeddings (model, window, long-review mode, precision): a change
    reruns every shard. Run-time-only keys (batch sizes, threads, device) are left out.
    """
    # the int8 settings reach the shards through the int8_check rule's outputs (when enabled)
    return result_params(config, "bert", drop=("int8",))


def explain_params():
    """LIME's settings, without the run-time-only batch size."""
    return result_params(config, "explain")


def bert_shard_files(template=L.SHARD):
    """The shard files in order: review vectors (``L.SHARD``) or segment vectors
    (``L.SHARD_SEGMENTS``)."""
    return [results(f) for f in L.shard_files(config["bert"]["shards"], template)]


#: where the labels come from (given / from_ratings / none): without labels the stages of
#: sentclust.workflow.label_stages.NEEDS_LABELS are left out of the DAG
LABELS = planned_labels()
WITH_LABELS = has_labels(LABELS)
SKIPPED_STAGES = skipped_stages(LABELS)
#: raw embedding kinds, and their sentiment-aligned projections (fitted on train labels); a
#: run without labels builds the unsupervised kinds only
ALL_KINDS = available_kinds(config["projection"]["enabled"], LABELS)
RAW_KINDS = [kind for kind in L.RAW_KINDS if kind in ALL_KINDS]
PLS_KINDS = [
    kind for kind in L.pls_kinds(config["projection"]["enabled"]) if kind in ALL_KINDS
]


def supervision_of(wildcards):
    """Whether an embedding kind is unsupervised or used labels (written into its outputs)."""
    return L.SUPERVISION[wildcards.kind]


def gpu_request(rule):
    """A GPU job's SLURM resources, only when the config would use a GPU (see gpu_jobs.py)."""
    return gpu_resources(rule, config)


def kmeans_params():
    """What changes one K-means job's result: not the sweep's list of k, not run-time keys."""
    return result_params(config, "kmeans", drop=("k",))


def sweep_ks():
    """The k of the sweep, in the order of every sweep_files() list: a rule that takes a whole
    sweep gets them as ``params: ks=sweep_ks()`` and zips them with its inputs (k is never
    parsed back out of a path)."""
    return list(config["kmeans"]["k"])


def sweep_files(template):
    """Input function: the file ``template`` (a per-(kind, k) path of sentclust.layout) of
    every k of the sweep, in the order of sweep_ks(), for one kind."""

    def files(wildcards):
        return [results(template, kind=wildcards.kind, k=k) for k in sweep_ks()]

    return files


def analysis_outputs():
    """Every output of the analysis proper: what the report waits for."""
    return [
        *map(results, (L.REVIEWS, L.INGEST_SUMMARY, L.PREPARED, L.PREPARE_SUMMARY)),
        *labelled_outputs(),
        results(L.EMBEDDINGS_SUMMARY, kind="bert"),
        # the shards are targets too: a deleted shard is encoded again, alone
        *bert_shard_files(),
        *(results(L.FINEGRAINED, kind=kind) for kind in ALL_KINDS),
        results(L.SEGMENTS_SUMMARY),
        *(
            map(results, (L.POLARITY_REVIEWS, L.POLARITY_SUMMARY))
            if WITH_LABELS
            else ()
        ),
        *aspects_outputs(),  # rules/aspects.smk (none when polarity.bert_segments is off)
    ]


def labelled_outputs():
    """The analysis outputs that need labels (the network, LIME, the probes): none without."""
    if not WITH_LABELS:
        return []
    return [
        results(L.WORDVEC_METRICS),
        results(L.EMBEDDINGS_SUMMARY, kind="wordvec"),
        results(L.EXPLANATIONS),
        *(results(L.PROBE, kind=kind) for kind in ALL_KINDS),
    ]


def report_inputs(wildcards):
    """The report's named inputs: run-wide files by name, per kind its files named
    ``<kind>__<name>`` (sentclust.report.inputs_by_kind groups them back by kind), and every
    analysis output, so that the report is the last job of the DAG."""
    per_kind = {
        **({"probe": L.PROBE} if WITH_LABELS else {}),
        "choice": L.CHOICE,
        "sweep": L.SWEEP,
        "figures": L.CHOICE_FIGURES,
        "finegrained": L.FINEGRAINED,
        "rating_figure": L.RATING_FIGURE,
        "projection_figure": L.PROJECTION_FIGURE,
        "projection_info": L.PROJECTION_INFO,
    }
    run_wide = {
        "ingest_summary": L.INGEST_SUMMARY,
        "prepare_summary": L.PREPARE_SUMMARY,
        "bert_summary": L.path(L.EMBEDDINGS_SUMMARY, kind="bert"),
        "segments_summary": L.SEGMENTS_SUMMARY,
    }
    if WITH_LABELS:
        run_wide |= {
            "wordvec_metrics": L.WORDVEC_METRICS,
            "explanations": L.EXPLANATIONS,
            "explain_figures": L.EXPLAIN_FIGURES,
            "polarity_summary": L.POLARITY_SUMMARY,
            "polarity_figure": L.POLARITY_FIGURE,
            "polarity_explain": L.POLARITY_TEXTS,
        }
    return {
        **{name: results(template) for name, template in run_wide.items()},
        **per_kind_inputs({n: results(t) for n, t in per_kind.items()}, ALL_KINDS),
        "analysis": analysis_outputs(),
        **scaling_inputs(),
    }


def scaling_inputs():
    """The scaling.py outputs that the report shows when config report.scaling names their folder."""
    folder = config["report"].get("scaling")
    if not folder:
        return {}
    names = ("scaling.tsv", "slopes.tsv", "scaling.png")
    return {"scaling": [os.path.join(folder, name) for name in names]}


def final_outputs():
    """Every output the default target builds: the analysis, then its report, the saved
    models' manifest, and the assignments of config assign.inputs."""
    return [
        *analysis_outputs(),
        results(L.REPORT_HTML),
        results(L.REPORT_SUMMARY),
        results(L.MANIFEST),
        *(results(L.ASSIGNED, name=name) for name in assign_names()),
    ]


def run_of(manifest_path):
    """The run folder of a model manifest (L.MANIFEST inside the results folder)."""
    return str(Path(manifest_path).parents[len(Path(L.MANIFEST).parts) - 1])


def run_of_output(wildcards, output):
    """params: the run folder of the manifest a rule writes (not a hard-coded prefix, which
    Snakemake's linter flags: it breaks without a shared filesystem)."""
    return run_of(output[0])


def run_of_input(wildcards, input):
    """params: the run folder of the manifest a rule reads."""
    return run_of(input.manifest)


def manifest_inputs(wildcards):
    """What places a new text (sentclust.assign.run_models): the network, per kind its levels and
    the centres of every k of the sweep, the PLS parameters, the shard records (how the
    corpus was encoded), the segment scorers, the int8 encoder when enabled, aspects.json and
    every aspect count's centres when the run has the aspects stage."""
    inputs = {
        **labelled_models(),
        "shards": bert_shard_files(),
        "finegrained": [results(L.FINEGRAINED, kind=kind) for kind in ALL_KINDS],
        "centres": [
            results(L.CENTRES, kind=kind, k=k) for kind in ALL_KINDS for k in sweep_ks()
        ],
        "pls": [results(L.PLS_MODEL, raw=raw) for raw in RAW_KINDS if PLS_KINDS],
    }
    if config["bert"]["int8"]["enabled"]:
        inputs["int8_model"] = int8_files()["model"]
        inputs["int8_weights"] = int8_files()["weights"]
    if aspects_on():  # the chosen count is in aspects.json: every count's centres
        inputs["aspects"] = results(L.ASPECTS)
        inputs["aspects_centres"] = aspects_files(L.ASPECTS_CENTRES)
    return inputs


def labelled_models():
    """The saved models trained on labels (the network, the segment scorers): none without."""
    if not WITH_LABELS:
        return {}
    return {"network": results(L.WORDVEC_MODEL), "scorers": results(L.SCORERS)}


def finegrained_polarity_inputs(wildcards):
    """The polarity of reviews and segments that the levels describe: none without labels
    (the polarity models train on them)."""
    if not WITH_LABELS:
        return {}
    return {
        "polarity": results(L.POLARITY_REVIEWS),
        "segment_scores": results(L.SEGMENT_SCORES),
    }


def manifest_files(wildcards):
    """Every model file the manifest lists (an assign job's inputs besides the manifest)."""
    files = manifest_inputs(wildcards)
    return [
        f
        for key, value in files.items()
        if key != "shards"
        for f in ([value] if isinstance(value, str) else value)
    ]


def assign_names():
    """The names of config assign.inputs (each gets assign/<name>/assignments.parquet)."""
    return list((config.get("assign") or {}).get("inputs") or {})


def assign_input(wildcards):
    """The new texts of one assign.inputs name (a file, or a folder of an aclImdb copy)."""
    inputs = config["assign"]["inputs"]
    if wildcards.name not in inputs:
        raise WorkflowError(
            f"assign/{wildcards.name}: no such name in assign.inputs ({', '.join(inputs) or 'none'})"
        )
    return inputs[wildcards.name]


def provenance_config():
    """The config shown in the report, without run-time-only keys: changing those reruns no
    report. ``input_url`` is redacted (a param is stored in .snakemake/metadata)."""
    return provenance(config)


def bert_segments_on():
    """Whether the encode_shard jobs also write BERT segment vectors (polarity.bert_segments)."""
    return config["polarity"]["bert_segments"] != "off"


def bert_segment_files():
    """The per-shard BERT segment vectors, in shard order."""
    return bert_shard_files(L.SHARD_SEGMENTS)


def int8_files():
    """The int8 encoder and its downstream check (rule int8_check)."""
    return {
        "model": results(L.INT8_MODEL),
        "weights": results(L.INT8_WEIGHTS),
        "check": results(L.INT8_CHECK),
    }


def encode_shard_inputs(wildcards):
    """The prepared texts, the segments when segment vectors are asked for, and the int8
    encoder with its check when bert.int8.enabled."""
    inputs = {"prepared": results(L.PREPARED)}
    if bert_segments_on():
        inputs["segments"] = results(L.SEGMENTS)
    if config["bert"]["int8"]["enabled"]:
        files = int8_files()
        inputs |= {"int8_model": files["model"], "int8_check": files["check"]}
    return inputs


def score_segments_inputs(wildcards):
    """The segments, the reviews, the network, and the BERT vectors when that scorer runs."""
    inputs = {
        "segments": results(L.SEGMENTS),
        "reviews": results(L.REVIEWS),
        "model": results(L.WORDVEC_MODEL),
    }
    if bert_segments_on():
        inputs["bert"] = results(L.EMBEDDINGS, kind="bert")
        inputs["bert_segments"] = bert_segment_files()
    if config["polarity"]["scorer"] == "mil":
        inputs["mil"] = results(L.POLARITY_MODEL)
    return inputs


def polarity_texts_inputs(wildcards):
    """The scorers, the network, and the BERT summary when that scorer runs: the explained
    texts are encoded on the backend and precision the run's shards recorded."""
    inputs = {
        "scorers": results(L.SCORERS),
        "model": results(L.WORDVEC_MODEL),
    }
    if bert_segments_on():
        inputs["bert_summary"] = results(L.EMBEDDINGS_SUMMARY, kind="bert")
    return inputs


def polarity_model_inputs(wildcards):
    """The segments, the reviews, the network, and the BERT segment vectors (encoded alone)
    when the polarity model reads them."""
    inputs = {
        "segments": results(L.SEGMENTS),
        "reviews": results(L.REVIEWS),
        "model": results(L.WORDVEC_MODEL),
    }
    if config["polarity"]["mil"]["features"] != "wordvec":
        inputs["bert_segments"] = bert_segment_files()
    return inputs
