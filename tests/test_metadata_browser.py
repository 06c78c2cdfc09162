"""In Chromium: what a reader clicks on metadata: search by arXiv id and author, the
day's sort switch, the BibTeX copy button."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from generator.preview import serving

from .helpers import FIXTURES, build_project
from .test_search_browser import search


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    site = build_project(tmp_path_factory.mktemp("mixed-browser"), FIXTURES / "mixed")
    with serving(site) as base:
        yield site, base


@pytest.fixture
def page(browser):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
    assert not errors, errors


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("2503.07001", "Hostile Authors in a Listing"),
        ("arXiv:2503.07001v2", "Hostile Authors in a Listing"),
        ("FamilyI", "Q-VLM: Post-training Quantization for Large Vision-Language Models"),
    ],
)
def test_an_arxiv_id_or_an_author_finds_the_paper_first(page, mixed, query, title):
    _, base = mixed
    results = search(page, base, query)
    assert results and results[0]["title"] == title


def test_the_sort_switch_orders_a_day_by_votes_and_back(page, mixed):
    _, base = mixed
    page.goto(base + "days/2025-03-11/")
    switch = page.locator(".da-sort")
    assert switch.is_visible()

    def order():
        return page.locator("li.da-entry").evaluate_all("items => items.map(i => i.dataset.votes)")

    assert order() == ["12", "41", "1"]
    page.get_by_role("button", name="by votes").click()
    assert order() == ["41", "12", "1"]
    assert page.get_by_role("button", name="by votes").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="as listed").click()
    assert order() == ["12", "41", "1"]


def test_the_copy_button_copies_the_bibtex_entry(page, mixed):
    site, base = mixed
    (folder,) = [p for p in (site / "papers").iterdir() if p.is_dir() and p.name.startswith("q-vlm")]
    page.goto(base + f"papers/{folder.name}/")
    button = page.locator("button.da-copy")
    assert button.text_content() == "Copy BibTeX"
    button.click()
    expect(button).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == (folder.parent / f"{folder.name}.bib").read_text(encoding="utf-8")


def test_without_javascript_the_controls_stay_hidden_and_the_content_is_there(browser, mixed):
    _, base = mixed
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "days/2025-03-11/")
    assert not page.locator(".da-sort").is_visible()
    assert page.locator("li.da-entry").count() == 3
    context.close()


META_PAGES = ["days/2025-03-11/", "paper:q-vlm", "paper:hostile-authors", "top/", "top/2025-W11/", "top/2025-03/"]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
@pytest.mark.parametrize("path", META_PAGES)
def test_metadata_pages_load_cleanly_and_fit_a_phone(browser, mixed, path, viewport):
    site, base = mixed
    if path.startswith("paper:"):
        (folder,) = [p for p in (site / "papers").iterdir() if p.is_dir() and p.name.startswith(path.split(":")[1])]
        path = f"papers/{folder.name}/"
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response", lambda response: response.status >= 400 and problems.append(f"{response.status} {response.url}")
    )
    page.goto(base + path, wait_until="networkidle")
    assert problems == []
    assert page.locator("article h1").count() == 1
    # Nothing wider than the screen: long author lists, URLs and BibTeX wrap.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    context.close()


def test_the_author_filter_keeps_papers_with_the_whole_name(page, mixed):
    _, base = mixed
    page.goto(base + "days/", wait_until="networkidle")
    page.locator(".md-search__input").click()
    page.wait_for_selector(".da-search-filters:not([hidden])")
    author = page.get_by_label("Author filter")
    expect(author).to_be_visible()
    author.fill("Given8 FamilyI")
    author.press("Enter")
    assert page.locator(".md-search__input").input_value() == 'author:"Given8 FamilyI"'
    expect(page.locator(".md-search-result__item h1")).to_have_text(
        ["Q-VLM: Post-training Quantization for Large Vision-Language Models"]
    )
    # Both words are among that paper's authors, but not as one name: no result.
    author.fill("Given8 FamilyA")
    author.press("Enter")
    expect(page.locator(".md-search-result__meta")).to_have_text("No matching documents")
