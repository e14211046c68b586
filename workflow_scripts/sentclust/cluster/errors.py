"""The clustering stage's error: input or configuration that K-means cannot use."""

from __future__ import annotations


class ClusterInputError(ValueError):
    """Input or configuration that K-means cannot use; the message says what to fix."""
