"""The Hugging Face Daily Papers API, read with huggingface_hub's HTTP session.

``GET {HF_ENDPOINT}/api/daily_papers?date=YYYY-MM-DD&p=N&limit=50`` lists one day's
papers a page at a time; ``GET {HF_ENDPOINT}/api/papers/search?q=TEXT`` finds papers by
title. Responses are returned as the raw JSON the API gave, so nothing is lost (the
official ``HfApi.list_daily_papers`` drops fields nested under ``paper``).

The base URL and token come from ``HF_ENDPOINT`` and ``HF_TOKEN``, as huggingface_hub
reads them; the token is sent, never printed. Requests go through huggingface_hub's
shared session and headers (user agent, proxies). Retries are done here rather than
with ``huggingface_hub.utils.http_backoff`` because that helper waits however long a
``Retry-After`` header asks (a misbehaving server could stall a CI job for hours) and
logs through its own logger; here a wait is capped and each retry is reported to the
caller, who names the day in it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2
from huggingface_hub.utils import build_hf_headers, get_session

from .. import __version__

DEFAULT_ENDPOINT = "https://huggingface.co"
# Statuses worth another try: rate limited, timed out at a proxy, a server in trouble.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# A day is listed in pages of PAGE_SIZE (the API's default limit); more pages than this
# means the server ignores the page number, not a busy day.
PAGE_SIZE = 50
MAX_PAGES = 40


class ApiError(Exception):
    """A request that failed for good: after its retries, or with an answer that is not
    what the API gives (a 404, invalid JSON). The message names what was asked."""


@dataclass(frozen=True)
class ApiSettings:
    """Where the API is and how patiently to ask it.

    ``retries`` more tries after the first; waits start at ``first_wait`` seconds and
    double, and a ``Retry-After`` header is honoured up to ``longest_wait``.
    """

    endpoint: str = DEFAULT_ENDPOINT
    timeout: float = 30.0
    retries: int = 4
    first_wait: float = 2.0
    longest_wait: float = 120.0


def endpoint_from_environment() -> str:
    """``HF_ENDPOINT`` without a trailing slash, or the public hub: what huggingface_hub
    uses, read when called (so a test or a CI step can set it)."""
    return os.environ.get("HF_ENDPOINT", "").strip().rstrip("/") or DEFAULT_ENDPOINT


# Told of each retry: (what was asked, why it failed, seconds until the next try, try number).
RetryNotice = Callable[[str, str, float, int], None]


class DailyPapersApi:
    """A client of the Daily Papers API; ``sleep`` is injectable for tests."""

    def __init__(
        self,
        settings: ApiSettings,
        on_retry: RetryNotice | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.on_retry = on_retry
        self.sleep = sleep
        # build_hf_headers adds the token of HF_TOKEN (or `hf auth login`) when there is one.
        self.headers = build_hf_headers(library_name="digest-archive", library_version=__version__)

    def day(self, date: dt.date) -> list[Any]:
        """Every item listed on ``date``, all pages, in the API's order; an item listed on
        two pages (votes moved it while we read) is kept once."""
        items: list[Any] = []
        seen: set[str] = set()
        for page in range(MAX_PAGES):
            what = f"{date.isoformat()}" + (f" (page {page + 1})" if page else "")
            params: dict[str, str | int] = {"date": date.isoformat(), "limit": PAGE_SIZE}
            if page:
                params["p"] = page
            listed = self._get_json("/api/daily_papers", params, what)
            if not isinstance(listed, list):
                raise ApiError(f"{what}: expected a list of papers, got {type(listed).__name__}")
            fresh = 0
            for item in listed:
                identity = _item_identity(item)
                if identity in seen:
                    continue
                seen.add(identity)
                items.append(item)
                fresh += 1
            if len(listed) < PAGE_SIZE or not fresh:
                return items
        raise ApiError(f"{date.isoformat()}: more than {MAX_PAGES} pages; the server ignores the page number")

    def search(self, query: str) -> list[Any]:
        """The papers the API finds for ``query`` (raw items, each ``{"paper": ...}``)."""
        found = self._get_json("/api/papers/search", {"q": query}, f"search {query!r}")
        if not isinstance(found, list):
            raise ApiError(f"search {query!r}: expected a list of papers, got {type(found).__name__}")
        return found

    def _get_json(self, path: str, params: dict[str, str | int], what: str) -> Any:
        url = self.settings.endpoint + path
        wait = self.settings.first_wait
        for attempt in range(self.settings.retries + 1):
            problem, asked_wait = self._attempt(url, params, what)
            if isinstance(problem, _Answer):
                return problem.value
            if attempt == self.settings.retries:
                raise ApiError(f"{what}: {problem} (gave up after {attempt + 1} tries)")
            pause = min(asked_wait if asked_wait is not None else wait, self.settings.longest_wait)
            if self.on_retry:
                self.on_retry(what, problem, pause, attempt + 1)
            self.sleep(pause)
            wait = min(wait * 2, self.settings.longest_wait)
        raise AssertionError("unreachable")

    def _attempt(self, url: str, params: dict[str, str | int], what: str) -> tuple[_Answer | str, float | None]:
        """One request: the answer, or why it should be tried again (and the wait asked)."""
        try:
            response = get_session().get(url, params=params, headers=self.headers, timeout=self.settings.timeout)
        except httpx2.TimeoutException:
            return f"no answer within {self.settings.timeout:g} s", None
        except httpx2.HTTPError as error:
            # Connection refused, reset, or a body cut short (a truncated answer).
            return f"connection failed ({type(error).__name__}: {error})", None
        if response.status_code in RETRY_STATUSES:
            return f"HTTP {response.status_code}", _retry_after(response.headers.get("Retry-After"))
        if response.status_code != 200:
            raise ApiError(f"{what}: HTTP {response.status_code} from {url}")
        try:
            return _Answer(json.loads(response.content)), None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ApiError(f"{what}: the answer is not valid JSON ({error}); nothing saved") from None


@dataclass(frozen=True)
class _Answer:
    value: Any


def _retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


def _item_identity(item: Any) -> str:
    """What tells two items of one day apart: the paper's id, else the whole item."""
    if isinstance(item, dict):
        paper = item.get("paper")
        if isinstance(paper, dict) and isinstance(paper.get("id"), str):
            return "id:" + paper["id"]
    return "json:" + json.dumps(item, sort_keys=True)
