"""Small inputs of the bert stage's tests: the packaged model's name and a segments file."""

import pyarrow as pa

from sentclust.files import write_parquet

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


def segments_file(path, rows):
    """A segments.parquet with the contract's columns from (review_id, segment_no, start, end)."""
    rid, no, start, end = zip(*rows, strict=True)
    table = pa.table(
        {
            "review_id": pa.array(rid, type=pa.string()),
            "segment_no": pa.array(no, type=pa.int32()),
            "sentence_no": pa.array(no, type=pa.int32()),
            "start": pa.array(start, type=pa.int32()),
            "end": pa.array(end, type=pa.int32()),
            "text": pa.array(["x"] * len(rid), type=pa.string()),
        }
    )
    write_parquet(table, path)
    return path
