"""A local stand-in for the Hugging Face Daily Papers API on 127.0.0.1, with its faults.

It answers ``GET /api/daily_papers?date=D[&p=N][&limit=L]`` and
``GET /api/papers/search?q=TEXT`` as the real service does (JSON lists of items, pages
of ``limit``), and for chosen dates or queries it misbehaves the way services do:

* ``"429"``: a 429 with ``Retry-After: 1`` on the first request, then the listing;
* ``"500"``: a 500 on every request;
* ``"timeout"``: answers only after ``slow_seconds`` (longer than the client waits);
* ``"truncated"``: a 200 whose JSON body is cut in half;
* ``"not-json"``: a 200 whose body is an HTML error page.

Every request is recorded (path, query, headers) so tests can check what was asked.
Nothing here reaches the internet.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


def paper_item(arxiv_id: str, title: str, summary: str, **paper_fields: Any) -> dict[str, Any]:
    """One daily-papers item shaped like the API's (see ../shared/api/)."""
    paper = {
        "id": arxiv_id,
        "authors": [{"_id": f"u{arxiv_id}", "name": "Mei Chen", "hidden": False}],
        "publishedAt": "2025-03-10T17:59:58.000Z",
        "submittedOnDailyAt": "2025-03-11T01:32:10.000Z",
        "title": title,
        "summary": summary,
        "upvotes": 3,
        "discussionId": f"d{arxiv_id}",
        **paper_fields,
    }
    return {
        "paper": paper,
        "publishedAt": "2025-03-11T01:32:10.000Z",
        "title": title,
        "summary": summary,
        "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{arxiv_id}.png",
        "numComments": 0,
        "submittedBy": {"_id": "s1", "user": "akhaliq", "fullname": "AK", "type": "user"},
        "isAuthorParticipating": False,
    }


def many_items(date: str, number: int) -> list[dict[str, Any]]:
    """``number`` distinct items for one day (ids 2503.1xxxx)."""
    stem = date.replace("-", "")[2:6]
    return [
        paper_item(f"{stem}.{10000 + n}", f"Paper {n} of {date}", f"Abstract {n} of the papers of {date}, distinct.")
        for n in range(number)
    ]


@dataclass
class FakeApi:
    """What the server answers: listings by date, faults by date or query, search results."""

    days: dict[str, list[Any]] = field(default_factory=dict)
    faults: dict[str, str] = field(default_factory=dict)
    searches: dict[str, list[Any]] = field(default_factory=dict)
    slow_seconds: float = 3.0
    requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = field(default_factory=list)
    served_faults: dict[str, int] = field(default_factory=dict)
    url: str = ""

    def asked(self, path: str) -> list[dict[str, list[str]]]:
        """The queries of the requests for ``path``, in order."""
        return [query for asked_path, query, _ in self.requests if asked_path == path]


class _Handler(BaseHTTPRequestHandler):
    api: FakeApi

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        self.api.requests.append((parts.path, query, dict(self.headers)))
        if parts.path == "/api/daily_papers":
            key = query.get("date", [""])[0]
            items = self.api.days.get(key, [])
            limit = int(query.get("limit", ["50"])[0])
            page = int(query.get("p", ["0"])[0])
            body: Any = items[page * limit : (page + 1) * limit]
        elif parts.path == "/api/papers/search":
            key = query.get("q", [""])[0]
            body = self.api.searches.get(key, [])
        else:
            self._send(404, b'{"error": "not found"}')
            return
        fault = self.api.faults.get(key)
        if fault:
            served = self.api.served_faults.get(key, 0)
            self.api.served_faults[key] = served + 1
            if fault == "429" and served == 0:
                self._send(429, b'{"error": "rate limited"}', {"Retry-After": "1"})
                return
            if fault == "500":
                self._send(500, b"Internal Server Error")
                return
            if fault == "timeout":
                time.sleep(self.api.slow_seconds)
            if fault == "truncated":
                data = json.dumps(body).encode()
                self._send(200, data[: len(data) // 2])
                return
            if fault == "not-json":
                self._send(200, b"<html><body>Bad gateway</body></html>", {"Content-Type": "text/html"})
                return
        self._send(200, json.dumps(body).encode())

    def _send(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", (headers or {}).pop("Content-Type", "application/json"))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout fault)


@contextmanager
def serving(api: FakeApi) -> Iterator[FakeApi]:
    """Serve ``api`` on a free port of 127.0.0.1; ``api.url`` is its base URL."""
    handler = type("Handler", (_Handler,), {"api": api})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
