"""The sentiment-aligned PLS projection of a raw kind (rule pls_projection): one object with its
fit (on the train split's labels only), its transform and its saved form.

:class:`PLSProjection` is fitted with scikit-learn's ``PLSRegression(scale=True)`` and keeps what
applying it takes as plain arrays: the train split's column means and standard deviations (as
scikit-learn computes them for its fit) and the X rotations. Its :meth:`~PLSProjection.transform`
is ``PLSRegression.transform``'s steps in its dtypes, with numpy alone, and serves the corpus
(rule pls_projection: :func:`sentclust.cluster.job.pls_on_train`) and new texts
(:mod:`sentclust.assign`) alike. Saved as
:data:`sentclust.layout.PLS_MODEL` (``.npz``, no pickle).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sentclust.cluster.errors import ClusterInputError
from sentclust.files import read_npz, write_npz

#: a column whose train standard deviation is below this share of the median column's is
#: constant up to float noise (all-MiniLM-L6-v2 has such dimensions: values around 1e-32)
CONSTANT_STD_SHARE = 1e-4
#: the arrays of the saved form
ARRAYS = ("x_mean", "x_std", "x_rotations")


def constant_columns(x) -> np.ndarray:
    """Indices of the columns of ``x`` that are constant up to float noise (standard deviation
    below :data:`CONSTANT_STD_SHARE` of the median column's). Scaled to unit variance, as PLS
    scales, their noise would become a feature: a vector encoded another way (torch instead of
    OpenVINO, another device or precision) differs there by more than the whole column varies."""
    std = np.asarray(x, dtype=np.float64).std(axis=0)
    return np.flatnonzero(std < CONSTANT_STD_SHARE * np.median(std))


def _check_fit_inputs(x: np.ndarray, y: np.ndarray, n_components: int) -> None:
    if x.ndim != 2 or len(x) != len(y):
        raise ClusterInputError(
            f"projection: x_train {x.shape} and y_train {y.shape} must have one label per row"
        )
    if not 1 <= int(n_components) <= min(x.shape[1], len(x) - 1):
        raise ClusterInputError(
            f"projection.n_components={n_components}: must be between 1 and "
            f"{min(x.shape[1], len(x) - 1)} (dimensions and train rows - 1)"
        )
    if np.unique(y).size < 2:
        raise ClusterInputError("projection: the train labels have a single class")


@dataclass
class PLSProjection:
    """A fitted projection: ``x_mean``, ``x_std`` (float64, one per input dimension) and
    ``x_rotations`` (float64, dimensions x components)."""

    x_mean: np.ndarray
    x_std: np.ndarray
    x_rotations: np.ndarray

    @classmethod
    def fit(cls, x_train, y_train, n_components: int) -> PLSProjection:
        """PLS regression of the train labels on the vectors (NIPALS: deterministic).

        Takes only the train split (vectors and labels), so no test label can reach it.
        Columns constant up to float noise (:func:`constant_columns`) are fitted as exact
        zeros: their scale is then 1 and their rotation rows 0, so their noise reaches no
        projected vector.
        """
        from sklearn.cross_decomposition import PLSRegression  # scikit-learn: only to fit

        x = np.array(x_train, dtype=np.float32)  # a copy: constant columns are zeroed
        y = np.asarray(y_train, dtype=np.float64).reshape(-1)
        _check_fit_inputs(x, y, n_components)
        x[:, constant_columns(x)] = 0.0
        model = PLSRegression(n_components=int(n_components), scale=True).fit(x, y)
        # the centring and scaling of the fit, computed as scikit-learn computes them (on the
        # float64 copy it fits), not read from its private attributes
        x64 = x.astype(np.float64)
        x_mean = x64.mean(axis=0)
        x_std = (x64 - x_mean).std(axis=0, ddof=1)
        x_std[x_std == 0.0] = 1.0
        return cls(x_mean, x_std, np.asarray(model.x_rotations_, dtype=np.float64))

    def transform(self, x) -> np.ndarray:
        """The vectors in the component space, float32 (n, n_components): centred and scaled
        in float32 as the fit did, then rotated (``PLSRegression.transform``'s steps)."""
        x = np.array(x, dtype=np.float32)  # a copy: scaled in place, as scikit-learn does
        if x.ndim != 2 or x.shape[1] != self.x_mean.shape[0]:
            raise ValueError(
                f"the PLS projection was fitted on {self.x_mean.shape[0]}-dimensional vectors, "
                f"got shape {x.shape}"
            )
        x -= self.x_mean
        x /= self.x_std
        return np.ascontiguousarray(x @ self.x_rotations, dtype=np.float32)

    def arrays(self) -> dict[str, np.ndarray]:
        """The saved form: :data:`ARRAYS`."""
        return {name: getattr(self, name) for name in ARRAYS}

    def save(self, path: str | Path) -> None:
        write_npz(self.arrays(), path)

    @classmethod
    def load(cls, path: str | Path) -> PLSProjection:
        arrays = read_npz(path)
        return cls(**{name: np.asarray(arrays[name], dtype=np.float64) for name in ARRAYS})
