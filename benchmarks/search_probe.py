"""Measure search in a real browser: time to first results and bytes fetched.

Serves a built site on localhost, opens a paper page in headless Chromium (Debian's
/usr/bin/chromium driven by Playwright) with an empty cache, focuses Material's search
box, types a query and waits for the result list. Reports, for that first (cold) query
and the following ones: milliseconds from the last keystroke to the results, bytes
fetched, and the rank of the paper the query was
taken from. Bytes are response bodies as sent; the first query's include the page load
(page, theme assets, Pagefind's start-up files), which is what a new reader downloads.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from generator.preview import serving  # noqa: E402

# Debian's Chromium, or the browser this variable names (Google Chrome on a GitHub runner).
CHROMIUM = os.environ.get("DIGEST_ARCHIVE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def measure_search(site: Path, start_page: str, queries: list[tuple[str, str]]) -> list[dict]:
    """Type each ``(query, expected URL path)`` in turn on ``start_page``; measure each."""
    from playwright.sync_api import sync_playwright

    results = []
    with serving(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        fetched = {"bytes": 0}

        def count(request) -> None:
            fetched["bytes"] += request.sizes()["responseBodySize"]

        # Material starts its search worker on page load, so Pagefind's start-up files are
        # fetched then: the first query's bytes include the whole page load.
        page.on("requestfinished", count)
        page.goto(base + start_page)
        page.wait_for_load_state("networkidle")
        box = page.locator(".md-search__input")
        box.click()
        for number, (query, expected) in enumerate(queries):
            if number:
                fetched["bytes"] = 0
                box.fill("")
            box.type(query[:-1])
            typed = time.perf_counter()
            box.press(query[-1])
            # The list may still show the results of a shorter prefix: wait for the full
            # query's results (Material appends the query words to each link as ?h=...).
            page.wait_for_function(
                "words => { const a = document.querySelector('.md-search-result__list a');"
                " if (!a) return false;"
                " const h = (new URL(a.href).searchParams.get('h') || '').split(' ').sort().join(' ');"
                " return h === words; }",
                arg=" ".join(sorted(set(query.lower().split()))),
                timeout=30000,
            )
            elapsed_ms = (time.perf_counter() - typed) * 1000
            page.wait_for_load_state("networkidle")
            links = [
                new_path(a) for a in page.eval_on_selector_all(".md-search-result__list a", "as => as.map(a => a.href)")
            ]
            rank = links.index(expected) + 1 if expected in links else None
            results.append({"query": query, "ms": round(elapsed_ms), "bytes": fetched["bytes"], "rank": rank})
        browser.close()
    return results


def new_path(href: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(href).path
