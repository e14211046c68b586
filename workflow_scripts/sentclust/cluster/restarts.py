"""The seeds of K-means restarts: every backend derives its restarts' seeds from the job's seed
the same way, so that backends run the same number of independently seeded restarts."""

from __future__ import annotations

import numpy as np


def restart_seeds(seed: int, n_init: int) -> list[int]:
    """The per-restart seeds derived from ``seed`` (deterministic, 31-bit)."""
    state = np.random.SeedSequence(int(seed)).generate_state(n_init, dtype=np.uint32)
    return [int(s) & 0x7FFFFFFF for s in state]
