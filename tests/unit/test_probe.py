import numpy as np
import pandas as pd

from sentclust.wordvec import job, probe


def test_probe_embeddings_trains_on_train_and_scores_test():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4))
    meta = pd.DataFrame(
        {
            "split": np.where(np.arange(200) < 120, "train", "test"),
            "label": (x[:, 0] > 0).astype(np.int8),
        }
    )
    out = job.probe_embeddings(x, meta, kind="bert", c=0.5, max_iter=500, seed=3)
    direct = probe.linear_probe(
        x[:120], meta["label"][:120], x[120:], meta["label"][120:], c=0.5, max_iter=500, seed=3
    )
    assert out == {**direct, "kind": "bert", "seed": 3}
    assert list(out)[-2:] == ["kind", "seed"]
    assert (out["n_train"], out["n_test"], out["dimensions"]) == (120, 80, 4)
    assert out["accuracy"] > 0.9
