"""The real DAG up to ingest's output on the input forms of issue 29 (JSON Lines, compressed CSV,
a `;`-separated CSV, a column-mapped dump), each made in tmp from the bundled demo sample: each
gives the same reviews table as the Parquet form; a wrong separator stops at ingest, naming it."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import DEMO_REVIEWS, run_snakemake, write_config

pytestmark = pytest.mark.workflow

REVIEWS = "results/data/reviews.parquet"
MAPPED = {"text": "body", "rating": "stars", "label": "sentiment"}


def sample() -> pd.DataFrame:
    """200 demo reviews, 50 per split and label."""
    df = pd.read_parquet(DEMO_REVIEWS)
    return df.groupby(["split", "label"]).head(50).reset_index(drop=True)


def jsonl_bytes(df: pd.DataFrame, rename: dict[str, str] | None = None) -> bytes:
    lines = []
    for r in df.to_dict("records"):
        r = {k: (int(v) if k in ("label", "rating") else v) for k, v in r.items()}
        lines.append(json.dumps({(rename or {}).get(k, k): v for k, v in r.items()}))
    return ("\n".join(lines) + "\n").encode("utf-8")


def semicolon_csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, sep=";").encode("utf-8")


FORMS = {
    "reviews.jsonl": lambda df: jsonl_bytes(df),
    "reviews.jsonl.gz": lambda df: gzip.compress(jsonl_bytes(df)),
    "reviews.csv.gz": lambda df: gzip.compress(df.to_csv(index=False).encode("utf-8")),
    "semicolon.csv": semicolon_csv,
    "dump.jsonl": lambda df: jsonl_bytes(df, MAPPED),
}


def ingest_only(workdir, input_path, **ingest_settings):
    cfg = write_config(
        workdir / "forms.yaml",
        input_path=str(input_path),
        input_format="auto",
        ingest=ingest_settings,
    )
    return run_snakemake(workdir, REVIEWS, "--cores", "1", "--configfile", str(cfg))


@pytest.fixture(scope="module")
def parquet_table(tmp_path_factory):
    """The reviews table of the Parquet form of the sample, through the real DAG."""
    workdir = tmp_path_factory.mktemp("parquet_form")
    source = workdir / "reviews.parquet"
    sample().to_parquet(source)
    r = ingest_only(workdir, source)
    assert r.returncode == 0, r.stderr[-4000:]
    return pq.read_table(workdir / REVIEWS)


@pytest.mark.parametrize("name", list(FORMS))
def test_each_form_gives_the_parquet_forms_reviews_table(tmp_path, parquet_table, name):
    source = tmp_path / name
    source.write_bytes(FORMS[name](sample()))
    settings = {"columns": MAPPED} if name == "dump.jsonl" else {}
    r = ingest_only(tmp_path, source, **settings)
    assert r.returncode == 0, r.stderr[-4000:]
    got = pq.read_table(tmp_path / REVIEWS)
    assert got.schema == parquet_table.schema
    assert got.equals(parquet_table)
    summary = json.loads((tmp_path / "results" / "data" / "ingest_summary.json").read_text())
    assert summary["format"] == ("jsonl" if "jsonl" in name else "csv")
    # the rule's params carry the mapping: changing it reruns ingest
    if name == "dump.jsonl":
        again = ingest_only(tmp_path, source, columns={**MAPPED, "review_id": "review_id"})
        assert again.returncode == 0, again.stderr[-4000:]
        assert "rule ingest:" in again.stdout + again.stderr


def test_a_wrong_separator_stops_at_ingest_naming_the_right_one(tmp_path):
    source = tmp_path / "semicolon.csv"
    df = sample()
    source.write_bytes(semicolon_csv(df))
    r = ingest_only(tmp_path, source, csv_separator=",")
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert "semicolon.csv line 2: expected 1 field(s) separated by ','" in out
    assert "the header splits into 5 columns with ';'" in out
    assert "Fix: set ingest.csv_separator: ';'" in out
    assert not (tmp_path / REVIEWS).exists()


def test_two_columns_mapped_to_one_field_stop_before_any_job(tmp_path):
    source = tmp_path / "dump.jsonl"
    source.write_bytes(jsonl_bytes(sample().head(8), MAPPED))
    r = ingest_only(tmp_path, source, columns={"text": "body", "label": "body"})
    assert r.returncode != 0
    assert "ingest.columns maps text and label to the same field 'body'" in r.stdout + r.stderr
    assert not (tmp_path / "results").exists()


def test_a_text_only_compressed_csv_ingests_without_labels(tmp_path):
    source = tmp_path / "feedback.csv.gz"
    source.write_bytes(gzip.compress(sample()[["text"]].to_csv(index=False).encode("utf-8")))
    r = ingest_only(tmp_path, source)
    assert r.returncode == 0, r.stderr[-4000:]
    table = pq.read_table(tmp_path / REVIEWS)
    assert table.column("label").null_count == table.num_rows == 200
    summary = json.loads((tmp_path / "results" / "data" / "ingest_summary.json").read_text())
    assert summary["labels"] == "none"


def test_a_stars5_dump_without_labels_gets_the_original_labels(tmp_path, parquet_table):
    """IMDB re-expressed as a Yelp-like dump: 1-5 stars (ceil(rating / 2)) under `stars`, the
    text under `body`, no label, gzip-compressed JSON Lines: the labels derived from the stars
    are the original ones for every review."""
    df = sample().drop(columns="label")
    df["rating"] = (df["rating"] + 1) // 2
    source = tmp_path / "dump.jsonl.gz"
    source.write_bytes(gzip.compress(jsonl_bytes(df, MAPPED)))
    r = ingest_only(tmp_path, source, columns={"text": "body", "rating": "stars"})
    assert r.returncode == 0, r.stderr[-4000:]
    got = pq.read_table(tmp_path / REVIEWS).to_pandas().set_index("review_id")
    want = parquet_table.to_pandas().set_index("review_id")
    assert len(got) == len(want) == 200
    assert (got.loc[want.index, "label"] == want["label"]).all()
    summary = json.loads((tmp_path / "results" / "data" / "ingest_summary.json").read_text())
    assert summary["labels"] == "from_ratings" and summary["rating_scale"] == [1, 5]
