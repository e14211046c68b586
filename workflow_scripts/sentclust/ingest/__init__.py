"""Ingest stage: read reviews from any accepted input form into one table of the reviews contract.

Accepted inputs (``input_path`` in the config, ``input_format`` ``auto`` or one of these):

- ``parquet``: a ``.parquet`` file, or a folder of ``*.parquet`` files (read in sorted name order).
  Needs the column ``text``; ``label``, ``split``, ``rating`` and ``review_id`` are optional
  (no ``label``: a corpus without labels; no ``split``: a seeded one).
- ``aclimdb``: an extracted ``aclImdb/`` folder of the original release (or a folder that holds
  one): ``{train,test}/{pos,neg}/<id>_<rating>.txt``.
- ``aclimdb_tar``: the release archive ``aclImdb_v1.tar.gz`` (also ``.tgz``/``.tar``), read
  member by member without extracting anything to disk.
- ``csv``: a ``.csv`` or ``.tsv`` file (also ``.gz``, ``.bz2``, ``.xz``) with a ``text`` column
  and optionally ``label``, ``rating``, ``split``, ``review_id``, or the common single CSV
  ``review,sentiment``; the separator sniffed among ``,`` ``;`` tab ``|`` or set
  (``ingest.csv_separator``).
- ``jsonl``: a ``.jsonl`` or ``.ndjson`` file (also compressed), one JSON object per line.

``ingest.columns`` names the source fields of the contract columns of a Parquet, CSV or JSON
Lines input whose fields are named otherwise (``{text: body, rating: stars}``).

The result is one pandas DataFrame with exactly the columns of :data:`REVIEWS_SCHEMA` (see
:mod:`.contract` for the columns, types and row order). Every problem with the input raises
:class:`IngestError`, whose message names the file, the row (or line, or archive member) and the
problem, and says how to fix it.

Modules: :mod:`.contract` (columns, types and the per-column converters and checks every reader
calls), :mod:`.errors` (how problems are reported), :mod:`.detect` (input forms, compressed
streams), one reader per form (:mod:`.parquet`, :mod:`.aclimdb`, :mod:`.csvfile`,
:mod:`.jsonl`), :mod:`.columns` (``ingest.columns``: source fields of the contract columns),
:mod:`.records` (the contract frame of CSV rows or JSON objects), :mod:`.ratings` (which values
are star ratings, which contradict a label), :mod:`.policies` (duplicate texts, split filter,
subsample, the seeded split of an input without one), :mod:`.checks` (review size cap,
markup-only reviews, ratings that contradict the label, both classes in the train split, a
local archive's checksum), :mod:`.limits` (caps on all reviews' bytes together and on a tar
archive's members, checked while the input is read), :mod:`.summary`, :mod:`.job` (the whole
stage, :func:`ingest`: what rule ingest runs), :mod:`.download` (the archive download: https,
checksum, length and size checks), :mod:`.inputs` (what the workflow checks when it builds the
DAG) and :mod:`.peek` (whether the input has labels, from its column names alone: what the DAG
asks at parse time).

Only regular files are read: symlinks, FIFOs and sparse archive members are refused; hidden
files and temporaries beside Parquet files are ignored.
"""

from .aclimdb import read_aclimdb_dir, read_aclimdb_tar
from .contract import (
    COLUMNS,
    REVIEWS_SCHEMA,
    ROW_ORDER,
    SPLITS,
    sort_reviews,
    to_table,
    validate_reviews,
)
from .csvfile import read_csv_input
from .detect import FORMATS, detect_format
from .errors import IngestError
from .job import ingest, read_input
from .jsonl import read_jsonl_input
from .parquet import read_parquet_input
from .policies import (
    DUPLICATE_POLICIES,
    apply_duplicate_policy,
    filter_splits,
    find_duplicate_texts,
    stratified_subsample,
)
from .summary import summarize

__all__ = [
    "COLUMNS",
    "DUPLICATE_POLICIES",
    "FORMATS",
    "REVIEWS_SCHEMA",
    "ROW_ORDER",
    "SPLITS",
    "IngestError",
    "apply_duplicate_policy",
    "detect_format",
    "filter_splits",
    "find_duplicate_texts",
    "ingest",
    "read_aclimdb_dir",
    "read_aclimdb_tar",
    "read_csv_input",
    "read_input",
    "read_jsonl_input",
    "read_parquet_input",
    "sort_reviews",
    "stratified_subsample",
    "summarize",
    "to_table",
    "validate_reviews",
]
