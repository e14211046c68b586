import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sentclust.files import (
    atomic_dir,
    atomic_path,
    embeddings_table,
    fixed_size_list,
    package_versions,
    read_embeddings,
    read_embeddings_with_reviews,
    write_json,
    write_parquet,
    write_text,
)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_atomic_path_renames_only_on_success(tmp_path):
    target = tmp_path / "sub" / "out.json"
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp.name.endswith(".tmp.json")
        tmp.write_text("done")
        assert not target.exists()
    assert target.read_text() == "done"
    assert os.listdir(target.parent) == ["out.json"]
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()


def test_atomic_path_leaves_nothing_half_written(tmp_path):
    target = tmp_path / "out.parquet"
    with pytest.raises(RuntimeError, match="killed"), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert os.listdir(tmp_path) == []


def test_atomic_path_keeps_the_old_output_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(ValueError), atomic_path(target) as tmp:
        tmp.write_text("new")
        raise ValueError
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["out.txt"]


def test_atomic_dir_replaces_the_folder_on_success(tmp_path):
    target = tmp_path / "figures"
    target.mkdir()
    (target / "stale.png").write_text("old")
    with atomic_dir(target) as tmp:
        (tmp / "new.png").write_text("new")
        assert (target / "stale.png").exists()
    assert sorted(os.listdir(target)) == ["new.png"]
    assert os.listdir(tmp_path) == ["figures"]
    assert target.stat().st_mode & 0o777 == 0o777 & ~_umask()


def test_atomic_dir_leaves_nothing_half_written(tmp_path):
    target = tmp_path / "html"
    with pytest.raises(RuntimeError), atomic_dir(target) as tmp:
        (tmp / "half.html").write_text("<")
        raise RuntimeError
    assert os.listdir(tmp_path) == []


def test_write_json_keeps_key_order_and_converts_numpy(tmp_path):
    path = tmp_path / "a" / "m.json"
    write_json({"z": np.float32(0.5), "a": np.int64(3), "p": Path("x/y"), "n": None}, path)
    text = path.read_text()
    assert text.endswith("}\n") and text.index('"z"') < text.index('"a"')
    assert json.loads(text) == {"z": 0.5, "a": 3, "p": "x/y", "n": None}
    with pytest.raises(TypeError, match="not JSON serialisable: object"):
        write_json({"bad": object()}, tmp_path / "bad.json")
    assert not (tmp_path / "bad.json").exists()


def test_write_text_and_parquet(tmp_path):
    write_text("héllo <b>", tmp_path / "t.html")
    assert (tmp_path / "t.html").read_text(encoding="utf-8") == "héllo <b>"
    table = pa.table({"review_id": ["r1", "r2"], "n": [1, 2]})
    write_parquet(table, tmp_path / "t.parquet")
    assert pq.read_table(tmp_path / "t.parquet").equals(table)
    meta = pq.ParquetFile(tmp_path / "t.parquet").metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"


def test_package_versions():
    got = package_versions(["numpy", "surely-not-a-package-name"])
    assert got["numpy"] == np.__version__ and got["surely-not-a-package-name"] == "missing"


def test_fixed_size_list_needs_two_dimensions():
    arr = fixed_size_list(np.ones((2, 3)))
    assert arr.type.list_size == 3 and arr.type.value_type == pa.float32() and len(arr) == 2
    with pytest.raises(ValueError, match="must be 2-D"):
        fixed_size_list(np.ones(3))


def test_embeddings_contract_roundtrip(tmp_path):
    x = np.arange(12, dtype=np.float64).reshape(3, 4)
    write_parquet(embeddings_table(["r1", "r2", "r3"], x), tmp_path / "e.parquet")
    ids, y = read_embeddings(tmp_path / "e.parquet")
    assert ids.tolist() == ["r1", "r2", "r3"] and y.dtype == np.float32
    np.testing.assert_array_equal(y, x.astype(np.float32))


def test_embeddings_table_schema():
    table = embeddings_table(pd.Series(["a", "b"]), np.zeros((2, 5)))
    assert table.column_names == ["review_id", "embedding"]
    assert table.schema.field("review_id").type == pa.string()
    assert pa.types.is_fixed_size_list(table.schema.field("embedding").type)


def test_read_embeddings_rejects_variable_length_lists(tmp_path):
    table = pa.table({"review_id": ["a"], "embedding": pa.array([[1.0, 2.0]])})
    write_parquet(table, tmp_path / "bad.parquet")
    with pytest.raises(ValueError, match="expected a fixed-size list of float32"):
        read_embeddings(tmp_path / "bad.parquet")


def _reviews(tmp_path):
    reviews = pd.DataFrame(
        {
            "review_id": ["r1", "r2", "r3"],
            "split": ["train", "test", "test"],
            "label": [1, 0, 1],
            "rating": [9, 2, 7],
        }
    )
    reviews.to_parquet(tmp_path / "reviews.parquet")
    return tmp_path / "reviews.parquet"


def test_read_embeddings_with_reviews_follows_the_embeddings_order(tmp_path):
    reviews = _reviews(tmp_path)
    x = np.array([[3.0], [1.0]])
    write_parquet(embeddings_table(["r3", "r1"], x), tmp_path / "e.parquet")
    ids, y, meta = read_embeddings_with_reviews(tmp_path / "e.parquet", reviews)
    assert ids.tolist() == ["r3", "r1"] and y.tolist() == [[3.0], [1.0]]
    assert list(meta.columns) == ["split", "label"]
    assert meta["split"].tolist() == ["test", "train"] and meta["label"].tolist() == [1, 1]
    _, _, rated = read_embeddings_with_reviews(tmp_path / "e.parquet", reviews, ("rating",))
    assert rated["rating"].tolist() == [7, 9]


def test_read_embeddings_with_reviews_rejects_unknown_ids(tmp_path):
    reviews = _reviews(tmp_path)
    write_parquet(embeddings_table(["r1", "zz"], np.ones((2, 2))), tmp_path / "e.parquet")
    with pytest.raises(ValueError, match="1 review ids are not in .*first: zz"):
        read_embeddings_with_reviews(tmp_path / "e.parquet", reviews)


def test_write_json_takes_numpy_arrays_and_scalars(tmp_path):
    import json

    import numpy as np

    from sentclust.files import write_json

    path = tmp_path / "a.json"
    write_json({"a": np.arange(3), "b": np.float32(0.5), "c": np.int64(2)}, path)
    assert json.loads(path.read_text()) == {"a": [0, 1, 2], "b": 0.5, "c": 2}


def test_atomic_outputs_get_the_usual_permissions_not_mkstemps_private_ones(tmp_path):
    import os

    from sentclust.files import atomic_dir, write_text

    mask = os.umask(0o022)
    try:
        write_text("x", tmp_path / "a.txt")
        with atomic_dir(tmp_path / "figs") as d:
            (d / "f.png").write_bytes(b"")
    finally:
        os.umask(mask)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "figs").stat().st_mode & 0o777 == 0o755


def test_umask_is_read_without_setting_it(tmp_path, monkeypatch):
    """os.umask(0) for a moment gives files created by other threads mode 0666."""
    import sentclust.files as files

    mask = os.umask(0o027)
    try:

        def no_umask(*_):
            raise AssertionError("os.umask changes the process umask, if only briefly")

        monkeypatch.setattr(os, "umask", no_umask)
        assert files._umask() == 0o027
        assert files._probe_umask() == 0o027  # where there is no /proc
        write_text("x", tmp_path / "a.txt")
        with atomic_dir(tmp_path / "d") as d:
            (d / "f").write_text("y")
    finally:
        monkeypatch.undo()
        os.umask(mask)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o750


def _record_fsync_and_replace(monkeypatch) -> list[tuple]:
    """Record (``fsync``, path) and (``replace``, source, target) in call order; both still run."""
    events: list[tuple] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", str(src), str(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return events


def test_atomic_writes_reach_the_disk_before_the_rename(tmp_path, monkeypatch):
    events = _record_fsync_and_replace(monkeypatch)
    write_json({"a": 1}, tmp_path / "m.json")
    (_, tmp, target), *_ = (e for e in events if e[0] == "replace")
    assert target == str(tmp_path / "m.json")
    i = events.index(("replace", tmp, target))
    assert ("fsync", tmp) in events[:i], events  # the data, under its temporary name
    assert ("fsync", str(tmp_path)) in events[i + 1 :], events  # the rename

    events.clear()
    with atomic_dir(tmp_path / "figs") as d:
        (d / "f.png").write_bytes(b"png")
    (_, tmp, target), *_ = (e for e in events if e[0] == "replace")
    i = events.index(("replace", tmp, target))
    assert {("fsync", f"{tmp}/f.png"), ("fsync", tmp)} <= set(events[:i]), events
    assert ("fsync", str(tmp_path)) in events[i + 1 :], events


_KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from sentclust.files import atomic_dir, atomic_path
out = Path(sys.argv[1])
with atomic_path(out / "m.json") as tmp, atomic_dir(out / "figs") as figs:
    tmp.write_text("half")
    (figs / "a.png").write_bytes(b"half")
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_writers_temporaries_are_removed_by_the_next_write(tmp_path):
    """SIGKILL runs no cleanup: the temporaries stay, named with the writer's pid, until the
    next write to the same path removes them (a live writer's and another path's are kept)."""
    import subprocess
    import sys

    from sentclust.files import _host

    scripts = Path(__file__).resolve().parents[2] / "workflow_scripts"
    env = {**os.environ, "PYTHONPATH": str(scripts)}
    run = subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(tmp_path)], env=env)
    assert run.returncode == -9
    left = sorted(os.listdir(tmp_path))
    assert len(left) == 2 and all(name.startswith(".") and ".tmp" in name for name in left)
    assert all(f".{_host()}." in name for name in left), left
    # a write in progress in a live process (this one), and another path's temporary
    live = tmp_path / f".m.json.{_host()}.{os.getpid()}.abcd1234.tmp.json"
    other = tmp_path / f".n.json.{_host()}.999999999.abcd1234.tmp.json"
    live.write_text("in progress")
    other.write_text("another path")

    write_json({"done": True}, tmp_path / "m.json")
    with atomic_dir(tmp_path / "figs") as figs:
        (figs / "a.png").write_bytes(b"png")
    assert sorted(os.listdir(tmp_path)) == sorted(["figs", "m.json", live.name, other.name])
    assert json.loads((tmp_path / "m.json").read_text()) == {"done": True}
    assert os.listdir(tmp_path / "figs") == ["a.png"]


def _finegrained_job(tmp_path):
    """The ``snakemake`` object of one finegrained job (kind bert, k 2 and 3) on 60 reviews
    with planted terms, its input files written (the segment polarity: one segment a review)."""
    from types import SimpleNamespace

    from cluster_data import planted_corpus
    from snakemake.iocontainers import InputFiles, Log, OutputFiles, Params, Wildcards

    from sentclust.finegrained.counts import term_counts, write_term_counts
    from sentclust.finegrained.terms import stop_words, term_stop_words

    texts, planted, ids = planted_corpus()
    label = (planted == 1).astype(np.int8)
    pd.DataFrame(
        {"review_id": ids, "split": "train", "label": label, "rating": 2 + 7 * label}
    ).to_parquet(tmp_path / "reviews.parquet")
    pd.DataFrame({"review_id": ids, "clean_text": texts}).to_parquet(tmp_path / "prepared.parquet")
    stop = term_stop_words(stop_words("sklearn")[0])
    counts, vocab = term_counts(texts, stop_words=stop, min_df=2, max_df=0.9)
    inputs = {"reviews": "reviews.parquet", "prepared": "prepared.parquet"}
    for name in ("counts", "vocab", "rows", "polarity", "segment_scores", "segments"):
        inputs[name] = f"{name}.npz" if name == "counts" else f"{name}.parquet"
    inputs = {name: str(tmp_path / file) for name, file in inputs.items()}
    one = {"review_id": ids, "segment_no": np.zeros(len(ids), dtype=np.int32)}
    pd.DataFrame(
        {
            "review_id": ids,
            "dual_polarity": False,
            "spread_std": np.float32(0),
            "share_positive": label.astype(np.float32),
            "share_negative": 1 - label.astype(np.float32),
        }
    ).to_parquet(inputs["polarity"])
    scores = {"score": np.where(label == 1, 2.0, -2.0), "label": np.where(label == 1, 1, -1)}
    pd.DataFrame({**one, **scores}).to_parquet(inputs["segment_scores"])
    pd.DataFrame({**one, "text": list(texts)}).to_parquet(inputs["segments"])
    write_term_counts(
        counts,
        vocab,
        list(ids),
        counts_path=inputs["counts"],
        vocab_path=inputs["vocab"],
        rows_path=inputs["rows"],
        about={"stop_words": "sklearn"},
    )
    for k, clusters in ((2, label), (3, pd.Series(planted).map({4: 2, 2: 0, 1: 1}))):
        frame = {"review_id": ids, "cluster": np.asarray(clusters, dtype=np.int32)}
        frame["distance"] = np.zeros(len(ids), dtype=np.float32)
        pd.DataFrame(frame).to_parquet(tmp_path / f"k{k}.parquet")
    write_json({"k": 3, "chosen_by": "silhouette"}, tmp_path / "choice.json")
    inputs["ingest_summary"] = str(tmp_path / "ingest_summary.json")
    write_json({"rating_scale": [1, 10], "labels": "given"}, inputs["ingest_summary"])
    assignments = [str(tmp_path / "k2.parquet"), str(tmp_path / "k3.parquet")]
    input_files = InputFiles(fromdict={"choice": str(tmp_path / "choice.json"), **inputs})
    n = len(input_files)
    input_files.extend(assignments)
    input_files._set_name("assignments", n, n + len(assignments))
    out = tmp_path / "out"
    out.mkdir()  # as Snakemake makes the output folders
    cfg = {
        "mixed_band": 0.1,
        "grade_share": 0.7,
        "top_terms": 3,
        "nearest": 2,
        "snippet_chars": 12,
        "term_weighting": "log_odds",
        "typical_segments": 2,
        "opinion_min_words": 1,
    }
    return SimpleNamespace(
        input=input_files,
        output=OutputFiles(
            fromdict={
                "json": str(out / "finegrained.json"),
                "table": str(out / "finegrained.parquet"),
                "figure": str(out / "rating_by_cluster.png"),
            }
        ),
        params=Params(
            fromdict={"finegrained": cfg, "explore": [2], "supervision": "none", "ks": [2, 3]}
        ),
        log=Log([str(tmp_path / "finegrained.log")]),
        wildcards=Wildcards(fromdict={"kind": "bert"}),
        threads=1,
    )


def test_finegrained_rule_writes_its_figure_atomically(tmp_path, monkeypatch):
    """A figure cut short (the job killed while savefig writes) leaves no PNG under the
    output's name for Snakemake to take as finished."""
    import runpy

    from matplotlib.figure import Figure

    script = Path(__file__).resolve().parents[2] / "workflow_scripts" / "finegrained.py"
    sm = _finegrained_job(tmp_path)
    runpy.run_path(str(script), init_globals={"snakemake": sm})
    png = Path(sm.output.figure)
    assert png.read_bytes().startswith(b"\x89PNG") and Path(sm.output.json).exists()
    png.unlink()

    def cut_short(fig, path, **kw):
        Path(path).write_bytes(b"\x89PNG half")
        raise OSError("No space left on device")

    monkeypatch.setattr(Figure, "savefig", cut_short)
    with pytest.raises(SystemExit):
        runpy.run_path(str(script), init_globals={"snakemake": sm})
    assert not png.exists()
    assert sorted(os.listdir(png.parent)) == ["finegrained.json", "finegrained.parquet"]


def test_npz_round_trip_refuses_pickled_objects(tmp_path):
    import numpy as np

    from sentclust.files import read_npz, write_npz

    arrays = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([1, 2])}
    write_npz(arrays, tmp_path / "m.npz")
    back = read_npz(tmp_path / "m.npz")
    assert list(back) == ["a", "b"] and back["a"].dtype == np.float32
    assert (back["a"] == arrays["a"]).all() and (back["b"] == arrays["b"]).all()
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]
    np.savez(tmp_path / "obj.npz", o=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError, match="pickle"):
        read_npz(tmp_path / "obj.npz")
