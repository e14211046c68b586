"""BERT shards: the row ranges of the encoding jobs, their records, and the gather.

Each ``encode_shard`` job encodes one contiguous range of ``prepared.parquet``'s rows and
writes ``shard_<i>_of_<n>.parquet`` with a JSON record of the same name beside it;
``gather_bert`` concatenates the shards in order and sums their records up.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def shard_bounds(n_rows: int, n_shards: int) -> list[tuple[int, int]]:
    """Contiguous [start, stop) row ranges, as equal as possible, covering 0..n_rows."""
    if n_shards < 1:
        raise ValueError(f"bert.shards must be >= 1, got {n_shards}")
    edges = np.linspace(0, n_rows, n_shards + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def read_shard(prepared_path, shard: int, n_shards: int):
    """(review ids, cleaned texts, (start, stop)) of shard ``shard`` of ``n_shards``."""
    import pyarrow.parquet as pq

    table = pq.read_table(prepared_path, columns=["review_id", "clean_text"])
    start, stop = shard_bounds(table.num_rows, n_shards)[shard]
    part = table.slice(start, stop - start)
    ids = part.column("review_id").to_pylist()
    texts = part.column("clean_text").to_pylist()
    return ids, texts, (start, stop)


def shard_record(info: dict, provenance: dict, shard: int, n_shards: int, rows) -> dict:
    """A shard's JSON record: the encoding report, the shard's place, then the provenance."""
    return {**info, "shard": shard, "n_shards": n_shards, "rows": list(rows), **provenance}


def record_path(shard_path) -> Path:
    """The JSON record beside a shard's Parquet file."""
    return Path(shard_path).with_suffix(".json")


def gather_shards(tables, expected_ids):
    """Concatenate shard tables in order; their review ids must equal ``expected_ids``."""
    import pyarrow as pa

    table = pa.concat_tables(tables).combine_chunks()
    got = table.column("review_id").to_pylist()
    if got != list(expected_ids):
        raise ValueError(
            f"the BERT shards do not line up with prepared.parquet ({len(got)} ids in the "
            f"shards, {len(expected_ids)} expected, or a different order); delete "
            "results/<run>/embeddings/bert_shards/ and rerun"
        )
    return table


def gather(shard_paths: Sequence, prepared_path):
    """The shards' tables, in order, as one table checked against ``prepared.parquet``'s ids."""
    import pyarrow.parquet as pq

    expected = pq.read_table(prepared_path, columns=["review_id"]).column("review_id")
    return gather_shards([pq.read_table(f) for f in shard_paths], expected.to_pylist())


def read_records(shard_paths: Sequence) -> list[dict]:
    """The JSON records of the shards, in order."""
    return [json.loads(record_path(f).read_text()) for f in shard_paths]


def bert_summary(records: Sequence[dict], n_reviews: int) -> dict:
    """``bert_summary.json``: the model and mode (from the first shard), totals, every record."""
    first = records[0]
    seconds = sum(r["seconds"] for r in records)
    return {
        "kind": "bert",
        "supervision": "none (a pre-trained sentence-transformers model)",
        "model": first["model"],
        "model_source": first["model_source"],
        "dimensions": first["dimensions"],
        "n_reviews": n_reviews,
        "mode": first["mode"],
        "max_seq_length": first["max_seq_length"],
        "n_truncated": sum(r["n_truncated"] for r in records),
        "n_shards": len(records),
        "encode_seconds_total": round(seconds, 1),
        "reviews_per_second": round(n_reviews / seconds, 2) if seconds else None,
        "shards": list(records),
    }
