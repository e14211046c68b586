"""Each segment of a new text with its aspect, polarity and comparisons
(sentclust.assign.segment_aspects): the nearest aspect centre as K-means assigns, the per-segment
rows on a planted example, and runs without aspects or labels."""

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from conftest import schema_defaults
from sentclust import layout as L
from sentclust.assign import segment_aspects as sa
from sentclust.cluster.model import KMeansModel
from sentclust.polarity.segments import segment_review

SEED_EXAMPLE = "The location was truly disgusting ... but the people there were glorious."
CENTRES = np.array([[4.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 4.0]], dtype=np.float32)


def _summary(**more):
    """aspects.json as the lead's new version writes it (fields an old one lacks in ``more``)."""
    aspects = [
        {"aspect": 0, "name": "location / place", "terms": ["location", "place"], "size": 5},
        {"aspect": 1, "name": "people / staff", "terms": ["people", "staff"], "size": 4},
        {"aspect": 2, "name": "book / film", "terms": ["book", "film"], "size": 3},
    ]
    return {"choice": {"k": 3, "criterion": "elbow"}, "sweep": [], "labels": True,
            "n_segments": 12, "aspects": aspects, **more}  # fmt: skip


def _model(tmp_path, summary=None, centres=CENTRES, min_coverage=0.5):
    path = tmp_path / "centres.npz"
    KMeansModel(centres=centres, sizes=np.ones(len(centres))).save(path)  # as aspects_k saves
    entry = sa.aspects_about(
        summary or _summary(), segments={}, bert_segments="pooled", min_coverage=min_coverage
    )
    raw = json.dumps(summary or _summary()).encode()
    return sa.AspectModel.from_bytes(raw, path.read_bytes(), entry)


def test_the_nearest_centre_is_the_k_means_assignment(tmp_path):
    model = _model(tmp_path)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 3)) * 3
    ids, distance = model.nearest(x)
    d2 = ((x[:, None, :] - CENTRES[None, :, :]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(ids, d2.argmin(axis=1))
    np.testing.assert_allclose(distance, np.sqrt(d2.min(axis=1)), rtol=1e-5)
    planted = np.array([[3.5, 0.2, 0.1], [0.1, 3.9, -0.2], [0.0, 0.3, 5.0]])
    assert model.nearest(planted)[0].tolist() == [0, 1, 2]


def test_no_aspect_for_a_vector_the_run_would_not_cluster(tmp_path):
    model = _model(tmp_path, min_coverage=0.5)
    x = np.array([[4.0, 0, 0], [np.nan, 0, 0], [0, 4.0, 0]])
    ids, distance = model.nearest(x, coverage=[1.0, 1.0, 0.2])
    assert ids.tolist() == [0, -1, -1] and np.isnan(distance[1:]).all()
    with pytest.raises(ValueError, match=r"2 dimensions, the run's aspect centres 3.*Fix"):
        model.nearest(np.zeros((1, 2)))


def test_aspect_files_come_from_the_chosen_count_and_are_checked(tmp_path):
    entry = sa.aspects_about(_summary(), segments={"min_words": 2}, bert_segments="separate",
                             min_coverage=0.0)  # fmt: skip
    assert entry["k"] == 3 and entry["centres"] == L.path(L.ASPECTS_CENTRES, k=3)
    assert sa.aspect_files({"aspects": entry}) == [L.ASPECTS, entry["centres"]]
    assert sa.aspect_files({"kinds": {}}) == []  # an old manifest: no aspects
    with pytest.raises(ValueError, match=r"aspects/aspects.json has no chosen aspect count.*Fix"):
        sa.aspects_about({"choice": {"k": None}}, segments={}, bert_segments="pooled",
                         min_coverage=0.0)  # fmt: skip
    with pytest.raises(ValueError, match=r"k3/centres.npz holds no k = 3 centres.*Fix"):
        _model(tmp_path, centres=CENTRES[:2])
    unnamed = _summary(aspects=_summary()["aspects"][:2])
    with pytest.raises(ValueError, match=r"aspects.json names no aspect \[2\]"):
        _model(tmp_path, summary=unnamed)


def _segmented(texts):
    seg = {k: v for k, v in schema_defaults("segments").items() if k != "threads"}
    spans = [segment_review(t, **seg) for t in texts]
    return sa.flat_segments([f"t{i}" for i in range(len(texts))], texts, spans)


def test_each_segment_gets_its_aspect_polarity_and_comparisons(tmp_path):
    model = _model(tmp_path)
    comparison = "The book is far better than this film."
    flat = _segmented([SEED_EXAMPLE, comparison])
    assert flat["text_id"].tolist() == ["t0", "t0", "t1"]  # the seed's example: two segments
    vectors = np.array([[3.0, 1.0, 0.0], [0.5, 3.0, 0.0], [0.0, 0.0, 4.0]])  # planted
    rows = sa.segment_rows(flat, aspects=model.nearest(vectors), names=model.names,
                           coverage=[1.0, 1.0, 1.0], labels=[-1, 1, 0])  # fmt: skip
    assert [r["aspect_name"] for r in rows] == ["location / place", "people / staff", "book / film"]
    assert [r["polarity_name"] for r in rows] == ["negative", "positive", "neutral"]
    assert rows[1]["text"].startswith("but the people") and rows[0]["comparisons"] == []
    (c,) = rows[2]["comparisons"]
    text = rows[2]["text"]
    assert (c["left"], c["right"], c["cue"], c["negated"]) == ("The book", "this film",
                                                               "better than", False)  # fmt: skip
    assert text[c["left_start"] : c["left_end"]] == "The book"
    assert text[c["right_start"] : c["right_end"]] == "this film"
    sa.write_segments(rows, tmp_path / "segments.parquet")
    table = pq.read_table(tmp_path / "segments.parquet")
    assert table.schema == sa.SCHEMA and table.column("aspect").to_pylist() == [0, 1, 2]
    assert table.column("comparisons").to_pylist()[2][0]["right"] == "this film"


def test_a_run_without_aspects_or_labels_gives_clear_absence(tmp_path):
    flat = _segmented(["Not as good as the original, sadly.", SEED_EXAMPLE])
    rows = sa.segment_rows(flat)
    assert all(r["aspect"] is None and r["aspect_name"] is None for r in rows)
    assert all(r["polarity"] is None and r["polarity_name"] is None for r in rows)
    assert rows[0]["comparisons"][0]["negated"] is True
    frame = sa.segments_frame(rows)
    assert str(frame["aspect"].dtype) == "Int32" and frame["aspect"].isna().all()
    sa.write_segments(frame, tmp_path / "none.parquet")  # a frame writes as the rows do
    back = pq.read_table(tmp_path / "none.parquet").to_pylist()
    assert back[0]["comparisons"][0]["cue"] == "as good as" and back[1]["polarity"] is None
    sa.write_segments([], tmp_path / "empty.parquet")  # no segments at all
    assert pq.read_table(tmp_path / "empty.parquet").num_rows == 0
