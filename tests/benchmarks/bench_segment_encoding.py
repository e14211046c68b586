"""Segment vectors: pooled in the review's own forward pass against encoding every segment.

    .venv/bin/python tests/benchmarks/bench_segment_encoding.py [--n 500] [--threads 2]
        [--max-seq-length 256] [--batch-size 16] [--repeats 2] [--neutral 1.0] [--seed 42]
        [--data ../shared/data/imdb] [--model sentence-transformers/all-MiniLM-L6-v2]

N real reviews (a seeded sample of train + test, cleaned like the workflow does), cut into
segments by ``sentclust.polarity.segments`` (sentences, then contrastive clauses; a plain regex
splitter when that module is missing), encoded with all-MiniLM-L6-v2 in truncate mode, torch
float32, in three ways:

- (a) reviews only: the encode stage's ``encode()``;
- (b) reviews + segments pooled from the same forward pass (``encode(segment_spans=...)``);
- (c) reviews as in (a), then every segment encoded again as a text of its own
  (``SentenceTransformer.encode`` of the segment texts);
- (b') as (b) in chunk_mean mode (every window encoded: no segment is past the window).

Times are the best of ``--repeats`` runs, the ways taking turns in each (a busy machine
slows them alike). Then agreement: a logistic regression fitted on the
review vectors of one half of the reviews (their labels) scores the segments of the other
half both ways; it prints Pearson and Spearman of the two scores, how often their signs and
their 3-way labels agree (neutral when |decision| < ``--neutral``, and when it is under
``--neutral-sd`` standard deviations of the review decisions: a band that does not depend on
the regression's scale), and for each way how
often a segment's sign matches its review's label. Segments that (b) saw less than half of
(coverage < 0.5, past the truncation point) are left out of the comparisons.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from sentclust.bert import encode, machine, models  # noqa: E402
from sentclust.prepare import text as prepare  # noqa: E402


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--max-seq-length", type=int, default=256)
    ap.add_argument("--model", default="sentence-transformers/all-MiniLM-L6-v2")
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "imdb"))
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--neutral", type=float, default=1.0)
    ap.add_argument("--neutral-sd", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--min-coverage",
        type=float,
        default=schema_default("polarity", "min_coverage"),
        help="segments with less of their tokens seen are unscored (polarity.min_coverage)",
    )
    return ap.parse_args()


def load_reviews(data: str, n: int, seed: int) -> pd.DataFrame:
    """A seeded sample of train + test with the cleaned text."""
    parts = [pd.read_parquet(Path(data) / f"{s}.parquet") for s in ("train", "test")]
    df = pd.concat(parts, ignore_index=True).sample(n, random_state=seed)
    df["clean_text"] = [prepare.clean_text(t) for t in df["text"]]
    return df.reset_index(drop=True)


def segment_spans(texts: list[str]) -> tuple[list[list[tuple[int, int]]], str]:
    """Each text's segment spans, and which splitter made them."""
    try:
        from sentclust.polarity import segments
    except ImportError:
        segments = None
    if segments is not None:
        settings = {k: schema_default("segments", k) for k in ("splitter", "markers", "min_words")}
        spans = [[(s, e) for s, e, _ in segments.segment_review(t, **settings)] for t in texts]
        return spans, "sentclust.polarity.segments (defaults)"
    cut = re.compile(r"(?<=[.!?])\s+|\s+(?=\bbut\b)", re.IGNORECASE)
    out = []
    for t in texts:
        bounds = [0, *(m.start() for m in cut.finditer(t)), len(t)]
        spans = [(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        out.append([_strip(t, a, b) for a, b in spans if t[a:b].strip()])
    return out, "regex fallback (. ! ? and ' but ')"


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def timings(model, texts, spans, args) -> dict:
    """Each way's vectors and its fastest time; the ways take turns in every repeat."""
    kw = dict(
        max_seq_length=args.max_seq_length,
        batch_size=args.batch_size,
        precision="float32",
        progress=False,
        backend="torch",
    )
    seg_texts = [t[a:b] for t, sp in zip(texts, spans, strict=True) for a, b in sp]

    def separate():
        model.max_seq_length = args.max_seq_length
        return model.encode(seg_texts, batch_size=args.batch_size, convert_to_numpy=True)

    runs = {
        "a": lambda: encode.encode(model, texts, mode="truncate", **kw),
        "b": lambda: encode.encode(model, texts, mode="truncate", segment_spans=spans, **kw),
        "c": separate,
        "b_chunk": lambda: encode.encode(
            model, texts, mode="chunk_mean", segment_spans=spans, **kw
        ),
    }
    best, out = dict.fromkeys(runs, float("inf")), {}
    for _ in range(args.repeats):
        for name, fn in runs.items():
            t0 = time.perf_counter()
            out[name] = fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    assert np.array_equal(out["a"][0], out["b"][0]), "review vectors changed with segments"
    return {
        "reviews": out["a"][0],
        "pooled": out["b"][2],
        "info": out["b"][1],
        "separate": out["c"],
        "chunk": out["b_chunk"][2],
        "chunk_info": out["b_chunk"][1],
        "t": best,
    }


def schema_default(section: str, key: str):
    """A config key's default, from its one home (config/schema.yaml)."""
    schema = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text())
    return schema["properties"][section]["properties"][key]["default"]


def speed_table(r: dict, n: int, n_segments: int, min_coverage: float) -> pd.DataFrame:
    t = r["t"]
    t_a = t["a"]

    def unscored(seg):
        return f"{100 * float((seg.coverage < min_coverage).mean()):.1f}%"

    rows = [
        ("(a) reviews only", t_a, ""),
        ("(b) reviews + pooled segments, same pass", t["b"], unscored(r["pooled"])),
        ("(c) reviews, then each segment as a text", t_a + t["c"], "0.0%"),
        ("(b') as (b) in chunk_mean mode", t["b_chunk"], unscored(r["chunk"])),
    ]
    return pd.DataFrame(
        [
            {
                "method": name,
                "seconds": round(sec, 2),
                "reviews/s": round(n / sec, 1),
                "added vs (a)": f"{100 * (sec - t_a) / t_a:+.1f}%",
                "segments/review": round(n_segments / n, 2),
                "unscored": share,
            }
            for name, sec, share in rows
        ]
    )


def three_way(d: np.ndarray, band: float) -> np.ndarray:
    return np.where(d >= band, 1, np.where(d <= -band, -1, 0))


def agreement(r: dict, labels: np.ndarray, spans, args) -> dict:
    """Segment scores of a review-level logistic regression, pooled (b) against separate (c).

    The regression (C chosen by 5-fold cross-validation, so that its decision is a logit on a
    meaningful scale) is fitted on the review vectors of a seeded half of the reviews; the
    segments of the other half are compared where (b) saw at least half of their tokens.
    """
    from scipy.stats import pearsonr, spearmanr
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    n = len(labels)
    fit = np.zeros(n, dtype=bool)
    fit[np.random.default_rng(args.seed).permutation(n)[: n // 2]] = True
    grid = {"C": np.logspace(-2, 3, 11)}
    search = GridSearchCV(LogisticRegression(max_iter=5000), grid, cv=5)
    clf = search.fit(r["reviews"][fit], labels[fit]).best_estimator_
    owner = np.repeat(np.arange(n), [len(s) for s in spans])
    held = ~fit[owner] & (r["pooled"].coverage >= args.min_coverage)
    pooled = clf.decision_function(r["pooled"].vectors[held])
    separate = clf.decision_function(r["separate"][held])
    chunk = r["chunk"].coverage >= args.min_coverage
    chunk_held = ~fit[owner] & chunk
    chunk_scores = clf.decision_function(r["chunk"].vectors[chunk_held])
    review_label = np.where(labels[owner] == 1, 1, -1)
    lab_p, lab_s = three_way(pooled, args.neutral), three_way(separate, args.neutral)
    band = args.neutral_sd * float(clf.decision_function(r["reviews"][fit]).std())
    sd_p, sd_s = three_way(pooled, band), three_way(separate, band)
    all_held = ~fit[owner]
    sep_all = clf.decision_function(r["separate"][all_held])
    return {
        "logistic regression C (cross-validated)": float(clf.C),
        "review-level accuracy (held-out half)": clf.score(r["reviews"][~fit], labels[~fit]),
        "segments compared (held-out, coverage >= 0.5)": int(held.sum()),
        "Pearson (pooled, separate)": float(pearsonr(pooled, separate)[0]),
        "Spearman (pooled, separate)": float(spearmanr(pooled, separate)[0]),
        "sign agreement": float(np.mean(np.sign(pooled) == np.sign(separate))),
        f"3-way label agreement (|d| < {args.neutral} neutral)": float(np.mean(lab_p == lab_s)),
        "neutral share pooled / separate": f"{np.mean(lab_p == 0):.3f} / {np.mean(lab_s == 0):.3f}",
        f"3-way agreement (|d| < {args.neutral_sd} sd of reviews' d = {band:.2f})": float(
            np.mean(sd_p == sd_s)
        ),
        "  its neutral share pooled / separate": (
            f"{np.mean(sd_p == 0):.3f} / {np.mean(sd_s == 0):.3f}"
        ),
        "mean |decision| pooled / separate": (
            f"{np.abs(pooled).mean():.2f} / {np.abs(separate).mean():.2f}"
        ),
        "within-review sd / overall sd, pooled / separate": (
            f"{_spread(pooled, owner[held]):.3f} / {_spread(separate, owner[held]):.3f}"
        ),
        "sign == review label, pooled (b)": _hits(pooled, review_label[held]),
        "sign == review label, separate (c), same segs": _hits(separate, review_label[held]),
        "sign == review label, separate (c), all segs": _hits(sep_all, review_label[all_held]),
        "sign == review label, chunk_mean pooled (b')": _hits(
            chunk_scores, review_label[chunk_held]
        ),
    }


def _spread(scores: np.ndarray, owner: np.ndarray) -> float:
    """Mean standard deviation of the scores within a review (reviews with >= 2 segments),
    over the standard deviation of all scores: how much a way tells a review's segments apart."""
    df = pd.DataFrame({"s": scores, "o": owner})
    within = df.groupby("o")["s"].std().dropna()
    return float(within.mean() / scores.std())


def _hits(scores: np.ndarray, labels: np.ndarray) -> str:
    return f"{float(np.mean(np.sign(scores) == labels)):.3f} (n={len(labels)})"


def main() -> None:
    args = parse_args()
    print(machine.header(), flush=True)

    import torch

    torch.set_num_threads(args.threads)
    df = load_reviews(args.data, args.n, args.seed)
    texts = df["clean_text"].tolist()
    spans, splitter = segment_spans(texts)
    n_segments = sum(len(s) for s in spans)
    model = models.load_model(models.resolve_model(args.model), "cpu")
    model.max_seq_length = args.max_seq_length
    # warm-up, outside the timings
    encode.encode(
        model, texts[:16], mode="truncate", max_seq_length=args.max_seq_length, progress=False
    )
    model.encode([t[:200] for t in texts[:16]])
    r = timings(model, texts, spans, args)
    load = os.getloadavg()[0]
    print(
        f"{args.threads} torch threads\n"
        f"{args.model}, max_seq_length {args.max_seq_length}, truncate, torch float32, "
        f"batch {args.batch_size}; {len(texts)} reviews (train + test, seed {args.seed}), "
        f"{n_segments} segments from {splitter}; best of {args.repeats} interleaved runs; "
        f"load average {load:.2f} at the end"
    )
    print(speed_table(r, len(texts), n_segments, args.min_coverage).to_string(index=False))
    for name, seg in (("(b)", r["pooled"]), ("(b')", r["chunk"])):
        info = seg.summary(args.min_coverage)
        print(
            f"pooling inside {name}: {info['segment_seconds']:.3f} s (span mapping, "
            f"planning, token sums); mean coverage {info['segment_coverage_mean']}"
        )
    labels = df["label"].to_numpy().astype(int)
    for name, value in agreement(r, labels, spans, args).items():
        shown = f"{value:.3f}" if isinstance(value, float) else value
        print(f"{name:>52}: {shown}")


if __name__ == "__main__":
    main()
