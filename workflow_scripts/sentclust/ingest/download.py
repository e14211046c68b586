"""Download an input file (the aclImdb_v1.tar.gz archive): https only, checksum, size checks.

Rules (config keys in brackets; :func:`check_download_config` checks them when the workflow's
DAG is built, before any job starts, and :func:`fetch` again when it runs):

- the URL's scheme is ``https``; ``file://`` only when explicitly allowed
  (``input_url_allow_file: true``, meant for tests); anything else (``http``, ``ftp``) fails;
- a checksum is required (``input_sha256``); the download fails when the file's SHA-256 differs;
- the body must be as long as the server's ``Content-Length`` says (a short body fails);
- the body may not exceed a size cap (``input_max_bytes``, default 1 GiB; the archive is 84 MB).

On every failure nothing is kept at the destination.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from sentclust.files import atomic_path
from sentclust.redact import HIDDEN, redact_url

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DownloadError",
    "allowed_schemes",
    "check_download_config",
    "check_url",
    "copy_body",
    "fetch",
    "sha256_file",
]

#: The default size cap of a download (1 GiB; aclImdb_v1.tar.gz is 84 MB).
DEFAULT_MAX_BYTES = 1 << 30
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_GET_CHECKSUM = (
    "Take the checksum the publisher gives, or download the file once by hand from a source "
    "you trust and run `sha256sum FILE` (macOS: `shasum -a 256 FILE`)"
)


class DownloadError(RuntimeError):
    pass


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def allowed_schemes(allow_file: bool = False) -> tuple[str, ...]:
    """The URL schemes a download may use: https, and file when ``allow_file``."""
    return ("https", "file") if allow_file else ("https",)


def _split(url: str) -> urllib.parse.SplitResult:
    try:
        return urllib.parse.urlsplit(str(url))
    except ValueError:  # e.g. an unbalanced IPv6 bracket: the message would quote the URL
        raise DownloadError(
            f"input_url {redact_url(url)!r} is not a valid URL. Fix: give the https:// "
            f"address of the file."
        ) from None


def check_url(url: str, schemes: Sequence[str] = ("https",)) -> None:
    """:class:`DownloadError` unless ``url``'s scheme is one of ``schemes`` and it holds no
    user name or password (``https://user:token@host/...``: they would reach logs and
    Snakemake's metadata)."""
    parts = _split(url)
    scheme = parts.scheme.lower()
    if "@" in parts.netloc:
        raise DownloadError(
            f"input_url {redact_url(url)!r} holds a user name or password (user:token@host); "
            f"they would be written to logs and to Snakemake's metadata. Fix: use a URL "
            f"without credentials, e.g. a pre-signed (time-limited) URL of the file, or "
            f"download it yourself and set input_path to the local copy."
        )
    if scheme in schemes:
        return
    if scheme == "file":
        raise DownloadError(
            f"input_url {redact_url(url)!r} is a file:// URL, which is allowed only for tests. "
            f"Fix: set input_path to the local file instead (and input_url to null), or set "
            f"input_url_allow_file: true."
        )
    raise DownloadError(
        f"input_url {redact_url(url)!r} uses the scheme {scheme or '(none)'!r}; only https is "
        f"accepted "
        f"(plain http and ftp can be altered in transit). Fix: use the https:// address of "
        f"the file, or download it yourself and set input_path to the local copy."
    )


def check_download_config(
    url: str,
    sha256: str | None,
    *,
    schemes: Sequence[str] = ("https",),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> None:
    """Check the download settings: a scheme of ``schemes`` (:func:`allowed_schemes`), a SHA-256
    checksum, a positive size cap."""
    check_url(url, schemes)
    if not sha256:
        raise DownloadError(
            f"input_url {redact_url(url)!r} is set but input_sha256 is not: a download is "
            f"accepted only "
            f"with its checksum (a truncated or altered file would pass unnoticed). Fix: set "
            f"input_sha256 to the file's SHA-256 (64 hex digits). {_GET_CHECKSUM}."
        )
    if not _SHA256.fullmatch(str(sha256)):
        raise DownloadError(
            f"input_sha256 {sha256!r} is not a SHA-256 checksum (64 hex digits). Fix: set it "
            f"to the file's SHA-256. {_GET_CHECKSUM}."
        )
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise DownloadError(
            f"input_max_bytes {max_bytes!r} must be a positive whole number of bytes. Fix: "
            f"set it in the config (default {DEFAULT_MAX_BYTES}, 1 GiB)."
        )


def _too_big(url: str, size: int, max_bytes: int) -> DownloadError:
    return DownloadError(
        f"the download of {redact_url(url)} is larger than input_max_bytes ({size} > "
        f"{max_bytes} bytes); "
        f"nothing was kept. Fix: check that input_url names the right file, or raise "
        f"input_max_bytes in the config."
    )


def copy_body(
    resp: BinaryIO,
    out: BinaryIO,
    *,
    url: str,
    expected: int | None,
    max_bytes: int,
    progress: Callable[[int], object] = lambda n: None,
) -> tuple[int, str]:
    """Copy ``resp`` to ``out``; (bytes copied, SHA-256). Checks the size cap while copying and,
    when the server gave a length (``expected``), that exactly that many bytes came."""
    if expected is not None and expected > max_bytes:
        raise _too_big(url, expected, max_bytes)
    h = hashlib.sha256()
    n = 0
    while block := resp.read(1 << 20):
        n += len(block)
        if n > max_bytes:
            raise _too_big(url, n, max_bytes)
        out.write(block)
        h.update(block)
        progress(len(block))
    if expected is not None and n != expected:
        raise DownloadError(
            f"the download of {redact_url(url)} was cut short: {n} bytes received, the server "
            f"announced "
            f"{expected} (Content-Length); nothing was kept. Fix: retry (the connection broke)."
        )
    return n, h.hexdigest()


def _content_length(resp) -> int | None:
    value = resp.headers.get("Content-Length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _why(exc: BaseException, url: str) -> str:
    """What went wrong, with every part of ``url`` that may be a secret (user info, path
    parameters, query, fragment) left out. ``http.client``'s and the URL parser's messages
    quote parts of the URL (``InvalidURL: nonnumeric port: 'S3CRET@host'``): only their
    kind is shown."""
    if isinstance(exc, (http.client.HTTPException, ValueError)):
        return f"{type(exc).__name__} (the URL or the server's answer is malformed)"
    text = f"{type(exc).__name__}: {exc}"
    parts = urllib.parse.urlsplit(url)
    secrets = [parts.netloc.rpartition("@")[0], parts.query, parts.fragment]
    secrets += [seg.partition(";")[2] for seg in parts.path.split("/")]
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        text = text.replace(secret, HIDDEN)
    return text


def fetch(
    url: str,
    dest: str | os.PathLike,
    *,
    sha256: str | None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    schemes: Sequence[str] = ("https",),
    timeout: float = 60,
) -> dict:
    """Stream ``url`` to ``dest`` atomically and verify it (see the module's rules).

    ``schemes`` are the accepted URL schemes (:func:`allowed_schemes`). On any failure nothing
    is left at ``dest``. Returns a small provenance record.
    """
    check_download_config(url, sha256, schemes=schemes, max_bytes=max_bytes)
    dest = Path(dest)
    with atomic_path(dest) as tmp:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp, open(tmp, "wb") as out:
                total = _content_length(resp)
                from tqdm import tqdm

                with tqdm(total=total, unit="B", unit_scale=True, desc=dest.name) as bar:
                    n, digest = copy_body(
                        resp, out, url=url, expected=total, max_bytes=max_bytes, progress=bar.update
                    )
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
            raise DownloadError(
                f"could not download {redact_url(url)}: {_why(exc, url)}. Fix: check input_url; "
                f"without the internet, download the file elsewhere and set input_path to the "
                f"local copy (and input_url to null)."
            ) from None
        if digest != sha256.lower():
            raise DownloadError(
                f"checksum mismatch for {redact_url(url)}: expected sha256 {sha256}, got {digest} "
                f"({n} bytes). The download is corrupt or the file changed; nothing was kept. "
                "Retry, or set input_sha256 to the new checksum if you trust the source."
            )
    return {"url": redact_url(url), "path": str(dest), "bytes": n, "sha256": digest}
