"""What reruns after a config change, key by key, on the finished tiny run (dry runs).

Every run-time-only key of ``sentclust.workflow.config_keys.RUNTIME_KEYS`` is changed on its own:
nothing reruns (``bert.shards`` names the shard files, so the encoding and what follows rerun).
Every result key is changed on its own: exactly the stages that read it, and what follows them,
rerun. The expected job lists are written out here by hand, from what each stage computes.
"""

import pytest
import yaml

from conftest import (
    ROOT,
    copy_tiny_run,
    full_config,
    jobs_of,
    run_snakemake,
    tiny_overrides,
    write_config,
)
from sentclust.workflow.config_keys import RENAMES_OUTPUTS, RUNTIME_KEYS

pytestmark = pytest.mark.workflow

EVERYTHING = {
    "ingest",
    "prepare",
    "train_wordvec",
    "wordvec_vectors",
    "explain",
    "probe",
    "encode_shard",
    "gather_bert",
    "pls_projection",
    "kmeans",
    "choose_k",
    "term_counts",
    "finegrained",
    "projection_2d",
    "report",
    "segment",
    "polarity_model",
    "score_segments",
    "polarity",
    "polarity_texts",
    "model_manifest",
    "aspects_k",
    "aspects",
}
#: the aspects' summary (names, polarity, levels x aspects) and what shows or saves it
ASPECTS = {"aspects", "report", "model_manifest"}
#: the aspects' K-means sweep and what follows it
ASPECTS_FIT = {"aspects_k"} | ASPECTS
#: the K-means sweep and what follows it (the saved centres are in the models' manifest; the
#: aspects' level x aspect tables read the chosen k's assignments)
SWEEP = {"kmeans", "choose_k", "finegrained", "projection_2d", "report", "model_manifest"} | ASPECTS
#: the PLS projections and what follows them
PLS = {"pls_projection", "probe"} | SWEEP
#: the fine-grained names (and the report's 2-D views that show them, the saved models' manifest,
#: the aspects' level x aspect tables that name the levels)
NAMES = {"finegrained", "projection_2d", "report", "model_manifest"} | ASPECTS
#: the segment scores and what follows them (per review polarity, the names that show it)
POLARITY = {"score_segments", "polarity", "polarity_texts"} | NAMES
#: the polarity model (on the segments' word vectors) and what follows it
POLARITY_MODEL = {"polarity_model"} | POLARITY
#: the network and what follows it (its vectors, LIME, the probes, the sweep, the polarity)
NETWORK = {"train_wordvec", "wordvec_vectors", "explain"} | PLS | POLARITY_MODEL
#: the BERT encoding and what follows it
ENCODING = {"encode_shard", "gather_bert"} | PLS | POLARITY | ASPECTS_FIT

#: one new value for each run-time-only key (several for a section of them)
RUNTIME_CHANGES = {
    (None, "conda_flavour"): ["gpu"],
    ("prepare", "threads"): [1],
    ("wordvec", "threads"): [2],
    ("explain", "batch_size"): [7],
    ("bert", "runtime"): [
        {"threads": 1},
        {"batch_size_cpu": 3},
        {"batch_size_gpu": 8},
        {"device": "cpu"},
        {"backend": "torch"},
    ],
    ("bert", "shards"): [3],
    ("kmeans", "threads"): [2],
    ("segments", "threads"): [2],
    ("polarity", "threads"): [2],
}

#: (key, new value, the rules that must rerun): every result key of the config
RESULT_CHANGES = [
    ("seed", 7, EVERYTHING),
    ("input_format", "auto", EVERYTHING),
    ("input_url", "https://example.org/other.tar.gz", {"report"}),
    ("input_sha256", "0" * 64, {"report"}),
    # download settings that change no result (a URL is not used here): the config shown only
    ("input_url_allow_file", True, {"report"}),
    ("input_max_bytes", 10**9, {"report"}),
    ("ingest.splits", ["test", "train"], EVERYTHING),
    ("ingest.subsample", 150, EVERYTHING),
    ("ingest.duplicate_texts", "drop", EVERYTHING),
    ("ingest.csv_test_fraction", 0.4, EVERYTHING),
    ("ingest.rating_conflicts", "keep", EVERYTHING),
    # the reader's settings are ingest params: a change reruns ingest (same reviews: a Parquet
    # input has no separator, and text mapped to itself is no change), and so all that follows
    ("ingest.columns", {"text": "text"}, EVERYTHING),
    ("ingest.csv_separator", ",", EVERYTHING),
    ("ingest.rating_scale", [1, 10], EVERYTHING),
    ("ingest.labels_from_ratings", {"negative": [1, 3]}, EVERYTHING),
    # caps: an input above one fails ingest, otherwise nothing changes (read from the config)
    ("ingest.max_review_bytes", 10**6, {"report"}),
    ("ingest.max_total_bytes", 10**8, {"report"}),
    ("ingest.max_archive_members", 150_000, {"report"}),
    ("prepare.lowercase", False, EVERYTHING - {"ingest"}),
    ("prepare.unicode_form", "NFC", EVERYTHING - {"ingest"}),
    *(
        (f"wordvec.{key}", value, NETWORK)
        for key, value in [
            ("max_tokens", 4000),
            ("sequence_length", 150),
            ("ngrams", 1),
            ("embedding_dim", 32),
            ("hidden_units", 8),
            ("dropout", 0.3),
            ("learning_rate", 0.02),
            ("batch_size", 64),
            ("max_epochs", 2),
            ("patience", 3),
            ("validation_fraction", 0.2),
        ]
    ),
    ("explain.num_samples", 200, {"explain", "report"}),
    ("explain.num_features", 5, {"explain", "report"}),
    ("explain.per_category", {"uncertain": 2}, {"explain", "report"}),
    ("explain.texts", ["Another text."], {"explain", "polarity_texts", "report"}),
    ("probe.C", 0.5, {"probe"} | POLARITY),
    ("probe.max_iter", 100, {"probe"} | POLARITY),
    ("bert.model", "sentence-transformers/all-mpnet-base-v2", ENCODING),
    ("bert.revision", "main", ENCODING),
    ("bert.models_dir", "models", ENCODING),
    ("bert.max_seq_length", 64, ENCODING),
    ("bert.mode", "chunk_mean", ENCODING),
    ("bert.precision", "float32", ENCODING),
    ("bert.calibration_reviews", 16, ENCODING),
    ("bert.int8", {"enabled": True}, ENCODING | {"int8_check"}),
    ("bert.int8", {"min_ari": 0.5}, {"report"}),  # not enabled: only the config shown changes
    # the PLS kinds leave the report and the saved models (their files are kept)
    # (the aspects' level x aspect tables are per kind)
    ("projection.enabled", False, ASPECTS),
    ("projection.n_components", 4, PLS),
    ("kmeans.k", [2, 3, 4], SWEEP),
    # the aspects' K-means takes the sweep's settings
    ("kmeans.backend", "sklearn", SWEEP | ASPECTS_FIT),
    ("kmeans.n_init", 2, SWEEP | ASPECTS_FIT),
    ("kmeans.max_iter", 100, SWEEP | ASPECTS_FIT),
    ("kmeans.tol", 0.001, SWEEP | ASPECTS_FIT),
    ("kmeans.screen_sample", 0, SWEEP | ASPECTS_FIT),
    ("kmeans.refine", 1, SWEEP | ASPECTS_FIT),
    ("kmeans.silhouette_sample", 400, SWEEP | ASPECTS_FIT),
    ("kmeans.stability_runs", 0, SWEEP | ASPECTS_FIT),
    ("choose_k.criterion", "silhouette", {"choose_k"} | NAMES),
    ("choose_k.explore", [2, 3], NAMES),
    ("finegrained.mixed_band", 0.2, NAMES),
    ("finegrained.grade_share", 0.6, NAMES),
    ("finegrained.top_terms", 5, NAMES),
    ("finegrained.min_df", 3, {"term_counts"} | NAMES),
    ("finegrained.max_df", 0.5, {"term_counts"} | NAMES),
    ("finegrained.nearest", 2, NAMES),
    ("finegrained.snippet_chars", 100, NAMES),
    ("finegrained.term_weighting", "ctfidf", NAMES),
    ("finegrained.typical_segments", 1, NAMES),
    ("finegrained.opinion_min_words", 2, NAMES),
    ("finegrained.stop_words", "nltk", {"term_counts"} | NAMES),  # planned only: no NLTK data
    # the segments are read by the encoding jobs (BERT segment vectors pooled in their pass)
    ("segments.splitter", "pysbd", {"segment", "polarity_texts"} | ENCODING | POLARITY_MODEL),
    ("segments.markers", ["but"], {"segment", "polarity_texts"} | ENCODING | POLARITY_MODEL),
    ("segments.min_words", 3, {"segment", "polarity_texts"} | ENCODING | POLARITY_MODEL),
    # the scorer bert needs no polarity model: nothing of it reruns
    ("polarity.scorer", "bert", POLARITY),
    # the polarity model records how the BERT segments were encoded
    ("polarity.bert_segments", "separate", ENCODING | POLARITY_MODEL),
    ("polarity.mil", {"hidden": 16}, POLARITY_MODEL),
    # the score that labels the segments refits nothing
    ("polarity.mil", {"score": "attention"}, POLARITY),
    ("polarity.confidence", 0.9, POLARITY),
    ("polarity.min_coverage", 0.9, POLARITY | ASPECTS_FIT),
    ("polarity.examples", 2, {"polarity"} | NAMES),
    # the aspects: a new count adds its K-means job; the fit sample refits every count; the
    # choice and the naming rerun the summary only
    ("aspects.k", [2, 4], ASPECTS_FIT),
    ("aspects.max_fit_segments", 100, ASPECTS_FIT),
    ("aspects.criterion", "silhouette", ASPECTS),
    ("aspects.top_terms", 4, ASPECTS),
    ("aspects.min_df", 2, ASPECTS),
    ("aspects.npmi_tolerance", 0.5, ASPECTS),
    ("aspects.typical", 1, ASPECTS),
    ("aspects.stop_words", "nltk", ASPECTS),  # planned only: no NLTK data
    # planned only (-n): umap-learn need not be installed
    ("report.projection", "umap", {"projection_2d", "report"}),
    ("report.projection_sample", 100, {"projection_2d", "report"}),
]
#: keys this test does not change, and why
NOT_CHANGED = {
    "results_dir": "moves the whole run to another folder",
    "input_path": "another input: everything reruns (the ingest input changes)",
    "report.scaling": "needs a scaling.py folder; it adds inputs to the report only",
    "assign.inputs": "adds assign jobs for new texts only: tests/workflow/test_assign_workflow.py",
}


@pytest.fixture(scope="module")
def finished(tiny_run, tmp_path_factory):
    """A copy of the finished tiny run (mtimes and .snakemake metadata kept)."""
    return copy_tiny_run(tiny_run, tmp_path_factory.mktemp("keys") / "work")


def overrides_for(dotted: str, value) -> dict:
    """The tiny run's overrides with one key changed (a dict value changes only its sub-keys)."""
    section, _, key = dotted.rpartition(".")
    if not section:
        return tiny_overrides(**{key: value})
    demo = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text())
    base = {**demo.get(section, {}), **tiny_overrides().get(section, {})}
    if isinstance(value, dict) and isinstance(base.get(key), dict):
        value = {**base[key], **value}
    return tiny_overrides(**{section: {key: value}})


def planned(workdir, tmp_path, overrides) -> set[str]:
    cfg = write_config(tmp_path / "changed.yaml", **overrides)
    r = run_snakemake(workdir, "-n", "--nolock", "--configfile", str(cfg))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return set(jobs_of(r.stdout)) - {"all"}


def test_the_tables_cover_every_key():
    assert set(RUNTIME_CHANGES) == set(RUNTIME_KEYS)
    cfg = full_config()
    runtime = {".".join(k for k in key if k) for key in RUNTIME_KEYS}
    leaves = set()
    for key, value in cfg.items():
        if isinstance(value, dict):
            leaves |= {f"{key}.{sub}" for sub in value}
        else:
            leaves.add(key)
    covered = {key for key, _, _ in RESULT_CHANGES} | set(NOT_CHANGED) | runtime
    assert leaves == covered, leaves ^ covered


@pytest.mark.parametrize(
    ("key", "value"),
    [(key, v) for key, values in RUNTIME_CHANGES.items() for v in values],
    ids=[f"{key}={v}" for key, values in RUNTIME_CHANGES.items() for v in values],
)
def test_a_runtime_key_reruns_nothing(finished, tmp_path, key, value):
    section, name = key
    if section is None:
        overrides = tiny_overrides(**{name: value})
    else:
        overrides = overrides_for(f"{section}.{name}", value)
    jobs = planned(finished, tmp_path, overrides)
    if key in RENAMES_OUTPUTS:  # the shard files are named by the shard count
        assert jobs == ENCODING, jobs
    else:
        assert jobs == set(), f"changing {key} would rerun {jobs}"


@pytest.mark.parametrize(
    ("key", "value", "expected"), RESULT_CHANGES, ids=[key for key, _, _ in RESULT_CHANGES]
)
def test_a_result_key_reruns_exactly_its_stages(finished, tmp_path, key, value, expected):
    assert planned(finished, tmp_path, overrides_for(key, value)) == expected
