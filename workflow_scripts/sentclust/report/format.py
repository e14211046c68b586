"""Values as the page and the summary show them: PNG data URIs, numbers, durations, cells."""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sentclust.ingest.contract import CLASS_NAMES

#: a binary label as a word (the network's class names: 0 negative, 1 positive)
SENTIMENT = dict(enumerate(CLASS_NAMES))


def data_uri(png: bytes | str | Path) -> str:
    """A PNG (bytes or a file) as a ``data:image/png;base64,...`` URI."""
    data = png if isinstance(png, bytes) else Path(png).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def file_uri(path: str | Path | None) -> str | None:
    """The PNG at ``path`` as a data URI, or None when there is no such file."""
    return data_uri(path) if path and Path(path).is_file() else None


def figure_uri(draw: Callable[..., None], *args, **kwargs) -> str:
    """Call a ``sentclust.figures`` function with an in-memory ``path``; its PNG as a data URI."""
    buf = io.BytesIO()
    draw(*args, path=buf, **kwargs)
    return data_uri(buf.getvalue())


def finite(x: Any) -> float | None:
    """``x`` as a float, or None when missing or not finite."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def fmt(x: Any, digits: int = 3) -> str:
    """A number for a table cell: ``digits`` decimals for floats, thousands separators for ints."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int | np.integer):
        return f"{int(x):,}"
    if isinstance(x, float | np.floating):
        return f"{float(x):,.{digits}f}"
    return str(x)


def pct(x: Any) -> str:
    """A share as a percentage with one decimal, or a dash."""
    return "–" if finite(x) is None else f"{100 * float(x):.1f}%"


def hms(seconds: float | None) -> str:
    """A duration as ``m:ss``, or ``h:mm:ss`` from an hour on."""
    if seconds is None or not math.isfinite(seconds):
        return "–"
    s = int(round(seconds))
    return (
        f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def md_cell(text: Any) -> str:
    """A value for a Markdown table cell: no pipes, no line breaks, no markup."""
    s = str(text).replace("|", "\\|").replace("\n", " ")
    return s.replace("<", "&lt;").replace(">", "&gt;")
