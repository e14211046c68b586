"""GPU check: encode all reviews on the GPU with the largest model at hand, run the k-sweep with
the GPU K-means backend that imports, print one table. Runs offline, in well under 8 minutes on one
modern GPU. Called by gpu_check.sh (which sets the environment).

    python tests/benchmarks/gpu_check.py DATA [--k 2-12] [--batch 256] [--json OUT.json]

DATA: the reviews as the ingest stage reads them (e.g. shared/data/imdb with train/test Parquet).
Models tried, largest first by parameter count: the full config's model (from a local copy or the
hub cache), then the bundled all-MiniLM-L6-v2; a model that is not available offline is listed as
skipped with the reason. Encoding uses the stage's own path (``sentclust.encode.encode``, fp16
on CUDA as the stage's ``precision: auto`` does; its cosine to float32 is printed) and, for
comparison, plain ``SentenceTransformer.encode`` on the same reviews. The k-sweep uses
``backend: auto`` (cuML when it imports) with the full config's K-means settings, and the CPU
backend on the same vectors for comparison of inertia and time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

import yaml  # noqa: E402
from bench_kmeans import parse_ks  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data")
    ap.add_argument("--k", default="2-12")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--max-seq-length", type=int, default=None, help="default: the config's")
    ap.add_argument("--n", type=int, default=None, help="a stratified subsample (a quick try)")
    ap.add_argument("--json", help="write the rows here")
    args = ap.parse_args()

    import torch

    from sentclust import cluster, ingest
    from sentclust import encode as enc

    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    rows: list[dict] = []
    gpu = torch.cuda.is_available()
    device = "cuda" if gpu else "cpu"
    name = torch.cuda.get_device_name(0) if gpu else "none"
    print(f"torch {torch.__version__}, CUDA device: {name}", flush=True)

    t0 = time.perf_counter()
    df = ingest.sort_reviews(ingest.read_parquet_input(args.data))
    df = ingest.stratified_subsample(df, args.n, int(cfg["seed"]))
    texts = df["text"].tolist()
    print(f"read {len(texts)} reviews in {time.perf_counter() - t0:.1f} s", flush=True)

    candidates = [cfg["bert"]["model"], "sentence-transformers/all-MiniLM-L6-v2"]
    loaded = []
    for cand in dict.fromkeys(candidates):
        try:
            model = enc.load_model(
                enc.resolve_model(cand, models_dir=cfg["bert"].get("models_dir")), device
            )
        except Exception as e:  # noqa: BLE001 - report why a model is skipped, go on
            print(f"model {cand}: skipped ({type(e).__name__}: {str(e).splitlines()[0]})")
            continue
        params = sum(p.numel() for p in model.parameters())
        loaded.append((params, cand, model))
    if not loaded:
        raise SystemExit("no sentence-transformers model is available offline")
    params, model_name, model = max(loaded, key=lambda t: t[0])
    own = cfg["bert"]["max_seq_length"] if model_name == cfg["bert"]["model"] else None
    max_len = args.max_seq_length or own or model.max_seq_length
    print(f"largest model: {model_name} ({params / 1e6:.1f} M parameters), max_seq {max_len}")

    # the stage's `auto` on CUDA is fp16; its cosine to plain float32 encode is printed below
    precision = "float16" if gpu else "float32"
    t0 = time.perf_counter()
    emb, info = enc.encode(
        model,
        texts,
        max_seq_length=max_len,
        batch_size=args.batch,
        device=device,
        precision=precision,
        progress=False,
    )
    if gpu:
        torch.cuda.synchronize()
    t_stage = time.perf_counter() - t0
    rows.append({"step": f"encode, stage path ({precision})", "seconds": t_stage})
    model.max_seq_length = max_len
    t0 = time.perf_counter()
    plain = model.encode(texts, batch_size=32, convert_to_numpy=True, show_progress_bar=False)
    t_plain = time.perf_counter() - t0
    cos = enc.cosine_rows(emb, plain)
    rows.append({"step": "encode, plain SentenceTransformer.encode", "seconds": t_plain})
    print(
        f"encode {len(texts)}: stage {t_stage:.1f} s ({len(texts) / t_stage:.0f}/s), plain "
        f"{t_plain:.1f} s ({len(texts) / t_plain:.0f}/s); cosine mean {cos.mean():.5f} "
        f"min {cos.min():.5f}",
        flush=True,
    )

    km = cfg["kmeans"]
    settings = dict(
        seed=int(cfg["seed"]),
        n_init=km["n_init"],
        max_iter=km["max_iter"],
        tol=km["tol"],
        screen_sample=km["screen_sample"],
        refine=km["refine"],
    )
    backend = cluster.select_backend("auto")
    cpu_backend = cluster.select_backend("sklearn")
    print(f"k-sweep backend: {backend} (auto); comparison: {cpu_backend}", flush=True)
    print(f"{'k':>3} {backend + ' s':>9} {cpu_backend + ' s':>11} {'inertia ratio':>14}")
    tot = {backend: 0.0, cpu_backend: 0.0}
    for k in parse_ks(args.k):
        g = cluster.kmeans(emb, k, backend=backend, **settings)
        c = cluster.kmeans(emb, k, backend=cpu_backend, **settings)
        tot[backend] += g.seconds
        tot[cpu_backend] += c.seconds
        print(f"{k:>3} {g.seconds:>9.2f} {c.seconds:>11.2f} {g.inertia / c.inertia:>14.5f}")
        rows.append(
            {
                "step": f"kmeans k={k}",
                backend: g.seconds,
                cpu_backend: c.seconds,
                "inertia_ratio": g.inertia / c.inertia,
            }
        )
    print(f"sweep: {backend} {tot[backend]:.1f} s, {cpu_backend} {tot[cpu_backend]:.1f} s")

    print("\n| step | seconds | note |\n| --- | --- | --- |")
    print(f"| encode, stage path | {t_stage:.1f} | {precision}, batch {args.batch}, {device} |")
    print(f"| encode, plain encode | {t_plain:.1f} | float32, batch 32; cos {cos.mean():.5f} |")
    print(f"| k-sweep, {backend} | {tot[backend]:.1f} | k = {args.k}, auto |")
    print(f"| k-sweep, {cpu_backend} (CPU) | {tot[cpu_backend]:.1f} | same settings |")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"device": name, "model": model_name, "n": len(texts), "rows": rows}, indent=2
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
