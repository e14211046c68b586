"""Polarity inside reviews against people: every segment scorer on SPOT-IMDB's development half.

    .venv/bin/python tests/benchmarks/bench_spot_polarity.py [--n-train 25000] [--threads 2]
        [--data ../shared/data/imdb] [--spot ../shared/data/spot-imdb-dev/spot-imdb-sent.dev.txt]
        [--cache results/bench_spot] [--seed 42] [--out results/bench_spot/table.json]

Everything is fitted on IMDB's train split (a seeded sample of ``--n-train`` reviews for the
segment models; the word-embedding network on all train reviews, as the workflow trains it),
with the settings of config/schema.yaml (all-MiniLM-L6-v2 for BERT, offline). Nothing is fitted
on the SPOT file (Angelidis & Lapata, TACL 2018: 49 unseen reviews, 533 sentences labelled
+/0/- by people): its sentences are only scored. Candidates:

- ``vader``: VADER's compound score, +/-0.05 (its authors' thresholds), the outside baseline;
- ``network``: the word-embedding network's logit, thresholds by isotonic fit on held-out train
  segments (polarity.scorer wordvec, the default before the polarity model);
- ``bert-alone``: the BERT review classifier on each segment encoded alone, thresholds likewise
  (fitted on the sample's review vectors taken as the mean of their segments' vectors: encoding
  the reviews again would double the benchmark's cost);
- ``mil-wordvec`` / ``mil-bert`` / ``mil-both``: the multiple-instance model
  (:mod:`sentclust.polarity.mil`) on the network's pooled word vectors (polarity.scorer mil, the
  default), on BERT segments encoded alone, on both side by side; its score is the segment's
  polarity, its thresholds the library's (the sign agreeing with the review's label, on
  held-out train segments);
- ``mil-<features>-attention`` / ``-attention-isotonic`` / ``-raw`` / ``-labels``: the same model
  scored by its attention-weighted polarity (``n * attention * polarity``: polarity.mil.score
  attention), the same with the other scorers' isotonic thresholds, MILNET's unscaled
  ``attention * polarity``, or the polarity of a model fitted on the binary labels instead of
  the ratings.

For each: sentence macro-F1 and per-class F1 with the people's sentences as segments; review
agreement on "holds both polarities" and the share of reviews called dual (people: 23 of 49);
then the same with the project's own segmentation of the review (a sentence labelled from its
clauses: the sign of its strongest polar clause). Prints one table (markdown) and writes JSON.
Features and the network are cached under ``--cache``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))
sys.path.insert(0, str(ROOT / "tests"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

MINILM = "sentence-transformers/all-MiniLM-L6-v2"
SEED_EXAMPLE = "The location was truly disgusting ... but the people there were glorious."


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-train", type=int, default=25000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "imdb"))
    ap.add_argument(
        "--spot",
        default=str(ROOT.parent / "shared/data/spot-imdb-dev/spot-imdb-sent.dev.txt"),
    )
    ap.add_argument("--cache", default=str(ROOT / "results" / "bench_spot"))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default=None)
    ap.add_argument("--candidates", default=None, help="comma-separated subset")
    return ap.parse_args()


# --------------------------------------------------------------------------- the SPOT file


def read_spot(path) -> list[dict]:
    """Reviews of the SPOT file: rating, id, sentences (detokenised) and people's labels."""
    reviews, cur = [], None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            cur = None
            continue
        if cur is None:
            rating, rid = line.split()
            cur = {"rating": int(rating), "id": rid, "sentences": [], "labels": []}
            reviews.append(cur)
            continue
        label, sentence = line.split("\t", 1)
        cur["labels"].append({"+": 1, "0": 0, "-": -1}[label])
        cur["sentences"].append(detokenize(sentence))
    return reviews


def detokenize(s: str) -> str:
    """The release's tokenisation undone where it is unambiguous (``do n't``, `` 's``, spaces
    before punctuation, quotes), so that models read text as reviewers wrote it."""
    import re

    s = s.replace("``", '"').replace("''", '"')
    s = re.sub(r" n't\b", "n't", s)
    s = re.sub(r" '(s|re|ve|ll|d|m)\b", r"'\1", s)
    s = re.sub(r" ([,.!?;:%)])", r"\1", s)
    s = re.sub(r"([($]) ", r"\1", s)
    return s.strip()


# --------------------------------------------------------------------------- metrics


def metrics(gold: list[list[int]], pred: list[list[int]]) -> dict:
    from sklearn.metrics import f1_score

    g = np.concatenate(gold)
    p = np.concatenate(pred)
    per = f1_score(g, p, labels=[1, 0, -1], average=None)
    dual_gold = np.array([(1 in r) and (-1 in r) for r in gold])
    dual_pred = np.array([(1 in r) and (-1 in r) for r in pred])
    return {
        "macro_f1": float(per.mean()),
        "f1_positive": float(per[0]),
        "f1_neutral": float(per[1]),
        "f1_negative": float(per[2]),
        "dual_agreement": float((dual_gold == dual_pred).mean()),
        "dual_share": float(dual_pred.mean()),
        "dual_share_people": float(dual_gold.mean()),
    }


def sentence_labels_from_clauses(sentence_spans, seg_spans, seg_labels, seg_scores) -> list[int]:
    """A people's sentence labelled from the project's segments inside it (by their midpoint):
    the label of its polar segment with the largest |score|, 0 when none is polar."""
    out = []
    for a, b in sentence_spans:
        best, lab = -1.0, 0
        for (s, e), lb, sc in zip(seg_spans, seg_labels, seg_scores, strict=True):
            if a <= (s + e) / 2 < b and lb != 0 and abs(sc) > best:
                best, lab = abs(sc), int(lb)
        out.append(lab)
    return out


# --------------------------------------------------------------------------- inputs


def load_train(data: str, n: int, seed: int) -> pd.DataFrame:
    df = pd.read_parquet(Path(data) / "train.parquet")
    if n < len(df):
        df = df.sample(n=n, random_state=seed).sort_index()
    return df.reset_index(drop=True)


def main() -> None:  # noqa: PLR0915 (one benchmark, read top to bottom)
    args = parse_args()
    from conftest import full_config
    from sentclust.polarity.segments import segment_review
    from sentclust.prepare.text import clean_text

    cfg = full_config()
    cfg["bert"]["model"] = MINILM
    cfg["bert"]["max_seq_length"] = 256
    seg_cfg = {k: cfg["segments"][k] for k in ("splitter", "markers", "min_words")}
    lower, form = cfg["prepare"]["lowercase"], cfg["prepare"]["unicode_form"]
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    t0 = time.time()

    # ---- the train sample, cleaned and segmented as the workflow does
    train = load_train(args.data, args.n_train, args.seed)
    train["clean"] = [clean_text(t, unicode_form=form) for t in train["text"]]
    spans = [segment_review(t, **seg_cfg) for t in train["clean"]]
    seg_texts = [[t[s:e] for s, e, _ in sp] for t, sp in zip(train["clean"], spans, strict=True)]
    keep = np.array([len(s) > 0 for s in seg_texts])
    train, seg_texts = train[keep].reset_index(drop=True), [s for s in seg_texts if s]
    print(f"train sample: {len(train)} reviews, {sum(map(len, seg_texts))} segments", flush=True)

    # ---- SPOT: people's sentences, and the project's segments of each review
    spot = read_spot(args.spot)
    for r in spot:
        r["text"] = clean_text(" ".join(r["sentences"]), unicode_form=form)
        pos, r["sentence_spans"] = 0, []
        for s in r["sentences"]:
            a = r["text"].index(s, pos) if s in r["text"][pos:] else pos
            r["sentence_spans"].append((a, a + len(s)))
            pos = a + len(s)
        r["own_spans"] = [(s, e) for s, e, _ in segment_review(r["text"], **seg_cfg)]
        r["own"] = [r["text"][s:e] for s, e in r["own_spans"]]
    views = {"sentences": [r["sentences"] for r in spot], "own": [r["own"] for r in spot]}
    seed_text = clean_text(SEED_EXAMPLE, unicode_form=form)
    views["seed"] = [[seed_text[s:e] for s, e, _ in segment_review(seed_text, **seg_cfg)]]

    network = train_network(args, cfg, cache)
    held = held_out_mask(train, cfg, args.data)
    feats = {"wordvec": features_wordvec(network, seg_texts, views, lower, args, cache)}
    names = args.candidates.split(",") if args.candidates else ["bert"]
    if any("bert" in n or "both" in n for n in names):  # encoding segments alone is the cost
        feats["bert"] = features_bert(cfg, seg_texts, views, cache, args)
    print(f"features ready at {time.time() - t0:.0f} s", flush=True)

    rows = {}
    cands = candidates(args, cfg, train, held, seg_texts, views, network, feats, lower)
    for name, score_fn in cands.items():
        t1 = time.time()
        per_view = score_fn()
        seed_labels, seed_scores = per_view.pop("seed")
        rows[name] = {"seed_example": [int(v) for v in seed_labels[0]]}
        print(f"  seed example: labels {seed_labels[0]}, scores {np.round(seed_scores[0], 3)}")
        for view, (labels, scores) in per_view.items():
            gold = [r["labels"] for r in spot]
            if view == "own":
                labels = [
                    sentence_labels_from_clauses(r["sentence_spans"], r["own_spans"], lb, sc)
                    for r, lb, sc in zip(spot, labels, scores, strict=True)
                ]
            rows[name][view] = metrics(gold, labels)
        rows[name]["seconds"] = round(time.time() - t1, 1)
        print(name, json.dumps(rows[name]), flush=True)
    print_table(rows)
    out = Path(args.out or cache / "table.json")
    out.write_text(json.dumps({"n_train": len(train), "seed": args.seed, "rows": rows}, indent=1))
    print(f"written {out}; {time.time() - t0:.0f} s")


def train_network(args, cfg, cache: Path):
    """The word-embedding network trained on every train review as rule train_wordvec does
    (cached)."""
    from sentclust.wordvec.model import SentimentNetwork
    from sentclust.wordvec.network import NetworkParams, configure_tensorflow

    path = cache / f"network_seed{args.seed}.keras"
    if path.exists():
        return SentimentNetwork.load(path)
    from sentclust.prepare.job import prepare

    df = pd.read_parquet(Path(args.data) / "train.parquet")
    prep = prepare(
        df,
        lowercase=cfg["prepare"]["lowercase"],
        unicode_form=cfg["prepare"]["unicode_form"],
        n_jobs=args.threads,
    )
    configure_tensorflow(args.seed, cfg["wordvec"]["threads"])
    p = NetworkParams.from_config(cfg["wordvec"])
    net, _ = SentimentNetwork.fit(prep["tokens"].to_numpy(), df["label"].to_numpy(), p, args.seed)
    net.save(path)
    return net


def held_out_mask(train: pd.DataFrame, cfg, data: str) -> np.ndarray:
    """The sample's reviews in the network's validation hold-out: the segment models hold the
    same reviews out, and every candidate's thresholds are fitted on their segments."""
    from sentclust.wordvec.network import held_out_ids, train_test_frames

    full = pd.read_parquet(Path(data) / "train.parquet", columns=["review_id", "split", "label"])
    tr, _ = train_test_frames(
        pd.concat([full, pd.DataFrame({"review_id": ["_"], "split": ["test"], "label": [0]})]),
        pd.concat([full[["review_id"]], pd.DataFrame({"review_id": ["_"]})]),
    )
    ids = set(held_out_ids(tr, cfg["wordvec"]["validation_fraction"], args_seed(cfg)))
    return train["review_id"].isin(ids).to_numpy()


def args_seed(cfg) -> int:
    return cfg["seed"]


def per_review_features(vectors, seg_texts, views, path: Path) -> dict:
    """{"train": ..., <view>: ...}: per review its segments' rows of ``vectors(flat segment
    texts)``, the train sample's cached in ``path``, the SPOT views' computed each run."""

    def grouped(per_review, x=None):
        if x is None:
            x = vectors([s for r in per_review for s in r])
        return np.split(x, np.cumsum([len(r) for r in per_review])[:-1])

    if not path.exists():
        np.savez(path, train=vectors([s for r in seg_texts for s in r]))
    out = {"train": grouped(seg_texts, np.load(path)["train"])}
    return out | {name: grouped(per_review) for name, per_review in views.items()}


def features_wordvec(network, seg_texts, views, lower, args, cache: Path):
    """Per review, its segments' pooled word vectors (the network's masked average)."""
    from sentclust.prepare.text import tokenize_many

    def pooled(flat):
        return network.pooled_short(tokenize_many(flat, lowercase=lower, n_jobs=args.threads))

    path = cache / f"wordvec_n{args.n_train}_seed{args.seed}.npz"
    return per_review_features(pooled, seg_texts, views, path)


def features_bert(cfg, seg_texts, views, cache: Path, args):
    """Per review, its segments' BERT vectors, each segment encoded alone."""
    from sentclust.bert.job import encode_configured

    enc = {k: v for k, v in cfg["bert"].items() if k not in ("int8", "runtime", "shards")}
    runtime = cfg["bert"]["runtime"]

    def encode(flat):
        t = time.time()
        x, *_ = encode_configured(flat, enc, runtime, threads=args.threads)
        print(f"encoded {len(flat)} segments in {time.time() - t:.0f} s", flush=True)
        return x

    path = cache / f"bert_n{args.n_train}_seed{args.seed}.npz"
    return per_review_features(encode, seg_texts, views, path)


# --------------------------------------------------------------------------- candidates


def candidates(args, cfg, train, held, seg_texts, views, network, feats, lower) -> dict:
    """name -> a function giving, per view, (labels per review, scores per review)."""
    from sentclust.polarity.mil import MilModel, MilParams
    from sentclust.polarity.scoring import fit_review_classifier, wordvec_scores
    from sentclust.polarity.thresholds import fit_symmetric_thresholds, fit_thresholds

    conf = cfg["polarity"]["confidence"]
    y_seg = np.repeat(train["label"].to_numpy(), [len(s) for s in seg_texts])
    held_seg = np.repeat(held, [len(s) for s in seg_texts])

    def split(flat, per_review):
        return np.split(np.asarray(flat), np.cumsum([len(r) for r in per_review])[:-1])

    def thresholded(train_scores, view_scores, fit=fit_thresholds):
        t, _ = fit(train_scores[held_seg], y_seg[held_seg], confidence=conf)
        return {
            v: (split(t.label(s), views[v]), split(s, views[v])) for v, s in view_scores.items()
        }

    def vader():
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        sia = SentimentIntensityAnalyzer()
        out = {}
        for v, per in views.items():
            sc = np.array([sia.polarity_scores(s)["compound"] for r in per for s in r])
            lab = np.where(sc >= 0.05, 1, np.where(sc <= -0.05, -1, 0))
            out[v] = (split(lab, per), split(sc, per))
        return out

    def net():
        flat = [s for r in seg_texts for s in r]
        tr = wordvec_scores(network, flat, lowercase=lower, n_jobs=args.threads)
        vs = {
            v: wordvec_scores(network, [s for r in p for s in r], lowercase=lower)
            for v, p in views.items()
        }
        return thresholded(tr, vs)

    def bert_alone():
        # the review classifier on the sample's own review vectors: the mean of its segments'
        # (a stand-in for encoding the reviews again), fitted on reviews not held out
        xr = np.stack([g.mean(0) for g in feats["bert"]["train"]])
        lin, _ = fit_review_classifier(
            xr[~held], train["label"].to_numpy()[~held], c=1.0, max_iter=1000, seed=args.seed
        )
        tr = lin(np.concatenate(feats["bert"]["train"]))
        vs = {v: lin(np.concatenate(feats["bert"][v])) for v in views}
        return thresholded(tr, vs)

    fitted = {}

    def mil(kind, score="polarity", target="rating", sym=True):
        """The polarity model on ``kind`` features; ``score``: its polarity (the library's
        default, polarity.mil.score polarity), its attention-weighted polarity (``score``:
        polarity.mil.score attention) or MILNET's unscaled a * polarity (``raw``); ``target``:
        the ratings or the labels; ``sym``: the library's thresholds for it (sign agreeing with
        the review, on |score|), else the isotonic thresholds of the other scorers."""

        def run():
            if (kind, target) not in fitted:
                f = feats[kind] if kind != "both" else concat(feats["wordvec"], feats["bert"])
                p = MilParams.from_config(cfg["polarity"]["mil"])
                y = train[target].to_numpy()
                model = MilModel.fit(f["train"], y, held, p, seed=args.seed)
                info = model.fit_info
                print(
                    f"  {kind}/{target}: {info['epochs']} epochs, loss {info['held_out_loss']:.4f}"
                )
                fitted[(kind, target)] = (
                    model.segment_outputs(f["train"]),
                    {v: model.segment_outputs(f[v]) for v in views},
                )
            tr, vs = fitted[(kind, target)]

            def pick(o):
                if score == "raw":
                    return o["attention"] * o["polarity"]
                return o[score]

            fit = fit_symmetric_thresholds if sym else fit_thresholds
            return thresholded(pick(tr), {v: pick(o) for v, o in vs.items()}, fit)

        return run

    allc = {
        "vader": vader,
        "network": net,
        "bert-alone": bert_alone,
        "mil-wordvec": mil("wordvec"),
        "mil-bert": mil("bert"),
        "mil-both": mil("both"),
    }
    for kind in ("wordvec", "bert", "both"):
        allc[f"mil-{kind}-attention"] = mil(kind, score="score")
        allc[f"mil-{kind}-attention-isotonic"] = mil(kind, score="score", sym=False)
        allc[f"mil-{kind}-raw"] = mil(kind, score="raw")
        allc[f"mil-{kind}-labels"] = mil(kind, target="label")
    if args.candidates:
        allc = {k: allc[k] for k in args.candidates.split(",")}
    return allc


def concat(a, b):
    return {k: [np.hstack([x, y]) for x, y in zip(a[k], b[k], strict=True)] for k in a}


def print_table(rows: dict) -> None:
    print()
    print(
        "| scorer | sentences: macro-F1 | F1 + / 0 / - | dual agreement | dual share "
        "| own segments: macro-F1 | dual agreement | s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, r in rows.items():
        s, o = r["sentences"], r["own"]
        print(
            f"| {name} | {s['macro_f1']:.3f} | {s['f1_positive']:.2f} / {s['f1_neutral']:.2f} / "
            f"{s['f1_negative']:.2f} | {s['dual_agreement']:.3f} | {s['dual_share']:.2f} "
            f"(people {s['dual_share_people']:.2f}) | {o['macro_f1']:.3f} | "
            f"{o['dual_agreement']:.3f} | {r['seconds']} |"
        )


if __name__ == "__main__":
    main()
