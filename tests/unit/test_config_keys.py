"""sentclust.workflow.config_keys: the table of run-time-only keys and the params built from it."""

from sentclust.workflow.config_keys import RUNTIME_KEYS, canonical, provenance, result_params

CONFIG = {
    "seed": 1,
    "conda_flavour": "cpu",
    "wordvec": {"threads": 2, "dropout": 0.2, "batch_size": 128},
    "bert": {"model": "m", "shards": 8, "runtime": {"threads": 1}},
    "kmeans": {"k": [2, 3], "threads": 1, "n_init": 10},
    "assign": {"inputs": {"new": "new.csv"}},
}


def test_result_params_leave_out_runtime_keys_and_sort():
    assert result_params(CONFIG, "wordvec") == {"batch_size": 128, "dropout": 0.2}
    assert list(result_params(CONFIG, "wordvec")) == ["batch_size", "dropout"]
    assert result_params(CONFIG, "bert") == {"model": "m"}
    assert result_params(CONFIG, "kmeans", drop=("k",)) == {"n_init": 10}


def test_provenance_has_no_runtime_key_and_a_fixed_order():
    prov = provenance(CONFIG)
    assert "conda_flavour" not in prov and "threads" not in prov["wordvec"]
    assert "runtime" not in prov["bert"] and "shards" not in prov["bert"]
    assert "assign" not in prov  # new reviews placed on a finished run change none of its results
    reordered = {k: CONFIG[k] for k in reversed(list(CONFIG))}
    assert list(provenance(reordered)) == list(prov) == sorted(prov)


def test_canonical_sorts_nested_dicts_and_keeps_list_order():
    value = {"b": [{"y": 1, "x": 2}, 3], "a": {"d": 1, "c": 2}}
    assert canonical(value) == value
    assert list(canonical(value)) == ["a", "b"]
    assert list(canonical(value)["b"][0]) == ["x", "y"]


def test_every_runtime_key_names_a_section_and_key():
    assert all(
        isinstance(key, str) and (sec is None or isinstance(sec, str)) for sec, key in RUNTIME_KEYS
    )
