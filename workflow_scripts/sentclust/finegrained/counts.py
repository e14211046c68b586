"""The reviews x terms count matrix that describes every clustering (built once, rule
term_counts: it depends on neither the embedding kind, nor k, nor the weighting), its rows put
in the order of a clustering's reviews, and its files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sentclust.files import atomic_path, write_parquet
from sentclust.finegrained.terms import NGRAM_RANGE, token_role


def term_counts(
    texts,
    *,
    stop_words: Sequence[str],
    min_df: int,
    max_df: float = 1.0,
    ngram_range: tuple[int, int] = NGRAM_RANGE,
):
    """The documents x terms count matrix (CSR, int32) of ``texts`` and its vocabulary.

    ``texts`` are space-joined tokens (prepared ``tokens``; plain text is split on spaces),
    analysed by :func:`sentclust.finegrained.terms.analyse` into unigrams and bigrams; the
    terms array is in column order (alphabetical). ``stop_words`` are the words to leave out
    (:func:`sentclust.finegrained.terms.term_stop_words`). Terms in fewer than ``min_df``
    reviews are dropped, and with ``max_df`` < 1 those in more than that share of reviews. The
    counts depend on neither the clusters nor k: build them once, describe every clustering
    with :func:`sentclust.finegrained.weights.terms_from_counts`. Row order follows ``texts``.
    """
    stop = frozenset(stop_words)
    lo, hi = tuple(ngram_range)
    if not 1 <= lo <= hi <= 2:
        raise ValueError(f"ngram_range={ngram_range}: unigrams and bigrams only, (1, 2) at most")
    texts = list(texts)
    doc, code, clause, unigrams = _token_codes(texts, stop)
    n_uni = len(unigrams)
    same = clause[1:] == clause[:-1]  # neighbours in one clause make a bigram
    pairs, pair_code = np.unique(code[:-1][same] * n_uni + code[1:][same], return_inverse=True)
    rows, cols = [], []
    if lo == 1:
        rows.append(doc)
        cols.append(code)
    if hi == 2:
        rows.append(doc[1:][same])
        cols.append(n_uni + pair_code)
    counts, kept = _count_matrix(
        np.concatenate(rows), np.concatenate(cols), len(texts), n_uni + len(pairs), min_df, max_df
    )
    first, second = np.divmod(pairs[kept[kept >= n_uni] - n_uni], max(n_uni, 1))
    vocab = np.asarray(
        [unigrams[c] for c in kept[kept < n_uni]]
        + [f"{unigrams[x]} {unigrams[y]}" for x, y in zip(first, second, strict=True)],
        dtype=object,
    )
    order = np.argsort(vocab, kind="stable")  # alphabetical, as CountVectorizer's
    return counts[:, order].tocsr(), vocab[order]


def _token_codes(texts: list[str], stop: frozenset[str]):
    """The kept tokens of all ``texts`` (:func:`sentclust.finegrained.terms.analyse`'s rule,
    vectorised): (document of each, its unigram code, its clause number, the unigrams by
    code). A clause starts at each document and after each punctuation token; each distinct
    token is judged once."""
    token_ids: dict[str, int] = {}
    codes: list[int] = []
    lengths = np.zeros(len(texts), dtype=np.int64)
    for i, text in enumerate(texts):
        tokens = text.lower().split()
        lengths[i] = len(tokens)
        codes.extend([token_ids.setdefault(t, len(token_ids)) for t in tokens])
    term_ids: dict[str, int] = {}
    role = np.empty(len(token_ids), dtype=np.int64)  # a unigram code, -1 left out, -2 a break
    for token, j in token_ids.items():
        term = token_role(token, stop)
        role[j] = (
            -2 if term is None else -1 if not term else term_ids.setdefault(term, len(term_ids))
        )
    roles = role[np.asarray(codes, dtype=np.int64)]
    boundary = roles == -2
    starts = np.cumsum(lengths) - lengths
    boundary[starts[starts < len(roles)]] = True
    clause = np.cumsum(boundary)
    keep = roles >= 0
    doc = np.repeat(np.arange(len(texts)), lengths)
    return doc[keep], roles[keep], clause[keep], list(term_ids)


def _count_matrix(rows, cols, n_docs: int, n_cols: int, min_df: int, max_df: float):
    """(CSR int32 counts of the kept columns, the kept column codes): one count per (row,
    column) occurrence, keeping the columns found in at least ``min_df`` and at most
    ``max_df`` (a share, < 1) of the documents."""
    from scipy import sparse

    counts = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(n_docs, n_cols)
    )
    counts.sum_duplicates()
    doc_freq = np.bincount(counts.indices, minlength=n_cols)
    max_docs = max_df * n_docs if max_df < 1 else n_docs
    kept = np.flatnonzero((doc_freq >= min_df) & (doc_freq <= max_docs))
    if not len(kept):
        share = f" and at most {max_df:.0%} of them" if max_df < 1 else ""
        raise ValueError(
            f"no terms left to describe clusters (none in {min_df} or more of the {n_docs} "
            f"reviews{share}); lower min_df"
        )
    return counts[:, kept].tocsr(), kept


def align_counts(counts, count_ids, review_ids, *, what: str = "the reviews"):
    """The rows of ``counts`` (one per id of ``count_ids``) in the order of ``review_ids``.

    Both must hold the same reviews, each once: the vocabulary (``min_df``, ``max_df``) was
    counted over exactly the rows of ``counts``, so a subset or a superset would describe the
    clusters with other terms than counting ``review_ids``' texts would. Raises ValueError
    otherwise, naming ``what`` the ids come from.
    """
    count_ids = pd.Index(np.asarray(count_ids, dtype=object))
    review_ids = pd.Index(np.asarray(review_ids, dtype=object))
    if len(count_ids) != counts.shape[0]:
        raise ValueError(f"{len(count_ids)} count row ids but {counts.shape[0]} count rows")
    if not count_ids.is_unique or not review_ids.is_unique:
        raise ValueError(
            f"duplicate review ids in the term counts or in {what}; rerun the workflow"
        )
    missing = review_ids.difference(count_ids)
    extra = count_ids.difference(review_ids)
    if len(missing) or len(extra):
        first = missing[0] if len(missing) else extra[0]
        raise ValueError(
            f"the term counts ({len(count_ids)} reviews) do not hold the reviews of {what} "
            f"({len(review_ids)}): {len(missing)} missing, {len(extra)} extra (first: {first}); "
            "they come from different runs: rerun the workflow (delete the term counts and "
            "the outputs that disagree with them if Snakemake sees nothing to do)"
        )
    return counts[count_ids.get_indexer(review_ids)]


def write_term_counts(counts, vocab, review_ids, *, counts_path, vocab_path, rows_path, about):
    """Save a count matrix atomically: ``counts_path`` (scipy ``.npz``, CSR int32),
    ``vocab_path`` (Parquet, string column ``term`` in column order, ``about`` as JSON in the
    schema metadata under ``sentclust``) and ``rows_path`` (Parquet, ``review_id`` per row)."""
    import json

    import pyarrow as pa
    from scipy import sparse

    counts = sparse.csr_matrix(counts, dtype=np.int32)
    if counts.shape != (len(review_ids), len(vocab)):
        raise ValueError(
            f"count matrix {counts.shape} for {len(review_ids)} reviews and {len(vocab)} terms"
        )
    with atomic_path(counts_path) as tmp, open(tmp, "wb") as fh:
        sparse.save_npz(fh, counts)
    terms = pa.table({"term": pa.array([str(t) for t in vocab], type=pa.string())})
    write_parquet(terms.replace_schema_metadata({"sentclust": json.dumps(about)}), vocab_path)
    ids = pa.array([str(i) for i in review_ids], type=pa.string())
    write_parquet(pa.table({"review_id": ids}), rows_path)


def read_term_counts(counts_path, vocab_path, rows_path):
    """(counts CSR, vocabulary as an object array, row review ids, ``about`` dict) as written by
    :func:`write_term_counts`."""
    import json

    import pyarrow.parquet as pq
    from scipy import sparse

    counts = sparse.csr_matrix(sparse.load_npz(counts_path))
    terms = pq.read_table(vocab_path, columns=["term"])
    meta = terms.schema.metadata or {}
    about = json.loads(meta[b"sentclust"]) if b"sentclust" in meta else {}
    vocab = np.asarray(terms.column("term").to_pylist(), dtype=object)
    ids = np.asarray(pq.read_table(rows_path).column("review_id").to_pylist(), dtype=object)
    if counts.shape != (len(ids), len(vocab)):
        raise ValueError(
            f"{counts_path}: count matrix {counts.shape} for {len(ids)} row ids and "
            f"{len(vocab)} terms; the files come from different runs: delete them and rerun"
        )
    return counts, vocab, ids, about
