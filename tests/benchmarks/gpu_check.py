"""GPU check: the encode stage and the PyTorch K-means backend on one GPU, offline; one table.

    python tests/benchmarks/gpu_check.py [--bundle results/gpu_bundle] [--dry-run] [--out DIR]

Called by gpu_check.sh (which sets the offline environment and the time limit). Reads the bundle
that gpu_bundle.py prepares (all-MiniLM-L6-v2 with float16 weights, a stratified subset of cleaned
reviews, the config's settings) and measures, on all of the bundle's reviews (about 26,900; caps
``--n-encode`` and ``--n-sweep``):

- reviews/s of the stage's encode (``sentclust.bert.encode.encode``: sorted batches of the config's
  GPU batch size, fp16 autocast on CUDA as ``precision: auto`` runs it) against plain
  ``SentenceTransformer.encode`` (float32, its default batch of 32), and the mean/min cosine
  between the two (fp16 against float32; both truncate at the config's max_seq_length);
- the k-sweep on the stage's vectors: ``fit_torch`` (the ``torch`` backend, CUDA) against
  scikit-learn's ``KMeans(algorithm="lloyd")`` with the same seed, n_init (3 by default; the two
  seed their restarts differently: inertias differ by the seed-to-seed spread), max_iter and tol:
  seconds, inertia, relative inertia difference; then both from the same initial centres
  (the parity the unit tests check on the CPU) and torch run twice (determinism);
- peak GPU memory (``torch.cuda.max_memory_allocated``) of each part.

The table is printed and written as TSV and JSON under ``--out`` (default ``$OUT`` when set, else
results/gpu_check). ``--dry-run`` runs the whole check on 200 reviews (on the CPU here, float32
where fp16 needs CUDA); without a bundle it falls back to the packaged model and the demo sample.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

COLUMNS = ("step", "ours", "reference", "ratio", "inertia_ours", "inertia_ref", "rel_diff", "note")
GIB = 1 << 30


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bundle", type=Path, default=ROOT / "results" / "gpu_bundle")
    ap.add_argument("--dry-run", action="store_true", help="200 reviews; any device")
    default_out = Path(os.environ["OUT"]) if os.environ.get("OUT") else None
    ap.add_argument("--out", type=Path, default=default_out or ROOT / "results" / "gpu_check")
    ap.add_argument("--n-encode", type=int, default=30000, help="reviews to encode (cap)")
    ap.add_argument("--n-sweep", type=int, default=30000, help="vectors for the k-sweep (cap)")
    ap.add_argument("--ks", default="2-12", help="the k range, LO-HI")
    ap.add_argument("--n-init", type=int, default=3, help="restarts, both backends")
    ap.add_argument("--plain-batch", type=int, default=32)
    ap.add_argument("--budget-s", type=float, default=400, help="no new k after this many s")
    args = ap.parse_args(argv)
    if args.dry_run:
        args.n_encode, args.n_sweep = min(args.n_encode, 200), min(args.n_sweep, 200)
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def row(step: str, **values) -> dict:
    return {c: values.get(c, "") for c in COLUMNS} | {"step": step}


def open_bundle(path: Path, dry_run: bool) -> tuple[Path, list[str], dict, str]:
    """(model folder, cleaned review texts, settings, where they came from)."""
    import pandas as pd

    manifest = path / "manifest.json"
    if manifest.exists():
        meta = json.loads(manifest.read_text())
        texts = pd.read_parquet(path / "reviews.parquet", columns=["text"])["text"].tolist()
        return path / "model", texts, meta["settings"], f"bundle {path} ({meta['model_dtype']})"
    if not dry_run:
        raise SystemExit(
            f"gpu_check: no bundle at {path} (manifest.json missing). On the development machine "
            "run `.venv/bin/python tests/benchmarks/gpu_bundle.py`, then carry "
            "results/gpu_bundle to this machine (device tool: carry=['results/gpu_bundle']) or "
            "pass --bundle DIR."
        )
    from gpu_bundle import packaged_model_dir, settings_from_config

    from sentclust.prepare.text import clean_text

    demo = pd.read_parquet(ROOT / "resources/demo/reviews.parquet", columns=["text"])
    texts = [clean_text(t) for t in demo["text"]]
    return packaged_model_dir(), texts, settings_from_config(), "packaged model, demo sample"


def subset(total: int, n: int, seed: int) -> np.ndarray:
    """Sorted seeded row positions: ``n`` of ``total`` (all when there are not more)."""
    if total <= n:
        return np.arange(total)
    return np.sort(np.random.default_rng(seed).choice(total, size=n, replace=False))


def environment(torch, device: str, source: str) -> list[dict]:
    import sentence_transformers
    import sklearn
    import transformers

    if device.startswith("cuda"):
        props = torch.cuda.get_device_properties(0)
        gpu = f"{props.name}, {props.total_memory / GIB:.0f} GiB, CUDA {torch.version.cuda}"
    else:
        gpu = "none (CPU run)"
    versions = (
        f"torch {torch.__version__}, sentence-transformers {sentence_transformers.__version__}, "
        f"transformers {transformers.__version__}, scikit-learn {sklearn.__version__}"
    )
    return [row("device", note=gpu), row("versions", note=versions), row("inputs", note=source)]


def _peak_reset(torch, device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()


def _peak_row(torch, device: str, what: str) -> dict:
    if not device.startswith("cuda"):
        return row(f"peak GPU memory, {what}", note="no GPU")
    return row(f"peak GPU memory, {what}", ours=torch.cuda.max_memory_allocated() / GIB, note="GiB")


def _timed(torch, device: str, fn):
    """(result of ``fn()``, seconds), the GPU synchronised before the clock stops."""
    t0 = time.perf_counter()
    out = fn()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return out, time.perf_counter() - t0


def encode_rows(torch, model, texts: list[str], settings: dict, device: str, plain_batch: int):
    """Rows comparing the stage's encode with plain ``SentenceTransformer.encode``; vectors."""
    from sentclust.bert import encode as enc

    precision = "float16" if device.startswith("cuda") else "float32"
    kw = dict(mode=settings["mode"], max_seq_length=settings["max_seq_length"], device=device)
    kw |= dict(batch_size=settings["batch_size_gpu"], precision=precision, progress=False)
    enc.encode(model, texts[:64], **kw)  # warm-up: CUDA context, kernels
    model.encode(texts[:64], batch_size=plain_batch, show_progress_bar=False)
    _peak_reset(torch, device)
    (stage, _), t_stage = _timed(torch, device, lambda: enc.encode(model, texts, **kw))
    model.max_seq_length = settings["max_seq_length"]
    plain, t_plain = _timed(
        torch,
        device,
        lambda: model.encode(
            texts, batch_size=plain_batch, convert_to_numpy=True, show_progress_bar=False
        ),
    )
    cos = enc.cosine_rows(stage, plain)
    n = len(texts)
    return [
        row(
            "encode: reviews/s, stage vs plain",
            ours=n / t_stage,
            reference=n / t_plain,
            ratio=t_plain / t_stage,
            note=f"{n} reviews; stage {precision} batch {kw['batch_size']}, {t_stage:.1f} s; "
            f"plain float32 batch {plain_batch}, {t_plain:.1f} s; max_seq {kw['max_seq_length']}",
        ),
        row(
            f"encode: cosine {precision} vs float32",
            ours=float(cos.mean()),
            reference=float(cos.min()),
            note="mean (ours), min (reference)",
        ),
        _peak_row(torch, device, "encode"),
    ], stage


def sse(x: np.ndarray, labels: np.ndarray, centers: np.ndarray) -> float:
    diff = x.astype(np.float64) - centers[labels].astype(np.float64)
    return float(np.einsum("ij,ij->", diff, diff))


def sklearn_fit(x: np.ndarray, k: int, args: dict, n_init: int, init=None):
    """scikit-learn's Lloyd KMeans with the check's seed, max_iter and tol, fitted on ``x``."""
    from sklearn.cluster import KMeans

    return KMeans(
        k,
        init="k-means++" if init is None else init,
        n_init=n_init,
        random_state=args["seed"],
        algorithm="lloyd",
        max_iter=args["max_iter"],
        tol=args["tol"],
    ).fit(x)


def compare_k(torch, x: np.ndarray, k: int, args: dict, n_init: int, device: str) -> dict:
    """One k: fit_torch and scikit-learn, same seed and n_init; seconds and inertias."""
    from sentclust.cluster.torch_kmeans import fit_torch

    (labels, centers, _), t_ours = _timed(
        torch, device, lambda: fit_torch(x, k, n_init=n_init, device=device, **args)
    )
    model, t_ref = _timed(torch, "cpu", lambda: sklearn_fit(x, k, args, n_init))
    ours, ref = sse(x, labels, centers), sse(x, model.labels_, model.cluster_centers_)
    log(f"k={k}: torch {t_ours:.2f} s, sklearn {t_ref:.2f} s, inertia {ours:.6g} vs {ref:.6g}")
    return row(
        f"k-means k={k}: seconds, torch vs sklearn",
        ours=t_ours,
        reference=t_ref,
        ratio=t_ref / t_ours,
        inertia_ours=ours,
        inertia_ref=ref,
        rel_diff=(ours - ref) / ref,
        note=f"n_init {n_init}",
    )


def sweep_rows(
    torch, x: np.ndarray, ks: list[int], settings: dict, n_init: int, device: str, deadline: float
) -> list[dict]:
    """fit_torch against scikit-learn's KMeans for each k (same seed, n_init, max_iter, tol)."""
    from sentclust.cluster.torch_kmeans import fit_torch

    args = dict(seed=settings["seed"], max_iter=settings["max_iter"], tol=settings["tol"])
    fit_torch(x[:500], 2, n_init=1, device=device, **args)  # warm-up
    _peak_reset(torch, device)
    rows = []
    for k in ks:
        if time.monotonic() > deadline:
            rows.append(row(f"k={k}..{ks[-1]}", note="skipped: time budget reached"))
            break
        rows.append(compare_k(torch, x, k, args, n_init, device))
    timed = [r for r in rows if r["reference"] != ""]
    ours, ref = sum(r["ours"] for r in timed), sum(r["reference"] for r in timed)
    total = row("k-sweep total seconds", ours=ours, reference=ref, ratio=ref / max(ours, 1e-9))
    total["note"] = f"{len(x)} vectors, {device}"
    return rows + [total, _peak_row(torch, device, "k-sweep")]


def parity_rows(x: np.ndarray, k: int, settings: dict, device: str) -> list[dict]:
    """Both backends from the same initial centres; torch twice (determinism)."""
    from sklearn.cluster import kmeans_plusplus

    from sentclust.cluster.torch_kmeans import fit_torch

    args = dict(seed=settings["seed"], max_iter=settings["max_iter"], tol=settings["tol"])
    init, _ = kmeans_plusplus(x, k, random_state=settings["seed"])
    first = fit_torch(x, k, n_init=1, init=init, device=device, **args)
    again = fit_torch(x, k, n_init=1, init=init, device=device, **args)
    ref = sklearn_fit(x, k, args, 1, init=init)
    ours, theirs = sse(x, first[0], first[1]), sse(x, ref.labels_, ref.cluster_centers_)
    pairs = set(zip(first[0].tolist(), ref.labels_.tolist(), strict=True))
    same = len(pairs) == len(set(first[0].tolist())) == len(set(ref.labels_.tolist()))
    deterministic = np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    note = (
        f"labels equal up to permutation: {same}; iterations {first[2]} vs {ref.n_iter_}; "
        f"torch deterministic: {deterministic}"
    )
    return [
        row(
            f"k-means k={k} from the same initial centres",
            inertia_ours=ours,
            inertia_ref=theirs,
            rel_diff=(ours - theirs) / theirs,
            note=note,
        )
    ]


def render(rows: list[dict]) -> str:
    """The rows as one plain-text table."""

    def cell(v) -> str:
        if isinstance(v, float):
            return f"{v:.6g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.2e}"
        return str(v)

    cells = [list(COLUMNS)] + [[cell(r[c]) for c in COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS) - 1)]
    lines = [
        "  ".join(v.ljust(w) for v, w in zip(line, widths, strict=False)) + "  " + line[-1]
        for line in cells
    ]
    return "\n".join(line.rstrip() for line in lines)


def write_outputs(rows: list[dict], out: Path, meta: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tsv = ["\t".join(COLUMNS)] + ["\t".join(str(r[c]) for c in COLUMNS) for r in rows]
    (out / "gpu_check.tsv").write_text("\n".join(tsv) + "\n")
    (out / "gpu_check.json").write_text(json.dumps({**meta, "rows": rows}, indent=2) + "\n")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    start = time.monotonic()
    model_dir, texts, settings, source = open_bundle(args.bundle, args.dry_run)
    import torch

    from sentclust.bert import models
    from sentclust.cluster.torch_kmeans import torch_device

    device = torch_device("auto")
    log(f"device {device}; {len(texts)} reviews from {source}")
    rows = environment(torch, device, source)
    model = models.load_model(models.resolve_model(str(model_dir)), device).float()
    texts = [texts[i] for i in subset(len(texts), args.n_encode, settings["seed"])]
    enc_rows, vectors = encode_rows(torch, model, texts, settings, device, args.plain_batch)
    rows += enc_rows
    log(f"encoded: {enc_rows[0]['note']}")
    x = np.ascontiguousarray(vectors[subset(len(vectors), args.n_sweep, settings["seed"])])
    lo, hi = (int(v) for v in args.ks.split("-"))
    deadline = start + args.budget_s
    rows += sweep_rows(torch, x, list(range(lo, hi + 1)), settings, args.n_init, device, deadline)
    rows += parity_rows(x, min(8, hi), settings, device)
    rows.append(row("wall time", ours=time.monotonic() - start, note="seconds, whole check"))
    print(render(rows), flush=True)
    write_outputs(rows, args.out, {"device": device, "source": source, "settings": settings})
    log(f"written: {args.out}/gpu_check.tsv, gpu_check.json")


if __name__ == "__main__":
    main()
