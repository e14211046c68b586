"""Rule prepare's work: every review cleaned and tokenised (the prepared-text table, keyed by
``review_id``), and the summary of what cleaning changed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from sentclust.prepare.text import BR_TAG, clean_text, tokenize_many

#: the prepared-text table (data/prepared.parquet)
PREPARED_SCHEMA = pa.schema(
    [
        ("review_id", pa.string()),
        ("clean_text", pa.string()),
        ("tokens", pa.string()),
        ("n_tokens", pa.int32()),
    ]
)


def prepare(
    reviews: pd.DataFrame, *, lowercase: bool, unicode_form: str, n_jobs: int = 1
) -> pd.DataFrame:
    """The prepared-text table: ``review_id``, ``clean_text``, ``tokens``, ``n_tokens``.

    Rows keep the order of ``reviews``. ``clean_text`` keeps the case (sentence encoders and
    LIME read it); ``tokens`` holds the space-joined NLTK tokens, lower-cased when
    ``lowercase`` is set (the word-embedding network reads it, splitting on spaces).
    """
    cleaned = [clean_text(t, unicode_form=unicode_form) for t in reviews["text"].tolist()]
    tokens = tokenize_many(cleaned, lowercase=lowercase, n_jobs=n_jobs)
    n_tokens = np.fromiter((s.count(" ") + 1 if s else 0 for s in tokens), dtype=np.int32)
    return pd.DataFrame(
        {
            "review_id": reviews["review_id"].to_numpy(),
            "clean_text": cleaned,
            "tokens": tokens,
            "n_tokens": n_tokens,
        }
    )


def summarize(prepared: pd.DataFrame, reviews: pd.DataFrame) -> dict:
    """Small JSON-able report: what cleaning changed and token counts."""
    n_tok = prepared["n_tokens"].to_numpy()
    raw = reviews["text"]
    return {
        "n_reviews": int(len(prepared)),
        "reviews_with_br_tags": int(raw.str.contains(BR_TAG.pattern, case=False, regex=True).sum()),
        "reviews_with_entities": int(raw.str.contains(r"&[#A-Za-z0-9]+;", regex=True).sum()),
        "reviews_with_empty_tokens": int((n_tok == 0).sum()),
        "tokens_total": int(n_tok.sum()),
        "tokens_per_review": {
            "min": int(n_tok.min()) if len(n_tok) else 0,
            "median": float(np.median(n_tok)) if len(n_tok) else 0.0,
            "mean": float(n_tok.mean()) if len(n_tok) else 0.0,
            "max": int(n_tok.max()) if len(n_tok) else 0,
        },
    }
