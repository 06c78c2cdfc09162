"""The reader's pages as built by `mkdocs build --strict`: the calendar of days, week
pages, dense listings, the topics index, the paper page's header, the statistics page,
and the reading list and /for-you/ pages with what they read."""

from __future__ import annotations

import datetime as dt
import json
import re

from bs4 import BeautifulSoup

from generator.analysis.assemble import build_model
from generator.analysis.taxonomy import load_taxonomy
from generator.pipeline import load_digests
from generator.site.plan import render_site
from generator.site.urls import url

from .helpers import FIXTURES, REPO


def soup(site, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "html.parser")


def day_pages(site) -> dict[str, BeautifulSoup]:
    return {folder.name: soup(site, f"days/{folder.name}") for folder in (site / "days").iterdir() if folder.is_dir()}


def test_the_days_index_is_a_calendar_linking_each_digest_day_with_its_count(fixture_site):
    page = soup(fixture_site, "days")
    calendars = page.select("table.da-calendar")
    assert calendars, "no calendar"
    days = day_pages(fixture_site)
    linked = {}
    for table in calendars:
        headers = [th.get_text() for th in table.select("thead th")]
        assert headers == ["Wk", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        for row in table.select("tbody tr"):
            assert len(row.find_all(["td", "th"])) == 8
        for link in table.select("td.da-has a"):
            date = link["href"].rstrip("/").rsplit("/", 1)[1]
            linked[date] = int(link.select_one(".da-n").get_text().split()[0])
    assert set(linked) == set(days)
    for date, count in linked.items():
        assert len(days[date].select("li.da-entry")) == count
    # Newest month first, and the latest day marked.
    months = [h.get_text() for h in page.select("section.da-month h2")]
    assert months[0].startswith("January 2025") and months[-1].startswith("December 2024")
    latest = max(days)
    assert page.select_one("td.da-latest a")["href"].endswith(f"{latest}/")


def test_week_pages_list_each_paper_of_the_week_once_under_its_first_day(fixture_site):
    weeks = sorted(folder.name for folder in (fixture_site / "weeks").iterdir() if folder.is_dir())
    assert weeks and all(re.fullmatch(r"\d{4}-W\d{2}", week) for week in weeks)
    days = day_pages(fixture_site)
    for week in weeks:
        year, number = int(week[:4]), int(week[6:])
        in_week = [d for d in days if dt.date.fromisoformat(d).isocalendar()[:2] == (year, number)]
        assert in_week, week
        expected = {li["id"] for d in in_week for li in days[d].select("li.da-entry")}
        page = soup(fixture_site, f"weeks/{week}")
        listed = [li["id"] for li in page.select("li.da-entry")]
        assert sorted(listed) == sorted(expected), week
        assert page.select_one("h1").get_text().startswith(f"Week {number}, {year}")
    # The calendar's week numbers and each day page link to the week.
    for date, page in days.items():
        year, number, _ = dt.date.fromisoformat(date).isocalendar()
        assert page.select_one(f'.da-pager a[href$="weeks/{year}-W{number:02d}/"]')
    assert soup(fixture_site, "weeks").select(f'a[href$="{weeks[-1]}/"]')


def test_listings_are_dense_entries_with_badges_first_listed_dates_and_topics(fixture_site):
    days = day_pages(fixture_site)
    seen_before = 0
    for page in days.values():
        for entry in page.select("li.da-entry"):
            assert entry.select_one(".da-entry-title a")["href"].startswith("../../papers/")
            badge = entry.select_one(".da-badge")
            assert badge.get_text() in {"New", "Seen before"}
            if badge.get_text() == "Seen before":
                seen_before += 1
                assert entry.select_one("time[datetime]")
    assert seen_before > 0
    topic = soup(fixture_site, "tags/transformers")
    assert topic.select("ol.da-entries li.da-entry h3.da-entry-title")
    assert topic.select_one(".da-tag-page")["data-topic"] == "transformers"


def test_the_topics_index_is_one_dense_table_largest_topic_first(fixture_site):
    page = soup(fixture_site, "tags")
    rows = page.select("table.da-topic-table tbody tr")
    sizes = [int(row.select_one("td[data-value]")["data-value"]) for row in rows]
    assert len(rows) == len(list((fixture_site / "tags").glob("*/index.html")))
    assert sizes == sorted(sizes, reverse=True)
    assert [th.get("data-sort") for th in page.select("thead th")][:2] == ["name", "size"]


def test_the_paper_page_header_carries_dates_links_and_actions_before_the_abstract(fixture_site):
    page = soup(fixture_site, "papers/robust-reward-models-resist-reward-hacking-466df85c")
    article = page.select_one("article.da-paper")
    # The reader's script finds the paper by its .bib file's name.
    bib = article.select_one(".da-cite a[download]")["href"]
    assert bib.endswith("/robust-reward-models-resist-reward-hacking-466df85c.bib")
    text = article.get_text(" ")
    first = text.index("First listed")
    assert first < text.index("Search arXiv") < text.index("Abstract")
    facts = article.select_one(".da-facts")
    assert facts["data-pagefind-filter"].startswith("year:")
    assert facts.select_one("time[data-pagefind-meta=date]")["datetime"]
    assert all(chip["data-pagefind-filter"] == "topic" for chip in article.select(".da-paper-meta .da-tags > a"))
    assert article.select_one('.da-paper-links a[href="#cite"]') and article.select_one("#cite")
    # The abstract's links are not listed again for search: snippets come from the abstract.
    for links in article.select("ul.da-links"):
        assert links["data-pagefind-ignore"] == "all"


def test_statistics_show_no_per_topic_trend_for_a_single_month():
    digests = [d for d in load_digests(FIXTURES / "archive").digests if d.date.month == 1]
    archive = build_model(digests, load_taxonomy(REPO / "taxonomy.yml")).archive
    page = BeautifulSoup(render_site(archive)["stats/index.md"].split("---\n", 2)[2], "html.parser")
    assert not page.select("svg.da-sparkline")
    assert "trends over time show once the archive spans two months" in page.get_text()
    bars = [float(re.search(r"width:([\d.]+)%", bar["style"]).group(1)) for bar in page.select(".da-trends .da-bar")]
    assert bars and max(bars) == 100.0 and min(bars) < 100.0
    several = build_model(load_digests(FIXTURES / "archive").digests, load_taxonomy(REPO / "taxonomy.yml")).archive
    assert "da-sparkline" in render_site(several)["stats/index.md"]


def test_the_reading_list_and_for_you_pages_work_without_a_server_and_say_so_without_javascript(fixture_site):
    for path, app in (("reading-list", "da-reading-list"), ("for-you", "da-for-you")):
        page = soup(fixture_site, path)
        assert "needs JavaScript" in page.select_one("noscript").get_text()
        container = page.select_one(f"#{app}")
        assert container.has_attr("hidden")
        paths = json.loads(container["data-paths"])
        topics = json.loads(container["data-topics"])
        assert topics["transformers"]
        base = (fixture_site / path / container["data-root"]).resolve()
        assert (base / paths["recent"]).is_file()
        for number in range(int(container["data-shards"])):
            assert (base / paths["shard"].replace("{number}", str(number))).is_file()
        document = json.loads((base / paths["recent"]).read_text())
        slug = document["papers"][0][0]
        assert (base / paths["paper"].replace("{slug}", slug) / "index.html").is_file()
        assert (base / paths["bib"].replace("{slug}", slug)).is_file()
    assert (fixture_site / url("search_filters")).is_file()
