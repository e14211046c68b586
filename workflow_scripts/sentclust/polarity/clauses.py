"""Clauses of a sentence: cut again before every contrastive discourse marker.

Markers (``segments.markers``) match as case-insensitive whole words ("butter", "yesterday",
"meanwhile" never match); ";" (any non-word marker) ends the clause before it. See
:func:`split_clauses` for the non-contrastive uses that are skipped, and for how a clause under
``segments.min_words`` words joins its neighbour.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from sentclust.polarity.sentences import OPENING, n_words, strip_span

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
def marker_regex(markers: tuple[str, ...]) -> re.Pattern | None:
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
    regex = marker_regex(markers)
    if regex is None:
        return []
    cuts: set[int] = set()
    for m in regex.finditer(sentence):
        if m.group("punct") is not None:
            cuts.add(m.end())
        elif not sentence[: m.start()].strip(" " + OPENING):  # the sentence starts with it
            comma = sentence.find(",", m.end())
            if " ".join(m.group("word").lower().split()) in _SUBORDINATORS and comma >= 0:
                cuts.add(comma + 1)
        else:
            at = _word_cut(sentence, m)
            if at is not None:
                cuts.add(at)
    return sorted(c for c in cuts if 0 < c < len(sentence))


def check_min_words(min_words: int) -> None:
    """ValueError unless ``min_words`` (segments.min_words) is at least 1."""
    if min_words < 1:
        raise ValueError(f"segments.min_words must be at least 1, got {min_words}")


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
    markers: Sequence[str],
    min_words: int,
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
    check_min_words(min_words)
    start, end = strip_span(text, start, end)
    if end <= start:
        return []
    bounds = [start, *(start + c for c in _cuts(text[start:end], tuple(markers))), end]
    spans = [strip_span(text, a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    spans = [(a, b) for a, b in spans if b > a]
    return _merge_short(text, spans, min_words)
