"""Unit tests of sentclust.ingest.columns (ingest.columns) and of its use by the readers, the
schema and the config check; and of the names detect.py tells."""

from __future__ import annotations

import pandas as pd
import pytest
from snakemake.utils import validate

from conftest import ROOT, full_config, run_ingest
from sentclust import ingest
from sentclust.ingest import IngestError
from sentclust.ingest.columns import mapping_problems, source_fields
from sentclust.workflow.config_checks import ConfigError, check_config

SCHEMA = str(ROOT / "config" / "schema.yaml")


def test_source_fields_maps_renames_and_keeps_own_names():
    found = ["body", "stars", "label", "text"]
    assert source_fields(found, {"text": "body", "rating": "stars"}, "f") == {
        "text": "body",
        "rating": "stars",
        "label": "label",
    }
    assert source_fields(["Text", " Label "], {}, "f", fold_case=True) == {
        "text": "Text",
        "label": " Label ",
    }
    assert source_fields(["Text"], {}, "f") == {}


def test_a_field_mapped_away_is_not_read_under_its_own_name():
    assert source_fields(["text", "body"], {"review_id": "text", "text": "body"}, "f") == {
        "review_id": "text",
        "text": "body",
    }


def test_a_missing_mapped_field_names_the_key_the_field_and_the_fields_found():
    with pytest.raises(IngestError) as err:
        source_fields(["body", "stars"], {"rating": "score"}, "reviews.parquet")
    assert str(err.value).startswith(
        "reviews.parquet: ingest.columns.rating names the field 'score', which is not in the "
        "input; its fields are 'body', 'stars'. Fix: set ingest.columns.rating to one of those"
    )


def test_mapping_problems():
    assert mapping_problems(None) == [] and mapping_problems({}) == []
    (one,) = mapping_problems({"text": "body", "label": "body"})
    assert "maps text and label to the same field 'body'" in one
    (two,) = mapping_problems({"stars": "x"})
    assert "ingest.columns.stars: 'stars' is not a contract column" in two
    assert "is not a field name" in mapping_problems({"text": ""})[0]


def test_the_schema_refuses_unknown_columns_and_the_config_check_a_shared_field():
    with pytest.raises(Exception, match="Error validating"):
        validate({"ingest": {"columns": {"stars": "x"}}}, SCHEMA)
    with pytest.raises(Exception, match="Error validating"):
        validate({"ingest": {"csv_separator": ":"}}, SCHEMA)
    config = full_config()
    config["ingest"]["columns"] = {"text": "body", "label": "body"}
    with pytest.raises(ConfigError, match="maps text and label to the same field 'body'"):
        check_config(config)


def test_parquet_columns_are_renamed(tmp_path):
    f = tmp_path / "train.parquet"
    pd.DataFrame({"body": ["a", "b"], "sentiment": ["pos", "neg"], "stars": [9, 2]}).to_parquet(f)
    mapping = {"text": "body", "label": "sentiment", "rating": "stars"}
    df, _ = run_ingest(f, columns=mapping, splits=["train"])
    assert df["text"].tolist() == ["b", "a"] and df["rating"].tolist() == [2, 9]
    with pytest.raises(IngestError, match="ingest.columns.text names the field 'review'"):
        run_ingest(f, columns={"text": "review"})
    with pytest.raises(IngestError, match=r"missing required column\(s\) text"):
        run_ingest(f)


def test_a_mapping_for_the_aclimdb_forms_is_refused(tmp_path):
    from test_ingest_aclimdb import write_tree

    acl = write_tree(
        tmp_path / "aclImdb", {"train/neg/0_1.txt": b"bad", "train/pos/1_9.txt": b"ok"}
    )
    with pytest.raises(IngestError, match="ingest.columns renames the fields of parquet, csv"):
        run_ingest(acl, columns={"text": "body"})


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("r.jsonl", "jsonl"),
        ("R.NDJSON", "jsonl"),
        ("r.jsonl.gz", "jsonl"),
        ("r.ndjson.xz", "jsonl"),
        ("r.csv.gz", "csv"),
        ("r.csv.bz2", "csv"),
        ("r.tsv", "csv"),
        ("r.tsv.xz", "csv"),
        ("aclImdb_v1.tar.gz", "aclimdb_tar"),
    ],
)
def test_detect_tells_the_text_forms_by_name(tmp_path, name, form):
    f = tmp_path / name
    f.write_bytes(b"")
    assert ingest.detect_format(str(f)) == form


def test_a_json_file_is_told_to_be_renamed(tmp_path):
    f = tmp_path / "reviews.json.gz"
    f.write_bytes(b"")
    with pytest.raises(IngestError, match="is JSON Lines: rename it .jsonl"):
        ingest.detect_format(str(f))


def test_a_download_keeps_the_suffix_that_tells_its_form(tmp_path):
    from sentclust.ingest.inputs import download_name, ingest_files

    assert download_name("https://example.org/dumps/reviews.jsonl.gz?token=x") == "reviews.jsonl.gz"
    f = tmp_path / "reviews.ndjson.bz2"
    f.write_bytes(b"")
    assert ingest_files(str(f)) == [str(f)]
