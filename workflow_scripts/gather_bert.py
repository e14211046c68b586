"""Rule gather_bert: the shards, in order, as one review-embedding table."""

import json
from pathlib import Path

import pyarrow.parquet as pq

from sentclust.encode import gather_shards
from sentclust.files import write_json, write_parquet
from sentclust.smk import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    expected = pq.read_table(sm.input.prepared, columns=["review_id"]).column("review_id")
    table = gather_shards([pq.read_table(f) for f in sm.input.shards], expected.to_pylist())
    write_parquet(table, sm.output.embeddings)
    infos = [json.loads(Path(f).with_suffix(".json").read_text()) for f in sm.input.shards]
    seconds = sum(i["seconds"] for i in infos)
    write_json(
        {
            "kind": "bert",
            "supervision": "none (a pre-trained sentence-transformers model)",
            "model": infos[0]["model"],
            "model_source": infos[0]["model_source"],
            "dimensions": infos[0]["dimensions"],
            "n_reviews": table.num_rows,
            "mode": infos[0]["mode"],
            "max_seq_length": infos[0]["max_seq_length"],
            "n_truncated": sum(i["n_truncated"] for i in infos),
            "n_shards": len(infos),
            "encode_seconds_total": round(seconds, 1),
            "reviews_per_second": round(table.num_rows / seconds, 2) if seconds else None,
            "shards": infos,
        },
        sm.output.summary,
    )
    log.info("gathered %d shards, %d reviews", len(infos), table.num_rows)
