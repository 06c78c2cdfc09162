"""``digest-archive serve``: the built site on localhost, as GitHub Pages serves it.

Python's file server, with the site's own ``404.html`` for an address not in the site
(as GitHub Pages answers) and a clean 400 for a request no file could match (a path
with a NUL byte, which the standard handler answers by dropping the connection with a
traceback on the console).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import ArchiveError
from .site.urls import url


class SiteRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Serves one built site folder; see the module documentation."""

    def translate_path(self, path: str) -> str:
        translated = super().translate_path(path)
        if "\0" in translated:
            raise _BadPath
        return translated

    def send_head(self):  # untyped, as in the standard handler
        try:
            return super().send_head()
        except _BadPath:
            self.send_error(400, "Bad request path")
            return None

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / url("not_found")
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _BadPath(Exception):
    pass


class SiteServer(http.server.ThreadingHTTPServer):
    """Python's threading server, without the traceback it prints when a browser drops a
    connection it no longer needs (a page left before every request was answered)."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            return
        print(f"digest-archive: error answering {client_address}: {error!r}", file=sys.stderr)


class _QuietHandler(SiteRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(site_dir: Path) -> Iterator[str]:
    """Serve ``site_dir`` quietly on a free localhost port in a background thread while
    the block runs; yield its base URL. For tests and the deploy smoke test."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = SiteServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def serve_site(site_dir: Path, port: int, on_ready: Callable[[str], None]) -> None:
    """Serve ``site_dir`` on ``http://127.0.0.1:port/`` until interrupted; ``on_ready``
    is called with the address once the server listens."""
    handler = functools.partial(SiteRequestHandler, directory=str(site_dir))
    try:
        server = SiteServer(("127.0.0.1", port), handler)
    except OSError as error:
        raise ArchiveError(f"cannot listen on port {port}: {error.strerror}") from None
    on_ready(f"http://127.0.0.1:{port}/")
    with server:
        server.serve_forever()
