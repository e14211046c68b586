"""Rule probe: logistic regression on one embedding kind (train split -> test split)."""

import numpy as np

from sentclust.files import read_embeddings_with_reviews, write_json
from sentclust.probe import linear_probe
from sentclust.smk import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    ids, x, meta = read_embeddings_with_reviews(
        sm.input.embeddings, sm.input.reviews, ("split", "label")
    )
    train = (meta["split"] == "train").to_numpy()
    test = (meta["split"] == "test").to_numpy()
    y = meta["label"].to_numpy(dtype=np.int64)
    result = linear_probe(
        x[train],
        y[train],
        x[test],
        y[test],
        c=sm.params.probe["C"],
        max_iter=sm.params.probe["max_iter"],
        seed=sm.params.seed,
    )
    result["kind"] = sm.wildcards.kind
    result["seed"] = sm.params.seed
    write_json(result, sm.output[0])
    log.info("probe %s: %s", sm.wildcards.kind, result)
