"""Rule pls_projection: a sentiment-aligned linear projection fitted on train labels only."""

import numpy as np

from sentclust import projection
from sentclust.files import (
    embeddings_table,
    read_embeddings_with_reviews,
    write_json,
    write_parquet,
)
from sentclust.smk import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    ids, x, meta = read_embeddings_with_reviews(
        sm.input.embeddings, sm.input.reviews, ("split", "label")
    )
    train = (meta["split"] == "train").to_numpy()
    if train.sum() < 2 or meta["label"][train].nunique() < 2:
        raise ValueError(
            "the projection is fitted on the train split's labels, but the train split has "
            f"{int(train.sum())} reviews with labels {sorted(meta['label'][train].unique())}; "
            "keep the train split (ingest.splits) or set projection.enabled: false"
        )
    n_comp = int(sm.params.projection["n_components"])
    n_comp = min(n_comp, x.shape[1], int(train.sum()) - 1)
    model = projection.fit_projection(x[train], meta["label"].to_numpy()[train], n_comp)
    z = projection.project(model, x)
    write_parquet(embeddings_table(ids, z), sm.output.embeddings)
    write_json(
        {
            "kind": f"{sm.wildcards.raw}_pls",
            "source_kind": sm.wildcards.raw,
            "supervision": "used labels: PLS fitted on the train split's labels only",
            "method": "sklearn PLSRegression(scale=True)",
            "n_components": n_comp,
            "n_train_fitted": int(train.sum()),
            "n_reviews": int(len(ids)),
            "input_dimensions": int(x.shape[1]),
            "finite": bool(np.isfinite(z).all()),
        },
        sm.output.summary,
    )
    log.info("projected %s to %d PLS components", sm.wildcards.raw, n_comp)
