"""Rule int8_check: quantize the encoder to int8 and judge it on held-back reviews.

The check's verdict decides whether the encode_shard jobs may use the int8 model
(``bert.int8.enabled``); its table is logged and kept in ``output.check``.
"""

from sentclust.files import write_json
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    import pandas as pd

    from sentclust.bert import int8

    prepared = pd.read_parquet(sm.input.prepared, columns=["review_id", "clean_text"])
    reviews = pd.read_parquet(sm.input.reviews, columns=["review_id", "split", "label"])
    if not prepared["review_id"].equals(reviews["review_id"]):
        raise ValueError(
            "prepared.parquet and reviews.parquet disagree on the reviews: rerun prepare"
        )
    check = int8.run_check(
        prepared["clean_text"].tolist(),
        reviews["label"].to_numpy(),
        reviews["split"].to_numpy(),
        sm.params.encoding,
        sm.params.int8,
        ks=sm.params.ks,
        kmeans_kw=sm.params.kmeans,
        seed=sm.params.seed,
        threads=sm.threads,
        model_path=sm.output.model,
        log=log,
    )
    log.info("int8 check:\n%s", check["table"])
    write_json(check, sm.output.check)
