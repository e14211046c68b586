"""Reviews split into segments: sentences, then clauses at contrastive discourse markers.

A review such as "The location was truly disgusting ... but the people there were glorious."
holds two opinions; the polarity stage scores each segment on its own. Segments are spans of
the prepared ``clean_text`` (character offsets, ``clean_text[start:end]`` is the segment, no
surrounding whitespace), so every later stage can point back into the review.

Sentences come from an offline splitter (no downloaded NLTK data), chosen by
``segments.splitter``:

- ``punkt``: NLTK's Punkt with default parameters plus a small built-in abbreviation list
  (``ABBREVIATIONS``: Mr., Mrs., Dr., Jr., vs., e.g. ...), which stops "Mr. Glover" from being
  split. It needs no training data.
- ``pysbd``: pySBD's rule-based English segmenter (an optional dependency; about 12x slower).

Both are followed by the same repairs, cheap rules for what review text does and newspaper
text (what the splitters are built for) does not (measured in tests/benchmarks/bench_segments.py):

- a run of two or more dots (or "…") followed by a space and a capital letter ends a sentence
  ("Ug... Robert Duvall's character", "moments.. I was hoping"); Punkt never splits there;
- a stop glued to the next sentence ends one ("she cant even act.She is", "faster...It
  didn't") when the word before it ends in two lower-case letters and is no abbreviation;
  a glued stop before a lower-case letter ("movie.and") is left alone: it cannot be told
  apart from "amazon.com";
- a piece without a letter or digit ("!" from "No!!!") or one that starts with a closing
  bracket or , ; : ("etc. | ), making") joins the sentence before it;
- a quoted or bracketed "!" or "?" followed by a lower-case word does not end the sentence
  ('He said "Stop!" and left', 'a door (!?) and the narrator').

Clauses: each sentence is cut again before every contrastive marker (``segments.markers``,
case-insensitive whole words: "butter", "yesterday", "meanwhile" never match); ";" ends the
clause before it. See ``split_clauses`` for the non-contrastive uses that are skipped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pyarrow as pa

SPLITTERS = ("punkt", "pysbd")
DEFAULT_MARKERS = ("but", "however", "although", "though", "yet", "whereas", "while", ";")
DEFAULT_MIN_WORDS = 2

#: Punkt abbreviation types (lower case, no final period): titles and the Latin ones. Words
#: that often end a sentence in reviews ("etc.", "no.") are left out on purpose.
_ABBREVIATIONS = "mr mrs ms dr st jr sr vs prof rev gen col lt sgt capt mt ft approx e.g i.e"
ABBREVIATIONS = frozenset(_ABBREVIATIONS.split())

SEGMENTS_SCHEMA = pa.schema(
    [
        ("review_id", pa.string()),
        ("segment_no", pa.int32()),
        ("sentence_no", pa.int32()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("text", pa.string()),
    ]
)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_CLOSE = "\"'”’)\\]"
_OPEN = "\"'“‘(\\["
# "word... Next" / "word .. Next": a dot run (or an ellipsis) ends a sentence before a capital
_DOTS_THEN_CAPITAL = re.compile(rf"(?:\.{{2,}}|…)[{_CLOSE}]*\s+(?=[{_OPEN}]*[A-Z])")
# "act.She", "faster...It": a stop glued to a capitalised word (the word before: _WORD_BEFORE)
_GLUED_STOP = re.compile(rf"(?<=[^\W\d_])[.!?]+[{_CLOSE}]*(?=[A-Z])")
_WORD_BEFORE = re.compile(r"[^\W\d_]+$")
# a quoted or bracketed "!"/"?" ends the piece before: 'he said "Stop!"', '(!?)'
_QUOTED_BANG = re.compile(rf"[!?]+[{_CLOSE}]+$")
# no sentence starts with these ("etc. | ), making me ask" is one sentence)
_NEVER_FIRST = frozenset(")]},;:")


def n_words(text: str) -> int:
    """Words in ``text`` (letters or digits; "it's" is one word)."""
    return len(_WORD.findall(text))


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) moved inwards past surrounding whitespace; (x, x) when all whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# ---------------------------------------------------------------- sentences


@functools.lru_cache(maxsize=4)
def _punkt(abbreviations: frozenset[str]):
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(abbreviations)
    return PunktSentenceTokenizer(params)


@functools.lru_cache(maxsize=1)
def _pysbd():
    try:
        import pysbd
    except ImportError as exc:
        raise ImportError(
            "segments.splitter is 'pysbd' but the pysbd package is not installed; "
            "install it (pip install pysbd==0.3.4) or set segments.splitter: punkt"
        ) from exc
    return pysbd.Segmenter(language="en", clean=False)


def splitter_version(splitter: str) -> str:
    """``name version`` of the library behind ``splitter`` (for summaries and benchmarks)."""
    if splitter == "pysbd":
        import pysbd

        return f"pysbd {pysbd.__version__}"
    import nltk

    return f"nltk {nltk.__version__} Punkt"


def _pysbd_spans(text: str) -> list[tuple[int, int]]:
    """pySBD's sentences located in ``text``, each searched from where the last one ended (its
    own ``char_span`` option runs a regex over the whole text for every sentence)."""
    spans, pos = [], 0
    for sent in _pysbd().segment(text):
        sent = sent.strip()
        if not sent:
            continue
        at = text.find(sent, pos)
        if at < 0:
            raise RuntimeError(
                f"pysbd changed the text of a sentence ({sent[:60]!r}); use "
                "segments.splitter: punkt, or report the text"
            )
        spans.append((at, at + len(sent)))
        pos = at + len(sent)
    return spans


def raw_sentences(
    text: str, *, splitter: str = "punkt", abbreviations: frozenset[str] = ABBREVIATIONS
) -> list[tuple[int, int]]:
    """The splitter's own sentence spans, before the repairs (benchmarks compare both).
    ``abbreviations`` applies to ``punkt`` only (an empty set: Punkt's defaults)."""
    if splitter not in SPLITTERS:
        raise ValueError(
            f"unknown segments.splitter {splitter!r}; choose one of {', '.join(SPLITTERS)}"
        )
    if splitter == "pysbd":
        return _pysbd_spans(text)
    return list(_punkt(frozenset(abbreviations)).span_tokenize(text))


def _extra_boundaries(text: str) -> set[int]:
    """Sentence starts the splitters miss: after dot runs before a capital, after glued stops."""
    out = {m.end() for m in _DOTS_THEN_CAPITAL.finditer(text)}
    for m in _GLUED_STOP.finditer(text):
        word = _WORD_BEFORE.search(text, max(0, m.start() - 40), m.start())
        word = word.group() if word else ""
        if len(word) >= 2 and word[-2:].islower() and word.lower() not in ABBREVIATIONS:
            out.add(m.end())
    return out


def _merge_pieces(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join to the piece before: a wordless piece (the first: to the one after), one that
    starts with a closing bracket or , ; : and one that starts lower-case after a quoted or
    bracketed "!"/"?"."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        piece = text[start:end]
        if out and (
            n_words(piece) == 0
            or piece[0] in _NEVER_FIRST
            or (piece[0].islower() and _QUOTED_BANG.search(text[out[-1][0] : out[-1][1]]))
        ):
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    if len(out) > 1 and n_words(text[out[0][0] : out[0][1]]) == 0:
        out[1] = (out[0][0], out[1][1])
        del out[0]
    return out


def repair_sentences(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` (a splitter's sentences) with the module's repairs applied (see the module
    docstring); the result covers the same text, stripped, in order."""
    if not spans:
        return []
    first, last = spans[0][0], spans[-1][1]
    cuts = {s for s, _ in spans[1:]} | {b for b in _extra_boundaries(text) if first < b < last}
    bounds = [first, *sorted(cuts), last]
    pieces = [_strip(text, a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return _merge_pieces(text, [(a, b) for a, b in pieces if b > a])


def split_sentences(text: str, *, splitter: str = "punkt") -> list[tuple[int, int]]:
    """Sentence spans (start, end) of ``text``, stripped, in order; [] for blank text.

    Every non-blank text gets at least one sentence, and every sentence but a text's only
    one holds a letter or digit."""
    if not text.strip():
        return []
    spans = repair_sentences(text, raw_sentences(text, splitter=splitter))
    if not spans:  # a splitter that returned nothing for non-blank text
        spans = [_strip(text, 0, len(text))]
    return spans


# ---------------------------------------------------------------- clauses

# non-contrastive uses, by the word before or after the marker (lower case)
_SKIP_BEFORE = {
    "but": {"nothing", "all", "anything", "everything", "none", "nobody", "anyone", "last", "help"},
    "though": {"as"},
    "while": {"a", "the", "little", "short", "long", "whole", "your", "my", "worth"},
}
_SKIP_AFTER = {"but": {"also"}, "yet": {"another", "again", "more", "to"}, "while": {"ago"}}
# markers that only contrast when punctuation comes before them ("..., while", "; yet")
_NEEDS_PUNCT_BEFORE = {"yet", "while", "however"}
# adverbs when a comma or the sentence's end follows: "The ending, though, was great."
_ADVERB_BEFORE_PUNCT = {"however", "though"}
# subordinators whose contrast, at the start of a sentence, ends at the first comma
_SUBORDINATORS = {"although", "though", "while", "whereas"}
# a cut before a marker moves before these ("and yet", "even though")
_PULL_BEFORE = {"and", "or", "even"}
_PREV_WORD = re.compile(r"([^\W_]+(?:['’][^\W_]+)*)\s*$")  # the word right before, if any
_NEXT_WORD = re.compile(r"^\W*([^\W_]+)")


@functools.lru_cache(maxsize=16)
def _marker_regex(markers: tuple[str, ...]) -> re.Pattern | None:
    """One regex for all markers: word markers as whole words (group ``word``), the others
    (";") as they are (group ``punct``); None for no markers."""
    words, puncts = [], []
    for m in markers:
        m = m.strip()
        if not m:
            raise ValueError("segments.markers holds an empty marker; remove it")
        if re.fullmatch(r"[\w' ]+", m):
            words.append(r"\s+".join(re.escape(w) for w in m.split()))
        else:
            puncts.append(re.escape(m))
    parts = []
    if words:
        parts.append(rf"(?<![\w'’-])(?P<word>{'|'.join(words)})(?![\w'’-])")
    if puncts:
        parts.append(rf"(?P<punct>{'|'.join(puncts)})")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _word_cut(sentence: str, m: re.Match) -> int | None:
    """Where, in ``sentence``, a clause starts for the word marker ``m`` (None: the marker is
    not used contrastively here)."""
    marker = " ".join(m.group("word").lower().split())
    before = sentence[: m.start()]
    prev = _PREV_WORD.search(before)
    prev_word = prev.group(1).lower() if prev else ""
    nxt = _NEXT_WORD.search(sentence[m.end() : m.end() + 40])
    next_word = nxt.group(1).lower() if nxt else ""
    if prev_word in _SKIP_BEFORE.get(marker, ()) or next_word in _SKIP_AFTER.get(marker, ()):
        return None
    if marker == "while" and next_word.endswith("ing"):
        return None
    after = sentence[m.end() :].lstrip()
    if marker in _ADVERB_BEFORE_PUNCT and (not after or after[0] in ",.!?;:)"):
        return None
    if prev_word in _PULL_BEFORE:
        return prev.start(1)
    if marker in _NEEDS_PUNCT_BEFORE and before.rstrip()[-1:] not in tuple(",;:-–—(["):
        return None
    # an opening bracket just before the marker goes with it: "a woman ( | but unrequited)"
    lead = before.rstrip()
    return len(lead) - 1 if lead[-1:] in ("(", "[") else m.start()


def _cuts(sentence: str, markers: tuple[str, ...]) -> list[int]:
    """Clause starts inside ``sentence`` (offsets into it, sorted, 0 excluded)."""
    regex = _marker_regex(markers)
    if regex is None:
        return []
    cuts: set[int] = set()
    for m in regex.finditer(sentence):
        if m.group("punct") is not None:
            cuts.add(m.end())
        elif not sentence[: m.start()].strip(" " + _OPEN):  # the sentence starts with it
            comma = sentence.find(",", m.end())
            if " ".join(m.group("word").lower().split()) in _SUBORDINATORS and comma >= 0:
                cuts.add(comma + 1)
        else:
            at = _word_cut(sentence, m)
            if at is not None:
                cuts.add(at)
    return sorted(c for c in cuts if 0 < c < len(sentence))


def _merge_short(text: str, spans: list[tuple[int, int]], min_words: int) -> list[tuple[int, int]]:
    """Merge clauses under ``min_words`` words into the one before (the first: the one after)."""
    spans = list(spans)
    while len(spans) > 1:
        short = [i for i, (a, b) in enumerate(spans) if n_words(text[a:b]) < min_words]
        if not short:
            break
        i = short[0]
        j = i - 1 if i > 0 else 1
        lo, hi = min(i, j), max(i, j)
        spans[lo : hi + 1] = [(spans[lo][0], spans[hi][1])]
    return spans


def split_clauses(
    text: str,
    start: int,
    end: int,
    *,
    markers: Sequence[str] = DEFAULT_MARKERS,
    min_words: int = DEFAULT_MIN_WORDS,
) -> list[tuple[int, int]]:
    """Clause spans of the sentence ``text[start:end]``, stripped, in order.

    A word marker starts a new clause, ";" (any non-word marker) ends one. Skipped as not
    contrastive: "nothing/all/anything but", "last but not least", "can't help but",
    "but also"; "as though"; "yet", "while" and "however" unless punctuation comes before them
    (", yet", "; while"); "however" and "though" before a comma or the sentence's end (adverbs:
    "The ending, though, was great."); "yet another/again/to"; "while" before an -ing word
    ("while watching") or after "a/the/worth" ("for a while"). "and yet", "or while", "even
    though" cut before "and", "or", "even"; an opening bracket before a marker goes with it.
    A sentence that starts with although/though/while/whereas is cut after the first comma
    instead ("Although it is dated, | it is still fun"). A clause under
    ``min_words`` words joins its neighbour, so no clause is empty or punctuation only.
    """
    if min_words < 1:
        raise ValueError(f"segments.min_words must be at least 1, got {min_words}")
    start, end = _strip(text, start, end)
    if end <= start:
        return []
    bounds = [start, *(start + c for c in _cuts(text[start:end], tuple(markers))), end]
    spans = [_strip(text, a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    spans = [(a, b) for a, b in spans if b > a]
    return _merge_short(text, spans, min_words)


# ---------------------------------------------------------------- reviews and tables


def segment_review(
    text: str,
    *,
    splitter: str = "punkt",
    markers: Sequence[str] = DEFAULT_MARKERS,
    min_words: int = DEFAULT_MIN_WORDS,
) -> list[tuple[int, int, int]]:
    """(start, end, sentence_no) of every segment of one cleaned review, in order."""
    out = []
    for sentence_no, (a, b) in enumerate(split_sentences(text, splitter=splitter)):
        for s, e in split_clauses(text, a, b, markers=markers, min_words=min_words):
            out.append((s, e, sentence_no))
    return out


def _segment_chunk(args) -> list[list[tuple[int, int, int]]]:
    texts, splitter, markers, min_words = args
    return [
        segment_review(t, splitter=splitter, markers=markers, min_words=min_words) for t in texts
    ]


def segment_table(
    review_ids: Sequence[str],
    texts: Sequence[str],
    *,
    splitter: str = "punkt",
    markers: Sequence[str] = DEFAULT_MARKERS,
    min_words: int = DEFAULT_MIN_WORDS,
    n_jobs: int = 1,
    progress: bool = True,
) -> pa.Table:
    """The segments table (``SEGMENTS_SCHEMA``), rows by review (input order), then segment_no.

    ``n_jobs`` processes share inputs of 2,000 reviews or more; a progress bar when asked."""
    from tqdm import tqdm

    review_ids, texts = list(review_ids), list(texts)
    if len(review_ids) != len(texts):
        raise ValueError(f"{len(review_ids)} review ids but {len(texts)} texts")
    if splitter not in SPLITTERS:
        raise ValueError(
            f"unknown segments.splitter {splitter!r}; choose one of {', '.join(SPLITTERS)}"
        )
    markers = tuple(markers)
    _marker_regex(markers)  # bad markers fail here, not in a worker
    if min_words < 1:
        raise ValueError(f"segments.min_words must be at least 1, got {min_words}")
    n_chunks = max(1, n_jobs * 8) if n_jobs > 1 and len(texts) >= 2000 else 1
    bounds = np.linspace(0, len(texts), n_chunks + 1).astype(int)
    chunks = [
        (texts[a:b], splitter, markers, min_words)
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    bar = tqdm(total=len(texts), desc="segment", unit="review", disable=not progress, mininterval=5)
    per_review: list[list[tuple[int, int, int]]] = []
    if n_chunks == 1:
        for t in texts:
            per_review.append(_segment_chunk(([t], splitter, markers, min_words))[0])
            bar.update(1)
    else:
        split_sentences("Warm up.", splitter=splitter)  # forked workers inherit the import
        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            for part in pool.map(_segment_chunk, chunks):
                per_review.extend(part)
                bar.update(len(part))
    bar.close()
    return _to_table(review_ids, texts, per_review)


def _to_table(review_ids, texts, per_review) -> pa.Table:
    counts = np.fromiter((len(s) for s in per_review), dtype=np.int64, count=len(per_review))
    rows = [seg for segs in per_review for seg in segs]
    spans = np.array([(s, e, n) for s, e, n in rows], dtype=np.int64).reshape(-1, 3)
    seg_no = np.concatenate([np.arange(c, dtype=np.int32) for c in counts] or [[]])
    text_of = np.repeat(np.arange(len(texts)), counts)
    return pa.table(
        {
            "review_id": pa.array(np.repeat(np.asarray(review_ids, dtype=object), counts)),
            "segment_no": pa.array(seg_no.astype(np.int32)),
            "sentence_no": pa.array(spans[:, 2].astype(np.int32)),
            "start": pa.array(spans[:, 0].astype(np.int32)),
            "end": pa.array(spans[:, 1].astype(np.int32)),
            "text": pa.array([texts[i][s:e] for i, (s, e, _) in zip(text_of, rows, strict=True)]),
        },
        schema=SEGMENTS_SCHEMA,
    )


def segments_summary(table: pa.Table, n_reviews: int, *, splitter: str | None = None) -> dict:
    """JSON-able numbers on a segments table of ``n_reviews`` reviews (those without a
    segment count as 0): segments per review, shares split at all and at a marker."""
    sent = table.column("sentence_no").to_numpy()
    seg_no = table.column("segment_no").to_numpy()
    starts = np.flatnonzero(seg_no == 0)
    per_review = np.diff(np.append(starts, len(seg_no)))
    counts = np.zeros(n_reviews, dtype=np.int64)  # reviews without segments: 0 (order is moot)
    counts[: len(per_review)] = per_review
    # rows are ordered and sentence_no counts from 0 in each review: its last row's + 1
    n_sent = sent[starts + per_review - 1].astype(np.int64) + 1
    out = {
        "n_reviews": int(n_reviews),
        "n_segments": int(len(seg_no)),
        "n_sentences": int(n_sent.sum()),
        "reviews_without_segments": int(n_reviews - len(starts)),
        "segments_per_review": {
            "mean": float(counts.mean()) if n_reviews else 0.0,
            "median": float(np.median(counts)) if n_reviews else 0.0,
            "max": int(counts.max()) if n_reviews else 0,
        },
        "share_multi_segment": float((counts > 1).mean()) if n_reviews else 0.0,
        "share_split_at_marker": float((per_review > n_sent).sum() / n_reviews)
        if n_reviews
        else 0.0,
    }
    if splitter is not None:
        out["splitter"] = splitter
        out["splitter_version"] = splitter_version(splitter)
    return out
