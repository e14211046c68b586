"""polarity.confidence chosen on the train split: for each scorer and confidence, the thresholds
(fitted on held-out train segments, as rule score_segments does),
the test split's segment agreement,
and per split the dual-polarity share, Spearman rho with the distance from the middle of the scale
(over ratings, per review) and the by-rating curve.

    .venv/bin/python tests/benchmarks/polarity_confidence.py results/full
"""

import sys

sys.path.insert(
    0, str(__import__("pathlib").Path(__file__).resolve().parents[2] / "workflow_scripts")
)
import numpy as np
import pandas as pd

from sentclust.bert import machine
from sentclust.files import read_embeddings
from sentclust.polarity import check as chk
from sentclust.polarity import job as pj
from sentclust.polarity import scorers as ps
from sentclust.polarity.reviews import review_polarity
from sentclust.polarity.thresholds import fit_thresholds
from sentclust.wordvec.network import held_out_ids, train_test_frames

run = sys.argv[1] if len(sys.argv) > 1 else "results/full"
print(machine.header(), flush=True)
n_shards = len(
    list(__import__("pathlib").Path(run, "embeddings/bert_shards").glob("segments_*.parquet"))
)
segments = pd.read_parquet(f"{run}/segments/segments.parquet", columns=["review_id", "segment_no"])
meta = pd.read_parquet(f"{run}/data/reviews.parquet", columns=pj.META_COLUMNS)
sc = pd.read_parquet(f"{run}/polarity/segment_scores.parquet")
seg_meta = ps.segment_meta(segments, meta)
train_df, _ = train_test_frames(meta[["review_id", "split", "label"]], meta[["review_id"]])
val = segments["review_id"].isin(held_out_ids(train_df, 0.1, 42)).to_numpy()
held = {"wordvec": np.where(val, sc["score_wordvec"], np.nan)}
files = [
    f"{run}/embeddings/bert_shards/segments_{i:03d}_of_{n_shards:03d}.parquet"
    for i in range(n_shards)
]
_, _, score_b, held["bert"] = ps.bert_scorer(
    segments,
    meta,
    read_embeddings(f"{run}/embeddings/bert.parquet"),
    files,
    cfg={"min_coverage": 0.5},
    probe={"C": 1.0, "max_iter": 2000},
    seed=42,
)
scores = {"wordvec": sc["score_wordvec"].to_numpy(), "bert": score_b}
split = seg_meta["split"].to_numpy()
y = seg_meta["label"].to_numpy()
for name in ("wordvec", "bert"):
    for conf in (0.6, 0.65, 0.7, 0.75, 0.8):
        t, info = fit_thresholds(held[name][split == "train"], y[split == "train"], confidence=conf)
        lab = t.label(scores[name])
        frame = segments.assign(score=scores[name], label=lab)
        rev = review_polarity(frame, meta["review_id"].tolist()).merge(meta, on="review_id")
        out = {}
        for sp in ("train", "test"):
            r = rev[rev["split"] == sp]
            curve = chk.by_rating(r)
            rho = chk.rank_correlations(r, curve)
            out[sp] = (
                round(r["dual_polarity"].mean(), 3),
                round(rho["ratings"]["dual_polarity_share"], 3),
                round(rho["reviews"]["dual_polarity"], 3),
                [round(v, 3) for v in curve["dual_polarity_share"]],
            )
        te = split == "test"
        agr = chk.segment_agreement(scores[name][te], lab[te], y[te])["polar_agreement"]
        print(
            name,
            conf,
            "thr",
            round(t.negative, 2),
            round(t.positive, 2),
            "agree(test)",
            round(agr, 3),
        )
        print("   train", out["train"])
        print("   test ", out["test"])
