"""sentclust.ingest.download and .inputs: https only, a checksum, Content-Length, a size cap."""

import hashlib
import http.server
import threading

import pytest

from sentclust.ingest.download import (
    DownloadError,
    allowed_schemes,
    check_download_config,
    check_url,
    fetch,
    sha256_file,
)
from sentclust.ingest.inputs import check_input_config, download_settings

FILE_OK = allowed_schemes(allow_file=True)
SHA = "0" * 64


def test_fetch_checks_sha256_and_writes_atomically(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"imdb" * 1000)
    good = hashlib.sha256(src.read_bytes()).hexdigest()
    dest = tmp_path / "out" / "aclImdb_v1.tar.gz"
    record = fetch(src.as_uri(), dest, sha256=good, schemes=FILE_OK)
    assert dest.read_bytes() == src.read_bytes()
    assert record["sha256"] == good == sha256_file(dest)
    assert record["bytes"] == 4000


def test_fetch_mismatch_keeps_nothing(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"tampered")
    dest = tmp_path / "aclImdb_v1.tar.gz"
    with pytest.raises(DownloadError, match="checksum mismatch"):
        fetch(src.as_uri(), dest, sha256=SHA, schemes=FILE_OK)
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == [src]


def test_fetch_unreachable_says_what_to_do(tmp_path):
    with pytest.raises(DownloadError, match="input_path"):
        fetch((tmp_path / "missing.tar.gz").as_uri(), tmp_path / "x", sha256=SHA, schemes=FILE_OK)


@pytest.mark.parametrize(
    "url",
    [
        "http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
        "ftp://example.org/aclImdb_v1.tar.gz",
        "file:///tmp/aclImdb_v1.tar.gz",
        "aclImdb_v1.tar.gz",
    ],
)
def test_only_https_unless_file_is_allowed(url, tmp_path):
    with pytest.raises(DownloadError, match="input_url") as err:
        check_url(url)
    assert "Fix:" in str(err.value)
    # fetch refuses before opening anything
    with pytest.raises(DownloadError, match="input_url"):
        fetch(url, tmp_path / "x", sha256=SHA)
    assert list(tmp_path.iterdir()) == []
    check_url("https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz")
    check_url("file:///tmp/aclImdb_v1.tar.gz", FILE_OK)
    assert allowed_schemes() == ("https",)


def test_a_url_needs_a_checksum(tmp_path):
    url = "https://example.org/aclImdb_v1.tar.gz"
    with pytest.raises(DownloadError, match=r"input_sha256 is not.*sha256sum"):
        check_download_config(url, None)
    with pytest.raises(DownloadError, match="not a SHA-256"):
        check_download_config(url, "abc")
    with pytest.raises(DownloadError, match="input_sha256"):
        fetch(url, tmp_path / "x", sha256=None)
    check_download_config(url, SHA)


def test_the_size_cap_keeps_nothing(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"x" * 5000)
    dest = tmp_path / "out.tar.gz"
    with pytest.raises(DownloadError, match=r"larger than input_max_bytes \(5000 > 1000"):
        fetch(src.as_uri(), dest, sha256=SHA, schemes=FILE_OK, max_bytes=1000)
    assert list(tmp_path.iterdir()) == [src]


class _Server:
    """A local HTTP server whose one page announces ``length`` bytes and sends ``body``."""

    def __init__(self, body: bytes, length: int | None):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                if length is not None:
                    self.send_header("Content-Length", str(length))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/aclImdb_v1.tar.gz"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_a_short_body_fails_and_keeps_nothing(tmp_path):
    body = b"y" * 100
    dest = tmp_path / "aclImdb_v1.tar.gz"
    short = pytest.raises(DownloadError, match=r"cut short: 100 bytes received.*1000")
    # the checksum of what arrives: only the length check catches the cut
    # (plain http only because the test relaxes the schemes explicitly)
    with _Server(body, length=1000) as server, short:
        fetch(server.url, dest, sha256=hashlib.sha256(body).hexdigest(), schemes=("http",))
    assert list(tmp_path.iterdir()) == []


def test_the_size_cap_without_content_length(tmp_path):
    dest = tmp_path / "aclImdb_v1.tar.gz"
    too_big = pytest.raises(DownloadError, match="larger than input_max_bytes")
    with _Server(b"z" * 5000, length=None) as server, too_big:
        fetch(server.url, dest, sha256=SHA, schemes=("http",), max_bytes=1000)
    assert list(tmp_path.iterdir()) == []


def test_the_workflow_checks_the_download_settings_before_any_job():
    url = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
    good = {"input_path": None, "input_url": url, "input_sha256": SHA}
    check_input_config(good)
    with pytest.raises(DownloadError, match="input_sha256"):
        check_input_config({**good, "input_sha256": None})
    with pytest.raises(DownloadError, match="only https"):
        check_input_config({**good, "input_url": "http://x.org/a.tar.gz"})
    file_url = {**good, "input_url": "file:///tmp/a.tar.gz"}
    with pytest.raises(DownloadError, match="input_url_allow_file"):
        check_input_config(file_url)
    check_input_config({**file_url, "input_url_allow_file": True})
    with pytest.raises(DownloadError, match="input_max_bytes"):
        check_input_config({**good, "input_max_bytes": 0})
    # a local input_path: the URL is not used, so not checked
    check_input_config({**good, "input_path": "x.parquet", "input_sha256": None})
    assert download_settings({"input_url_allow_file": True, "input_max_bytes": 5}) == {
        "schemes": ("https", "file"),
        "max_bytes": 5,
    }


def test_credentials_in_the_url_never_reach_messages_or_records(tmp_path):
    secret = "http://alice:s3cret@example.org/aclImdb_v1.tar.gz?token=abc123"
    with pytest.raises(DownloadError) as err:
        check_url(secret)
    assert "s3cret" not in str(err.value) and "abc123" not in str(err.value)
    assert "example.org/aclImdb_v1.tar.gz" in str(err.value)
    src = tmp_path / "src.bin"
    src.write_bytes(b"imdb")
    url = src.as_uri() + "#token=abc123"
    record = fetch(url, tmp_path / "out.bin", sha256=sha256_file(src), schemes=FILE_OK)
    assert "abc123" not in str(record)
    with pytest.raises(DownloadError) as err:
        fetch(url, tmp_path / "out2.bin", sha256=SHA, schemes=FILE_OK)
    assert "abc123" not in str(err.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://alice:S3CRET@example.org/aclImdb_v1.tar.gz",
        "https://S3CRET@example.org/aclImdb_v1.tar.gz",
        "https://alice:S3CRET@example.org:8443/aclImdb_v1.tar.gz",
    ],
)
def test_user_info_in_the_url_is_refused_without_echoing_it(url, tmp_path):
    for call in (
        lambda: check_url(url),
        lambda: check_input_config({"input_path": None, "input_url": url, "input_sha256": SHA}),
        lambda: fetch(url, tmp_path / "x.tar.gz", sha256=SHA),
    ):
        with pytest.raises(DownloadError, match="user name or password") as err:
            call()
        assert "S3CRET" not in str(err.value) and "alice" not in str(err.value)
        assert "pre-signed" in str(err.value) and "Fix:" in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_an_http_client_error_becomes_a_download_error_without_secrets(tmp_path, monkeypatch):
    import http.client
    import urllib.request

    def bad_open(url, timeout):
        raise http.client.InvalidURL(f"nonnumeric port: 'S3CRET@host' in {url}")

    monkeypatch.setattr(urllib.request, "urlopen", bad_open)
    url = "https://example.org/aclImdb_v1.tar.gz?sig=S3CRET#frag=S3CRET"
    with pytest.raises(DownloadError, match="could not download") as err:
        fetch(url, tmp_path / "x.tar.gz", sha256=SHA)
    assert "S3CRET" not in str(err.value) and "InvalidURL" in str(err.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://h.org/data/aclImdb_v1.tar.gz", "aclImdb_v1.tar.gz"),
        ("https://h.org/data/aclImdb_v1.tar.gz?X-Amz-Signature=S3CRET", "aclImdb_v1.tar.gz"),
        ("https://h.org/data/aclImdb_v1.tar.gz#sig=S3CRET", "aclImdb_v1.tar.gz"),
        ("https://h.org/data/aclImdb_v1.tar.gz;token=S3CRET", "aclImdb_v1.tar.gz"),
        ("https://h.org/a;token=S3CRET/reviews.csv;x=S3CRET?q=S3CRET", "reviews.csv"),
        ("https://h.org/", "download"),
        ("https://h.org/a/..", "download"),
        ("https://h.org/a/%2e%2e", "download"),
        ("https://h.org/a/r%C3%A9views%20x.csv", "r_views_x.csv"),
    ],
)
def test_the_download_file_name_comes_from_the_redacted_path(url, name):
    from sentclust.ingest.inputs import download_name

    assert download_name(url) == name


def test_redact_url_hides_path_parameters():
    from sentclust.redact import redact_url

    shown = redact_url("https://h.org/a;token=S3CRET/b.tar.gz;sig=S3CRET")
    assert shown == "https://h.org/a;***/b.tar.gz;***"


def test_the_rules_pass_no_raw_input_url_as_a_param():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    rules = "\n".join(p.read_text() for p in (root / "rules").glob("*.smk"))
    # the download rule's param is the redacted URL; the job reads the URL from the config
    assert 'url=config["input_url"]' not in rules
    assert 'url=redact_url(config["input_url"])' in rules
    # the download's file name: the redacted path's last part (no query, fragment, ;params)
    assert "download_name(config" in (root / "rules" / "common.smk").read_text()
    assert 'sm.config["input_url"]' in (root / "workflow_scripts" / "download.py").read_text()


def test_the_report_provenance_param_has_the_url_redacted():
    from sentclust.workflow.config_keys import provenance

    shown = provenance({"input_url": "https://h.org/a.tar.gz?sig=S3CRET", "seed": 1})
    assert shown["input_url"] == "https://h.org/a.tar.gz?***"
