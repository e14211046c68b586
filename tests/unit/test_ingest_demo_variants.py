"""Unit tests of resources/demo/reexpress.py (the demo variants' inputs) and of ingesting them."""

from __future__ import annotations

import importlib.util

import pandas as pd
import yaml

from conftest import DEMO_REVIEWS, ROOT, run_ingest
from sentclust.ingest import peek


def _reexpress():
    spec = importlib.util.spec_from_file_location("reexpress", ROOT / "resources/demo/reexpress.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stars5_variant_has_1_to_5_stars_no_label_and_ingests_to_the_same_labels(tmp_path):
    out = tmp_path / "stars5.parquet"
    assert _reexpress().main(["--stars5", str(out)]) == 0
    written = pd.read_parquet(out)
    assert list(written.columns) == ["review_id", "split", "text", "rating"]
    assert set(written["rating"]) <= {1, 2, 4, 5}
    original = pd.read_parquet(DEMO_REVIEWS)
    assert (written["rating"] == (original["rating"] + 1) // 2).all()
    cfg = {"input_path": str(out), "input_format": "parquet", "ingest": {}}
    assert peek.input_labels(cfg) == "from_ratings"
    df, summary = run_ingest(out)
    assert summary["labels"] == "from_ratings" and summary["rating_scale"] == [1, 5]
    by_id = original.set_index("review_id")["label"]
    assert (df["label"].to_numpy() == by_id.loc[df["review_id"]].to_numpy()).all()
    assert len(df) == len(original)


def test_text_only_variant_ingests_without_labels(tmp_path):
    out = tmp_path / "unlabelled.parquet"
    assert _reexpress().main(["--text-only", str(out)]) == 0
    assert list(pd.read_parquet(out).columns) == ["review_id", "split", "text"]
    cfg = {"input_path": str(out), "input_format": "parquet", "ingest": {}}
    assert peek.input_labels(cfg) == "none"
    df, summary = run_ingest(out)
    assert summary["labels"] == "none" and summary["rating_scale"] is None
    assert df["label"].isna().all() and len(df) == 2000


def test_overlays_point_at_the_variants_with_their_own_results():
    seen = set()
    for name, variant in (("demo-stars5", "stars5"), ("demo-unlabelled", "unlabelled")):
        cfg = yaml.safe_load((ROOT / "config" / f"{name}.yaml").read_text())
        assert cfg["input_path"] == f"results/demo-inputs/{variant}.parquet"
        assert cfg["results_dir"] == f"results/{name}"
        seen.add(cfg["results_dir"])
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo-stars5:", "demo-unlabelled:"):
        assert target in makefile
    assert "reexpress.py --stars5 results/demo-inputs/stars5.parquet" in makefile
    assert "reexpress.py --text-only results/demo-inputs/unlabelled.parquet" in makefile
