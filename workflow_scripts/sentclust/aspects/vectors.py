"""The BERT segment vectors an aspects job reads, one shard at a time: a full run holds about
730,000 segments (1.1 GB as float32, more while Arrow converts them), so no job holds them all.
:class:`SegmentVectors` checks the shards' keys against the segments table, keeps the segments
whose BERT coverage is enough, gives the vectors of chosen rows, and assigns every row to its
nearest centre shard by shard."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

KEYS = ["review_id", "segment_no"]
CHUNK = 65536  # rows per nearest-centre step (float64 inside KMeansModel.assign: 200 MB at 384)


def _check_keys(keys: pa.Table, segments_path) -> None:
    """ValueError with the fix when the shards' rows are not the segments table's, in order."""
    want = pq.read_table(segments_path, columns=KEYS)
    same = keys.num_rows == want.num_rows and all(
        keys.column(c).equals(want.column(c).cast(keys.schema.field(c).type)) for c in KEYS
    )
    if not same:
        raise ValueError(
            f"the BERT segment shards ({keys.num_rows} rows) do not line up with "
            f"{segments_path} ({want.num_rows} rows); delete "
            "results/<run>/embeddings/bert_shards/ and rerun"
        )


class SegmentVectors:
    """The segments with a BERT vector worth clustering (coverage >= ``min_coverage``), read
    shard by shard from ``shard_files`` (the segments file's order)."""

    def __init__(self, shard_files: Sequence, segments_path, min_coverage: float):
        self.files = [str(f) for f in shard_files]
        parts = [pq.read_table(f, columns=[*KEYS, "coverage"]) for f in self.files]
        keys = pa.concat_tables(parts)
        _check_keys(keys.select(KEYS), segments_path)
        keep = keys.column("coverage").to_numpy() >= min_coverage
        self._keep = [keep[a:b] for a, b in zip(*_bounds([p.num_rows for p in parts]), strict=True)]
        frame = keys.select(KEYS).to_pandas()
        self.keys = frame.loc[keep].reset_index(drop=True)

    def __len__(self) -> int:
        return len(self.keys)

    def chunks(self) -> Iterator[tuple[int, np.ndarray]]:
        """(first row, float32 vectors) of each shard's kept rows, in order."""
        start = 0
        for path, keep in zip(self.files, self._keep, strict=True):
            col = pq.read_table(path, columns=["embedding"]).column(0).combine_chunks()
            x = col.flatten().to_numpy(zero_copy_only=False).reshape(len(col), -1)
            x = np.ascontiguousarray(x[keep], dtype=np.float32)
            yield start, x
            start += len(x)

    def rows(self, mask) -> np.ndarray:
        """The float32 vectors of the kept rows where ``mask`` (a boolean over the kept rows)."""
        mask = np.asarray(mask, dtype=bool)
        if len(mask) != len(self):
            raise ValueError(f"a mask of {len(mask)} rows for {len(self)} segments")
        return np.concatenate(
            [x[mask[start : start + len(x)]] for start, x in self.chunks()], axis=0
        )

    def nearest(self, model) -> tuple[np.ndarray, np.ndarray]:
        """(int32 nearest centre, float32 distance to it) of every kept row under ``model``
        (a :class:`sentclust.cluster.model.KMeansModel`), as ``model.assign`` gives them."""
        labels = np.empty(len(self), dtype=np.int32)
        dist = np.empty(len(self), dtype=np.float32)
        for start, x in self.chunks():
            for a in range(0, len(x), CHUNK):
                lab, d, _ = model.assign(x[a : a + CHUNK])
                labels[start + a : start + a + len(lab)] = lab
                dist[start + a : start + a + len(lab)] = d
        return labels, dist


def _bounds(sizes: Sequence[int]) -> tuple[list[int], list[int]]:
    """(starts, ends) of consecutive parts of the given sizes."""
    ends = np.cumsum(sizes).tolist()
    return [0, *ends[:-1]], ends
