"""Glue for the thin rule scripts: logging to the rule's log file, clear errors."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback
from collections.abc import Iterator


@contextlib.contextmanager
def logged(log_path: str) -> Iterator[logging.Logger]:
    """Send everything the job prints (Python and C libraries alike) to ``log_path``.

    On failure, the full traceback goes to the log and a one-paragraph message to the
    terminal that runs Snakemake, then the job exits with status 1.
    """
    os.makedirs(os.path.dirname(log_path) or ".", exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved_err = os.dup(2)
    saved_out = os.dup(1)
    log_fh = open(log_path, "w", buffering=1, encoding="utf-8")  # noqa: SIM115
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
        print(f"\nERROR ({type(failed).__name__}): {failed}\n(log: {log_path})\n", file=sys.stderr)
        sys.exit(1)
