"""What a term is: the terms that describe the fine-grained levels come from the prepared
``tokens`` (NLTK ``TweetTokenizer``, lower-cased, contractions whole) with stop words removed
except :data:`SENTIMENT_FUNCTION_WORDS` and negations, plus the bigrams of the tokens left
(never across punctuation). The count matrix of these terms is :mod:`.counts`, their weights
per cluster :mod:`.weights`.

Why not scikit-learn's token pattern: it splits "don't" into "don" + "t", so fragments such as
"don" and "didn" ranked high in every cluster, and its stop-word list removes "not", "no" and
"never", the words that turn "funny" into "not funny".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: unigrams and bigrams
NGRAM_RANGE = (1, 2)
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


def stop_words(source: str) -> tuple[list[str], str]:
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


def term_stop_words(words: Sequence[str]) -> frozenset[str]:
    """The words the terms leave out: ``words`` (:func:`stop_words`) without
    :data:`SENTIMENT_FUNCTION_WORDS` and without the "n't" forms (NLTK's list holds them)."""
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


def token_role(token: str, stop: frozenset[str]) -> str | None:
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
    term_counts counts the same terms with :func:`sentclust.finegrained.counts.term_counts`,
    vectorised.
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
        role = token_role(tok, stop)
        if role:
            run.append(role)
        elif role is None:  # punctuation: a clause boundary
            flush()
    flush()
    return terms
