"""Sentences of a cleaned review: an offline splitter, then repairs for review text.

The splitter is chosen by ``segments.splitter`` (no downloaded NLTK data):

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

Spans are character offsets into the text, stripped of surrounding whitespace.
"""

from __future__ import annotations

import functools
import re

SPLITTERS = ("punkt", "pysbd")

#: Punkt abbreviation types (lower case, no final period): titles and the Latin ones. Words
#: that often end a sentence in reviews ("etc.", "no.") are left out on purpose.
_ABBREVIATIONS = "mr mrs ms dr st jr sr vs prof rev gen col lt sgt capt mt ft approx e.g i.e"
ABBREVIATIONS = frozenset(_ABBREVIATIONS.split())

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_CLOSE = "\"'”’)\\]"
#: opening quotes and brackets (a clause keeps one that comes right before its marker)
OPENING = "\"'“‘(\\["
# "word... Next" / "word .. Next": a dot run (or an ellipsis) ends a sentence before a capital
_DOTS_THEN_CAPITAL = re.compile(rf"(?:\.{{2,}}|…)[{_CLOSE}]*\s+(?=[{OPENING}]*[A-Z])")
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


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) moved inwards past surrounding whitespace; (x, x) when all whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def check_splitter(splitter: str) -> None:
    """ValueError naming the choices unless ``splitter`` is one of :data:`SPLITTERS`."""
    if splitter not in SPLITTERS:
        raise ValueError(
            f"unknown segments.splitter {splitter!r}; choose one of {', '.join(SPLITTERS)}"
        )


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
    text: str, *, splitter: str, abbreviations: frozenset[str] = ABBREVIATIONS
) -> list[tuple[int, int]]:
    """The splitter's own sentence spans, before the repairs (benchmarks compare both).
    ``abbreviations`` applies to ``punkt`` only (an empty set: Punkt's defaults)."""
    check_splitter(splitter)
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
    pieces = [strip_span(text, a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return _merge_pieces(text, [(a, b) for a, b in pieces if b > a])


def split_sentences(text: str, *, splitter: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of ``text``, stripped, in order; [] for blank text.

    Every non-blank text gets at least one sentence, and every sentence but a text's only
    one holds a letter or digit."""
    if not text.strip():
        return []
    spans = repair_sentences(text, raw_sentences(text, splitter=splitter))
    if not spans:  # a splitter that returned nothing for non-blank text
        spans = [strip_span(text, 0, len(text))]
    return spans
