"""BERT shards: the row ranges of the encoding jobs, their records, and the gather.

Each ``encode_shard`` job encodes one contiguous range of ``prepared.parquet``'s rows and
writes ``shard_<i>_of_<n>.parquet`` with a JSON record of the same name beside it;
``gather_bert`` checks that the records agree on how the shards were encoded
(:func:`check_consistent`), concatenates the shards in order and sums their records up.

With segments (``segments/segments.parquet``), a job also reads its reviews' segments and
writes their pooled vectors to ``segments_<i>_of_<n>.parquet`` beside the shard (one row
per segment, in the segments file's order); :func:`gather_segments` puts them together.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sentclust.files import fixed_size_list
from sentclust.layout import SHARD_INFO, shard_files

SEGMENT_COLUMNS = ["review_id", "segment_no", "start", "end"]


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


@dataclass
class ShardSegments:
    """A shard's segments: one row per segment, in order, and the spans grouped by review."""

    review_id: list[str]
    segment_no: np.ndarray  # int32
    spans: list[list[tuple[int, int]]]  # one list of (start, end) per review of the shard


def read_shard_segments(segments_path, ids: Sequence[str], texts: Sequence[str]):
    """The segments of the shard's reviews ``ids`` (with cleaned ``texts``), checked.

    The segments file must hold them in the shard's review order, numbered 0, 1, ... within
    each review, with spans inside the texts, and at least one for every non-empty text.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(segments_path, columns=SEGMENT_COLUMNS)
    table = table.filter(pc.is_in(table.column("review_id"), value_set=pa.array(list(ids))))
    rid = table.column("review_id").to_pylist()
    seg_no = table.column("segment_no").to_numpy().astype(np.int32)
    start = table.column("start").to_numpy().astype(np.int64)
    end = table.column("end").to_numpy().astype(np.int64)
    where = {r: i for i, r in enumerate(ids)}
    pos = np.fromiter((where[r] for r in rid), dtype=np.int64, count=len(rid))
    _check_segment_order(segments_path, pos, seg_no, ids)
    length = np.fromiter((len(texts[p]) for p in pos), dtype=np.int64, count=len(pos))
    bad = (start < 0) | (end < start) | (end > length)
    if bad.any():
        k = int(np.argmax(bad))
        raise ValueError(
            f"{segments_path}: segment {seg_no[k]} of review {rid[k]} spans characters "
            f"{start[k]}-{end[k]} but its clean_text has {length[k]}: the segments were built "
            "from another prepared.parquet; delete the segments file and rerun"
        )
    counts = np.bincount(pos, minlength=len(ids))
    missing = [r for r, c, t in zip(ids, counts, texts, strict=True) if c == 0 and t.strip()]
    if missing:
        raise ValueError(
            f"{segments_path} has no segments for {len(missing)} of the shard's {len(ids)} "
            f"reviews (e.g. {missing[0]}): every review with text has at least one; rebuild "
            "the segments file from this prepared.parquet"
        )
    bounds = np.concatenate([[0], np.cumsum(counts)])
    pairs = list(zip(start.tolist(), end.tolist(), strict=True))
    spans = [pairs[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return ShardSegments(rid, seg_no, spans)


def _check_segment_order(path, pos: np.ndarray, seg_no: np.ndarray, ids) -> None:
    """Rows by review in the shard's order, then segment_no 0, 1, ... within each review."""
    if len(pos) == 0:
        return
    if (np.diff(pos) < 0).any():
        raise ValueError(
            f"{path}: the segments are not in prepared.parquet's review order; rebuild it"
        )
    first = np.concatenate([[True], pos[1:] != pos[:-1]])
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(pos)), 0))
    expected = np.arange(len(pos)) - group_start
    if not np.array_equal(seg_no, expected):
        k = int(np.argmax(seg_no != expected))
        raise ValueError(
            f"{path}: review {ids[pos[k]]} has segment_no {seg_no[k]} where {expected[k]} "
            "was expected (segments are numbered 0, 1, ... within a review, in order)"
        )


def segments_table(review_ids, segment_no, coverage, vectors):
    """A shard's segment vectors: review_id, segment_no, coverage, embedding (as the
    review-embedding contract's fixed-size float32 list)."""
    import pyarrow as pa

    return pa.table(
        {
            "review_id": pa.array(list(review_ids), type=pa.string()),
            "segment_no": pa.array(np.asarray(segment_no, dtype=np.int32), type=pa.int32()),
            "coverage": pa.array(np.asarray(coverage, dtype=np.float32), type=pa.float32()),
            "embedding": fixed_size_list(np.asarray(vectors, dtype=np.float32)),
        }
    )


def gather_segments(shard_paths: Sequence, segments_path):
    """The shards' segment vectors as one table, checked row by row against the segments."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.concat_tables([pq.read_table(f) for f in shard_paths]).combine_chunks()
    want = pq.read_table(segments_path, columns=["review_id", "segment_no"])
    same = table.num_rows == want.num_rows and all(
        table.column(c).equals(want.column(c).cast(table.schema.field(c).type))
        for c in ("review_id", "segment_no")
    )
    if not same:
        raise ValueError(
            f"the BERT segment shards ({table.num_rows} rows) do not line up with "
            f"{segments_path} ({want.num_rows} rows); delete "
            "results/<run>/embeddings/bert_shards/ and rerun"
        )
    return table


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


#: what every shard of one embedding table must share: vectors made otherwise (another model or
#: snapshot, bf16 beside float32, OpenVINO beside torch) are not one embedding space
CONSISTENT_KEYS = (
    "model",
    "model_revision",
    "precision",
    "backend",
    "mode",
    "max_seq_length",
    "dimensions",
)


def check_consistent(records: Sequence[dict], shard_paths: Sequence) -> None:
    """Refuse shards whose records disagree on any of :data:`CONSISTENT_KEYS`.

    A resumed run (shards kept from an earlier run on another machine) or mixed cluster
    nodes can otherwise gather, e.g., bf16 and float32 shards into one matrix. The error
    names each differing key, which shards have which value, and the fix.
    """
    names = [Path(p).stem for p in shard_paths]
    differ = []
    odd: set[int] = set()
    for key in CONSISTENT_KEYS:
        groups: dict[str, list[int]] = {}
        for i, record in enumerate(records):
            groups.setdefault(json.dumps(record.get(key)), []).append(i)
        if len(groups) < 2:
            continue
        # the value most shards have first; the others are the odd ones
        ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[1][0]))
        odd.update(i for _, members in ordered[1:] for i in members)
        parts = [f"{value} in {_shard_list([names[i] for i in m])}" for value, m in ordered]
        differ.append(f"{key}: " + "; ".join(parts))
    if not differ:
        return
    folder = Path(shard_paths[0]).parent
    odd_files = ", ".join(f"{names[i]}.*" for i in sorted(odd))
    raise ValueError(
        f"the {len(records)} BERT shards were not encoded the same way, so their vectors are "
        f"not one embedding space: {' | '.join(differ)}. They come from different runs or "
        "machines (a resumed run, mixed cluster nodes: precision auto and backend auto are "
        f"chosen per machine). Delete the odd shards ({odd_files} in {folder}) or the whole "
        "folder and rerun; set bert.precision and bert.runtime.backend explicitly to get the "
        "same choice everywhere."
    )


def encoded_siblings(shard_path, shard: int, n_shards: int) -> list[dict]:
    """The records of the other shards of this split already in the shard folder (a resumed
    run's finished shards), each with its ``file`` name; unreadable ones are left out."""
    folder = Path(shard_path).parent
    out = []
    for other, info in enumerate(shard_files(n_shards, SHARD_INFO)):
        path = folder / Path(info).name
        if other == shard or not path.is_file():
            continue
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        out.append({**record, "file": path.name})
    return out


def summary_siblings(summary: dict) -> list[dict]:
    """The shard records of a finished run's ``bert_summary.json``, each with a ``file`` name,
    as :func:`path_to_follow` reads them: a job that encodes a few more texts after the run
    (rule polarity_texts) encodes them as the run's shards did, not by measuring again (on a
    loaded machine the measured fastest path can flip, and with it the last digits)."""
    return [
        {**record, "file": f"shard {record.get('shard', i)} of the run"}
        for i, record in enumerate(summary.get("shards", ()))
    ]


def path_to_follow(siblings: Sequence[dict], setting: str) -> tuple[str, str, str] | None:
    """(backend, precision, shard file) of the first sibling encoded on a CPU with this job's
    ``setting`` (:func:`sentclust.bert.paths.encoding_setting`: the rule's encoding params and
    the int8 model), or None. A resumed job encodes as its run's finished shards did, whatever
    this machine would measure now (another thread count or load can measure another path), so
    that :func:`check_consistent` passes; shards of another setting are about to be rerun and
    are not followed."""
    for record in siblings:
        if record.get("encoding_setting") == setting and record.get("device") == "cpu":
            return record["backend"], record["precision"], record["file"]
    return None


def _shard_list(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def bert_summary(records: Sequence[dict], n_reviews: int) -> dict:
    """``bert_summary.json``: the model and mode (from the first shard), totals, every record."""
    first = records[0]
    seconds = sum(r["seconds"] for r in records)
    return {
        "kind": "bert",
        "supervision": "none (a pre-trained sentence-transformers model)",
        "model": first["model"],
        "model_source": first["model_source"],
        "model_revision": first.get("model_revision"),
        "dimensions": first["dimensions"],
        "n_reviews": n_reviews,
        "mode": first["mode"],
        "max_seq_length": first["max_seq_length"],
        "n_truncated": sum(r["n_truncated"] for r in records),
        **_segment_totals(records),
        "n_shards": len(records),
        "encode_seconds_total": round(seconds, 1),
        "reviews_per_second": round(n_reviews / seconds, 2) if seconds else None,
        "shards": list(records),
    }


def _segment_totals(records: Sequence[dict]) -> dict:
    """Segment counts summed over the shards (nothing when the shards pooled no segments)."""
    if not all("n_segments" in r for r in records):
        return {}
    n = sum(r["n_segments"] for r in records)
    covered = sum(r["n_segments"] * (r["segment_coverage_mean"] or 0.0) for r in records)
    return {
        "n_segments": n,
        "segments_scored": sum(r["segments_scored"] for r in records),
        "segment_coverage_mean": round(covered / n, 4) if n else None,
        "segment_seconds": round(sum(r["segment_seconds"] for r in records), 1),
    }
