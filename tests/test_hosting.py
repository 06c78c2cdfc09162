"""Hosting: the site built for a sub-path (https://user.github.io/archive/), served there
on localhost and crawled by a real link checker; the 404 page; share previews; feeds."""

from __future__ import annotations

import csv
import functools
import html
import http.server
import os
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from generator.preview import SiteRequestHandler

from .helpers import FIXTURES, make_project
from .test_build import paper_pages, soup

SUB_PATH = "/archive/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SubPathHandler(SiteRequestHandler):
    """Serves the site under SUB_PATH only, with its 404 page for anything missing, as
    GitHub Pages serves a project site (and `digest-archive serve` at the root)."""

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if not path.startswith(SUB_PATH):
            return str(Path(self.directory) / ".no-such-file")
        return super().translate_path("/" + path[len(SUB_PATH) :])

    def end_headers(self):
        # LinkChecker waits 0.1 to 0.6 s between requests to a server unless it answers
        # with this header: the crawl then takes 2 s instead of 45.
        self.send_header("LinkChecker", "fast checking welcome")
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    """(site folder, base URL) of the fixture archive built for and served at SUB_PATH."""
    port = free_port()
    base = f"http://127.0.0.1:{port}{SUB_PATH}"
    project = make_project(tmp_path_factory.mktemp("hosted"))
    environment = {**os.environ, "SITE_URL": base}
    result = subprocess.run(
        [sys.executable, "-m", "generator.cli", "build", "--digests", str(FIXTURES / "archive"), "--strict"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    site = project / "site"
    handler = functools.partial(SubPathHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site, base
    server.shutdown()
    server.server_close()


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_linkchecker_finds_no_broken_link_under_the_sub_path(hosted, tmp_path):
    site, base = hosted
    config = tmp_path / "linkcheckerrc"
    # AnchorCheck: a link to page#id fails if the page has no element with that id.
    config.write_text("[checking]\nthreads=4\nmaxrequestspersecond=1000\n[AnchorCheck]\n[filtering]\ncheckextern=0\n")
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "linkchecker"),
            "--config",
            str(config),
            "--no-status",
            "--verbose",
            "--output",
            "csv",
            base,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    rows = list(
        csv.DictReader((line for line in result.stdout.splitlines() if not line.startswith("#")), delimiter=";")
    )
    broken = [(row["url"], row["parentname"], row["result"]) for row in rows if row["valid"] != "True"]
    assert result.returncode == 0 and not broken, broken or result.stderr[-3000:]
    crawled = {row["url"] for row in rows if row["result"].startswith("200")}
    # The crawl reached every page and feed of the site through links alone.
    pages = {
        base + ("" if path.parent == site else path.parent.relative_to(site).as_posix() + "/")
        for path in site.rglob("index.html")
    }
    feeds = {base + path.relative_to(site).as_posix() for path in (site / "feeds").rglob("*.xml")}
    assert not (pages | feeds) - crawled, sorted((pages | feeds) - crawled)[:5]


def test_a_missing_address_gets_the_404_page_whose_links_work_under_the_sub_path(hosted):
    site, base = hosted
    status, body = fetch(base + "papers/no-such-paper-00000000/")
    assert status == 404
    page = soup(site / "404.html")
    assert page.select_one("article h1").get_text() == "Page not found"
    links = page.select("article a")
    # Its links back in are the site's navigation (mkdocs.yml).
    assert [a.get_text() for a in links] == ["Home", "Days", "Papers", "Topics", "Most voted", "Statistics"]
    hrefs = [a["href"] for a in links]
    for href in hrefs + [link["href"] for link in page.select("link[rel=stylesheet]")]:
        assert href.startswith(SUB_PATH), href  # absolute: the 404 page is served at any depth
        assert fetch(f"{base[: -len(SUB_PATH)]}{href}")[0] == 200, href


def test_paper_pages_carry_share_previews(hosted):
    site, base = hosted
    for path in paper_pages(site):
        page = soup(path)
        meta = {tag.get("property") or tag.get("name"): tag.get("content") for tag in page.find_all("meta")}
        url = base + path.parent.relative_to(site).as_posix() + "/"
        assert meta["og:type"] == "article" and meta["twitter:card"] == "summary"
        assert meta["og:title"] == page.select_one("article h1").get_text()
        assert meta["og:description"] == meta["description"]
        abstract = page.select_one(".da-abstract").get_text()
        assert abstract.startswith(meta["og:description"].removesuffix(" …"))
        assert meta["og:url"] == url == page.select_one("link[rel=canonical]")["href"]
        assert meta["og:site_name"] == "Digest Archive"
    home = soup(site / "index.html")
    assert not home.select('meta[property="og:type"]')


def test_feeds_are_discoverable_and_read_by_a_feed_reader(hosted):
    site, base = hosted
    for page, feed_path in (("index.html", "feeds/days.xml"), ("days/index.html", "feeds/days.xml")):
        (link,) = soup(site / page).select('link[rel~=alternate][type="application/atom+xml"]')
        assert (Path(site / page).parent / link["href"]).resolve() == (site / feed_path).resolve()
    status, body = fetch(base + "feeds/days.xml")
    assert status == 200
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.bozo_exception
    days = sorted((p.parent.name for p in (site / "days").glob("*/index.html")), reverse=True)
    assert [entry.link for entry in feed.entries] == [f"{base}days/{day}/" for day in days]
    for entry, day in zip(feed.entries, days):
        listed = [
            html.unescape(a.get_text()) for a in soup(site / "days" / day / "index.html").select(".da-entry-title a")
        ]
        content = entry.content[0].value
        assert [line for line in listed if line in html.unescape(content)] == listed
        assert entry.updated.startswith(day)
    for tag_page in (site / "tags").glob("*/index.html"):
        slug = tag_page.parent.name
        (link,) = soup(tag_page).select('link[rel~=alternate][type="application/atom+xml"]')
        status, body = fetch(base + f"feeds/tags/{slug}.xml")
        assert status == 200
        feed = feedparser.parse(body)
        assert not feed.bozo and feed.feed.link == f"{base}tags/{slug}/"
        for entry in feed.entries:
            assert fetch(entry.link)[0] == 200
            assert slug in [tag.term for tag in entry.tags]


def test_the_sitemap_lists_every_page_at_its_public_address(hosted):
    import xml.etree.ElementTree as ET

    site, base = hosted
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = [loc.text for loc in ET.parse(site / "sitemap.xml").getroot().iterfind(".//s:loc", namespace)]
    pages = [
        path
        for path in site.rglob("index.html")
        if "http-equiv" not in path.read_text(encoding="utf-8")[:600]  # not a redirect
    ]
    expected = {base + ("" if p.parent == site else p.parent.relative_to(site).as_posix() + "/") for p in pages}
    assert sorted(listed) == listed and set(listed) == expected
    assert not (site / "sitemap.xml.gz").exists()
