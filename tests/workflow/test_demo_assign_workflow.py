"""The demo run (config/demo.yaml: 2,000 real reviews) and new reviews on its scale, through the
command-line tool as a user runs it:

- its own reviews placed again reproduce its assignments at the chosen k: every review for
  wordvec and wordvec_pls, at least 99.5% for the BERT kinds (the share and the margins of any
  that moved are printed);
- a handful of obvious reviews land on the right side of the scale (every label-aligned kind),
  and the seed's example is cut and scored inside as the run scored it.
"""

import io
import json

import pandas as pd
import pytest

from conftest import run_sentclust, run_snakemake, write_config

pytestmark = pytest.mark.workflow

SEED = "The location was truly disgusting ... but the people there were glorious."
POSITIVE = ["One of the best films I have ever seen.", "A wonderful, moving film: great acting."]
NEGATIVE = ["A complete waste of time, awful acting.", "Terrible plot, boring and badly acted."]
#: the kinds fitted on the labels: their scale runs from negative to positive
ALIGNED = ("wordvec", "wordvec_pls", "bert_pls")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("demo_run")
    cfg = write_config(workdir / "demo.yaml")  # the demo config as it is, results under workdir
    r = run_snakemake(workdir, "--cores", "2", "--configfile", str(cfg), timeout=3000)
    assert r.returncode == 0, r.stderr[-6000:]
    return workdir / "results"


def sentclust(*args, cwd):
    return run_sentclust("assign", *args, cwd=cwd)


def test_the_runs_own_reviews_land_where_the_run_put_them(demo_run, tmp_path):
    own_reviews, out = str(demo_run / "data/reviews.parquet"), str(tmp_path / "own.parquet")
    r = sentclust(
        "--run", str(demo_run), "--file", own_reviews, "--output", out, "--threads", "2",
        cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    own = pd.read_parquet(tmp_path / "own.parquet")
    own = own[own["chosen_k"]]
    assert set(own["kind"]) == {"wordvec", "bert", "wordvec_pls", "bert_pls"}
    for (kind, k), rows in own.groupby(["kind", "k"]):
        saved = pd.read_parquet(demo_run / f"clusters/{kind}/k{k}/assignments.parquet")
        merged = rows.merge(saved, left_on="text_id", right_on="review_id", suffixes=("", "_run"))
        assert len(merged) == len(saved) == 2000
        moved = merged[merged["cluster"] != merged["cluster_run"]]
        share = 1 - len(moved) / len(merged)
        print(f"{kind} k={k}: {share:.4%} in the run's cluster; margins of those that moved: "
              f"{moved['margin'].round(5).tolist()}")  # fmt: skip
        assert share >= (1.0 if kind.startswith("wordvec") else 0.995), (kind, k, share)


def test_the_seed_example_and_obvious_reviews_land_on_the_right_side(demo_run, tmp_path):
    texts = [SEED, *POSITIVE, *NEGATIVE]
    r = sentclust("--run", str(demo_run), *texts, "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    rows = pd.read_json(io.StringIO(r.stdout), lines=True)
    rows = rows[rows["chosen_k"]]
    ids = dict(zip(texts, ("new_0", "new_1", "new_2", "new_3", "new_4"), strict=True))
    for kind in ALIGNED:
        got = rows[rows["kind"] == kind].set_index("text_id")
        for text in POSITIVE:
            assert got.loc[ids[text], "positive_share"] > 0.5, (
                kind,
                text,
                got.loc[ids[text]].to_dict(),
            )
        for text in NEGATIVE:
            assert got.loc[ids[text], "positive_share"] < 0.5, (
                kind,
                text,
                got.loc[ids[text]].to_dict(),
            )
        lowest = min(got.loc[ids[t], "mean_rating"] for t in POSITIVE)
        highest = max(got.loc[ids[t], "mean_rating"] for t in NEGATIVE)
        assert lowest > highest, kind
    # the seed's polarity inside: its two clauses scored as the run scored them (the run's own
    # polarity/explain_texts.json holds the seed, config explain.texts)
    seed = rows[rows["text_id"] == "new_0"].iloc[0]
    explained = json.loads((demo_run / "polarity/explain_texts.json").read_text())["texts"]
    run_seed = next(t for t in explained if t["text"] == SEED)
    labels = [segment["label"] for segment in run_seed["segments"]]
    assert seed["n_segments"] == len(labels) == 2
    assert (seed["n_positive"], seed["n_negative"]) == (labels.count(1), labels.count(-1))
    assert seed["dual_polarity"] == run_seed["dual_polarity"]
    probability = rows.drop_duplicates("text_id").set_index("text_id")["network_probability"]
    assert probability[[ids[t] for t in POSITIVE]].min() > 0.5
    assert probability[[ids[t] for t in NEGATIVE]].max() < 0.5
    table = sentclust("--run", str(demo_run), "--kind", "bert_pls", *texts, cwd=tmp_path)
    assert table.returncode == 0 and "mean rating" in table.stdout and "confidence" in table.stdout
    print(table.stdout)
