"""Download an input file (the aclImdb_v1.tar.gz archive) with a checksum check."""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path

from ..files import atomic_path


class DownloadError(RuntimeError):
    pass


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def fetch(url: str, dest: str | os.PathLike, *, sha256: str | None, timeout: float = 60) -> dict:
    """Stream ``url`` to ``dest`` atomically; verify its SHA-256 when one is given.

    On a checksum mismatch nothing is left at ``dest``. Returns a small provenance record.
    """
    dest = Path(dest)
    h = hashlib.sha256()
    n = 0
    with atomic_path(dest) as tmp:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp, open(tmp, "wb") as out:
                total = int(resp.headers.get("Content-Length") or 0) or None
                from tqdm import tqdm

                with tqdm(total=total, unit="B", unit_scale=True, desc=dest.name) as bar:
                    while block := resp.read(1 << 20):
                        out.write(block)
                        h.update(block)
                        n += len(block)
                        bar.update(len(block))
        except (urllib.error.URLError, OSError) as exc:
            raise DownloadError(
                f"could not download {url}: {exc}. Without the internet, download the file "
                "elsewhere and set input_path to the local copy (and input_url to null)."
            ) from exc
        digest = h.hexdigest()
        if sha256 and digest != sha256.lower():
            raise DownloadError(
                f"checksum mismatch for {url}: expected sha256 {sha256}, got {digest} "
                f"({n} bytes). The download is corrupt or the file changed; nothing was kept. "
                "Retry, or set input_sha256 to the new checksum if you trust the source."
            )
    return {"url": url, "path": str(dest), "bytes": n, "sha256": digest}
