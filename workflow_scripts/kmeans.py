"""Rule kmeans: one K-means run for one (embedding kind, k), its assignments and metrics."""

from sentclust.cluster import job as kmeans_job
from sentclust.files import read_embeddings_with_reviews, write_json, write_parquet
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    p, k, kind = sm.params.kmeans, int(sm.wildcards.k), sm.wildcards.kind
    ids, x, meta = read_embeddings_with_reviews(
        sm.input.embeddings, sm.input.reviews, kmeans_job.REVIEW_COLUMNS
    )
    model, res = kmeans_job.run_kmeans(
        x, k, params=p, seed=sm.params.seed, threads=sm.threads, name=sm.input.embeddings
    )
    log.info("k=%d on %s: %s", k, kind, res.summary())
    metrics = kmeans_job.job_metrics(
        x, meta, res, params=p, threads=sm.threads, kind=kind, supervision=sm.params.supervision
    )
    for name, table in kmeans_job.job_tables(ids, meta, res).items():
        write_parquet(table, getattr(sm.output, name))
    model.save(sm.output.centres)
    write_json(metrics, sm.output.metrics)
