"""Rule kmeans: one K-means run for one (embedding kind, k), its assignments and metrics."""

import numpy as np
import pyarrow as pa

from sentclust import cluster
from sentclust.files import (
    package_versions,
    read_embeddings_with_reviews,
    write_json,
    write_parquet,
)
from sentclust.smk import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    p, seed, k = sm.params.kmeans, sm.params.seed, int(sm.wildcards.k)
    ids, x, meta = read_embeddings_with_reviews(
        sm.input.embeddings, sm.input.reviews, ("split", "label", "rating")
    )
    y = meta["label"].to_numpy(dtype=np.int64)
    ratings = meta["rating"].astype("Float64")
    test = (meta["split"] == "test").to_numpy()
    train = ~test

    fit = dict(
        n_init=p["n_init"],
        max_iter=p["max_iter"],
        tol=p["tol"],
        screen_sample=p["screen_sample"],
        refine=p["refine"],
        threads=sm.threads,
    )
    res = cluster.kmeans(x, k, backend=p["backend"], seed=seed, name=sm.input.embeddings, **fit)
    log.info("k=%d on %s: %s", k, sm.wildcards.kind, res.summary())
    labels = res.labels

    # the cluster's sentiment score: its positive share, from the train split only when it has
    # labels there, so that test-split numbers use no test label
    score_all = cluster.cluster_scores(labels, y)
    share_train = cluster.positive_share(labels[train], y[train])
    score_from_train = share_train.reindex(labels).to_numpy(dtype=np.float64)
    profile = cluster.rating_profile(labels, ratings)
    profile.insert(0, "positive_share", cluster.positive_share(labels, y))
    profile.insert(0, "size", np.bincount(labels, minlength=k))

    stability = None
    if p["stability_runs"] > 0:
        stability = cluster.stability_ari(
            x,
            k,
            backend=res.backend,
            seeds=[seed + i for i in range(1 + p["stability_runs"])],
            known={seed: labels},
            **fit,
        )
    metrics = {
        "kind": sm.wildcards.kind,
        "supervision": sm.params.supervision,
        **res.summary(),
        **cluster.internal_metrics(x, labels, sample_size=p["silhouette_sample"], seed=seed),
        "labels_all": cluster.label_metrics(labels, y),
        "labels_test": cluster.label_metrics(labels[test], y[test]) if test.any() else None,
        "rating_spearman_all": cluster.rating_spearman(ratings, score_all),
        "rating_spearman_test": (
            cluster.rating_spearman(ratings[test], score_from_train[test]) if test.any() else None
        ),
        "clusters": profile.reset_index().to_dict(orient="records"),
        "stability": stability,
        "versions": package_versions(["scikit-learn", "faiss-cpu", "cuml", "numpy"]),
    }
    write_parquet(
        pa.table(
            {
                "review_id": pa.array(ids.tolist(), type=pa.string()),
                "cluster": pa.array(labels, type=pa.int32()),
                "distance": pa.array(res.distances, type=pa.float32()),
            }
        ),
        sm.output.assignments,
    )
    for values, path in ((y, sm.output.by_label), (ratings, sm.output.by_rating)):
        table = cluster.contingency(labels, values)
        table.columns = [str(c) for c in table.columns]
        write_parquet(pa.Table.from_pandas(table.reset_index()), path)
    write_json(metrics, sm.output.metrics)
