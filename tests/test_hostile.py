"""Hostile digests: scraped text that tries to inject markup, script or templates.

The site built from tests/fixtures/hostile must show every title and abstract as the
literal text typed, and hold no element, attribute, script or link that the same theme
does not put into the site built from the ordinary fixtures.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.analysis.identity import title_key
from generator.analysis.slugs import paper_slug

from .helpers import FIXTURES, build_project, pagefind_documents
from .test_build import paper_pages, raw_entries, soup

HOSTILE = FIXTURES / "hostile"
# Characters Windows forbids in file names, besides the controls the parser rejects.
WINDOWS_FORBIDDEN = set('<>:"/\\|?*')
WINDOWS_DEVICE_NAMES = re.compile(r"(CON|PRN|AUX|NUL|COM\d|LPT\d)(\..*)?", re.IGNORECASE)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    return build_project(tmp_path_factory.mktemp("hostile-project"), HOSTILE)


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def theme_furniture(site: Path) -> tuple[set[str], set[str], set[str]]:
    """Element names, attribute names and inline scripts found anywhere in ``site``."""
    elements, attributes, scripts = set(), set(), set()
    for page in html_files(site):
        for element in soup(page).find_all(True):
            elements.add(element.name)
            attributes.update(element.attrs)
            if element.name == "script" and not element.get("src"):
                scripts.add(element.get_text())
    return elements, attributes, scripts


def expected_entries() -> dict[str, str]:
    """Title -> abstract, read from the fixture files without the project's parser."""
    entries = {title: abstract for _, title, abstract in raw_entries(HOSTILE)}
    assert len(entries) == 9  # the repeated paper is listed once
    return entries


def test_every_title_and_abstract_shows_as_the_literal_text(hostile_site):
    shown = {}
    for page in paper_pages(hostile_site):
        html = soup(page)
        title = html.select_one("article h1").get_text()
        shown[title] = html.select_one(".da-abstract").get_text()
        assert html.title.get_text() == f"{title} - Digest Archive"
    assert shown == expected_entries()


def test_listings_search_and_data_show_the_literal_titles(hostile_site):
    entries = expected_entries()
    listed = set()
    for day in ("2025-02-03", "2025-02-04"):
        listed |= {link.get_text() for link in soup(hostile_site / "days" / day / "index.html").select("article a")}
    assert set(entries) <= listed
    indexed = {document["meta"]["title"] for document in pagefind_documents(hostile_site).values()}
    assert set(entries) <= indexed
    data = json.loads(gzip.decompress((hostile_site / "archive.json.gz").read_bytes()))
    assert {paper["title"]: paper["abstract"] for paper in data["papers"]} == entries


def test_no_input_adds_an_element_attribute_or_script_the_theme_does_not(hostile_site, fixture_site):
    elements, attributes, scripts = theme_furniture(fixture_site)
    hostile_elements, hostile_attributes, hostile_scripts = theme_furniture(hostile_site)
    assert hostile_elements <= elements
    assert hostile_attributes <= attributes
    assert hostile_scripts <= scripts
    for forbidden in ("iframe", "img", "style", "base", "meta http-equiv"):
        assert forbidden.split()[0] not in hostile_elements - elements
    for page in html_files(hostile_site):
        for element in soup(page).find_all(True):
            assert not any(name.lower().startswith("on") for name in element.attrs), (page, element)
            for name in ("href", "src", "action", "formaction"):
                value = "".join(str(element.get(name, "")).split()).lower()
                assert not value.startswith(("javascript:", "data:", "vbscript:")), (page, element)
            if element.name == "meta" and element.get("http-equiv"):
                pytest.fail(f"{page}: {element}")
            if element.name == "script" and element.get("src"):
                assert not element["src"].startswith(("http:", "https:", "//")), (page, element)


def test_markdown_and_template_markers_are_not_interpreted(hostile_site):
    site_text = "\n".join(page.read_text(encoding="utf-8") for page in html_files(hostile_site))
    assert "root:x:0:" not in site_text  # the snippet include of /etc/passwd stayed text
    (template_page,) = [p for p in paper_pages(hostile_site) if p.parent.name.startswith("config-site-name")]
    abstract = soup(template_page).select_one(".da-abstract")
    assert '--8<-- "/etc/passwd"' in abstract.get_text() and "{{ 7*7 }}" in abstract.get_text()
    (headings_page,) = [p for p in paper_pages(hostile_site) if p.parent.name.startswith("heading-marks")]
    article = soup(headings_page).select_one("article")
    assert [h.get_text() for h in article.find_all("h1")] == ["# Heading Marks ## in a Title"]
    assert not article.select("table, blockquote, ol li, .admonition, details, dl, sup, abbr, mark, ins, del, hr")


def test_paper_urls_are_portable_file_names(hostile_site):
    for title in expected_entries():
        slug = paper_slug(title_key(title))
        assert (hostile_site / "papers" / slug / "index.html").is_file(), title
        assert len(slug) <= 69 and not WINDOWS_FORBIDDEN & set(slug) and slug == slug.strip(". ")
        assert not WINDOWS_DEVICE_NAMES.fullmatch(slug)
        assert re.fullmatch(r"[a-z0-9-]+", slug)
    for path in hostile_site.rglob("*"):
        name = path.name
        assert not WINDOWS_FORBIDDEN & set(name) and not WINDOWS_DEVICE_NAMES.fullmatch(name), path
        assert len(name.encode("utf-8")) <= 255


def test_feeds_of_hostile_text_are_valid_and_carry_the_literal_titles(hostile_site):
    import feedparser

    entries = expected_entries()
    titles = set()
    for feed_file in sorted((hostile_site / "feeds").rglob("*.xml")):
        feed = feedparser.parse(feed_file.read_bytes())
        assert not feed.bozo, (feed_file, feed.bozo_exception)
        titles |= {entry.title for entry in feed.entries if "tags" in feed_file.parts}
        for entry in feed.entries:
            if "tags" in feed_file.parts:
                assert entry.summary == entries[entry.title]
    days = feedparser.parse((hostile_site / "feeds" / "days.xml").read_bytes())
    listed = {
        a.get_text()
        for entry in days.entries
        for a in BeautifulSoup(entry.content[0].value, "html.parser").find_all("a")
    }
    assert listed == set(entries)
    assert titles <= set(entries)
