"""The clustering stage's shared error. The stage's code, one purpose per module:

- :mod:`sentclust.cluster.backends`: which K-means backend runs here, one fit function per backend;
- :mod:`sentclust.cluster.kmeans`: input checks, screened restarts,
  :func:`~sentclust.cluster.kmeans.kmeans`;
- :mod:`sentclust.cluster.metrics`: internal indices, clusters against labels and ratings,
  contingency tables, stability across seeds;
- :mod:`sentclust.cluster.job`: one job of the k-sweep (rule kmeans): its metrics and tables;
- :mod:`sentclust.cluster.choice`: the sweep table, the choice of k (Kneedle elbow and the indices),
  its figures (rule choose_k).
"""

from __future__ import annotations


class ClusterInputError(ValueError):
    """Input or configuration that K-means cannot use; the message says what to fix."""
