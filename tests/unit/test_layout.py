"""The results layout's helpers and the embedding kinds (sentclust.layout)."""

import pytest

from sentclust import layout as L


def test_path_fills_the_given_wildcards_and_keeps_the_others():
    template = "clusters/{kind}/k{k}/model.npz"
    assert L.path(template, kind="bert", k=3) == "clusters/bert/k3/model.npz"
    assert L.path(template, kind="bert") == "clusters/bert/k{k}/model.npz"
    assert L.path("embeddings/{kind}.parquet", kind="{raw}_pls") == "embeddings/{raw}_pls.parquet"
    assert L.path(L.REVIEWS) == L.REVIEWS


def test_shard_files_are_numbered_in_order():
    assert L.shard_files(2, "s/{shard}_of_{n}.parquet") == [
        "s/000_of_002.parquet",
        "s/001_of_002.parquet",
    ]
    assert L.shard_files(1) == [L.path(L.SHARD, shard="000", n="001")]
    assert L.shard_files(1, L.SHARD_SEGMENTS) == [L.path(L.SHARD_SEGMENTS, shard="000", n="001")]


def test_patterns_match_their_paths_only():
    centres = L.pattern("clusters/{kind}/k{k}/centres.npz")
    assert centres.match("clusters/bert_pls/k12/centres.npz")
    assert not centres.match("clusters/bert/k12/metrics.json")
    assert not centres.match("clusters/a/b/k2/centres.npz")  # a wildcard is one folder's name
    assert L.pattern(L.CENTRES).match(L.path(L.CENTRES, kind="bert_pls", k=12))
    assert L.pattern(L.SHARD).match(L.shard_files(3)[2])


def test_templates_are_unique_and_relative():
    templates = L.templates()
    assert len(set(templates.values())) == len(templates)
    assert not any(t.startswith("/") or ".." in t for t in templates.values())
    assert templates["MANIFEST"] == L.MANIFEST and "LOGS" not in templates


def test_the_kinds_and_their_sources():
    assert L.kinds(True) == ["wordvec", "bert", "wordvec_pls", "bert_pls"]
    assert L.kinds(False) == ["wordvec", "bert"]
    assert [L.source_of(k) for k in L.kinds(True)] == ["wordvec", "bert", "wordvec", "bert"]
    assert set(L.SUPERVISION) == set(L.kinds(True))
    assert L.is_pls("bert_pls") and not L.is_pls("bert")
    with pytest.raises(ValueError, match="unknown embedding kind 'tfidf'"):
        L.source_of("tfidf")
