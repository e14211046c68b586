"""Small synthetic inputs shared by the clustering stage's unit tests."""

import numpy as np


def blobs(n_per=60, d=8, k=3, seed=0, spread=0.3):
    """``k`` well-separated Gaussian blobs, float32, and their true membership."""
    rng = np.random.default_rng(seed)
    centres = np.eye(k, d, dtype=np.float32) * 10
    truth = np.repeat(np.arange(k), n_per)
    x = centres[truth] + rng.normal(scale=spread, size=(k * n_per, d)).astype(np.float32)
    return x.astype(np.float32), truth


def probes(*, modules=("faiss", "sklearn"), gpus=0):
    """Injectable backend probes: ``modules`` import, ``gpus`` CUDA GPUs are visible."""
    return {"importable": lambda m: m in modules, "gpu_count": lambda: gpus}


def planted_corpus(n_per: int = 20, seed: int = 3):
    """3 x ``n_per`` reviews with planted terms: negative ones ("dreadful", "waste money") in
    cluster 4, positive ones ("masterpiece", "wonderful") in cluster 1, stop words and filler in
    cluster 2; (texts, cluster ids, review ids)."""
    rng = np.random.default_rng(seed)
    filler = [f"filler{i}" for i in range(24)]  # common words, spread evenly

    def review(planted):
        words = list(rng.choice(filler, 12)) + planted
        rng.shuffle(words)
        return " ".join(words)

    texts = [review(["dreadful", "waste money"]) for _ in range(n_per)]
    texts += [review(["masterpiece", "wonderful"]) for _ in range(n_per)]
    texts += ["the and of a to " + review([]) for _ in range(n_per)]
    ids = np.array([f"r{i:02d}" for i in range(3 * n_per)], dtype=object)
    return texts, np.repeat([4, 1, 2], n_per), ids
