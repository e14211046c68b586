"""Terms that describe clusters: the reviews x terms count matrix (built once, rule
term_counts), its files, and each cluster's most distinctive terms by class-based TF-IDF."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

#: unigrams and bigrams
NGRAM_RANGE = (1, 2)
#: the columns read from the prepared texts
TEXT_COLUMNS = ["review_id", "clean_text"]

# --------------------------------------------------------------------------- the count matrix


def stop_words() -> tuple[list[str], str]:
    """(English stop words, their source): NLTK's list when its data is installed, else
    scikit-learn's ``ENGLISH_STOP_WORDS``."""
    try:
        from nltk.corpus import stopwords

        words = stopwords.words("english")
        return sorted(set(words)), "nltk"
    except (LookupError, ImportError, OSError):
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return sorted(ENGLISH_STOP_WORDS), "scikit-learn"


_default_stop_words = stop_words


def term_counts(
    texts,
    *,
    stop_words: Sequence[str] | None = None,
    min_df: int = 5,
    max_df: float = 1.0,
    ngram_range: tuple[int, int] = NGRAM_RANGE,
):
    """The documents x terms count matrix (CSR, int32) of ``texts`` and its vocabulary.

    Unigrams and bigrams (CountVectorizer, lower-cased) in a terms array in column order
    (alphabetical). ``stop_words`` None uses :func:`stop_words`. ``max_df`` < 1 drops terms
    found in more than that share of reviews: with few clusters c-TF-IDF favours frequent words
    ("movie", "film"); 0.3 leaves telling ones. The counts depend on neither the clusters nor
    k: build them once (50,000 reviews: ~15 s), describe every clustering with
    :func:`terms_from_counts`. Row order, hence the result up to a row permutation, follows
    ``texts``.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    texts = list(texts)
    words = list(stop_words) if stop_words is not None else _default_stop_words()[0]
    vec = CountVectorizer(
        ngram_range=tuple(ngram_range),
        min_df=min_df,
        max_df=max_df,
        stop_words=words,
        dtype=np.int32,
    )
    with warnings.catch_warnings():
        # stop words with apostrophes ("don't") are tokenised differently; harmless
        warnings.simplefilter("ignore", category=UserWarning)
        try:
            counts = vec.fit_transform(texts)
        except ValueError as err:
            raise ValueError(f"no terms left to describe clusters ({err}); lower min_df") from err
    return counts.tocsr(), vec.get_feature_names_out()


def count_terms(texts, *, min_df: int, max_df: float):
    """(count matrix, vocabulary, ``about``) of ``texts`` as rule term_counts builds them:
    :func:`term_counts` with :func:`stop_words`; ``about`` records the stop words' source,
    ``min_df``, ``max_df`` and the n-gram range (for :func:`write_term_counts`)."""
    stop, stop_source = stop_words()
    counts, vocab = term_counts(
        texts, stop_words=stop, min_df=min_df, max_df=max_df, ngram_range=NGRAM_RANGE
    )
    about = {
        "stop_words": stop_source,
        "min_df": min_df,
        "max_df": max_df,
        "ngram_range": list(NGRAM_RANGE),
    }
    return counts, vocab, about


# --------------------------------------------------------------------------- distinctive terms


def ctfidf(counts, classes) -> tuple[np.ndarray, np.ndarray]:
    """Class-based TF-IDF (BERTopic's c-TF-IDF) of a documents x terms count matrix.

    Returns (the sorted class ids, a classes x terms weight matrix): term frequency per class
    normalised by the class's number of words, times log(1 + A / f_t), A the average number of
    words per class and f_t the term's frequency over all classes.
    """
    from scipy import sparse

    classes = np.asarray(classes)
    uniq, inv = np.unique(classes, return_inverse=True)
    n = counts.shape[0]
    member = sparse.csr_matrix(
        (np.ones(n, dtype=np.float64), (inv, np.arange(n))), shape=(len(uniq), n)
    )
    per_class = np.asarray((member @ counts).todense(), dtype=np.float64)  # classes x terms
    words = per_class.sum(axis=1, keepdims=True)
    tf = np.divide(per_class, words, out=np.zeros_like(per_class), where=words > 0)
    f_t = per_class.sum(axis=0)
    avg = per_class.sum() / len(uniq)
    idf = np.log1p(np.divide(avg, f_t, out=np.zeros_like(f_t), where=f_t > 0))
    return uniq, tf * idf


def terms_from_counts(counts, vocab, clusters, *, top_n: int = 10) -> dict[int, list[str]]:
    """Each cluster's ``top_n`` most distinctive terms by c-TF-IDF of a count matrix.

    ``counts`` is documents x terms (:func:`term_counts`), its rows aligned with ``clusters``;
    ``vocab`` names its columns. The counts are summed per cluster by a sparse product (no
    Python loop over reviews). Ties go to the first term in ``vocab`` (alphabetical from
    :func:`term_counts`); terms of weight 0 are left out.
    """
    clusters = np.asarray(clusters)
    vocab = np.asarray(vocab, dtype=object)
    if counts.shape[0] != len(clusters):
        raise ValueError(f"{counts.shape[0]} count rows but {len(clusters)} cluster ids")
    if counts.shape[1] != len(vocab):
        raise ValueError(f"{counts.shape[1]} count columns but {len(vocab)} vocabulary terms")
    uniq, weights = ctfidf(counts, clusters)
    out = {}
    for row, c in enumerate(uniq):
        w = weights[row]
        order = np.lexsort((np.arange(len(w)), -w))  # weight desc, then vocabulary (alphabetical)
        order = order[w[order] > 0][:top_n]
        out[int(c)] = [str(t) for t in vocab[order]]
    return out


def distinctive_terms(
    texts,
    clusters,
    *,
    top_n: int = 10,
    stop_words: Sequence[str] | None = None,
    min_df: int = 5,
    max_df: float = 1.0,
    ngram_range: tuple[int, int] = NGRAM_RANGE,
) -> dict[int, list[str]]:
    """Each cluster's ``top_n`` most distinctive unigrams and bigrams by c-TF-IDF:
    :func:`term_counts` of ``texts``, then :func:`terms_from_counts` (see both for the
    parameters). Ties go to the alphabetically first term.
    """
    texts = list(texts)
    clusters = np.asarray(clusters)
    if len(texts) != len(clusters):
        raise ValueError(f"{len(texts)} texts but {len(clusters)} cluster ids")
    counts, vocab = term_counts(
        texts, stop_words=stop_words, min_df=min_df, max_df=max_df, ngram_range=ngram_range
    )
    return terms_from_counts(counts, vocab, clusters, top_n=top_n)


# --------------------------------------------------------------------------- files, rows


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

    from sentclust.files import atomic_path, write_parquet

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
