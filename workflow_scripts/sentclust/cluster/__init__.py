"""Clustering stage (rules/cluster.smk: rules pls_projection, kmeans, choose_k): the
sentiment-aligned projection of each raw kind, one K-means model per (embedding kind, k), the
choice of k. The fine-grained levels named from those clusters are :mod:`sentclust.finegrained`.

Modules, one purpose each:

- :mod:`.job`: the rules' work, one section per rule (what the rule scripts call);
- :mod:`.model`: :class:`~.model.KMeansModel`, one (kind, k)'s fit, saved form
  (``centres.npz``) and assignment of new vectors;
- :mod:`.kmeans`: input checks, screened restarts, :func:`~.kmeans.kmeans` (the fit behind the
  model) and its :class:`~.kmeans.KMeansResult`;
- :mod:`.backends`: which K-means backend runs here (cuML, PyTorch, faiss, scikit-learn), one
  fit function per backend;
- :mod:`.torch_kmeans`: the PyTorch backend (CUDA when there is a GPU);
- :mod:`.restarts`: the per-restart seeds every backend derives from the job's seed;
- :mod:`.nearest`: the nearest-centre kernel (the sweep and new texts) and the distances of a
  fit's own labels;
- :mod:`.metrics`: internal indices, clusters against labels and ratings, contingency tables,
  stability across seeds;
- :mod:`.choice`: the sweep table, the choice of k (Kneedle elbow and the indices), figures;
- :mod:`.pls`: :class:`~.pls.PLSProjection`, the PLS projection's fit, transform and saved form;
- :mod:`.errors`: :class:`~.errors.ClusterInputError`, input or configuration K-means cannot use.

Importing the package imports numpy and pyarrow only; torch, scikit-learn, faiss and cuML are
imported by the backend that runs.
"""

from sentclust.cluster.errors import ClusterInputError
from sentclust.cluster.kmeans import KMeansResult
from sentclust.cluster.model import KMeansModel
from sentclust.cluster.pls import PLSProjection

__all__ = ["ClusterInputError", "KMeansModel", "KMeansResult", "PLSProjection"]
