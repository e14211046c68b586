"""The aspects stage through the real DAG on the tiny run: one K-means job per aspect count on
the BERT segment vectors, the count chosen, the aspects named, their polarity per aspect and
per fine-grained level x aspect; left out when the segment vectors are off."""

import json

import pandas as pd
import pytest

from conftest import (
    assert_png,
    jobs_of,
    run_snakemake,
    tiny_overrides,
    write_config,
)
from sentclust import layout as L

pytestmark = pytest.mark.workflow


def test_the_aspects_of_the_tiny_run(tiny_run):
    workdir, _, _ = tiny_run
    res = workdir / "results"
    ks = tiny_overrides()["aspects"]["k"]
    doc = json.loads((res / L.ASPECTS).read_text())
    k = doc["choice"]["k"]
    assert k in ks and doc["choice"]["ks"] == sorted(ks)
    assert [r["k"] for r in doc["sweep"]] == ks
    # chosen by the coherence of each count's aspects (the default criterion)
    assert doc["choice"]["criterion"] == "npmi"
    scored = [r for r in doc["sweep"] if r["npmi_mean"] is not None]
    if scored:
        best = max(r["npmi_mean"] for r in scored) - doc["choice"]["tolerance"]
        assert k == min(r["k"] for r in scored if r["npmi_mean"] >= best)
        assert doc["choice"]["chosen_by"] == "npmi"
    segments = pd.read_parquet(res / L.SEGMENTS)
    assignments = pd.read_parquet(res / L.path(L.ASPECTS_ASSIGNMENTS, k=k))
    assert len(assignments) == doc["n_segments"] <= len(segments)
    assert set(assignments["aspect"]) == set(range(k))
    assert [a["aspect"] for a in doc["aspects"]] == list(range(k))
    assert sum(a["size"] for a in doc["aspects"]) == len(assignments)
    for a in doc["aspects"]:
        assert a["terms"] and a["name"] == " / ".join(a["terms"][:2])
        assert 0 <= a["polar_share"] <= 1 and a["typical"]
    # labelled run: polarity per aspect, and per level x aspect of every kind's chosen k
    assert doc["labels"] is True
    table = pd.read_parquet(res / L.ASPECTS_TABLE)
    assert len(table) == k and (table["positive_share"] + table["negative_share"] <= 1).all()
    scores = pd.read_parquet(res / L.SEGMENT_SCORES).merge(
        assignments, on=["review_id", "segment_no"]
    )
    by_aspect = scores.groupby("aspect")["label"]
    assert table["positive"].tolist() == by_aspect.apply(lambda s: int((s > 0).sum())).tolist()
    assert table["negative"].tolist() == by_aspect.apply(lambda s: int((s < 0).sum())).tolist()
    assert (table["positive"] + table["neutral"] + table["negative"] == table["n"]).all()
    # a rating correlation only where the aspect's net polarity varies (the tiny network's
    # one epoch may leave every segment neutral)
    for row in table.itertuples():
        assert pd.isna(row.rating_rho) or -1 <= row.rating_rho <= 1
    for kind, lv in doc["levels"].items():
        choice = json.loads((res / L.path(L.CHOICE, kind=kind)).read_text())
        assert lv["k"] == choice["k"]
        assert sum(r["n"] for r in lv["table"]) == len(assignments)
        assert [c["level"] for c in lv["comparisons"]] == sorted(lv["order"])
        assert sum(c["n"] for c in lv["comparisons"]) == doc["comparisons"]["n"]
        assert_png(res / L.ASPECTS_DETAIL / f"levels_{kind}.png")
    assert set(doc["levels"]) == {p.parent.name for p in (res / "clusters").glob("*/choice.json")}
    comps = pd.read_parquet(res / L.ASPECTS_DETAIL / "comparisons.parquet")
    assert len(comps) == doc["comparisons"]["n"]


def test_without_segment_vectors_the_stage_is_left_out(tmp_path):
    cfg = write_config(tmp_path / "off.yaml", **tiny_overrides(polarity={"bert_segments": "off"}))
    r = run_snakemake(tmp_path, "-n", "--configfile", str(cfg))
    assert r.returncode == 0, r.stderr[-4000:]
    jobs = jobs_of(r.stdout)
    assert jobs and "aspects" not in jobs and "aspects_k" not in jobs
    assert "aspects: left out (polarity.bert_segments is off" in r.stdout + r.stderr
