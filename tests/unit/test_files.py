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
