"""Comparisons inside a segment ("better than", "not as good as", "compared to", "prefer ... to",
"superior/inferior to", "more/less ... than", "-er than"): the cue, whether it is negated, and
the two things compared as character spans where they can be found.

Rules of thumb (rule-based, English only):

- a comparison needs its second side: "better" without "than" ("it gets better", "better
  films") compares nothing named, so it is not reported;
- "rather than", "other than", "more than two hours" (a quantity) are not comparisons;
- a side is cut at the clause: punctuation or "but / and / while / whereas / although";
  the left side is the clause's subject, up to its verb ("is", "was", "seems", ...), the right
  side runs from the cue to the end of the clause; "compared to X, Y is ..." puts Y left;
- ``negated`` is set when "no", "not", "never", "nothing", "hardly" or "-n't" stands at most one
  word before the cue ("no better than", "isn't any better than", "not as good as").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_ER_NOT_COMPARATIVE = r"(?!(?:rather|other|whether|never|ever|under|over|after|either|neither)\b)"
_AS_NOT_COMPARATIVE = r"(?!(?:well|soon|far|long|much|many)\b)"
CUES = (
    (
        "than",
        rf"\b(?:(?:more|less)\s+(?:\w+\s+){{0,2}}?\w+|{_ER_NOT_COMPARATIVE}\w{{3,}}er|worse)\s+than\b",
    ),
    ("as_as", rf"\bas\s+{_AS_NOT_COMPARATIVE}\w+\s+as\b"),
    ("compared", r"\bcompared\s+(?:to|with)\b"),
    ("prefer", r"\bprefer(?:s|red|ring)?\b"),
    ("superior", r"\bsuperior\s+to\b"),
    ("inferior", r"\binferior\s+to\b"),
)
_CUE_RES = tuple((kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in CUES)
BOUNDARY = re.compile(
    r"[.,;:!?()\[\]\"]+|\b(?:but|and|while|whereas|although|though)\b", re.IGNORECASE
)
VERB = re.compile(
    r"\b(?:is|was|are|were|be|been|being|seems?|seemed|looks?|looked|gets?|got|feels?|felt"
    r"|isn't|wasn't|aren't|weren't)\b|'s\b",
    re.IGNORECASE,
)
MODIFIERS = re.compile(
    r"(?:\b(?:far|much|way|even|still|so|a|lot|bit|little|slightly|no|not|never|any|hardly)\s*)+$",
    re.IGNORECASE,
)
NEGATION = re.compile(r"(?:\b(?:no|not|never|nothing|hardly)|n't)\s+(?:\w+\s+)?$", re.IGNORECASE)
_TO = re.compile(r"\bto\b", re.IGNORECASE)
#: an "-er" word right after one of these is a noun ("a chopper than", "the viewer than"), not
#: a comparative; "better", "worse", "more" and "less" stay comparatives ("a better than average")
DETERMINER = re.compile(
    r"\b(?:a|an|the|this|that|these|those|my|your|his|her|its|our|their)\s+$", re.IGNORECASE
)
_COMPARATIVES = frozenset({"better", "worse", "more", "less"})


@dataclass(frozen=True)
class Comparison:
    """One comparison: its kind (a :data:`CUES` name), the cue's span, ``negated``, and the
    ``left`` and ``right`` sides as ``(start, end)`` character spans (None where not found)."""

    kind: str
    start: int
    end: int
    negated: bool
    left: tuple[int, int] | None
    right: tuple[int, int] | None


def _strip(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``(start, end)`` narrowed to the non-space characters inside (None if there are none)."""
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    return (start + lead, end - trail) if end - trail > start + lead else None


def clause_start(text: str, pos: int) -> int:
    """Where the clause holding ``pos`` starts (after the last boundary before it)."""
    start = 0
    for m in BOUNDARY.finditer(text, 0, pos):
        start = m.end()
    return start


def clause_end(text: str, pos: int) -> int:
    """Where the clause holding ``pos`` ends (the next boundary, or the end of the text)."""
    m = BOUNDARY.search(text, pos)
    return m.start() if m else len(text)


def subject(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The subject inside ``text[start:end]``: up to its first verb, else without the
    modifiers ("far", "much", "not", ...) that stand before the cue."""
    verb = VERB.search(text, start, end)
    if verb:
        return _strip(text, start, verb.start())
    mod = MODIFIERS.search(text[start:end])
    return _strip(text, start, start + mod.start() if mod else end)


def _sides(text: str, kind: str, m: re.Match) -> tuple:
    """The left and right spans of the cue ``m``."""
    start = clause_start(text, m.start())
    if kind == "prefer":
        stop = clause_end(text, m.end())
        to = _TO.search(text, m.end(), stop)
        if not to:
            return None, None
        return _strip(text, m.end(), to.start()), _strip(text, to.end(), clause_end(text, to.end()))
    right = _strip(text, m.end(), clause_end(text, m.end()))
    if kind == "compared" and _strip(text, start, m.start()) is None:
        # "Compared to X, Y is ...": the left side is the next clause's subject
        after = BOUNDARY.search(text, m.end())
        if not after:
            return None, right
        return subject(text, after.end(), clause_end(text, after.end())), right
    return subject(text, start, m.start()), right


def _noun_before_than(text: str, m: re.Match) -> bool:
    """Whether the "-er than" cue ``m`` starts with a noun: an "-er" word after a determiner."""
    first = m.group(0).split()[0].lower()
    return first not in _COMPARATIVES and bool(DETERMINER.search(text, 0, m.start()))


def find_comparisons(text: str) -> list[Comparison]:
    """The comparisons of one segment, in text order (overlapping cues: the earlier one)."""
    found = []
    for kind, regex in _CUE_RES:
        for m in regex.finditer(text):
            if kind == "than" and _noun_before_than(text, m):
                continue
            left, right = _sides(text, kind, m)
            if right is None:
                continue  # nothing named on the second side: not a comparison
            before = text[clause_start(text, m.start()) : m.start()]
            negated = bool(NEGATION.search(before))
            found.append(Comparison(kind, m.start(), m.end(), negated, left, right))
    found.sort(key=lambda c: (c.start, -c.end))
    out: list[Comparison] = []
    for c in found:
        if not out or c.start >= out[-1].end:
            out.append(c)
    return out


def _span_text(text: str, span) -> str | None:
    return None if span is None else text[span[0] : span[1]]


def comparison_rows(segment_ids: Sequence, texts: Sequence[str]) -> list[dict]:
    """One row per comparison of each segment (segment_id, kind, cue, negated, spans, sides)."""
    rows = []
    for sid, text in zip(segment_ids, texts, strict=True):
        for c in find_comparisons(text):
            rows.append(
                {
                    "segment_id": sid,
                    "kind": c.kind,
                    "cue": text[c.start : c.end],
                    "negated": c.negated,
                    "start": c.start,
                    "end": c.end,
                    "left": _span_text(text, c.left),
                    "right": _span_text(text, c.right),
                    "left_start": c.left[0] if c.left else None,
                    "left_end": c.left[1] if c.left else None,
                    "right_start": c.right[0],
                    "right_end": c.right[1],
                }
            )
    return rows
