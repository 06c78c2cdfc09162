"""Smoke-test a built site in headless Chromium before it is published.

    python tools/site_smoke.py --site site

Serves the site on localhost as `digest-archive serve` does and, in Debian's Chromium
(or the browser DIGEST_ARCHIVE_CHROMIUM names): opens the home page, a day page, the
A-Z index and a few paper pages, failing on any console error, uncaught exception or
failed request; then types each of those papers' titles into the search box and
requires the paper's own page as the first result, and follows it. Exit status 0 when
all is well, 1 with the problems listed otherwise. The deploy workflow runs it between
the build and the upload, so a site whose pages or search are broken is never published.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from search_probe import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

from generator.preview import serving  # noqa: E402
from generator.site.urls import day_url, url  # noqa: E402

PAPERS_CHECKED = 3
SEARCH_TIMEOUT_MS = 20_000


def smoke(site: Path, browser) -> list[str]:
    """Every problem found on the site at ``site`` (empty if none)."""
    data_file = site / url("data")
    if not data_file.is_file():
        return [f"{data_file} is missing: is {site} a built archive?"]
    data = json.loads(gzip.decompress(data_file.read_bytes()))
    papers = data["papers"]
    if not papers:
        return ["the archive has no papers"]
    chosen = [papers[i * len(papers) // PAPERS_CHECKED] for i in range(min(PAPERS_CHECKED, len(papers)))]
    newest_day = data["days"][-1]["date"]
    problems: list[str] = []
    with serving(site) as base:
        page = browser.new_page()
        current = {"url": ""}
        page.on("console", lambda m: m.type == "error" and problems.append(f"{current['url']}: console: {m.text}"))
        page.on("pageerror", lambda error: problems.append(f"{current['url']}: exception: {error}"))
        page.on(
            "response",
            lambda r: r.status >= 400 and problems.append(f"{current['url']}: {r.status} for {r.url}"),
        )
        paths = [url("home"), day_url(dt.date.fromisoformat(newest_day)), url("papers")]
        for path in paths + [paper["url"] for paper in chosen]:
            current["url"] = "/" + path
            page.goto(base + path, wait_until="networkidle")
            if page.locator("article h1").count() != 1:
                problems.append(f"/{path}: no page heading")
        for paper in chosen:
            current["url"] = f"search for {paper['title']!r}"
            found = search(page, base, paper["title"])
            if found != "/" + paper["url"]:
                problems.append(f"searching its title finds {found!r} first, not /{paper['url']}")
                continue
            page.click(".md-search-result__list a >> nth=0")
            page.wait_for_load_state()
            if page.inner_text("article h1") != paper["title"]:
                problems.append(f"/{paper['url']}: the search result leads to a page titled otherwise")
        page.close()
    return problems


def search(page, base: str, query: str) -> str | None:
    """The path of the first result for ``query`` typed into the search box."""
    page.goto(base)
    box = page.locator(".md-search__input")
    box.click()
    box.fill(query)
    box.press("End")
    try:
        page.wait_for_selector(".md-search-result__list a", timeout=SEARCH_TIMEOUT_MS)
    except Exception:  # noqa: BLE001 (Playwright's timeout: no result is the finding)
        return None
    return page.eval_on_selector(".md-search-result__list a", "a => new URL(a.href).pathname")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=Path("site"), help="the built site (default: site)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            problems = smoke(args.site, browser)
        finally:
            browser.close()
    for problem in problems:
        print(f"site_smoke: {problem}", file=sys.stderr)
    print(f"site_smoke: {args.site}: {'FAILED' if problems else 'ok'}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
