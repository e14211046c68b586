"""Glue for the thin rule scripts: logging to the rule's log file, clear errors."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator
from typing import TextIO

from sentclust.files import new_file_mode


def _open_log(log_path: str) -> TextIO:
    """A new, empty file at ``log_path``, put there by a rename: whatever was there (an old
    log, a symlink, a hard link, a FIFO) is replaced, never followed, written through or
    blocked on. Text that is not UTF-8 (a file name Python decoded to lone surrogates) is
    written escaped (``\\udce9``) instead of failing the write."""
    folder = os.path.dirname(log_path) or "."
    os.makedirs(folder, exist_ok=True)
    name = os.path.basename(log_path)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        os.fchmod(fd, new_file_mode())
        os.replace(tmp, log_path)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return open(fd, "w", buffering=1, encoding="utf-8", errors="backslashreplace")  # noqa: SIM115


def _printable(text: str) -> str:
    """``text`` with characters that are not UTF-8 (lone surrogates) escaped: it prints on
    any terminal."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@contextlib.contextmanager
def logged(log_path: str) -> Iterator[logging.Logger]:
    """Send everything the job prints (Python and C libraries alike) to ``log_path``.

    On failure, the full traceback goes to the log and a one-paragraph message to the
    terminal that runs Snakemake, then the job exits with status 1. The log replaces what is
    at ``log_path`` (:func:`_open_log`: a symlink there is not followed).
    """
    sys.stdout.flush()
    sys.stderr.flush()
    log_fh = _open_log(log_path)
    saved_err = os.dup(2)
    saved_out = os.dup(1)
    os.dup2(log_fh.fileno(), 1)
    os.dup2(log_fh.fileno(), 2)
    old_out, old_err = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = log_fh
    logger = logging.getLogger("sentclust")
    handler = logging.StreamHandler(log_fh)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    failed: BaseException | None = None
    try:
        yield logger
    except Exception as exc:  # report, then fail the job
        failed = exc
        traceback.print_exc(file=log_fh)
    finally:
        log_fh.flush()
        sys.stdout, sys.stderr = old_out, old_err
        os.dup2(saved_out, 1)
        os.dup2(saved_err, 2)
        os.close(saved_out)
        os.close(saved_err)
        log_fh.close()
    if failed is not None:
        message = f"\nERROR ({type(failed).__name__}): {failed}\n(log: {log_path})\n"
        print(_printable(message), file=sys.stderr)
        sys.exit(1)
