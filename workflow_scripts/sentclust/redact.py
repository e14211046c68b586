"""Secrets kept out of outputs: URLs as they may be shown in reports and logs.

A download URL may carry credentials: ``https://user:token@host/...``, a signed query
(``?X-Amz-Signature=...``, ``?token=...``), a fragment or path parameters
(``/a.tar.gz;token=...``). :func:`redact_url` is the one place that strips them; the report's
provenance, the download rule's param and every log line that names ``input_url`` show its
result.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

#: what replaces a removed part, so that a reader sees something was there
HIDDEN = "***"


def _redact_path(path: str) -> str:
    """``path`` with each segment's ``;parameters`` (``/a.tar.gz;token=...``) made ``***``."""
    return "/".join(
        f"{seg.partition(';')[0]};{HIDDEN}" if ";" in seg else seg for seg in path.split("/")
    )


def redact_url(url: Any) -> Any:
    """``url`` without user info, path parameters, query or fragment (each replaced by
    ``***``), e.g. ``https://***@example.org/a.tar.gz;***?***``; anything that is not a string
    (None) is returned as it is, a string that does not parse as a URL as ``[redacted URL]``."""
    if not isinstance(url, str):
        return url
    try:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return "[redacted URL]"
    netloc = f"{HIDDEN}@{host}" if "@" in parts.netloc else host
    query = HIDDEN if parts.query else ""
    fragment = HIDDEN if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, _redact_path(parts.path), query, fragment))


def redact_config(config: dict) -> dict:
    """A copy of the run's config with ``input_url`` redacted (:func:`redact_url`)."""
    if "input_url" not in config:
        return dict(config)
    return {**config, "input_url": redact_url(config["input_url"])}
