# Helpers and input functions shared by every rule file.
import os
import sys
from pathlib import Path

# light modules of the sentclust package (workflow_scripts/): the table of run-time-only config
# keys, the naming of per-kind inputs, and which jobs ask for a GPU
sys.path.insert(0, str(Path(workflow.basedir) / "workflow_scripts"))
from sentclust.workflow.config_keys import canonical, provenance, result_params
from sentclust.workflow.named_inputs import per_kind_inputs
from sentclust.workflow.gpu import gpu_resources

RESULTS = config["results_dir"].rstrip("/")
LOGS = f"{RESULTS}/logs"
BENCH = f"{RESULTS}/benchmarks"
SEED = config["seed"]
# conda environment of the CPU stages (paths are relative to the rule files)
CONDA_CPU = "../envs/cpu.yaml"
# the encoding and K-means rules: the GPU flavour when conda_flavour is gpu
CONDA_GPU_CAPABLE = f"../envs/{config['conda_flavour']}.yaml"
DOWNLOAD_DIR = f"{RESULTS}/downloads"


def downloaded_input():
    """Where the download rule puts input_url's file; the download's settings (https, a
    checksum, the size cap) are checked here, before any job starts."""
    from sentclust.ingest.download import DownloadError
    from sentclust.ingest.inputs import check_input_config

    try:
        check_input_config(config)
    except DownloadError as err:
        raise WorkflowError(str(err)) from None
    name = Path(config["input_url"].split("?")[0]).name or "download"
    return f"{DOWNLOAD_DIR}/{name}"


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


def bert_shard_files(prefix="shard"):
    """The shard files in order: review vectors (``shard``) or segment vectors (``segments``)."""
    n = config["bert"]["shards"]
    return [
        f"{RESULTS}/embeddings/bert_shards/{prefix}_{i:03d}_of_{n:03d}.parquet"
        for i in range(n)
    ]


#: raw embedding kinds, and their sentiment-aligned projections (fitted on train labels)
RAW_KINDS = ["wordvec", "bert"]
PLS_KINDS = (
    [f"{kind}_pls" for kind in RAW_KINDS] if config["projection"]["enabled"] else []
)
ALL_KINDS = RAW_KINDS + PLS_KINDS
SUPERVISION = {
    "wordvec": "used labels: the network's embedding layer, trained on train-split labels",
    "bert": "unsupervised: a pre-trained sentence-transformers model, no labels",
    "wordvec_pls": "used labels: PLS projection of wordvec fitted on train-split labels",
    "bert_pls": "used labels: PLS projection of bert fitted on train-split labels",
}


def embedding_kinds():
    """Every embedding kind this workflow computes (raw and projected)."""
    return ALL_KINDS


def supervision_of(wildcards):
    """Whether an embedding kind is unsupervised or used labels (written into its outputs)."""
    return SUPERVISION[wildcards.kind]


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


def sweep_files(name):
    """Input function: ``name`` of every k of the sweep (in the order of sweep_ks()), for one
    kind."""

    def files(wildcards):
        return [f"{RESULTS}/clusters/{wildcards.kind}/k{k}/{name}" for k in sweep_ks()]

    return files


def analysis_outputs():
    """Every output of the analysis proper: what the report waits for."""
    return [
        f"{RESULTS}/data/reviews.parquet",
        f"{RESULTS}/data/ingest_summary.json",
        f"{RESULTS}/data/prepared.parquet",
        f"{RESULTS}/data/prepare_summary.json",
        f"{RESULTS}/wordvec/metrics.json",
        f"{RESULTS}/embeddings/wordvec_summary.json",
        f"{RESULTS}/explain/explanations.json",
        f"{RESULTS}/embeddings/bert_summary.json",
        # the shards are targets too: a deleted shard is encoded again, alone
        *bert_shard_files(),
        *(f"{RESULTS}/probe/{kind}.json" for kind in embedding_kinds()),
        *(f"{RESULTS}/clusters/{kind}/finegrained.json" for kind in embedding_kinds()),
        f"{RESULTS}/segments/summary.json",
        f"{RESULTS}/polarity/reviews.parquet",
        f"{RESULTS}/polarity/summary.json",
    ]


REPORT_DIR = f"{RESULTS}/report"


def report_inputs(wildcards):
    """The report's named inputs: run-wide files by name, per kind its files named
    ``<kind>__<name>`` (sentclust.report.inputs_by_kind groups them back by kind), and every
    analysis output, so that the report is the last job of the DAG."""
    per_kind = {
        "probe": f"{RESULTS}/probe/{{kind}}.json",
        "choice": f"{RESULTS}/clusters/{{kind}}/choice.json",
        "sweep": f"{RESULTS}/clusters/{{kind}}/k_sweep.tsv",
        "figures": f"{RESULTS}/clusters/{{kind}}/figures",
        "finegrained": f"{RESULTS}/clusters/{{kind}}/finegrained.json",
        "rating_figure": f"{RESULTS}/clusters/{{kind}}/rating_by_cluster.png",
        "projection_figure": f"{REPORT_DIR}/projection/{{kind}}.png",
        "projection_info": f"{REPORT_DIR}/projection/{{kind}}.json",
    }
    return {
        "ingest_summary": f"{RESULTS}/data/ingest_summary.json",
        "prepare_summary": f"{RESULTS}/data/prepare_summary.json",
        "wordvec_metrics": f"{RESULTS}/wordvec/metrics.json",
        "explanations": f"{RESULTS}/explain/explanations.json",
        "explain_figures": f"{RESULTS}/explain/figures",
        "bert_summary": f"{RESULTS}/embeddings/bert_summary.json",
        "segments_summary": f"{RESULTS}/segments/summary.json",
        "polarity_summary": f"{RESULTS}/polarity/summary.json",
        "polarity_figure": f"{RESULTS}/polarity/by_rating.png",
        "polarity_explain": f"{RESULTS}/polarity/explain_texts.json",
        **per_kind_inputs(per_kind, ALL_KINDS),
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
        f"{REPORT_DIR}/report.html",
        f"{REPORT_DIR}/summary.md",
        MANIFEST_FILE,
        *(f"{RESULTS}/assign/{name}/assignments.parquet" for name in assign_names()),
    ]


#: the run's model manifest (sentclust.assign.manifest.MANIFEST inside the results folder)
MANIFEST_FILE = f"{RESULTS}/model/manifest.json"


def run_of(manifest_path):
    """The run folder of a model manifest (MANIFEST_FILE's results folder)."""
    return str(Path(manifest_path).parent.parent)


def manifest_inputs(wildcards):
    """What places a new text (sentclust.assign.run_models): the network, per kind its levels and
    the centres of every k of the sweep, the PLS parameters, the shard records (how the
    corpus was encoded), the segment scorers, the int8 encoder when enabled."""
    from sentclust.assign.run_models import (
        SCORERS,
        WORDVEC_MODEL,
        centres_path,
        finegrained_path,
        pls_path,
    )

    inputs = {
        "network": f"{RESULTS}/{WORDVEC_MODEL}",
        "scorers": f"{RESULTS}/{SCORERS}",
        "shards": bert_shard_files(),
        "finegrained": [f"{RESULTS}/{finegrained_path(kind)}" for kind in ALL_KINDS],
        "centres": [
            f"{RESULTS}/{centres_path(kind, k)}"
            for kind in ALL_KINDS
            for k in sweep_ks()
        ],
        "pls": [f"{RESULTS}/{pls_path(raw)}" for raw in RAW_KINDS if PLS_KINDS],
    }
    if config["bert"]["int8"]["enabled"]:
        inputs["int8_model"] = int8_files()["model"]
        inputs["int8_weights"] = int8_files()["weights"]
    return inputs


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
    report."""
    return provenance(config)


def bert_segments_on():
    """Whether the encode_shard jobs also write BERT segment vectors (polarity.bert_segments)."""
    return config["polarity"]["bert_segments"] != "off"


def bert_segment_files():
    """The per-shard BERT segment vectors, in shard order."""
    return bert_shard_files("segments")


def int8_files():
    """The int8 encoder and its downstream check (rule int8_check)."""
    from sentclust.assign.run_models import INT8_FILES

    model, weights = INT8_FILES
    return {
        "model": f"{RESULTS}/{model}",
        "weights": f"{RESULTS}/{weights}",
        "check": f"{RESULTS}/{Path(model).parent}/check.json",
    }


def encode_shard_inputs(wildcards):
    """The prepared texts, the segments when segment vectors are asked for, and the int8
    encoder with its check when bert.int8.enabled."""
    inputs = {"prepared": f"{RESULTS}/data/prepared.parquet"}
    if bert_segments_on():
        inputs["segments"] = f"{RESULTS}/segments/segments.parquet"
    if config["bert"]["int8"]["enabled"]:
        files = int8_files()
        inputs |= {"int8_model": files["model"], "int8_check": files["check"]}
    return inputs


def score_segments_inputs(wildcards):
    """The segments, the reviews, the network, and the BERT vectors when that scorer runs."""
    inputs = {
        "segments": f"{RESULTS}/segments/segments.parquet",
        "reviews": f"{RESULTS}/data/reviews.parquet",
        "model": f"{RESULTS}/wordvec/model.keras",
    }
    if bert_segments_on():
        inputs["bert"] = f"{RESULTS}/embeddings/bert.parquet"
        inputs["bert_segments"] = bert_segment_files()
    return inputs
