"""Assigning new reviews with a finished run's models, against plain encoding of the same texts.

    .venv/bin/python tests/benchmarks/bench_assign.py --run results/e2e [--n 1000] [--threads 2]
        [--data ../shared/data/imdb]

After a line naming the machine (CPU model, flags that matter, cores, versions), one table:

- loading the run's models once (:class:`sentclust.assign.placing.Placer`: manifest checks, the
  network, the sentence-transformer), seconds;
- placing N new reviews (a seeded sample of the test split) on every kind at every named k:
  seconds, reviews/s (prepare, network vectors and probability, BERT encoding as the run
  encoded, PLS, nearest centres, polarity inside each review);
- plain ``SentenceTransformer.encode`` of the same (cleaned) texts with its defaults (batch 32,
  float32, PyTorch), with the same thread count: the floor that assigning is compared with.

``--own M`` then places M of the run's own reviews (seeded) again and prints, per kind at the
chosen k, the share that lands in the run's cluster and the margins of those that moved.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))

import pandas as pd  # noqa: E402

from sentclust.assign import new_texts  # noqa: E402
from sentclust.bert import machine  # noqa: E402
from sentclust.prepare import text as prepare  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", required=True, help="results folder of a finished run")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "imdb"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--own", type=int, default=0, help="also re-place M of the run's reviews")
    return ap.parse_args(argv)


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def plain_encode(placer, texts: list[str], threads: int) -> float:
    """Seconds of plain SentenceTransformer.encode (defaults: batch 32, float32, PyTorch) with
    the run's model (the one the placer loaded) and window, on the cleaned texts."""
    import torch

    torch.set_num_threads(threads)
    model = placer.bert.model
    model.max_seq_length = placer.models.about["bert"]["encoding"]["max_seq_length"]
    cleaned = [prepare.clean_text(t) for t in texts]
    model.encode(cleaned[:8])  # warm-up
    return timed(lambda: model.encode(cleaned, batch_size=32))[1]


def main(argv=None) -> None:
    args = parse_args(argv)
    print(machine.header(), flush=True)
    from sentclust.assign.placing import Placer

    test = pd.read_parquet(Path(args.data) / "test.parquet", columns=["review_id", "text"])
    sample = test.sample(args.n, random_state=args.seed)
    texts = new_texts.from_table(sample, "test sample")
    placer, t_load = timed(lambda: Placer(args.run, threads=args.threads))
    placer.place(texts.head(8))  # warm-up (graph building, first batch)
    placed, t_place = timed(lambda: placer.place(texts))
    t_plain = plain_encode(placer, sample["text"].tolist(), args.threads)
    kinds = ", ".join(placer.kinds)
    rows = [
        ("load the run's models (once per call)", t_load, float("nan")),
        (f"assign {args.n} reviews ({kinds}; {len(placed)} rows)", t_place, args.n / t_place),
        ("plain SentenceTransformer.encode, same texts", t_plain, args.n / t_plain),
    ]
    table = pd.DataFrame(rows, columns=["step", "seconds", "reviews/s"])
    bert = placer.models.about["bert"]
    print(
        f"run {args.run}: {bert['encoding']['model']}, max_seq_length "
        f"{bert['encoding']['max_seq_length']}, encoded with {bert['backend']} {bert['precision']};"
        f" {args.threads} thread(s)"
    )
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(f"assign / plain encode: {t_place / t_plain:.2f}x the time")
    if args.own:
        own_reviews(placer, args)


def own_reviews(placer, args) -> None:
    """The run's own reviews placed again against the run's assignments at the chosen k."""
    run = Path(args.run)
    reviews = pd.read_parquet(run / "data/reviews.parquet", columns=["review_id", "text"])
    sample = reviews.sample(min(args.own, len(reviews)), random_state=args.seed)
    placed = placer.place(new_texts.from_table(sample, "the run's reviews"))
    print(f"\n{len(sample)} of the run's own reviews placed again, at the chosen k:")
    for (kind, k), rows in placed[placed["chosen_k"]].groupby(["kind", "k"], sort=False):
        saved = pd.read_parquet(run / f"clusters/{kind}/k{k}/assignments.parquet")
        both = rows.merge(saved, left_on="text_id", right_on="review_id", suffixes=("", "_run"))
        moved = both[both["cluster"] != both["cluster_run"]]
        share = 1 - len(moved) / len(both)
        margins = ", ".join(f"{m:.2g}" for m in sorted(moved["margin"])) or "none"
        print(f"{kind:<12} k={k:<3} {share:.4%} in the run's cluster; margins of those that "
              f"moved: {margins}")  # fmt: skip


if __name__ == "__main__":
    main()
