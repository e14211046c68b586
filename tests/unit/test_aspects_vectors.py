"""The segment vectors read shard by shard: the keys checked against the segments, the
coverage filter, the fit rows' vectors and every row's nearest centre, equal to reading them
all at once."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sentclust.aspects.vectors import SegmentVectors
from sentclust.cluster.model import KMeansModel


def write_shards(tmp_path, x, coverage, sizes):
    rid = [f"r{i // 2}" for i in range(len(x))]
    seg = [i % 2 for i in range(len(x))]
    keys = pa.table({"review_id": rid, "segment_no": pa.array(seg, pa.int32())})
    pq.write_table(keys.append_column("text", pa.array(["t"] * len(x))), tmp_path / "segs.parquet")
    files, start = [], 0
    for i, n in enumerate(sizes):
        emb = pa.FixedSizeListArray.from_arrays(pa.array(x[start : start + n].ravel()), x.shape[1])
        part = keys.slice(start, n).append_column(
            "coverage", pa.array(coverage[start : start + n], pa.float32())
        )
        files.append(tmp_path / f"s{i}.parquet")
        pq.write_table(part.append_column("embedding", emb), files[-1])
        start += n
    return files, tmp_path / "segs.parquet"


def test_shards_read_one_at_a_time_give_what_reading_all_gives(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 4)).astype(np.float32)
    coverage = np.array([1, 1, 0.2, 1, 1, 1, 0.1, 1, 1, 1], dtype=np.float32)
    files, segs = write_shards(tmp_path, x, coverage, [3, 4, 3])
    v = SegmentVectors(files, segs, min_coverage=0.5)
    kept = coverage >= 0.5
    assert len(v) == kept.sum()
    assert v.keys["segment_no"].tolist() == [i % 2 for i in np.flatnonzero(kept)]
    mask = np.arange(len(v)) % 2 == 0
    np.testing.assert_array_equal(v.rows(mask), x[kept][mask])
    model = KMeansModel(centres=x[:3].copy(), sizes=np.ones(3, int))
    labels, dist = v.nearest(model)
    want, want_d, _ = model.assign(x[kept])
    np.testing.assert_array_equal(labels, want)
    np.testing.assert_allclose(dist, want_d)


def test_shards_from_other_segments_are_refused_with_the_fix(tmp_path):
    x = np.ones((4, 2), dtype=np.float32)
    files, segs = write_shards(tmp_path, x, np.ones(4, np.float32), [2, 2])
    with pytest.raises(ValueError, match="do not line up.*delete"):
        SegmentVectors(files[:1], segs, min_coverage=0.5)
    with pytest.raises(ValueError, match="a mask of 3 rows for 4"):
        SegmentVectors(files, segs, min_coverage=0.5).rows(np.ones(3, bool))
