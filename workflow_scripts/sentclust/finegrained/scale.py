"""The run's rating scale and where its labels come from, read from the ingest summary
(``data/ingest_summary.json``): the one home for every stage after ingest (the fine-grained
levels, their figure and check, the polarity check, the report).

The ingest stage records ``"rating_scale": [lo, hi]`` (null when the corpus has no ratings) and
``"labels": "given" | "from_ratings" | "none"``. A summary written before these keys existed is
IMDB's: 1-10 and given labels (:func:`run_scale` reads it so).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sentclust.ingest.ratings import IMDB_SCALE

#: what a summary without the keys means: IMDB's 1-10 stars (ingest's own constant), labels given
DEFAULT_SCALE = (IMDB_SCALE.lo, IMDB_SCALE.hi)
DEFAULT_LABELS = "given"
LABEL_SOURCES = ("given", "from_ratings", "none")


@dataclass(frozen=True)
class RunScale:
    """A run's rating scale (``lo``, ``hi``; both None when the corpus has no ratings) and
    its labels' source (``labels``: one of :data:`LABEL_SOURCES`)."""

    lo: int | None = DEFAULT_SCALE[0]
    hi: int | None = DEFAULT_SCALE[1]
    labels: str = DEFAULT_LABELS

    def __post_init__(self):
        if (self.lo is None) != (self.hi is None):
            raise ValueError(f"rating scale [{self.lo}, {self.hi}]: give both ends or neither")
        if self.lo is not None and not int(self.lo) < int(self.hi):
            raise ValueError(f"rating scale [{self.lo}, {self.hi}]: the low end must be lower")
        if self.labels not in LABEL_SOURCES:
            raise ValueError(f"labels {self.labels!r}: one of {', '.join(LABEL_SOURCES)}")

    @property
    def rated(self) -> bool:
        """Whether the corpus has ratings (a scale)."""
        return self.lo is not None

    @property
    def labelled(self) -> bool:
        """Whether the reviews have labels (given or derived from the ratings)."""
        return self.labels != "none"

    @property
    def values(self) -> tuple[int, ...]:
        """Every rating of the scale, lowest first (empty without ratings)."""
        return tuple(range(self.lo, self.hi + 1)) if self.rated else ()

    @property
    def middle(self) -> float | None:
        """The middle of the scale (5.5 on 1-10, 3 on 1-5; None without ratings)."""
        return (self.lo + self.hi) / 2 if self.rated else None

    @property
    def text(self) -> str:
        """The scale as people write it: "1-10" ("" without ratings)."""
        return f"{self.lo}-{self.hi}" if self.rated else ""

    def axis_label(self) -> str:
        """A figure's axis label: "star rating (1-5)"."""
        return f"star rating ({self.text})" if self.rated else "star rating"

    def out_of(self, value: float | None, digits: int = 1) -> str | None:
        """A mean rating on the scale: "7.9/10" (None for an unknown value or no scale)."""
        if value is None or not self.rated or value != value:
            return None
        return f"{value:.{digits}f}/{self.hi}"

    def as_dict(self) -> dict:
        """As finegrained.json records it."""
        return {"rating_scale": [self.lo, self.hi] if self.rated else None, "labels": self.labels}


def scale_from_summary(summary: dict) -> RunScale:
    """The :class:`RunScale` of an ingest summary (a dict); a summary without
    ``rating_scale`` or ``labels`` gets IMDB's 1-10 and given labels."""
    labels = summary.get("labels") or DEFAULT_LABELS
    if "rating_scale" not in summary:
        lo, hi = DEFAULT_SCALE
    elif summary["rating_scale"] is None:
        lo = hi = None
    else:
        lo, hi = (int(v) for v in summary["rating_scale"])
    return RunScale(lo, hi, labels)


def run_scale(path: str | Path) -> RunScale:
    """The :class:`RunScale` of the ingest summary at ``path`` (:func:`scale_from_summary`);
    ValueError naming the file when it is not a JSON object."""
    try:
        summary = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not JSON ({e}); rerun the ingest rule") from e
    if not isinstance(summary, dict):
        raise ValueError(f"{path}: the ingest summary must be a JSON object; rerun the ingest rule")
    try:
        return scale_from_summary(summary)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{path}: rating_scale / labels: {e}; rerun the ingest rule") from e
