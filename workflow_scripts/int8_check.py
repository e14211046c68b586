"""Rule int8_check: quantize the encoder to int8 and judge it on held-back reviews.

The check's verdict decides whether the encode_shard jobs may use the int8 model
(``bert.int8.enabled``); its table is logged and kept in ``output.check``
(:func:`sentclust.bert.job.int8_check`).
"""

from sentclust.files import write_json
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    from sentclust.bert import job

    check = job.int8_check(
        sm.input.prepared,
        sm.input.reviews,
        sm.params.encoding,
        sm.params.int8,
        ks=sm.params.ks,
        threads=sm.threads,
        kmeans_kw=sm.params.kmeans,
        seed=sm.params.seed,
        model_path=sm.output.model,
        log=log,
    )
    write_json(check, sm.output.check)
