"""Text preparation: strip markup, unescape entities, normalise, tokenise with NLTK.

The tokeniser is NLTK's ``TweetTokenizer``: it needs no downloaded NLTK data (punkt,
stopwords and wordnet cannot be fetched on every machine) and keeps contractions whole, so
negations such as ``isn't`` and ``didn't`` survive as single tokens. No stop words are removed:
the classifier needs "not", "no" and friends.
"""

from __future__ import annotations

import html
import multiprocessing
import re
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np

# <br />, <br/>, <br>, < BR / > ... become line breaks; every other tag becomes a space.
BR_TAG = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}?/?>")
_WS = re.compile(r"\s+")


def clean_text(text: str, *, unicode_form: str = "NFKC") -> str:
    """Remove ``<br />`` and other tags, unescape HTML entities, normalise unicode and spaces.

    Tags are removed *before* entities are unescaped, so an escaped ``&lt;b&gt;`` in a review
    stays as the literal text ``<b>`` (it was text, not markup, in the original).
    """
    text = BR_TAG.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    if unicode_form:
        text = unicodedata.normalize(unicode_form, text)
    return _WS.sub(" ", text).strip()


def _tokenizer():
    """NLTK's ``TweetTokenizer``, case kept: :func:`lower_tokens` lower-cases as it would."""
    from nltk.tokenize import TweetTokenizer

    return TweetTokenizer(preserve_case=True, reduce_len=False, strip_handles=False)


def lower_tokens(words: list[str]) -> list[str]:
    """The tokens lower-cased as ``TweetTokenizer(preserve_case=False)`` does: every token but
    emoticons (``:D`` stays). The same output at a fraction of the time: NLTK runs its emoticon
    pattern on every token, this only on tokens that lower-casing would change."""
    from nltk.tokenize.casual import EMOTICON_RE

    out = []
    for x in words:
        low = x.lower()
        out.append(x if low != x and EMOTICON_RE.search(x) else low)
    return out


def tokenize_one(text: str, *, lowercase: bool = True, _tok=None) -> list[str]:
    """Tokens of one cleaned text; whitespace inside a token becomes ``_``."""
    tok = _tok or _tokenizer()
    words = tok.tokenize(text)
    if lowercase:
        words = lower_tokens(words)
    out = []
    for t in words:
        t = _WS.sub("_", t)
        if t:
            out.append(t)
    return out


def _tokenize_chunk(args: tuple[list[str], bool]) -> list[str]:
    texts, lowercase = args
    tok = _tokenizer()
    return [" ".join(tokenize_one(t, lowercase=lowercase, _tok=tok)) for t in texts]


def _pool_context():
    """The start method of the tokenising processes: fork where the platform has it.

    Under spawn or forkserver (Python 3.14's default on Linux) each worker first runs the main
    script again, and a Snakemake rule script is a main script with no ``__main__`` guard: the
    whole rule would run again in every worker. Forked workers start from a copy instead.
    """
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def tokenize_many(texts: Sequence[str], *, lowercase: bool = True, n_jobs: int = 1) -> list[str]:
    """Space-joined tokens for each text, in order; ``n_jobs`` processes share the work."""
    texts = list(texts)
    if n_jobs <= 1 or len(texts) < 2000:
        return _tokenize_chunk((texts, lowercase))
    n_chunks = n_jobs * 8
    bounds = np.linspace(0, len(texts), n_chunks + 1).astype(int)
    chunks = [(texts[a:b], lowercase) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=_pool_context()) as pool:
        parts = list(pool.map(_tokenize_chunk, chunks))
    return [s for part in parts for s in part]
