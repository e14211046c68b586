"""The int8 encoder: quantization, and the downstream check that decides whether it is used."""

import importlib.util

import numpy as np
import pytest

from sentclust.bert import encode, int8, models, openvino
from sentclust.report.provenance import encoding_note

KMEANS = {"n_init": 2, "max_iter": 100, "backend": "sklearn"}
#: the check's criteria (bert.int8.min_ari, bert.int8.max_change), as the tests set them
CRITERIA = {"min_ari": 0.98, "max_change": 0.005}


def blobs(n=240, d=16, seed=0):
    """Three separated groups; the label is group 2 vs the rest; half train, half test."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, size=n)
    centres = rng.normal(scale=6.0, size=(3, d))
    x = centres[group] + rng.normal(size=(n, d))
    labels = (group == 2).astype(int)
    splits = np.where(np.arange(n) % 2 == 0, "train", "test")
    return x.astype(np.float32), labels, splits


def test_a_close_encoder_passes_and_a_distorted_one_fails():
    x, labels, splits = blobs()
    rng = np.random.default_rng(1)
    close = x + 0.01 * rng.normal(size=x.shape).astype(np.float32)
    ok = int8.downstream_check(
        x, close, labels, splits, ks=[2, 3, 4], kmeans_kw=KMEANS, **CRITERIA, seed=3
    )
    assert ok["passed"] and ok["failures"] == []
    assert [r["k"] for r in ok["ari_per_k"]] == [2, 3, 4] and ok["worst_ari"] > 0.98
    assert abs(ok["probe_accuracy"]["change"]) <= 0.005
    assert set(ok["label_metrics_k2"]) == {"purity", "ari", "nmi"}

    far = x + 4.0 * rng.normal(size=x.shape).astype(np.float32)
    bad = int8.downstream_check(
        x, far, labels, splits, ks=[2, 3, 4], kmeans_kw=KMEANS, **CRITERIA, seed=3
    )
    assert not bad["passed"] and any("ARI" in f for f in bad["failures"])
    table = int8.check_table(bad)
    assert "| k | ARI int8 vs float32 | float32, another K-means seed |" in table
    assert "int8 failed: ARI" in table
    assert all(0.0 <= r["ari_float32_other_seed"] <= 1.0 for r in bad["ari_per_k"])
    with pytest.raises(ValueError, match="differ in shape"):
        int8.downstream_check(
            x, x[:, :4], labels, splits, ks=[2], kmeans_kw=KMEANS, **CRITERIA, seed=3
        )


def test_label_metrics_are_compared_at_k2_even_outside_the_sweep():
    x, labels, splits = blobs()
    check = int8.downstream_check(
        x, x.copy(), labels, splits, ks=[3], kmeans_kw=KMEANS, **CRITERIA, seed=0
    )
    assert [r["k"] for r in check["ari_per_k"]] == [3]
    assert check["label_metrics_k2"]["purity"]["change"] == 0.0 and check["passed"]


def test_check_sample_keeps_calibration_out_of_the_check():
    splits = np.array(["train"] * 50 + ["test"] * 50)
    cal, held = int8.check_sample(splits, calibration=10, check=40, seed=0)
    assert len(cal) == 10 and (splits[cal] == "train").all()
    assert len(held) == 40 and not set(cal) & set(held)
    again = int8.check_sample(splits, calibration=10, check=40, seed=0)
    assert np.array_equal(cal, again[0]) and np.array_equal(held, again[1])
    assert len(int8.check_sample(splits, calibration=10, check=500, seed=0)[1]) == 90
    with pytest.raises(ValueError, match="lower it"):
        int8.check_sample(splits, calibration=60, check=10, seed=0)


def test_the_report_names_the_check():
    x, labels, splits = blobs()
    check = int8.downstream_check(
        x, x.copy(), labels, splits, ks=[2, 3], kmeans_kw=KMEANS, **CRITERIA, seed=0
    )
    shard = {"device": "cpu", "backend": "torch", "precision": "float32"}
    shard["encoding_path"] = {"rule": "set in the config", "int8_check": int8.check_summary(check)}
    note = encoding_note({"shards": [shard]})
    assert "int8 check on 240 held-back reviews passed" in note and "k=3 1.000" in note


needs_nncf = pytest.mark.skipif(
    importlib.util.find_spec("nncf") is None or not openvino.openvino_available(),
    reason="nncf and openvino are not installed",
)


@pytest.fixture(scope="module")
def minilm():
    return models.load_model(models.resolve_model("sentence-transformers/all-MiniLM-L6-v2"), "cpu")


@needs_nncf
def test_quantized_encoder_stays_close_to_float32(minilm, tmp_path):
    cal = ["A wonderful, moving film with superb acting.", "Dull and far too long.", "Meh."] * 4
    done = int8.quantize(minilm, cal, tmp_path / "q.xml", max_seq_length=64, batch_size=4)
    assert (tmp_path / "q.xml").exists() and (tmp_path / "q.bin").stat().st_size > 0
    assert done["calibration_reviews"] == 12 and done["versions"]["nncf"] != "missing"
    texts = ["I loved every minute of it.", "The worst film I have seen this year."]
    kw = dict(mode="truncate", max_seq_length=64, progress=False, batch_size=2)
    ref, _ = encode.encode(minilm, texts, **kw)
    q, info = encode.encode(
        minilm, texts, precision="int8", backend="openvino", int8_model=tmp_path / "q.xml", **kw
    )
    assert info["precision"] == "int8" and q.shape == ref.shape
    # three calibration texts make a rough quantization (300 real reviews give mean cos 0.994);
    # whether it is good enough is for the downstream check to say
    assert encode.cosine_rows(ref, q).min() > 0.8
    with pytest.raises(ValueError, match="openvino backend only"):
        encode.encode(minilm, texts, precision="int8", **kw)
