"""Search in a real browser: headless Chromium (Debian's) driven by Playwright.

The built site is served on localhost; each test types into Material's search box, reads
the result list the Pagefind worker filled, and follows a result. CI sets
DIGEST_ARCHIVE_REQUIRE_BROWSER=1 (see .ci/run), so there a missing Chromium or Playwright
fails the run instead of skipping these tests.
"""

from __future__ import annotations

import gzip
import json
import re
from urllib.parse import urlsplit

import pytest

from generator.preview import serving

from .helpers import FIXTURES, make_project, pagefind_documents, run_cli


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    yield page
    context.close()
    assert not errors, errors


def search(page, base: str, query: str, start: str = "") -> list[dict]:
    """Type ``query`` into the search box of page ``start``; return the results shown."""
    if not page.url.startswith(base):
        page.goto(base + start)
    box = page.locator(".md-search__input")
    box.click()
    box.fill(query)
    box.press("End")  # Material reads the box on keyup
    # Material lists the query words in each link's ?h=, in an order of its own.
    words = " ".join(sorted(set(query.lower().split())))
    page.wait_for_function(
        "words => { const a = document.querySelector('.md-search-result__list a');"
        " if (!a) return false;"
        " const h = (new URL(a.href).searchParams.get('h') || '').split(' ').sort().join(' ');"
        " return h === words; }",
        arg=words,
        timeout=15000,
    )
    return page.eval_on_selector_all(
        ".md-search-result__item",
        """items => items.map(item => ({
            path: new URL(item.querySelector('a').href).pathname,
            title: item.querySelector('h1').textContent,
            html: item.querySelector('article').innerHTML,
            text: item.querySelector('article').textContent,
            facts: (item.querySelector('.da-result-facts') || {}).textContent || '',
        }))""",
    )


def shared_papers(site) -> list[dict]:
    """Every tenth paper of the site built from ../shared/digests (title, abstract, url)."""
    papers = json.loads(gzip.decompress((site / "archive.json.gz").read_bytes()))["papers"]
    return papers[::10]


def test_a_title_finds_its_paper_first_and_the_result_leads_to_it(page, shared_base, shared_site):
    papers = shared_papers(shared_site)
    assert len(papers) >= 15
    for paper in papers:
        results = search(page, shared_base, paper["title"])
        assert results[0]["path"] == "/" + paper["url"], paper["title"]
        assert results[0]["title"] == paper["title"]  # shown exactly, however odd the characters
    page.click(".md-search-result__list a >> nth=0")
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/" + papers[-1]["url"]
    assert page.inner_text("article h1") == papers[-1]["title"]


def test_a_phrase_from_an_abstract_finds_its_paper_first(page, shared_base, shared_site):
    for paper in shared_papers(shared_site):
        words = paper["abstract"].split()
        phrase = " ".join(words[len(words) // 2 : len(words) // 2 + 6])
        results = search(page, shared_base, phrase)
        assert results[0]["path"] == "/" + paper["url"], (paper["title"], phrase)


def test_day_pages_do_not_crowd_out_papers(page, shared_base, shared_site):
    for paper in shared_papers(shared_site):
        # Two title words: broad enough to match day pages, were their listings indexed.
        query = " ".join(paper["title"].split()[:2])
        results = search(page, shared_base, query)
        assert not any(r["path"].startswith("/days/") for r in results), query


@pytest.mark.parametrize(
    "query, path, heading",
    [
        ("Dec 30, 2024", "/days/2024-12-30/", "Dec 30, 2024"),  # a date finds its day page
        ("Adversarial robustness", "/tags/adversarial-robustness/", "Adversarial robustness"),  # a topic its page
    ],
)
def test_a_date_or_topic_name_finds_its_page(page, fixture_base, query, path, heading):
    results = search(page, fixture_base, query)
    assert results[0]["path"] == path
    page.click(".md-search-result__list a >> nth=0")
    page.wait_for_load_state()
    assert page.inner_text("h1") == heading


def test_markup_in_abstracts_is_shown_as_text_in_results(page, shared_base):
    results = search(page, shared_base, "ell_{p}!left(!0!<! p!leq!1right)-norm")
    assert "<! p!leq!1" in results[0]["text"] or "p!leq!1" in results[0]["text"]
    assert "<!" not in results[0]["html"].replace("&lt;!", "")  # escaped, never parsed as a tag


def test_no_match_says_so(page, fixture_base):
    box_page = page
    box_page.goto(fixture_base)
    box = box_page.locator(".md-search__input")
    box.click()
    box.fill("zzzqqqxxy")
    box.press("End")
    box_page.wait_for_function(
        "() => document.querySelector('.md-search-result__meta').textContent.includes('No matching')"
    )
    assert box_page.locator(".md-search-result__item").count() == 0


def test_result_text_is_the_abstract_not_the_title_again(page, shared_base, shared_site):
    for paper in shared_papers(shared_site)[:5]:
        results = search(page, shared_base, paper["title"])
        # The heading comes first, then the paper's first-listed date and topics.
        text = results[0]["text"][len(paper["title"]) :].strip()
        assert text.startswith(results[0]["facts"]) and re.match(r"[A-Z][a-z]{2} \d+, \d{4}", results[0]["facts"])
        text = text[len(results[0]["facts"]) :].strip()
        assert not text.startswith(paper["title"]), paper["title"]
        assert text[:40] in paper["abstract"] or text.startswith("http"), text[:80]


def test_search_box_and_palette_work_on_a_paper_page_and_the_choice_is_kept(page, fixture_base, fixture_site):
    # Both are inserted by archive-chrome.js; a paper page sits two folders down.
    paper = "papers/robust-reward-models-resist-reward-hacking-466df85c/"
    page.goto(fixture_base + paper)
    assert page.evaluate("document.body.dataset.mdColorScheme") == "default"
    page.click("label[for=__palette_1]")
    assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
    page.goto(fixture_base + "days/")
    assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
    page.goto(fixture_base + paper)
    results = search(page, fixture_base, "Robust Reward Models Resist Reward Hacking")
    assert results[0]["path"] == "/" + paper


def test_the_navigation_drawer_opens_on_a_narrow_screen_from_a_paper_page(page, fixture_base, fixture_site):
    # A paper page's drawer navigation is inserted by archive-chrome.js, not in the page.
    paper = "papers/robust-reward-models-resist-reward-hacking-466df85c/"
    assert "md-nav__list" not in (fixture_site / paper / "index.html").read_text()
    page.set_viewport_size({"width": 400, "height": 800})
    page.goto(fixture_base + paper)
    assert not page.evaluate("document.getElementById('__drawer').checked")
    page.click("label.md-header__button[for=__drawer]")
    assert page.evaluate("document.getElementById('__drawer').checked")
    page.locator(".md-sidebar--primary .md-nav__link", has_text="Topics").click()
    page.wait_for_url(fixture_base + "tags/")
    assert page.locator("article h1").inner_text() == "Topics"


@pytest.fixture(scope="module")
def split_base(tmp_path_factory):
    """The fixture archive indexed in several Pagefind parts, as a large archive is."""
    project = make_project(tmp_path_factory.mktemp("split-index"))
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "  - digest-archive-search\n", "  - digest-archive-search:\n      pages_per_index: 3\n"
        )
    )
    result = run_cli("build", "--digests", str(FIXTURES / "archive"), "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    parts = json.loads((site / "pagefind" / "archive-parts.json").read_text())
    assert len(parts) >= 2 and all((site / part / "pagefind-entry.json").is_file() for part in parts)
    with serving(site) as base:
        yield base, site


def test_an_index_in_parts_finds_pages_of_every_part(page, split_base):
    base, site = split_base
    documents = pagefind_documents(site)  # the first part's pages only
    papers = sorted(p.parent.name for p in (site / "papers").glob("*/index.html") if p.parent.name != "az")
    elsewhere = [slug for slug in papers if f"/papers/{slug}/" not in documents]
    assert elsewhere, "some paper should be in a later part"
    for slug in [papers[0], elsewhere[-1]]:
        title = (site / "papers" / slug / "index.html").read_text().split('<h1 id="paper-title">')[1].split("</h1>")[0]
        page.goto(base)
        assert search(page, base, title)[0]["path"] == f"/papers/{slug}/"
    page.goto(base)
    assert search(page, base, "Adversarial robustness")[0]["path"] == "/tags/adversarial-robustness/"
