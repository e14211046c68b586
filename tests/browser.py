"""Open a local HTML file in headless Chromium and report what a reader's browser would see.

Talks the Chrome DevTools protocol over ``--remote-debugging-pipe`` (fd 3: commands in, fd 4:
replies out, each JSON message ended by a NUL byte), so it needs no driver and no Python package.
The browser starts with a fresh profile and with its background networking switched off (on a
closed network it would otherwise try to reach Google's services and log errors).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path


class Tags(HTMLParser):
    """Every start tag of a page with its attributes."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(page: str) -> list[tuple[str, dict]]:
    """(tag, attributes) of every start tag in ``page``, in order (no browser needed)."""
    parser = Tags()
    parser.feed(page)
    return parser.tags


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--metrics-recording-only",
    "--mute-audio",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--remote-debugging-pipe",
]

#: run in the page after it loaded: what the tests check
PAGE_FACTS = """(async () => {
  const imgs = Array.from(document.images);
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  return JSON.stringify({
    title: document.title,
    images: imgs.map(i => ({alt: i.alt, ok: i.complete && i.naturalWidth > 0,
                            width: i.naturalWidth, src: i.getAttribute('src').slice(0, 30),
                            section: (i.closest('section[id]') || {}).id || null})),
    sections: Array.from(document.querySelectorAll('section[id]')).map(s => s.id),
    headings: Array.from(document.querySelectorAll('h2')).map(h => h.textContent.trim()),
    scripts: document.scripts.length,
    height: document.documentElement.scrollHeight,
    text: document.body.innerText.length,
  });
})()"""


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageReport:
    facts: dict = field(default_factory=dict)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    screenshot: Path | None = None


class _Pipe:
    def __init__(self, proc, write_fd, read_fd):
        self.proc, self.write_fd, self.read_fd = proc, write_fd, read_fd
        self.buf = b""
        self.next_id = 0
        self.events: list[dict] = []

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply from Chromium")
            ready, _, _ = select.select([self.read_fd], [], [], left)
            if ready:
                chunk = os.read(self.read_fd, 1 << 20)
                if not chunk:
                    raise RuntimeError(f"Chromium closed the pipe (exit {self.proc.poll()})")
                self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def send(
        self,
        method: str,
        params: dict | None = None,
        session: str | None = None,
        timeout: float = 60,
    ) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.write_fd, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        for i, ev in enumerate(self.events):
            if ev.get("method") == method:
                return self.events[i]
        while True:
            ev = self._read_message(deadline)
            self.events.append(ev)
            if ev.get("method") == "Page.javascriptDialogOpening":
                # an alert() would block the page: record it (below) and dismiss it
                self.send("Page.handleJavaScriptDialog", {"accept": True}, ev.get("sessionId"))
            if ev.get("method") == method:
                return ev


def _launch(binary: str, profile: str):
    cmd_r, cmd_w = os.pipe()  # we write commands, Chromium reads them on fd 3
    res_r, res_w = os.pipe()  # Chromium writes replies on fd 4, we read them

    def child_fds():
        # move both ends above 10 first, so that dup2 onto 3 and 4 cannot clobber either
        a = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10)
        b = fcntl.fcntl(res_w, fcntl.F_DUPFD, 10)
        os.dup2(a, 3)
        os.dup2(b, 4)

    proc = subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=False,
        preexec_fn=child_fds,  # noqa: PLW1509 (single-threaded test helper)
    )
    os.close(cmd_r)
    os.close(res_w)
    return proc, cmd_w, res_r


def _open_page(pipe: _Pipe, url: str, width: int, height: int, timeout: float) -> str:
    """A new tab showing ``url`` at ``width`` x ``height``, loaded: its session id."""
    target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    sid = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for method in ("Page.enable", "Runtime.enable", "Log.enable"):
        pipe.send(method, session=sid)
    _set_size(pipe, sid, width, height)
    pipe.events.clear()
    pipe.send("Page.navigate", {"url": url}, session=sid)
    pipe.wait_for("Page.loadEventFired", timeout=timeout)
    return sid


def _set_size(pipe: _Pipe, sid: str, width: int, height: int) -> None:
    pipe.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=sid,
    )


def _full_page_png(pipe: _Pipe, sid: str, width: int, height: int, timeout: float) -> bytes:
    """The whole page (``height`` pixels) as one PNG."""
    _set_size(pipe, sid, width, height)
    shot = pipe.send(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
        session=sid,
        timeout=timeout,
    )
    return base64.b64decode(shot["data"])


def _collect_events(events: list[dict], out: PageReport) -> None:
    """Console errors, uncaught exceptions, error log entries and dialogs into ``out``."""
    for ev in events:
        method, params = ev.get("method"), ev.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            args = params.get("args", [])
            out.console_errors.append(" ".join(str(a.get("value", a)) for a in args))
        elif method == "Runtime.exceptionThrown":
            out.console_errors.append(str(params.get("exceptionDetails", {}).get("text")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            out.console_errors.append(f"{entry.get('source')}: {entry.get('text')}")
        elif method == "Page.javascriptDialogOpening":
            out.dialogs.append(params.get("message", ""))


def _close(pipe: _Pipe, proc: subprocess.Popen, wfd: int, rfd: int) -> None:
    with contextlib.suppress(Exception):  # closing anyway
        pipe.send("Browser.close", timeout=10)
    os.close(wfd)
    os.close(rfd)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def inspect_page(
    html_file: str | Path,
    *,
    screenshot: str | Path | None = None,
    full_page: str | Path | None = None,
    width: int = 1366,
    height: int = 900,
    binary: str | None = None,
    timeout: float = 120,
) -> PageReport:
    """Load ``html_file`` in headless Chromium: console errors, dialogs, page facts, screenshots.

    ``screenshot`` gets the first screen (``width`` x ``height``), ``full_page`` the whole page
    (cut at 16,000 pixels).
    """
    binary = binary or find_chromium()
    if not binary:
        raise FileNotFoundError("no Chromium binary on PATH")
    url = Path(html_file).resolve().as_uri()
    out = PageReport()
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        proc, wfd, rfd = _launch(binary, profile)
        pipe = _Pipe(proc, wfd, rfd)
        try:
            sid = _open_page(pipe, url, width, height, timeout)
            result = pipe.send(
                "Runtime.evaluate",
                {"expression": PAGE_FACTS, "awaitPromise": True, "returnByValue": True},
                session=sid,
                timeout=timeout,
            )
            out.facts = json.loads(result["result"]["value"])
            if screenshot:
                shot = pipe.send("Page.captureScreenshot", {"format": "png"}, session=sid)
                Path(screenshot).write_bytes(base64.b64decode(shot["data"]))
                out.screenshot = Path(screenshot)
            if full_page:
                h = min(int(out.facts["height"]), 16000)
                Path(full_page).write_bytes(_full_page_png(pipe, sid, width, h, timeout))
            _collect_events(pipe.events, out)
        finally:
            _close(pipe, proc, wfd, rfd)
    return out
