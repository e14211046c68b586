"""sentclust.workflow.logged: a job's log and its error on the terminal, whatever the error
holds and whatever is at the log's path."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _job(body: str, log: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """``body`` run as a rule script does: inside ``logged(log)``, in a fresh interpreter."""
    lines = "".join(f"    {line}\n" for line in body.split("\n"))
    code = (
        f"from sentclust.workflow.logged import logged\nwith logged({str(log)!r}) as log:\n{lines}"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "workflow_scripts")}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, env=env, timeout=timeout, check=False
    )


def test_a_non_utf8_file_name_in_the_error_reaches_the_log_and_the_terminal(tmp_path):
    """A review file whose name is not UTF-8 (Python gives it lone surrogates): the traceback
    and the one-paragraph message are written (escaped), not lost to UnicodeEncodeError."""
    folder = tmp_path / "aclImdb"
    for split in ("train", "test"):
        for lab in ("pos", "neg"):
            (folder / split / lab).mkdir(parents=True)
            (folder / split / lab / "0_9.txt").write_text("Fine.")
    bad = os.path.join(os.fsencode(folder / "train" / "pos"), b"caf\xe9_x.txt")
    with open(bad, "wb") as fh:
        fh.write(b"A review.")
    log = tmp_path / "logs" / "ingest.log"
    r = _job(
        "from sentclust.ingest.aclimdb import read_aclimdb_dir\n"
        f"log.info('reading %s', {str(folder)!r} + '/caf\\udce9')\n"
        f"read_aclimdb_dir({str(folder)!r})",
        log,
    )
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 1, err
    assert "UnicodeEncodeError" not in err and "ERROR (IngestError)" in err
    assert "caf\\udce9" in err  # the name, escaped
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "IngestError" in text and "caf\\udce9" in text
    assert "reading" in text and "UnicodeEncodeError" not in text


def test_the_log_replaces_a_symlink_instead_of_following_it(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    log = tmp_path / "job.log"
    log.symlink_to(victim)
    r = _job("log.info('hello')\nprint('printed')", log)
    assert r.returncode == 0, r.stderr
    assert victim.read_text() == "keep me"
    assert not log.is_symlink() and "hello" in log.read_text() and "printed" in log.read_text()


def test_a_fifo_or_a_hard_link_at_the_log_path_is_replaced(tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("keep me")
    linked = tmp_path / "linked.log"
    os.link(other, linked)
    assert _job("log.info('hello')", linked).returncode == 0
    assert other.read_text() == "keep me" and "hello" in linked.read_text()
    fifo = tmp_path / "fifo.log"
    os.mkfifo(fifo)
    r = _job("log.info('hello')", fifo, timeout=30)  # opening a FIFO to write would block
    assert r.returncode == 0 and fifo.is_file() and "hello" in fifo.read_text()


def test_the_log_gets_the_mode_of_a_plain_file(tmp_path):
    log = tmp_path / "job.log"
    assert _job("log.info('hello')", log).returncode == 0
    umask = os.umask(0o022)
    os.umask(umask)
    assert log.stat().st_mode & 0o777 == 0o666 & ~umask
