"""The PyTorch K-means backend against scikit-learn's Lloyd K-means, on the CPU."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from kmeans_parity import SETTINGS, assert_parity, same_up_to_permutation, sklearn_from, sse  # noqa: E402
from sklearn.cluster import KMeans, kmeans_plusplus  # noqa: E402
from sklearn.datasets import make_blobs  # noqa: E402

from sentclust.cluster import torch_kmeans as tk  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Small matrix products: one thread avoids OpenMP oversubscription on a busy 2-core CI."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def blobs() -> np.ndarray:
    x, _ = make_blobs(3000, 16, centers=6, cluster_std=2.5, random_state=3)
    return x.astype(np.float32)


@pytest.fixture(scope="module")
def reviews() -> np.ndarray:
    """500 demo reviews as 64-dim float32 vectors (TF-IDF and a truncated SVD; no model)."""
    import pandas as pd
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = pd.read_parquet(ROOT / "resources/demo/reviews.parquet", columns=["text"])["text"]
    tfidf = TfidfVectorizer(min_df=2, sublinear_tf=True).fit_transform(texts.iloc[:500])
    return TruncatedSVD(64, random_state=0).fit_transform(tfidf).astype(np.float32)


@pytest.mark.parametrize("k", [2, 5, 12])
def test_parity_with_sklearn_on_blobs(blobs, k):
    assert_parity(blobs, k, seed=k)


@pytest.mark.parametrize("k", [2, 4, 8, 12])
def test_parity_with_sklearn_on_review_vectors(reviews, k):
    assert_parity(reviews, k, seed=k)


def test_parity_when_stopped_by_max_iter(reviews):
    """Stopped before convergence: the labels are those of the last centres, as scikit-learn's."""
    assert_parity(reviews, 8, seed=1, max_iter=2, tol=1e-4)


def test_deterministic_for_a_seed(reviews):
    args = dict(seed=7, n_init=3, **SETTINGS)
    a = tk.fit_torch(reviews, 6, **args)
    b = tk.fit_torch(reviews, 6, **args)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[2] == b[2]


def test_restarts_keep_the_lowest_inertia(reviews):
    one = tk.fit_torch(reviews, 8, seed=11, n_init=1, **SETTINGS)
    three = tk.fit_torch(reviews, 8, seed=11, n_init=3, **SETTINGS)  # first restart: the same
    assert sse(reviews, *three[:2]) <= sse(reviews, *one[:2]) * (1 + 1e-7)


def test_kmeans_plusplus_picks_sklearns_rows(blobs):
    """Same RandomState, same rows: scikit-learn's greedy k-means++ step by step."""
    centred = blobs - blobs.mean(axis=0)
    for seed in range(3):
        ref, _ = kmeans_plusplus(centred, 8, random_state=np.random.RandomState(seed))
        got = tk.kmeans_plusplus(
            torch.from_numpy(centred).double(), 8, np.random.RandomState(seed), chunk=500
        )
        np.testing.assert_allclose(got.numpy(), ref, rtol=0, atol=1e-6)


def test_seeding_quality_close_to_sklearn_n_init_10(blobs):
    labels, centers, _ = tk.fit_torch(blobs, 6, seed=0, n_init=1, **SETTINGS)
    best = KMeans(6, n_init=10, random_state=0, algorithm="lloyd").fit(blobs).inertia_
    assert sse(blobs, labels, centers) <= 1.03 * best


def test_empty_cluster_relocated_like_sklearn(blobs):
    init, _ = kmeans_plusplus(blobs, 5, random_state=0)
    init[2] = blobs.max(axis=0) * 100  # no row is nearest to it: empty after the first step
    labels, centers, _ = tk.fit_torch(blobs, 5, seed=0, n_init=1, init=init, **SETTINGS)
    ref_labels, ref_centers, _ = sklearn_from(blobs, init, **SETTINGS)
    assert np.bincount(labels, minlength=5).min() > 0
    assert same_up_to_permutation(labels, ref_labels)
    assert sse(blobs, labels, centers) == pytest.approx(sse(blobs, ref_labels, ref_centers), 1e-4)


def test_update_centers_moves_an_empty_cluster_to_the_farthest_row():
    x = torch.tensor([[0.0], [1.0], [2.0], [10.0]])
    old = torch.tensor([[1.0], [50.0]])
    labels = tk.assign(x, old, chunk=3)
    assert labels.tolist() == [0, 0, 0, 0]
    new = tk.update_centers(x, old, labels, chunk=3)
    # row 3 (distance 81 to its centre) founds cluster 1 and leaves cluster 0
    assert new.flatten().tolist() == pytest.approx([1.0, 10.0])


def test_update_centers_without_distinct_rows_puts_empty_on_largest():
    x = torch.ones((4, 2))
    old = torch.tensor([[1.0, 1.0], [5.0, 5.0], [7.0, 7.0]])
    labels = tk.assign(x, old, chunk=4)
    new = tk.update_centers(x, old, labels, chunk=4)
    assert torch.equal(new, torch.ones((3, 2)))


def test_duplicate_rows_fewer_distinct_than_k():
    x = np.repeat(np.eye(3, dtype=np.float32), 5, axis=0)
    labels, centers, _ = tk.fit_torch(x, 4, seed=0, n_init=2, **SETTINGS)
    assert np.isfinite(centers).all()
    assert sse(x, labels, centers) == pytest.approx(0.0, abs=1e-6)


def test_chunk_size_does_not_change_the_result(reviews, monkeypatch):
    args = dict(seed=3, n_init=2, **SETTINGS)
    whole = tk.fit_torch(reviews, 7, **args)
    monkeypatch.setattr(tk, "CPU_CHUNK_ROWS", 120)
    chunked = tk.fit_torch(reviews, 7, **args)
    assert same_up_to_permutation(whole[0], chunked[0])
    assert sse(reviews, *chunked[:2]) == pytest.approx(sse(reviews, *whole[:2]), rel=1e-6)


def test_float64_compute_gives_float32_outputs(blobs):
    labels, centers, _ = tk.fit_torch(blobs, 3, seed=0, n_init=1, dtype="float64", **SETTINGS)
    assert labels.dtype == np.int32 and centers.dtype == np.float32
    with pytest.raises(ValueError, match="dtype"):
        tk.fit_torch(blobs, 3, seed=0, n_init=1, dtype="float16", **SETTINGS)


def test_scaled_tolerance_is_sklearns(reviews):
    model = KMeans(3, n_init=1, max_iter=1, tol=1e-3, random_state=0).fit(reviews)
    assert tk.scaled_tolerance(reviews, 1e-3) == pytest.approx(model._tol, rel=1e-5)
    assert tk.scaled_tolerance(reviews, 0) == 0.0


def test_ieee_float32_restores_the_setting():
    before = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision("high")
    try:
        with tk.ieee_float32(torch):
            assert torch.get_float32_matmul_precision() == "highest"
        assert torch.get_float32_matmul_precision() == "high"
    finally:
        torch.set_float32_matmul_precision(before)


def test_same_clustering():
    a = torch.tensor([0, 0, 1, 2])
    assert tk.same_clustering(a, torch.tensor([2, 2, 0, 1]), 3)
    assert not tk.same_clustering(a, torch.tensor([2, 1, 0, 1]), 3)


def test_devices(monkeypatch):
    monkeypatch.setattr(tk, "gpu_driver_visible", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert tk.torch_device("auto") == tk.torch_device(None) == "cpu"
    assert not tk.cuda_available()
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        tk.torch_device("cuda")
    with pytest.raises(ValueError, match="use auto, cpu or cuda"):
        tk.torch_device("tpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert tk.torch_device("auto") == "cuda" and tk.torch_device("cuda:1") == "cuda:1"


def test_chunk_rows(monkeypatch):
    assert tk.chunk_rows(100, 12, 384, "cpu") == 100
    assert tk.chunk_rows(10**6, 12, 384, "cpu") == tk.CPU_CHUNK_ROWS
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (8 * 10**9, 16 * 10**9))
    rows = tk.chunk_rows(10**7, 12, 384, "cuda")
    assert rows == int(8 * 10**9 * tk.GPU_MEMORY_SHARE) // (8 * (2 * 12 + 384 + 2))
    assert tk.chunk_rows(1000, 12, 384, "cuda") == 1000


def test_fits_the_screened_restarts(reviews):
    from sentclust.cluster.kmeans import _fit_screened

    labels, centers, _ = _fit_screened(
        tk.fit_torch, reviews, 5, seed=0, n_init=3, sample=200, refine=2, **SETTINGS
    )
    assert labels.shape == (len(reviews),) and centers.shape == (5, reviews.shape[1])


def test_import_is_cheap():
    code = "import sys, sentclust.cluster.torch_kmeans; print('torch' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "workflow_scripts",
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"


def test_gpu_driver_files(tmp_path):
    present = tmp_path / "nvidiactl"
    assert not tk.gpu_driver_visible((str(present), str(tmp_path / "kfd")))
    present.write_text("")
    assert tk.gpu_driver_visible((str(tmp_path / "kfd"), str(present)))


def test_no_driver_no_torch_question(monkeypatch):
    """Without a GPU driver, cuda_available answers False without asking torch."""
    asked = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: asked.append(1) or True)
    monkeypatch.setattr(tk, "gpu_driver_visible", lambda: False)
    assert not tk.cuda_available()
    assert tk.torch_device("auto") == "cpu"
    assert asked == []
    monkeypatch.setattr(tk, "gpu_driver_visible", lambda: True)
    assert tk.cuda_available() and asked == [1]
