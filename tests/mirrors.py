"""Local HTTP mirrors serving a directory, for download tests: the `serve` fixture, which the
conftest of each test folder that downloads takes in."""

import functools
import http.server
import threading
from pathlib import Path

import pytest


class _Mirror:
    """A static HTTP server on 127.0.0.1 serving one directory, recording the paths asked for."""

    def __init__(self, directory: Path):
        self.requests: list[str] = []
        requests = self.requests

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):
                requests.append(self.path)
                super().do_GET()

            def log_message(self, *args):
                pass

        handler = functools.partial(Handler, directory=str(directory))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/mnist/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def serve(monkeypatch):
    """`serve(dir)` starts a mirror of `dir` (its files under /mnist/); all stop after the test."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    mirrors = []

    def start(directory: Path) -> _Mirror:
        mirrors.append(_Mirror(directory))
        return mirrors[-1]

    yield start
    for mirror in mirrors:
        mirror.close()
