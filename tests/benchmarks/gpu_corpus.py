"""Encode the whole corpus on the lent GPU machine and bring the vectors back.

Benchmarks of the k-sweep need the 50,000 MiniLM vectors; encoding them on a 2-core CPU takes
most of an hour. On the GPU machine it takes seconds, but only 64 MiB travel there and 16 MiB a
file come back. So: the float16 model (45 MB) and every review, cut a few tokens past the
encoder's window (what the stage's truncation never reads; checked token by token here), go
there; the vectors come back as float16 in files of at most 12 MiB.

    .venv/bin/python tests/benchmarks/gpu_corpus.py bundle            # here: results/gpu_corpus/
    python3 tests/benchmarks/gpu_corpus.py encode --out "$OUT"        # there (carry the bundle)
    .venv/bin/python tests/benchmarks/gpu_corpus.py gather DIR        # here: .../bert.parquet
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

BUNDLE = ROOT / "results" / "gpu_corpus"
#: the MiniLM full run's window (config/minilm.yaml) and long-review mode
MAX_SEQ_LENGTH = 256
MODE = "truncate"
#: tokens kept past the window, so that the cut never splits the last word the window reads
MARGIN = 32
PART_BYTES = 12 * 2**20


def cut_texts(model, texts: list[str], max_seq_length: int) -> list[str]:
    """Each text cut a ``MARGIN`` of tokens past the window; the window's tokens unchanged."""
    from sentclust.bert import encode as enc

    tok = model.tokenizer
    head, tail = enc.special_tokens(tok)
    keep = max_seq_length - len(head) - len(tail) + MARGIN
    spans = tok(texts, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    out = [
        t if len(o) <= keep else t[: o[keep][0]]
        for t, o in zip(texts, spans["offset_mapping"], strict=True)
    ]
    before = enc.tokenize(model, texts, mode=MODE, max_seq_length=max_seq_length).ids
    after = enc.tokenize(model, out, mode=MODE, max_seq_length=max_seq_length).ids
    changed = sum(a != b for a, b in zip(before, after, strict=True))
    if changed:
        raise SystemExit(f"cutting the texts changed the tokens the encoder reads for {changed}")
    return out


def bundle(out: Path, data: Path) -> dict:
    """The float16 model and every review (cut) under ``out``; its manifest."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from gpu_bundle import cleaned_reviews, packaged_model_dir, write_fp16_model

    from sentclust.bert import models

    out.mkdir(parents=True, exist_ok=True)
    model_bytes = write_fp16_model(packaged_model_dir(), out / "model")
    df = cleaned_reviews(data)
    model = models.load_model(models.resolve_model(str(out / "model")), "cpu")
    texts = cut_texts(model, df["text"].tolist(), MAX_SEQ_LENGTH)
    table = pa.table({"review_id": df["review_id"].tolist(), "text": texts})
    pq.write_table(table, out / "reviews.parquet", compression="zstd", compression_level=22)
    manifest = {
        "reviews": len(texts),
        "model_bytes": model_bytes,
        "reviews_bytes": (out / "reviews.parquet").stat().st_size,
        "max_seq_length": MAX_SEQ_LENGTH,
        "mode": MODE,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def encode_there(bundle_dir: Path, out: Path, limit: int | None = None) -> dict:
    """Encode every review of the bundle (float16 on CUDA); vectors in parts under ``out``."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
    import torch

    from sentclust.bert import encode as enc
    from sentclust.bert import models

    device = "cuda" if torch.cuda.is_available() else "cpu"
    precision = "float16" if device == "cuda" else "float32"
    df = pd.read_parquet(bundle_dir / "reviews.parquet").iloc[:limit]
    model = models.load_model(models.resolve_model(str(bundle_dir / "model")), device)
    if device == "cpu":
        model = model.float()
    t0 = time.perf_counter()
    vec, report = enc.encode(
        model, df["text"].tolist(), mode=MODE, max_seq_length=MAX_SEQ_LENGTH,
        batch_size=512, device=device, precision=precision, progress=False,
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    half = vec.astype(np.float16)
    rows = max(1, PART_BYTES // half[0].nbytes)
    out.mkdir(parents=True, exist_ok=True)
    for part, start in enumerate(range(0, len(half), rows)):
        block = half[start : start + rows]
        table = pa.table(
            {
                "review_id": df["review_id"].iloc[start : start + rows].tolist(),
                "embedding": pa.FixedSizeListArray.from_arrays(
                    pa.array(block.reshape(-1)), block.shape[1]
                ),
            }
        )
        pq.write_table(table, out / f"part_{part:02d}.parquet", compression="none")
    info = {
        "device": torch.cuda.get_device_name() if device == "cuda" else "cpu",
        "precision": precision,
        "reviews": len(df),
        "seconds": round(seconds, 2),
        "reviews_per_second": round(len(df) / seconds, 1),
        "report": report,
    }
    (out / "encode.json").write_text(json.dumps(info, indent=2, default=str) + "\n")
    return info


def gather(parts_dir: Path, dest: Path) -> int:
    """The returned parts as one embeddings table (float32, the workflow's contract)."""
    import pyarrow.parquet as pq

    from sentclust.files import embeddings_table, write_parquet

    ids, blocks = [], []
    for path in sorted(parts_dir.glob("part_*.parquet")):
        t = pq.read_table(path)
        ids += t["review_id"].to_pylist()
        flat = t["embedding"].combine_chunks().flatten().to_numpy(zero_copy_only=False)
        blocks.append(flat.reshape(len(t), -1).astype(np.float32))
    write_parquet(embeddings_table(ids, np.concatenate(blocks)), dest)
    return len(ids)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="step", required=True)
    b = sub.add_parser("bundle", help="here: the model and the reviews to carry")
    b.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "imdb")
    b.add_argument("--out", type=Path, default=BUNDLE)
    e = sub.add_parser("encode", help="on the GPU machine: encode the bundle")
    e.add_argument("--bundle", type=Path, default=BUNDLE)
    e.add_argument("--out", type=Path, required=True)
    e.add_argument("--limit", type=int, default=None, help="only the first N reviews (a test)")
    g = sub.add_parser("gather", help="here: the returned parts as one embeddings Parquet")
    g.add_argument("parts", type=Path)
    g.add_argument("--dest", type=Path, default=BUNDLE / "bert.parquet")
    args = ap.parse_args(argv)
    if args.step == "bundle":
        print(json.dumps(bundle(args.out, args.data), indent=2))
    elif args.step == "encode":
        print(json.dumps(encode_there(args.bundle, args.out, args.limit), indent=2, default=str))
    else:
        print(f"{gather(args.parts, args.dest)} vectors -> {args.dest}")


if __name__ == "__main__":
    main()
