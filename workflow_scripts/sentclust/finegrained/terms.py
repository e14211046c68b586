"""Terms that describe clusters: the reviews x terms count matrix (built once, rule
term_counts, from the project's own tokens), its files, and each cluster's most distinctive
terms, by the weighted log-odds ratio with an informative Dirichlet prior (default) or by
class-based TF-IDF.

Why not scikit-learn's token pattern: it splits "don't" into "don" + "t", so fragments such as
"don" and "didn" ranked high in every cluster, and its stop-word list removes "not", "no" and
"never", the words that turn "funny" into "not funny". The terms here are the prepared
``tokens`` (NLTK ``TweetTokenizer``, lower-cased, contractions whole) with stop words removed
except :data:`SENTIMENT_FUNCTION_WORDS` and negations, plus the bigrams of the tokens left.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

# the weightings live in their own module; these names stay importable from here
from sentclust.finegrained.weights import (  # noqa: F401
    PRIOR_REVIEWS,
    WEIGHTINGS,
    class_counts,
    ctfidf,
    log_odds_z,
    prior_strength,
    term_weights,
)

#: unigrams and bigrams
NGRAM_RANGE = (1, 2)
#: the columns read from the prepared texts for the snippets of the nearest reviews
TEXT_COLUMNS = ["review_id", "clean_text"]
#: the columns rule term_counts reads: the project's own tokens
TOKEN_COLUMNS = ["review_id", "tokens"]
#: where the stop words come from (config finegrained.stop_words)
STOP_WORD_SOURCES = ("sklearn", "nltk")

#: Stop words kept because they carry or flip sentiment: negators, degree words and the few
#: evaluative words of the stop lists. Every token ending in "n't" (don't, didn't, isn't,
#: wasn't, can't, couldn't, ...) is kept as well. Contrast markers (but, however, although,
#: yet, while) are not kept: they say a review is mixed, not which way it leans.
SENTIMENT_FUNCTION_WORDS = frozenset(
    # negators, also the apostrophe-less spellings reviewers type
    ("not", "no", "never", "nothing", "nor", "neither", "none", "nobody", "noone", "nowhere")
    + ("without", "cannot", "cant", "couldnt", "hasnt", "dont", "didnt", "doesnt", "isnt")
    + ("wasnt", "werent", "arent", "wont", "wouldnt", "shouldnt", "havent", "hadnt", "aint")
    # degree words: "too long", "very good", "well done", "not enough", "the only good thing"
    + ("too", "very", "well", "enough", "rather", "much", "more", "most", "less", "least")
    + ("few", "only")
    # evaluative words on the stop lists: "empty", "thin plot", "lost interest", "made me cry"
    + ("empty", "thin", "serious", "sincere", "interest", "cry")
)
#: clitics stripped before the stop-word test ("it's" -> "it", "film's" -> "film")
_CLITIC = re.compile(r"'(?:s|m|re|ve|ll|d)$")
_ALNUM = re.compile(r"[^\W_]")  # a letter or a digit

# --------------------------------------------------------------------------- the count matrix


def stop_words(source: str = "sklearn") -> tuple[list[str], str]:
    """(English stop words, their source) from ``source`` (config finegrained.stop_words):
    ``sklearn``, scikit-learn's ``ENGLISH_STOP_WORDS`` (always there), or ``nltk``, NLTK's list
    (needs its ``stopwords`` data). The source is chosen, never guessed from what is installed,
    so the terms do not change with the machine. :func:`term_stop_words` removes the kept ones.

    Raises ValueError for another source or when NLTK's data is missing, naming the fix.
    """
    if source == "sklearn":
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return sorted(ENGLISH_STOP_WORDS), "sklearn"
    if source != "nltk":
        raise ValueError(
            f"finegrained.stop_words={source!r}: use one of {', '.join(STOP_WORD_SOURCES)}"
        )
    try:
        from nltk.corpus import stopwords

        return sorted(set(stopwords.words("english"))), "nltk"
    except (LookupError, ImportError, OSError) as err:
        raise ValueError(
            "finegrained.stop_words=nltk, but NLTK's stop-word list cannot be loaded "
            f'({type(err).__name__}); install it with python -c "import nltk; '
            "nltk.download('stopwords')\" or set finegrained.stop_words: sklearn"
        ) from None


def term_stop_words(words: Sequence[str] | None = None) -> frozenset[str]:
    """The words the terms leave out: ``words`` (default :func:`stop_words`) without
    :data:`SENTIMENT_FUNCTION_WORDS` and without the "n't" forms (NLTK's list holds them)."""
    words = stop_words()[0] if words is None else words
    return frozenset(
        w for w in words if w not in SENTIMENT_FUNCTION_WORDS and not w.endswith("n't")
    )


def normalise_token(token: str, stop: frozenset[str]) -> str | None:
    """The term a token counts as, or None when it is left out.

    Curly apostrophes become straight ones. Left out: tokens without a letter or a digit
    (punctuation; emoticons too), single letters ("t" of a split "can't") and stop words. A
    token ending in "n't" is kept whole (a negator). Otherwise a clitic ('s 'm 're 've 'll 'd)
    is stripped first, so "it's" and "i'm" go as stop words and "film's" counts as "film".
    """
    token = token.replace("\u2019", "'")
    if not _ALNUM.search(token) or (len(token) == 1 and token.isalpha()):
        return None
    if token.endswith("n't"):
        return token
    token = _CLITIC.sub("", token)
    if not token or token in stop or (len(token) == 1 and token.isalpha()):
        return None
    return token


def _token_role(token: str, stop: frozenset[str]) -> str | None:
    """:func:`normalise_token`, with punctuation told apart: the term, "" for a token left out
    that joins its neighbours (a stop word), None for a clause boundary (punctuation)."""
    if not _ALNUM.search(token.replace("\u2019", "'")):
        return None
    return normalise_token(token, stop) or ""


def analyse(tokens: str, stop: frozenset[str], ngram_range=NGRAM_RANGE) -> list[str]:
    """The terms of one review's space-joined, lower-cased tokens (prepared ``tokens``).

    Unigrams are the kept tokens (:func:`normalise_token`); bigrams join neighbours after the
    stop words are gone ("was not funny" -> "not funny") but never across punctuation, which
    ends a clause ("boring , not" gives no bigram). The definition of the terms; rule
    term_counts counts the same terms with :func:`term_counts`, vectorised.
    """
    lo, hi = ngram_range
    terms: list[str] = []
    run: list[str] = []

    def flush():
        for n in range(lo, hi + 1):
            grams = zip(*(run[i:] for i in range(n)), strict=False)  # stops at the shortest
            terms.extend(run if n == 1 else map(" ".join, grams))
        run.clear()

    for tok in tokens.lower().split():
        role = _token_role(tok, stop)
        if role:
            run.append(role)
        elif role is None:  # punctuation: a clause boundary
            flush()
    flush()
    return terms


def term_counts(
    texts,
    *,
    stop_words: Sequence[str] | None = None,
    min_df: int = 5,
    max_df: float = 1.0,
    ngram_range: tuple[int, int] = NGRAM_RANGE,
):
    """The documents x terms count matrix (CSR, int32) of ``texts`` and its vocabulary.

    ``texts`` are space-joined tokens (prepared ``tokens``; plain text is split on spaces),
    analysed by :func:`analyse` into unigrams and bigrams; the terms array is in column order
    (alphabetical). ``stop_words`` are the words to leave out (None: :func:`term_stop_words`).
    Terms in fewer than ``min_df`` reviews are dropped, and with ``max_df`` < 1 those in more
    than that share of reviews. The counts depend on neither the clusters nor k: build them
    once, describe every clustering with :func:`terms_from_counts`. Row order follows ``texts``.
    """
    stop = term_stop_words() if stop_words is None else frozenset(stop_words)
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
    """The kept tokens of all ``texts`` (:func:`analyse`'s rule, vectorised): (document of
    each, its unigram code, its clause number, the unigrams by code). A clause starts at each
    document and after each punctuation token; each distinct token is judged once."""
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
        term = _token_role(token, stop)
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


def count_terms(texts, *, min_df: int, max_df: float, stop_words_source: str = "sklearn"):
    """(count matrix, vocabulary, ``about``) of the token strings ``texts`` as rule
    term_counts builds them (:func:`term_counts` with :func:`term_stop_words` of the
    ``stop_words_source`` list); ``about`` records the tokenizer, the stop words' source, the
    kept words, ``min_df``, ``max_df`` and the n-gram range (for :func:`write_term_counts`)."""
    base, source = stop_words(stop_words_source)
    counts, vocab = term_counts(
        texts,
        stop_words=term_stop_words(base),
        min_df=min_df,
        max_df=max_df,
        ngram_range=NGRAM_RANGE,
    )
    about = {
        "tokenizer": "prepared tokens (NLTK TweetTokenizer, lower-cased), punctuation dropped",
        "stop_words": source,
        "kept_words": "sentclust.finegrained.terms.SENTIMENT_FUNCTION_WORDS and n't forms",
        "bigrams": "neighbours after stop-word removal, not across punctuation",
        "min_df": min_df,
        "max_df": max_df,
        "ngram_range": list(NGRAM_RANGE),
    }
    return counts, vocab, about


# --------------------------------------------------------------------------- distinctive terms


def terms_from_counts(
    counts, vocab, clusters, *, top_n: int = 10, weighting: str = "log_odds"
) -> dict[int, list[str]]:
    """Each cluster's ``top_n`` most distinctive terms of a count matrix, by ``weighting``
    (:func:`term_weights`; log-odds z-scores by default).

    ``counts`` is documents x terms (:func:`term_counts`), its rows aligned with ``clusters``;
    ``vocab`` names its columns. Ties go to the first term in ``vocab`` (alphabetical from
    :func:`term_counts`); terms of weight 0 or less (not over-represented) are left out.
    """
    clusters = np.asarray(clusters)
    vocab = np.asarray(vocab, dtype=object)
    if counts.shape[0] != len(clusters):
        raise ValueError(f"{counts.shape[0]} count rows but {len(clusters)} cluster ids")
    if counts.shape[1] != len(vocab):
        raise ValueError(f"{counts.shape[1]} count columns but {len(vocab)} vocabulary terms")
    uniq, weights = term_weights(counts, clusters, weighting)
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
    weighting: str = "log_odds",
) -> dict[int, list[str]]:
    """Each cluster's ``top_n`` most distinctive unigrams and bigrams: :func:`term_counts` of
    the token strings ``texts``, then :func:`terms_from_counts` (see both for the parameters).
    """
    texts = list(texts)
    clusters = np.asarray(clusters)
    if len(texts) != len(clusters):
        raise ValueError(f"{len(texts)} texts but {len(clusters)} cluster ids")
    counts, vocab = term_counts(
        texts, stop_words=stop_words, min_df=min_df, max_df=max_df, ngram_range=ngram_range
    )
    return terms_from_counts(counts, vocab, clusters, top_n=top_n, weighting=weighting)


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
