# Helpers and input functions shared by every rule file.
import os
from pathlib import Path

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
    """Where the download rule puts input_url's file."""
    name = Path(config["input_url"].split("?")[0]).name or "download"
    return f"{DOWNLOAD_DIR}/{name}"


def ingest_input():
    """The ingest rule's input: the local input, or the download rule's output."""
    path = config.get("input_path")
    if path:
        p = Path(path)
        if p.is_dir():
            parquet = sorted(str(f) for f in p.glob("*.parquet"))
            # a folder of Parquet files: depend on the files, so editing one reruns ingest
            return parquet if parquet else [path]
        return [path]
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
    """The network's hyperparameters: everything in `wordvec` but the thread count, so that
    changing threads does not retrain."""
    return {k: v for k, v in config["wordvec"].items() if k != "threads"}


def encoding_params():
    """What changes the BERT embeddings (model, window, long-review mode, precision): a change
    reruns every shard. Execution details (batch size, threads, device) are not in here.
    """
    return {k: v for k, v in config["bert"].items() if k not in ("shards", "runtime")}


def bert_shard_files():
    n = config["bert"]["shards"]
    return [
        f"{RESULTS}/embeddings/bert_shards/shard_{i:03d}_of_{n:03d}.parquet"
        for i in range(n)
    ]


def embedding_kinds():
    """Embedding kinds whose review vectors this workflow computes."""
    return ["wordvec", "bert"]


def final_outputs():
    """Every output the default target builds (grows with each stage)."""
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
    ]
