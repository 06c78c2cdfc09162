"""axe-core in Chromium on every kind of page, at desktop and phone sizes: no serious or
critical violation, with the reader's tools made (JavaScript on), a reading list with
papers in it, and the search box open with results and its filters."""

from __future__ import annotations

import json

import pytest

from .test_reader_browser import KEY, VIEWPORTS

PAGES = {
    "home": "",
    "days (calendar)": "days/",
    "day": "days/2025-01-02/",
    "week": "weeks/2025-W01/",
    "paper": "papers/robust-reward-models-resist-reward-hacking-466df85c/",
    "topic": "tags/transformers/",
    "topic month": "tags/transformers/2025-01/",
    "topics": "tags/",
    "A-Z": "papers/",
    "statistics": "stats/",
    "most voted": "top/",
    "reading list": "reading-list/",
    "for you": "for-you/",
}
# Stars, a read mark and a followed topic, so the reading list and /for-you/ have papers.
STORAGE = {
    "version": 1,
    "stars": {
        "robust-reward-models-resist-reward-hacking-466df85c": 1,
        "graph-transformers-without-positional-encodings-6a5aed94": 2,
    },
    "read": {"sparse-autoencoders-find-monosemantic-features-in-small-9a521a7a": 3},
    "include": ["reward"],
    "exclude": [],
    "follow": ["transformers"],
    "hide": [],
    "hideRead": False,
}


@pytest.fixture
def base(fixture_base):
    return fixture_base


def serious_violations(page, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def page_for(browser):
    contexts = []

    def open_(viewport: str):
        context = browser.new_context(viewport=VIEWPORTS[viewport])
        context.add_init_script(f"localStorage.setItem({json.dumps(KEY)}, {json.dumps(json.dumps(STORAGE))})")
        contexts.append(context)
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        return page, problems

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("kind", PAGES)
def test_no_serious_accessibility_violation(page_for, base, fixture_site, axe_source, kind, viewport):
    assert (fixture_site / PAGES[kind] / "index.html").is_file(), kind
    page, problems = page_for(viewport)
    page.goto(base + PAGES[kind], wait_until="networkidle")
    if kind in ("reading list", "for you"):
        page.wait_for_selector(".da-app li.da-entry")
    assert serious_violations(page, axe_source) == []
    assert problems == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_no_serious_accessibility_violation_with_search_open(page_for, base, axe_source, viewport):
    page, problems = page_for(viewport)
    page.goto(base + "days/", wait_until="networkidle")
    if viewport == "phone":
        page.locator("label.md-header__button[for=__search]").click()
    page.locator(".md-search__input").click()
    page.locator(".md-search__input").fill("reward")
    page.locator(".md-search__input").press("End")
    page.wait_for_selector(".md-search-result__item .da-result-facts")
    page.wait_for_selector(".da-search-filters:not([hidden])")
    # The result under the pointer gets a tinted background: its text must still read,
    # once the tint has faded in (mid-transition colours made this check flaky in CI).
    page.locator(".md-search-result__item").first.hover()
    page.wait_for_function("() => document.getAnimations().every((a) => a.playState !== 'running')")
    assert serious_violations(page, axe_source) == []
    assert problems == []


def test_the_keyboard_help_dialog_has_no_serious_accessibility_violation(page_for, base, axe_source):
    page, problems = page_for("desktop")
    page.goto(base + "days/2025-01-02/", wait_until="networkidle")
    page.keyboard.press("?")
    page.wait_for_selector("dialog.da-help[open]")
    assert serious_violations(page, axe_source) == []
    assert problems == []
