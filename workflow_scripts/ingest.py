"""Rule ingest: read the configured input and write the reviews contract + a summary."""

from sentclust import ingest
from sentclust.files import package_versions, write_json, write_parquet
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    p = sm.params
    # the caps change no result (an input above one fails): read from the config, not params
    caps = {
        key: sm.config["ingest"][key]
        for key in ("max_review_bytes", "max_total_bytes", "max_archive_members")
    }
    df, summary = ingest.ingest(
        p.source,
        fmt=p.fmt,
        splits=p.splits,
        subsample=p.subsample,
        seed=p.seed,
        duplicate_texts=p.duplicate_texts,
        csv_test_fraction=p.csv_test_fraction,
        rating_conflicts=p.rating_conflicts,
        columns=dict(p.columns),
        csv_separator=p.csv_separator,
        rating_scale=p.rating_scale,
        labels_from_ratings=None if p.labels_from_ratings is None else dict(p.labels_from_ratings),
        expect_labels=p.expect_labels,
        **caps,
        sha256=p.sha256,
    )
    summary["seed"] = p.seed
    summary["versions"] = package_versions(["pandas", "pyarrow"])
    write_parquet(ingest.to_table(df), sm.output.reviews)
    write_json(summary, sm.output.summary)
    log.info("ingested %d reviews from %s (%s)", len(df), p.source, summary.get("format"))
    log.info(
        "labels: %s; rating scale: %s (%s)",
        summary["labels"],
        summary["rating_scale"],
        summary["rating_scale_source"],
    )
