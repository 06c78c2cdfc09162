"""The site's URL scheme: one table of patterns, expanded in one place.

Like Pelican's ``*_URL`` settings, every kind of page and file the archive publishes has
one pattern here, and everything that names a site path (the page planner, the
templates, the MkDocs plugins, the search worker, the reports) expands it through
:func:`url`. ``tests/test_layout.py`` fails if a site path is written as a literal
anywhere else.

A page URL is a directory URL relative to the site root (``""`` is the home page); the
Markdown source of ``a/b/`` is ``a/b.md`` and of the index page ``a/`` it is
``a/index.md`` (see :func:`source_path`). File URLs (feeds, data, assets) are paths.
Links between pages are relative (:func:`root_prefix`), so the site works under any
sub-path such as ``https://user.github.io/archive/``.

Published URLs never change: a pattern here may gain kinds, never change one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from types import MappingProxyType

URLS: Mapping[str, str] = MappingProxyType(
    {
        # Pages.
        "home": "",
        "days": "days/",
        "day": "days/{date}/",
        "papers": "papers/",
        "paper": "papers/{slug}/",
        "papers_section": "papers/az/{prefix}/",
        "tags": "tags/",
        "tag": "tags/{slug}/",
        "tag_month": "tags/{slug}/{month}/",
        "stats": "stats/",
        "top": "top/",
        "top_week": "top/{week}/",
        "top_month": "top/{month}/",
        "weeks": "weeks/",
        "week": "weeks/{week}/",
        # The reader's own pages: rendered in the browser from the data files below and
        # what the reader keeps in localStorage (theme_overrides/.../archive-reader.js).
        "reading_list": "reading-list/",
        "for_you": "for-you/",
        # Files.
        "days_feed": "feeds/days.xml",
        "tag_feed": "feeds/tags/{slug}.xml",
        "data": "archive.json.gz",
        # Citations: BibTeX of one paper, one day, one topic, the whole archive. A paper's
        # and a day's sit beside their pages' sources: no folder per paper in site_src.
        "paper_bib": "papers/{slug}.bib",
        "day_bib": "days/{date}.bib",
        "tag_bib": "tags/{slug}/{slug}.bib",
        "archive_bib": "archive.bib",
        # The compact paper index the reading list and /for-you/ read: every paper in one
        # of a few shards (by a hash of its slug), and the papers of the latest days.
        "reader_shard": "data/papers-{number}.json",
        "reader_recent": "data/recent.json",
        # The choices of the search box's topic and year filters.
        "search_filters": "data/filters.json",
        "not_found": "404.html",
        "sitemap": "sitemap.xml",
        "sitemap_part": "sitemap-{number}.xml",
        # In site_src only (MkDocs skips dotfiles): the indexed pages by month and those of
        # the newest week, which the search plugin cuts into parts, so that a new day, week
        # or month re-indexes few pages.
        "search_months": ".digest-archive-search-months.json",
        # Written by the MkDocs plugins (generator/mkdocs/).
        "search_index": "pagefind/",
        "search_index_part": "pagefind-{number}/",
        "search_parts": "pagefind/archive-parts.json",
        # Pagefind's own entry file, inside each index folder.
        "search_entry": "pagefind-entry.json",
        "search_worker": "assets/javascripts/archive-search.js",
        "chrome_script": "assets/javascripts/archive-chrome.js",
        # The reader's tools, in the project's theme_overrides; the plugin gives it the paths below.
        "reader_script": "assets/javascripts/archive-reader.js",
        "icon_sprite": "assets/images/archive-icons.svg",
        # Material's own: its front end fetches this when a search box is on the page.
        "material_search_index": "search/search_index.json",
    }
)

# Pagefind's ready-made search interfaces, which it writes in every index folder: Material's
# search box and the archive's worker use none of them, so the search plugin removes them
# (about 0.5 MB an index part).
UNUSED_SEARCH_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)

# Where `digest-archive serve` shows the site: the public address when mkdocs.yml sets none.
LOCAL_SITE_URL = "http://127.0.0.1:8000/"


def url(kind: str, **values: object) -> str:
    """The URL of the page or file ``kind`` (a key of :data:`URLS`) with ``values``."""
    return URLS[kind].format(**values)


def static_prefix(kind: str) -> str:
    """The part of ``kind``'s pattern before its first value: ``papers/`` for ``paper``."""
    return URLS[kind].split("{", 1)[0]


def glob(kind: str, **values: str) -> str:
    """``kind``'s pattern as a file glob, ``*`` for each value not given."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "*"), URLS[kind])


# A paper page's URL below the papers folder ("{slug}/"), climbed out of once.
_PAPER_BELOW_FOLDER = URLS["paper"].removeprefix(static_prefix("paper"))
_PAPER_FROM_PAPER = "../" * _PAPER_BELOW_FOLDER.count("/") + _PAPER_BELOW_FOLDER


# --- The archive's pages --------------------------------------------------------------


def day_url(date: dt.date) -> str:
    return url("day", date=date.isoformat())


def paper_url(slug: str) -> str:
    return url("paper", slug=slug)


def sibling_paper_url(slug: str) -> str:
    """The link from one paper's page to another's: their folders are siblings, so
    ``../<slug>/`` (10 bytes shorter than the path through the root, on each of five
    related papers of 50,000 pages)."""
    return _PAPER_FROM_PAPER.format(slug=slug)


def section_url(prefix: str) -> str:
    """An A-Z index page: ``papers/`` for the root section, else ``papers/az/<prefix>/``."""
    return url("papers_section", prefix=prefix) if prefix else url("papers")


def tag_url(slug: str) -> str:
    return url("tag", slug=slug)


def tag_month_url(slug: str, month: tuple[int, int]) -> str:
    """The page of a topic's papers listed in ``month`` (year, month)."""
    return url("tag_month", slug=slug, month=f"{month[0]:04d}-{month[1]:02d}")


def tag_feed_url(slug: str) -> str:
    return url("tag_feed", slug=slug)


def paper_bib_url(slug: str) -> str:
    return url("paper_bib", slug=slug)


def day_bib_url(date: dt.date) -> str:
    return url("day_bib", date=date.isoformat())


def tag_bib_url(slug: str) -> str:
    return url("tag_bib", slug=slug)


def top_week_url(week: tuple[int, int]) -> str:
    """The most voted papers first listed in ISO week ``week`` (year, week): ``top/2025-W11/``."""
    return url("top_week", week=f"{week[0]:04d}-W{week[1]:02d}")


def top_month_url(month: tuple[int, int]) -> str:
    """The most voted papers first listed in ``month`` (year, month): ``top/2025-03/``."""
    return url("top_month", month=f"{month[0]:04d}-{month[1]:02d}")


def week_url(week: tuple[int, int]) -> str:
    """The papers listed in ISO week ``week`` (year, week): ``weeks/2025-W11/``."""
    return url("week", week=f"{week[0]:04d}-W{week[1]:02d}")


def redirect_file(slug: str) -> str:
    """The file, inside site_src, of a redirect page at ``paper_url(slug)``: finished
    HTML, which MkDocs copies as it is."""
    return paper_url(slug) + "index.html"


def source_path(page_url: str, index: bool = False) -> str:
    """The Markdown file inside site_src that MkDocs serves at ``page_url``."""
    if index or page_url == "":
        return page_url + "index.md"
    return page_url.rstrip("/") + ".md"


def built_path(source: str) -> str:
    """Where MkDocs puts the file ``source`` of site_src in the site (directory URLs):
    ``a/b.md`` at ``a/b/index.html``, ``a/index.md`` at ``a/index.html``, any other file
    as it is."""
    if not source.endswith(".md"):
        return source
    stem = source[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem + ".html"
    return stem + "/index.html"


def root_prefix(page_url: str) -> str:
    """The relative path from page ``page_url`` back to the site root (``""`` at the root).

    Every link is this prefix plus a site-root URL, so links stay relative (the site
    works under any sub-path) and cost one string join each.
    """
    return "../" * page_url.count("/")
