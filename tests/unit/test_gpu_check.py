"""The pure parts of the GPU check and of its bundle (no model is loaded here)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import gpu_bundle  # noqa: E402
import gpu_check  # noqa: E402


def test_settings_come_from_the_config():
    settings = gpu_bundle.settings_from_config()
    assert set(settings) == {"seed", "max_seq_length", "mode", "batch_size_gpu", "max_iter", "tol"}
    assert settings["mode"] in ("truncate", "chunk_mean") and settings["tol"] > 0


def test_write_fp16_model_halves_float_weights(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file, save_file

    src = tmp_path / "src"
    (src / "1_Pooling").mkdir(parents=True)
    (src / "1_Pooling" / "config.json").write_text("{}")
    (src / "README.md").write_text("not needed")
    weights = {"w": torch.ones(4, 4), "ids": torch.arange(3)}
    save_file(weights, str(src / "model.safetensors"))
    size = gpu_bundle.write_fp16_model(src, tmp_path / "dst")
    half = load_file(str(tmp_path / "dst" / "model.safetensors"))
    assert half["w"].dtype == torch.float16 and half["ids"].dtype == torch.int64
    assert (tmp_path / "dst" / "1_Pooling" / "config.json").exists()
    assert not (tmp_path / "dst" / "README.md").exists()
    assert size == sum(f.stat().st_size for f in (tmp_path / "dst").rglob("*") if f.is_file())


def reviews(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    label = np.repeat([0, 1], n // 2)
    return pd.DataFrame(
        {
            "review_id": [f"r{i}" for i in range(n)],
            "split": np.tile(["train", "test"], n // 2),
            "text": ["".join(rng.choice(list("abcdefgh "), 300)) for _ in range(n)],
            "label": label.astype(np.int8),
            "rating": np.where(label == 1, 8, 2).astype(np.int8),
        }
    )


def test_fit_reviews_takes_the_most_that_fit(tmp_path):
    df = reviews(400)
    path = tmp_path / "r.parquet"
    full = gpu_bundle.write_reviews(df, 400, 0, path)
    n = gpu_bundle.fit_reviews(df, full // 2, 0, path)
    assert path.stat().st_size <= full // 2
    assert 120 <= n < 400
    assert len(pd.read_parquet(path)) == n
    assert gpu_bundle.fit_reviews(df, full * 2, 0, path) == 400


def test_open_bundle_reads_a_bundle_and_says_when_it_is_missing(tmp_path):
    with pytest.raises(SystemExit, match="gpu_bundle.py"):
        gpu_check.open_bundle(tmp_path / "none", dry_run=False)
    reviews(4).to_parquet(tmp_path / "reviews.parquet")
    meta = {"settings": {"seed": 1}, "model_dtype": "float16"}
    (tmp_path / "manifest.json").write_text(json.dumps(meta))
    model, texts, settings, source = gpu_check.open_bundle(tmp_path, dry_run=False)
    assert model == tmp_path / "model" and len(texts) == 4 and settings == {"seed": 1}
    assert "float16" in source


def test_subset_is_seeded_sorted_and_capped():
    a = gpu_check.subset(100, 10, 3)
    assert np.array_equal(a, gpu_check.subset(100, 10, 3)) and np.all(np.diff(a) > 0)
    assert np.array_equal(gpu_check.subset(5, 10, 3), np.arange(5))


def test_parse_args_dry_run_caps_the_sizes(monkeypatch):
    monkeypatch.delenv("OUT", raising=False)
    args = gpu_check.parse_args(["--dry-run"])
    assert (args.n_encode, args.n_sweep) == (200, 200)
    assert args.out == gpu_check.ROOT / "results" / "gpu_check"
    monkeypatch.setenv("OUT", "/tmp/x")
    assert gpu_check.parse_args([]).out == Path("/tmp/x")


def test_render_and_write_outputs(tmp_path):
    rows = [
        gpu_check.row("k=2", ours=0.5, reference=2.0, ratio=4.0, rel_diff=-1e-7, note="n_init 3"),
        gpu_check.row("device", note="none"),
    ]
    text = gpu_check.render(rows).splitlines()
    assert text[0].split() == list(gpu_check.COLUMNS)
    assert text[1].split() == ["k=2", "0.5", "2", "4", "-1.00e-07", "n_init", "3"]
    gpu_check.write_outputs(rows, tmp_path, {"device": "cpu"})
    tsv = pd.read_csv(tmp_path / "gpu_check.tsv", sep="\t")
    assert list(tsv.columns) == list(gpu_check.COLUMNS) and len(tsv) == 2
    assert json.loads((tmp_path / "gpu_check.json").read_text())["rows"][0]["ratio"] == 4.0


def test_sse():
    x = np.array([[0.0, 0.0], [2.0, 0.0]], dtype=np.float32)
    assert gpu_check.sse(x, np.array([0, 0]), np.array([[1.0, 0.0]])) == 2.0


def test_sweep_and_parity_rows_on_the_cpu():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(size=(300, 8)).astype(np.float32)
    settings = {"seed": 0, "max_iter": 50, "tol": 1e-4}
    rows = gpu_check.sweep_rows(torch, x, [2, 3], settings, 1, "cpu", deadline=float("inf"))
    assert [r["step"] for r in rows][:2] == [
        "k-means k=2: seconds, torch vs sklearn",
        "k-means k=3: seconds, torch vs sklearn",
    ]
    assert all(abs(r["rel_diff"]) < 0.05 for r in rows[:2])
    assert rows[2]["ours"] == pytest.approx(rows[0]["ours"] + rows[1]["ours"])
    late = gpu_check.sweep_rows(torch, x, [2, 3], settings, 1, "cpu", deadline=0.0)
    assert late[0]["note"] == "skipped: time budget reached"
    (parity,) = gpu_check.parity_rows(x, 3, settings, "cpu")
    assert abs(parity["rel_diff"]) < 1e-4
    assert "permutation: True" in parity["note"] and "deterministic: True" in parity["note"]
