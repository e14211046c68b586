"""The K-means model of one (embedding kind, k): its fit, its saved form, its assignment.

A :class:`KMeansModel` is fitted by :meth:`KMeansModel.fit` (:func:`sentclust.cluster.kmeans.kmeans`
with the job's settings), saved as ``centres.npz`` (plain arrays, no pickle:
:data:`sentclust.layout.CENTRES`) and read back by :meth:`KMeansModel.load`;
:meth:`KMeansModel.assign` gives new vectors their nearest centre (the stage's one kernel,
:func:`sentclust.cluster.nearest.nearest_centres`), the distance to it and the margin to the
second nearest. The rule kmeans fits and saves it; placing new texts loads and applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sentclust.cluster.kmeans import KMeansResult, kmeans
from sentclust.cluster.nearest import nearest_centres
from sentclust.files import read_npz, write_npz


@dataclass
class KMeansModel:
    """One (kind, k)'s K-means centres (float32, k x d, row = cluster id) and the reviews per
    cluster of the fit."""

    centres: np.ndarray
    sizes: np.ndarray

    @property
    def k(self) -> int:
        return int(self.centres.shape[0])

    @classmethod
    def fit(cls, x, k: int, **settings) -> tuple[KMeansModel, KMeansResult]:
        """(the model, the whole fit: labels, distances, inertia, ...) of
        :func:`~sentclust.cluster.kmeans.kmeans` on ``x`` with ``settings``."""
        res = kmeans(x, k, **settings)
        return cls.from_result(res), res

    @classmethod
    def from_result(cls, res: KMeansResult) -> KMeansModel:
        """The model of a fit's centres and labels."""
        return cls(
            centres=np.ascontiguousarray(res.centers, dtype=np.float32),
            sizes=np.bincount(res.labels, minlength=res.k).astype(np.int64),
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """The saved form (``centres.npz``): ``centres`` and ``sizes``."""
        return {"centres": self.centres, "sizes": self.sizes}

    def save(self, path: str | Path) -> None:
        write_npz(self.arrays(), path)

    @classmethod
    def load(cls, path: str | Path) -> KMeansModel:
        """The model saved at ``path``; FileNotFoundError saying what to rerun when missing."""
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(
                f"{path} is missing: the run has no centres there (a run from before centres "
                "were saved, or a k outside kmeans.k). Fix: rerun the workflow on this run's "
                "config; only the K-means jobs rerun"
            )
        return cls.from_arrays(read_npz(path))

    @classmethod
    def from_arrays(cls, arrays: dict) -> KMeansModel:
        """The model of its saved arrays (:meth:`arrays`)."""
        return cls(centres=arrays["centres"], sizes=arrays["sizes"])

    def assign(self, x) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(cluster id, euclidean distance to its centre, margin = distance to the second
        nearest minus that; inf with a single centre) of each row of ``x``, accumulated in
        float64 and returned as int32 / float32."""
        x = np.asarray(x, dtype=np.float64)
        labels, best, runner_up = nearest_centres(x, self.centres, dtype=np.float64, second=True)
        x2 = np.einsum("ij,ij->i", x, x)
        distance = np.sqrt(np.maximum(best + x2, 0.0))
        margin = np.sqrt(np.maximum(runner_up + x2, 0.0)) - distance
        return labels, distance.astype(np.float32), margin.astype(np.float32)
