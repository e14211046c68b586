import hashlib

import pytest

from sentclust.ingest.download import DownloadError, fetch, sha256_file


def test_fetch_checks_sha256_and_writes_atomically(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"imdb" * 1000)
    good = hashlib.sha256(src.read_bytes()).hexdigest()
    dest = tmp_path / "out" / "aclImdb_v1.tar.gz"
    record = fetch(src.as_uri(), dest, sha256=good)
    assert dest.read_bytes() == src.read_bytes()
    assert record["sha256"] == good == sha256_file(dest)
    assert record["bytes"] == 4000


def test_fetch_mismatch_keeps_nothing(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"tampered")
    dest = tmp_path / "aclImdb_v1.tar.gz"
    with pytest.raises(DownloadError, match="checksum mismatch"):
        fetch(src.as_uri(), dest, sha256="0" * 64)
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == [src]


def test_fetch_unreachable_says_what_to_do(tmp_path):
    with pytest.raises(DownloadError, match="input_path"):
        fetch((tmp_path / "missing.tar.gz").as_uri(), tmp_path / "x", sha256=None)
