"""New reviews placed with a GPU's reduced precision on a run encoded on a CPU: how many move?

A run encoded on one machine and new texts encoded on another (a GPU node, fp16) are not the same
numbers: reviews near a boundary between two clusters can move. This measures it on the lent GPU
machine (no TensorFlow, Snakemake or OpenVINO there: the BERT kinds only).

    # here: the run's BERT centres, PLS parameters, N of its reviews and their clusters, the model
    .venv/bin/python tests/benchmarks/gpu_assign.py bundle --run results/full --n 5000
    # there (device tool, carry=["results/gpu_assign"]), or here on the CPU with --dry-run
    python tests/benchmarks/gpu_assign.py check --bundle results/gpu_assign --out "$OUT"

The check encodes the bundle's reviews as the run did (mode, window) with CUDA fp16 autocast and
with CUDA float32, places them on ``bert`` and ``bert_pls`` at every named k (the saved PLS
parameters, the nearest saved centre) and prints per (path, kind, k) the share in the run's
cluster and the margins of those that moved. The model travels as float16 weights (the
``gpu_bundle.py`` copy; cosine to the float32 weights 0.9999995), which both GPU rows share.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

KINDS = ("bert", "bert_pls")


def bundle(run: Path, n: int, out: Path, seed: int) -> dict:
    """Write the bundle (at most ~55 MiB) under ``out``; its description."""
    from gpu_bundle import packaged_model_dir, write_fp16_model

    from sentclust.assign.run_models import centres_path, open_run

    models = open_run(run)
    bert = models.about["bert"]
    if out.exists():
        shutil.rmtree(out)
    (out / "centres").mkdir(parents=True)
    model_bytes = write_fp16_model(packaged_model_dir(), out / "model")
    prepared = pd.read_parquet(run / "data/prepared.parquet", columns=["review_id", "clean_text"])
    sample = prepared.sample(min(n, len(prepared)), random_state=seed).reset_index(drop=True)
    sample.to_parquet(out / "reviews.parquet", compression="zstd")
    rows, ks = [], {}
    for kind in KINDS:
        ks[kind] = {"named": models.named_ks(kind), "chosen": models.chosen_k(kind)}
        for k in ks[kind]["named"]:
            shutil.copy(run / centres_path(kind, k), out / "centres" / f"{kind}_k{k}.npz")
            saved = pd.read_parquet(run / f"clusters/{kind}/k{k}/assignments.parquet")
            got = sample[["review_id"]].merge(saved[["review_id", "cluster"]], on="review_id")
            rows.append(got.assign(kind=kind, k=k))
    pd.concat(rows).to_parquet(out / "assignments.parquet")
    shutil.copy(run / models.about["kinds"]["bert_pls"]["pls"], out / "bert_pls_model.npz")
    about = {
        "run": str(run),
        "reviews": len(sample),
        "model_bytes": model_bytes,
        "encoding": bert["encoding"],
        "run_encoded_with": {k: bert[k] for k in ("device", "backend", "precision")},
        "ks": ks,
    }
    (out / "bundle.json").write_text(json.dumps(about, indent=2) + "\n")
    return about


def encode_all(folder: Path, texts: list[str], enc: dict, device: str, precision: str):
    """(vectors, seconds) of ``texts`` with the bundle's model on ``device``."""
    import torch

    from sentclust.bert.encode import encode
    from sentclust.bert.models import ResolvedModel, load_model

    model = load_model(ResolvedModel("bundle", str(folder), "bundle"), device).float()
    batch = 256 if device == "cuda" else 16
    kw = dict(mode=enc["mode"], max_seq_length=enc["max_seq_length"], batch_size=batch)
    encode(model, texts[:8], device=device, precision=precision, progress=False, **kw)  # warm-up
    if device == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    vectors, _ = encode(model, texts, device=device, precision=precision, progress=False, **kw)
    return vectors, time.perf_counter() - t0


def check(folder: Path, out: Path, dry_run: bool) -> pd.DataFrame:
    import torch

    from sentclust.cluster.model import KMeansModel
    from sentclust.cluster.pls import PLSProjection

    about = json.loads((folder / "bundle.json").read_text())
    reviews = pd.read_parquet(folder / "reviews.parquet")
    if dry_run:
        reviews = reviews.head(200)
    run_clusters = pd.read_parquet(folder / "assignments.parquet")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    paths = [("float16", "cuda float16 autocast"), ("float32", "cuda float32")]
    if device == "cpu":
        paths = [("float32", "cpu float32 (dry run)")]
    pls = PLSProjection.load(folder / "bert_pls_model.npz")
    texts = reviews["clean_text"].tolist()
    rows = []
    for precision, name in paths:
        x, seconds = encode_all(folder / "model", texts, about["encoding"], device, precision)
        for kind in KINDS:
            v = pls.transform(x) if kind == "bert_pls" else x
            for k in about["ks"][kind]["named"]:
                model = KMeansModel.load(folder / "centres" / f"{kind}_k{k}.npz")
                cluster, _, margin = model.assign(v)
                want = run_clusters[(run_clusters["kind"] == kind) & (run_clusters["k"] == k)]
                want = want.set_index("review_id").loc[reviews["review_id"], "cluster"].to_numpy()
                moved = cluster != want
                rows.append({
                    "path": name, "kind": kind, "k": k,
                    "chosen": k == about["ks"][kind]["chosen"], "reviews": len(texts),
                    "in_run_cluster": round(float(1 - moved.mean()), 6),
                    "moved": int(moved.sum()),
                    "moved_margins": [round(float(m), 5) for m in np.sort(margin[moved])][:20],
                    "encode_s": round(seconds, 2),
                })  # fmt: skip
    table = pd.DataFrame(rows)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "gpu_assign.tsv", sep="\t", index=False)
    gpu = torch.cuda.get_device_name(0) if device == "cuda" else "none (CPU)"
    doc = {"gpu": gpu, "torch": torch.__version__, "bundle": about, "rows": rows}
    (out / "gpu_assign.json").write_text(json.dumps(doc, indent=2) + "\n")
    print(f"GPU: {gpu}; torch {torch.__version__}; run {about['run']} encoded with "
          f"{about['run_encoded_with']}")  # fmt: skip
    print(table.to_string(index=False))
    return table


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bundle")
    b.add_argument("--run", type=Path, required=True)
    b.add_argument("--n", type=int, default=5000)
    b.add_argument("--out", type=Path, default=ROOT / "results" / "gpu_assign")
    b.add_argument("--seed", type=int, default=11)
    c = sub.add_parser("check")
    c.add_argument("--bundle", type=Path, default=ROOT / "results" / "gpu_assign")
    c.add_argument("--out", type=Path, default=ROOT / "results" / "gpu_assign_check")
    c.add_argument("--dry-run", action="store_true", help="200 reviews, any device")
    args = ap.parse_args(argv)
    if args.cmd == "bundle":
        print(json.dumps(bundle(args.run, args.n, args.out, args.seed), indent=2))
    else:
        check(args.bundle, args.out, args.dry_run)


if __name__ == "__main__":
    main()
