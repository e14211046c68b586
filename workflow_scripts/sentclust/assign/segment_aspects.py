"""Each segment of a new text: its aspect, its polarity and its comparisons.

The aspect is the one of the nearest centre of the run's chosen aspect count
(``aspects/k{k}/centres.npz``, squared euclidean distance: the K-means assignment the aspects
stage gave the corpus' segments, :meth:`sentclust.cluster.model.KMeansModel.assign`), named
from ``aspects/aspects.json``; a segment whose BERT vector covers less of it than the run
required (``polarity.min_coverage``) or is not finite gets none, as the run clustered none such.
The polarity is the label the run's segment scorers give (none in a run without labels); the
comparisons are :func:`sentclust.aspects.comparisons.comparison_rows`, their spans inside the
segment's text.

The manifest's ``about["aspects"]`` (:func:`aspects_about`) names the two files; an old manifest
without it, or a run without the aspects stage, gives segments without aspects.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from sentclust import layout as L
from sentclust.aspects.comparisons import comparison_rows
from sentclust.cluster.model import KMeansModel
from sentclust.files import read_npz, write_parquet
from sentclust.polarity.contract import LABEL_NAMES

#: the segment scorers' labels by name
POLARITY_NAMES = LABEL_NAMES
#: one comparison of a segment (the fields of comparison_rows but its segment id)
COMPARISON = pa.struct(
    [
        ("kind", pa.string()),
        ("cue", pa.string()),
        ("negated", pa.bool_()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("left", pa.string()),
        ("right", pa.string()),
        ("left_start", pa.int32()),
        ("left_end", pa.int32()),
        ("right_start", pa.int32()),
        ("right_end", pa.int32()),
    ]
)
#: the per-segment table (assign/<name>/segments.parquet)
SCHEMA = pa.schema(
    [
        ("text_id", pa.string()),
        ("segment_no", pa.int32()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("text", pa.string()),
        ("aspect", pa.int32()),
        ("aspect_name", pa.string()),
        ("aspect_distance", pa.float32()),
        ("coverage", pa.float32()),
        ("polarity", pa.int8()),
        ("polarity_name", pa.string()),
        ("comparisons", pa.list_(COMPARISON)),
    ]
)


def aspects_about(summary: dict, *, segments: dict, bert_segments: str, min_coverage: float):
    """The manifest's ``about["aspects"]`` of aspects.json's content ``summary``: the chosen
    count, its centres file and aspects.json (what the manifest checksums), the segmentation
    and segment vectors the run clustered, and the coverage a segment vector needed."""
    choice = summary.get("choice") if isinstance(summary, dict) else None
    k = choice.get("k") if isinstance(choice, dict) else None
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(
            f"{L.ASPECTS} has no chosen aspect count (choice.k is {k!r}). Fix: delete it and "
            "rerun the workflow on this run's config (the aspects job writes it again)"
        )
    return {
        "summary": L.ASPECTS,
        "k": k,
        "centres": L.path(L.ASPECTS_CENTRES, k=k),
        "segments": dict(segments),
        "bert_segments": bert_segments,
        "min_coverage": float(min_coverage),
    }


def aspect_files(about: dict) -> list[str]:
    """The files of ``about["aspects"]`` (none for a run without the stage or an old manifest)."""
    aspects = about.get("aspects")
    return [aspects["summary"], aspects["centres"]] if aspects else []


@dataclass(frozen=True)
class AspectModel:
    """The run's chosen aspect centres (float32, k x dim), their names and the coverage a
    segment vector needs to get an aspect."""

    centres: np.ndarray
    names: dict[int, str]
    min_coverage: float = 0.0

    @classmethod
    def from_bytes(cls, summary: bytes, centres: bytes, entry: dict) -> AspectModel:
        """The model of aspects.json's and the centres' checked bytes (``entry``: the
        manifest's ``about["aspects"]``); ValueError naming the file and the fix."""
        fix = "Fix: rerun the workflow on this run's config (the aspects jobs write them again)"
        arrays = read_npz(io.BytesIO(centres))  # no pickle
        x = arrays.get("centres")
        if x is None or x.ndim != 2 or len(x) != entry["k"]:
            shape = None if x is None else x.shape
            raise ValueError(
                f"{entry['centres']} holds no k = {entry['k']} centres (array 'centres' of "
                f"shape {shape}). {fix}"
            )
        doc = json.loads(summary)
        names = {int(a["aspect"]): str(a.get("name") or "") for a in doc.get("aspects") or []}
        missing = sorted(set(range(len(x))) - set(names))
        if missing:
            raise ValueError(f"{entry['summary']} names no aspect {missing}. {fix}")
        return cls(np.asarray(x, dtype=np.float32), names, float(entry.get("min_coverage", 0)))

    @classmethod
    def from_run(cls, models) -> AspectModel | None:
        """The aspects of a :class:`~sentclust.assign.run_models.RunModels` (None without)."""
        entry = models.about.get("aspects")
        if not entry:
            return None
        read = models.read_bytes  # checked against the manifest as they are read
        return cls.from_bytes(read(entry["summary"]), read(entry["centres"]), entry)

    def nearest(self, x, coverage=None) -> tuple[np.ndarray, np.ndarray]:
        """(aspect id, distance to its centre) of each row of ``x``: the nearest centre's;
        -1 and NaN for a row that is not finite or whose ``coverage`` is under the run's."""
        x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
        dim = self.centres.shape[1]
        if len(x) and x.shape[1] != dim:
            raise ValueError(
                f"the segment vectors have {x.shape[1]} dimensions, the run's aspect centres "
                f"{dim}: the encoder is not the run's. Fix: place with the run's model"
            )
        ok = np.isfinite(x).all(axis=1)
        if coverage is not None:
            ok &= np.asarray(coverage, dtype=np.float64) >= self.min_coverage
        ids = np.full(len(x), -1, dtype=np.int32)
        distance = np.full(len(x), np.nan, dtype=np.float32)
        if ok.any():
            model = KMeansModel(centres=self.centres, sizes=np.ones(len(self.centres)))
            ids[ok], distance[ok], _ = model.assign(x[ok])
        return ids, distance


def flat_segments(text_ids: Sequence, cleaned: Sequence[str], spans) -> pd.DataFrame:
    """One row per segment of each text, in text then segment order: text_id, segment_no,
    start, end (in the cleaned text) and the segment's text."""
    rows = [
        (str(tid), j, s, e, cleaned[i][s:e])
        for i, tid in enumerate(text_ids)
        for j, (s, e, *_) in enumerate(spans[i])
    ]
    return pd.DataFrame(rows, columns=["text_id", "segment_no", "start", "end", "text"])


def segment_rows(flat: pd.DataFrame, *, aspects=None, names=None, coverage=None, labels=None):
    """The rows of :data:`SCHEMA` of the segments ``flat`` (:func:`flat_segments`):
    ``aspects`` (id, distance) in the same order with -1 for none (None: the run has no
    aspects), their ``names``, the BERT ``coverage``, the polarity ``labels`` (None: the run
    has none), and each segment's comparisons."""
    n = len(flat)
    ids, distance = aspects if aspects is not None else (np.full(n, -1), np.full(n, np.nan))
    found: dict[int, list] = {}
    for row in comparison_rows(range(n), flat["text"].tolist()):
        found.setdefault(row.pop("segment_id"), []).append(row)
    out = []
    for j, seg in enumerate(flat.itertuples(index=False)):
        a = int(ids[j])
        label = None if labels is None else int(labels[j])
        out.append(
            {
                "text_id": seg.text_id,
                "segment_no": int(seg.segment_no),
                "start": int(seg.start),
                "end": int(seg.end),
                "text": seg.text,
                "aspect": a if a >= 0 else None,
                "aspect_name": (names or {}).get(a) if a >= 0 else None,
                "aspect_distance": float(distance[j]) if a >= 0 else None,
                "coverage": None if coverage is None else float(coverage[j]),
                "polarity": label,
                "polarity_name": POLARITY_NAMES.get(label),
                "comparisons": found.get(j, []),
            }
        )
    return out


def segments_frame(rows: list[dict]) -> pd.DataFrame:
    """:func:`segment_rows` as a frame of :data:`SCHEMA`'s columns (nullable where absent)."""
    return segments_table(rows).to_pandas(types_mapper=_nullable)


def segments_table(rows) -> pa.Table:
    """Rows (dicts or a frame of :func:`segments_frame`) as a table of :data:`SCHEMA`."""
    if isinstance(rows, pd.DataFrame):
        rows = rows.to_dict(orient="records")
    columns = {f.name: [plain(r.get(f.name)) for r in rows] for f in SCHEMA}
    return pa.Table.from_pydict(columns, schema=SCHEMA)


def write_segments(rows, path) -> None:
    """The per-segment table as Parquet, written atomically."""
    write_parquet(segments_table(rows), path)


def _nullable(dtype: pa.DataType):
    """pandas' nullable integers for the id columns (an absent aspect stays <NA>, not NaN)."""
    mapping = {pa.int32(): pd.Int32Dtype(), pa.int8(): pd.Int8Dtype()}
    return mapping.get(dtype)


def plain(value):
    """A frame's value as Arrow and JSON take it: <NA> and NaN as None, arrays as lists."""
    if isinstance(value, (np.ndarray, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value
