"""The K-means model object (sentclust.cluster.model) and the stage's one nearest-centre kernel
(sentclust.cluster.nearest): fit, saved form, assignment against brute force."""

import numpy as np
import pytest
from cluster_data import blobs

from sentclust.cluster.errors import ClusterInputError
from sentclust.cluster.kmeans import kmeans
from sentclust.cluster.model import KMeansModel
from sentclust.cluster.nearest import chunked_total, nearest_centres
from sentclust.files import read_npz


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_kernel_matches_brute_force(dtype):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 7)).astype(np.float32)
    c = rng.normal(size=(5, 7)).astype(np.float32)
    labels, best, second = nearest_centres(x, c, dtype=dtype, second=True, chunk=64)
    d2 = ((x[:, None, :].astype(np.float64) - c[None]) ** 2).sum(axis=2)
    x2 = (x.astype(np.float64) ** 2).sum(axis=1)
    assert (labels == d2.argmin(axis=1)).all()
    assert best.dtype == dtype and second.dtype == dtype
    np.testing.assert_allclose(best + x2, d2.min(axis=1), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(second + x2, np.sort(d2, axis=1)[:, 1], rtol=1e-4, atol=1e-4)
    total = chunked_total(nearest_centres(x, c, chunk=64)[1], chunk=64) + x2.sum()
    assert total == pytest.approx(d2.min(axis=1).sum(), rel=1e-6)
    assert nearest_centres(x, c)[2] is None


def test_the_kernel_refuses_vectors_of_another_width():
    with pytest.raises(ClusterInputError, match="not encoded like the run"):
        nearest_centres(np.zeros((3, 2)), np.zeros((2, 3)))
    assert issubclass(ClusterInputError, ValueError)


def test_assign_gives_distance_and_margin():
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 4.0]], dtype=np.float32)
    model = KMeansModel(centres=centres, sizes=np.array([1, 1, 1]))
    x = np.array([[1.0, 0.0], [9.0, 0.0], [0.0, 3.0]], dtype=np.float32)
    cluster, distance, margin = model.assign(x)
    assert cluster.tolist() == [0, 1, 2] and cluster.dtype == np.int32
    assert distance.dtype == margin.dtype == np.float32
    np.testing.assert_allclose(distance, [1.0, 1.0, 1.0])
    np.testing.assert_allclose(margin, [np.sqrt(1 + 16) - 1, 9 - 1, 3 - 1], rtol=1e-6)
    one = KMeansModel(centres=centres[:1], sizes=np.array([3]))
    assert np.isinf(one.assign(x)[2]).all()


def test_fit_save_load_and_assign_reproduce_the_fit(tmp_path):
    x, _ = blobs(n_per=50, k=4, d=6, seed=3, spread=2.0)  # overlapping: boundaries matter
    for backend in ("sklearn", "torch"):
        model, res = KMeansModel.fit(x, 4, backend=backend, seed=1, n_init=3)
        direct = kmeans(x, 4, backend=backend, seed=1, n_init=3)
        assert (res.labels == direct.labels).all() and res.inertia == direct.inertia
        model.save(tmp_path / backend / "centres.npz")
        saved = read_npz(tmp_path / backend / "centres.npz")
        assert sorted(saved) == ["centres", "sizes"] and saved["centres"].dtype == np.float32
        loaded = KMeansModel.load(tmp_path / backend / "centres.npz")
        assert loaded.k == 4 and loaded.sizes.tolist() == np.bincount(res.labels).tolist()
        cluster, distance, _ = loaded.assign(x)
        assert (cluster == res.labels).all(), backend
        np.testing.assert_allclose(distance, res.distances, rtol=1e-4, atol=1e-5)


def test_a_missing_model_says_what_to_rerun(tmp_path):
    with pytest.raises(FileNotFoundError, match="only the K-means jobs rerun"):
        KMeansModel.load(tmp_path / "clusters" / "wordvec" / "k3" / "centres.npz")
