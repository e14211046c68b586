"""Sentence splitters for the segment stage: boundary quality on a gold set, and speed.

    .venv/bin/python tests/benchmarks/bench_segments.py [DATA_DIR] [--sizes 2000,10000]
        [--seed 0] [--repeats 1] [--gold tests/benchmarks/segments_gold.json] [--no-pysbd]
        [--errors] [--json OUT.json]

DATA_DIR holds the IMDB ``train.parquet`` (default ../shared/data/imdb). Quality: the gold set
(``segments_gold.json``: real demo reviews cleaned with ``sentclust.prepare.text.clean_text``, their
sentences annotated by reading them; its ``about`` gives the guidelines). A boundary is the
offset where a sentence other than the first starts; precision, recall and F1 count exact
offsets. Speed: reviews per second on the first n of a seeded shuffle of the train split,
cleaned first (cleaning not timed), one process, the best of --repeats passes.

Rows: each splitter as it comes (Punkt with default parameters, Punkt with the module's
abbreviation list, pySBD), then the stage's path for each choice of ``segments.splitter``
(the splitter, then ``repair_sentences``); for those the last columns time the whole
segmentation (sentences and contrastive clauses, ``segment_review``) too.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sentclust.bert import machine  # noqa: E402
from sentclust.polarity import segments, sentences  # noqa: E402
from sentclust.prepare.text import clean_text  # noqa: E402


def gold_boundaries(review: dict) -> set[int]:
    """Start offsets of the annotated sentences but the first (they are found in order)."""
    text, pos, starts = review["text"], 0, []
    for sent in review["sentences"]:
        at = text.find(sent, pos)
        if at < 0 or text[pos:at].strip():
            raise ValueError(f"{review['review_id']}: gold sentence not found in order: {sent!r}")
        starts.append(at)
        pos = at + len(sent)
    return set(starts[1:])


def clause_settings() -> dict:
    """The segments' settings but the splitter, as the schema's defaults give them (their one
    home, config/schema.yaml)."""
    import yaml

    schema = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text())
    spec = schema["properties"]["segments"]["properties"]
    return {key: spec[key]["default"] for key in ("markers", "min_words")}


def variants(with_pysbd: bool) -> dict:
    """name -> (sentence function, whole-segmentation function or None)."""
    none = frozenset()
    out = {
        "punkt defaults": (
            lambda t: sentences.raw_sentences(t, splitter="punkt", abbreviations=none),
            None,
        ),
        "punkt + abbreviations": (lambda t: sentences.raw_sentences(t, splitter="punkt"), None),
    }
    if with_pysbd:
        out["pysbd"] = (lambda t: sentences.raw_sentences(t, splitter="pysbd"), None)
    for name in ("punkt", "pysbd") if with_pysbd else ("punkt",):
        out[f"stage: splitter={name}"] = (
            lambda t, n=name: sentences.split_sentences(t, splitter=n),
            lambda t, n=name: segments.segment_review(t, **(clause_settings() | {"splitter": n})),
        )
    return out


def score(split, gold: list[dict], errors: bool, name: str) -> dict:
    tp = fp = fn = 0
    for review in gold:
        text, want = review["text"], gold_boundaries(review)
        got = {s for s, _ in split(text)[1:]}
        tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
        if errors:
            for kind, where in (("extra", got - want), ("missed", want - got)):
                for at in sorted(where):
                    snippet = text[max(0, at - 30) : at] + " | " + text[at : at + 20]
                    print(f"  {name}: {kind} {review['review_id']}: {snippet!r}")
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f1}


def speed(fn, texts: list[str], repeats: int) -> float:
    """Reviews per second, the best of ``repeats`` passes (other load only slows a pass)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for t in texts:
            fn(t)
        best = min(best, time.perf_counter() - t0)
    return len(texts) / best


def load_texts(data_dir: Path, n: int, seed: int) -> list[str]:
    path = data_dir / "train.parquet"
    if not path.exists():
        raise SystemExit(f"{path} not found; give the IMDB folder as DATA_DIR")
    raw = pd.read_parquet(path, columns=["text"])["text"].to_numpy()
    order = np.random.default_rng(seed).permutation(len(raw))[:n]
    return [clean_text(raw[i]) for i in order]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir", nargs="?", default=str(ROOT.parent / "shared" / "data" / "imdb"))
    ap.add_argument("--sizes", default="2000,10000")
    ap.add_argument("--seed", type=int, default=0, help="which train reviews are timed")
    ap.add_argument("--gold", default=str(Path(__file__).with_name("segments_gold.json")))
    ap.add_argument("--repeats", type=int, default=1, help="timed passes; the best is kept")
    ap.add_argument("--no-pysbd", action="store_true", help="skip pySBD (slow, optional)")
    ap.add_argument("--errors", action="store_true", help="print every wrong boundary")
    ap.add_argument("--json", help="also write the rows here")
    args = ap.parse_args()
    print(machine.header(), flush=True)

    sizes = [int(s) for s in args.sizes.split(",") if s]
    if not args.no_pysbd and importlib.util.find_spec("pysbd") is None:
        print("pysbd is not installed (pip install pysbd==0.3.4): its rows are left out")
        args.no_pysbd = True
    gold = json.loads(Path(args.gold).read_text())["reviews"]
    texts = load_texts(Path(args.data_dir), max(sizes, default=0), args.seed)
    n_bound = sum(len(gold_boundaries(r)) for r in gold)
    print(
        "one process\n"
        f"gold: {len(gold)} reviews, {n_bound} boundaries ({args.gold})\n"
        f"speed: reviews/s on the first n of train.parquet shuffled with seed {args.seed}, "
        f"cleaned first, best of {args.repeats}; 'all' = sentences and clauses (segment_review)\n"
        f"{sentences.splitter_version('punkt')}"
        + ("" if args.no_pysbd else f", {sentences.splitter_version('pysbd')}"),
        flush=True,
    )
    head = f"{'splitter':<26} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>3} {'fn':>3}"
    for n in sizes:
        head += f" {f'rev/s@{n}':>12} {'all':>7}"
    print(head, flush=True)
    rows = []
    for name, (split, whole) in variants(not args.no_pysbd).items():
        row = {"splitter": name, **score(split, gold, args.errors, name)}
        line = (
            f"{name:<26} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} "
            f"{row['tp']:4d} {row['fp']:3d} {row['fn']:3d}"
        )
        for n in sizes:
            row[f"sentences_per_s_{n}"] = speed(split, texts[:n], args.repeats)
            row[f"all_per_s_{n}"] = speed(whole, texts[:n], args.repeats) if whole else None
            all_s = f"{row[f'all_per_s_{n}']:7.0f}" if whole else f"{'':>7}"
            line += f" {row[f'sentences_per_s_{n}']:12.0f} {all_s}"
        rows.append(row)
        print(line, flush=True)
    if args.json:
        Path(args.json).write_text(
            json.dumps({"machine": machine.describe(), "rows": rows}, indent=1)
        )


if __name__ == "__main__":
    main()
