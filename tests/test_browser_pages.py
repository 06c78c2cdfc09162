"""Every kind of page in a real browser: no console error, no failed request, and the
A-Z letter bar as one row, on a desktop and on a phone.

The fixture site is served as `digest-archive serve` serves it and opened in headless
Chromium; any console error, uncaught exception or request answered with an error
(such as Material fetching a sitemap beside a feed link) fails the test.
"""

from __future__ import annotations

import pytest

from generator.preview import serving

from .helpers import REPO

# One page of every kind the archive publishes (the fixture site's URLs).
PAGES = {
    "home": "",
    "days index": "days/",
    "day": "days/2025-01-02/",
    "papers A-Z": "papers/",
    "A-Z letter": "papers/az/s/",
    "paper": "papers/robust-reward-models-resist-reward-hacking-466df85c/",
    "topics": "tags/",
    "topic": "tags/transformers/",
    "topic month": "tags/transformers/2025-01/",
    "statistics": "stats/",
}
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def base(fixture_site):
    with serving(fixture_site) as url:
        yield url


def visit(browser, url: str, viewport: dict) -> tuple[object, list[str]]:
    """Open ``url``; return the page and every error it caused."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"exception: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and response.url != url and problems.append(f"{response.status}: {response.url}")
        ),
    )
    page.goto(url, wait_until="networkidle")
    return page, problems


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("kind", PAGES)
def test_no_console_error_or_failed_request_on_any_kind_of_page(browser, base, fixture_site, kind, viewport):
    assert (fixture_site / PAGES[kind] / "index.html").is_file(), kind
    page, problems = visit(browser, base + PAGES[kind], VIEWPORTS[viewport])
    assert page.locator("article h1").count() == 1
    assert problems == []
    page.context.close()


def test_a_missing_address_shows_the_404_page_without_other_errors(browser, base):
    page, problems = visit(browser, base + "papers/no-such-paper-00000000/", VIEWPORTS["desktop"])
    assert page.inner_text("article h1") == "Page not found"
    # The page's own 404 status is the point; Chromium logs it as a console error too.
    assert [p for p in problems if "status of 404" not in p] == []
    page.context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("path", ["papers/", "papers/az/s/"])
def test_the_letter_bar_is_one_wrapping_row_without_bullets(browser, base, path, viewport):
    page, problems = visit(browser, base + path, VIEWPORTS[viewport])
    letters = page.locator("ul.da-letters > li")
    assert letters.count() >= 3
    tops = page.eval_on_selector_all("ul.da-letters > li", "items => items.map(i => i.getBoundingClientRect().top)")
    # The fixture has a handful of letters: one row at any width (a vertical list has one a line).
    assert len(set(tops)) == 1, tops
    assert page.eval_on_selector("ul.da-letters", "ul => getComputedStyle(ul).listStyleType") == "none"
    assert problems == []
    page.context.close()


def test_the_deploy_smoke_test_passes_a_good_site_and_fails_a_broken_one(browser, fixture_site, tmp_path):
    import shutil
    import sys

    sys.path.insert(0, str(REPO / "tools"))
    from site_smoke import smoke

    assert smoke(fixture_site, browser) == []
    broken = tmp_path / "site"
    shutil.copytree(fixture_site, broken)
    shutil.rmtree(broken / "pagefind")  # search cannot answer
    (broken / "assets" / "stylesheets" / "archive.css").unlink()  # a page asset is missing
    problems = smoke(broken, browser)
    assert any("searching its title finds None first" in problem for problem in problems), problems
    assert any("404 for" in problem and "archive.css" in problem for problem in problems), problems
