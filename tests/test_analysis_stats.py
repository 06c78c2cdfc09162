"""Statistics: the figures of the statistics page, checked against the model."""

from __future__ import annotations

import datetime as dt

from generator.analysis.assemble import build_model
from generator.analysis.stats import archive_months, archive_stats
from generator.analysis.taxonomy import load_taxonomy
from generator.pipeline import load_digests

from .helpers import FIXTURES, REPO


def fixture_archive():
    return build_model(load_digests(FIXTURES / "archive").digests, load_taxonomy(REPO / "taxonomy.yml")).archive


def test_months_run_from_first_to_last_with_gaps_and_year_ends():
    assert archive_months(dt.date(2024, 11, 30), dt.date(2025, 2, 1)) == ((2024, 11), (2024, 12), (2025, 1), (2025, 2))


def test_counts_match_the_model():
    archive = fixture_archive()
    stats = archive_stats(archive)
    papers = list(archive.papers.values())
    assert stats.papers == len(papers) and stats.days == len(archive.days)
    assert stats.listings == sum(len(day.paper_keys) for day in archive.days)
    assert [count for _, count in stats.daily_counts] == [len(day.paper_keys) for day in archive.days]
    for trend in stats.tag_trends:
        assert trend.total == sum(trend.monthly) == sum(1 for p in papers if trend.slug in p.tags)
    totals = [trend.total for trend in stats.tag_trends]
    assert totals == sorted(totals, reverse=True)
    assert all(len(p.appearances) > 1 for p in stats.recurring)
    assert stats.repeated_papers == len(stats.recurring)  # the fixture has fewer than 20


def test_top_topics_and_recurring_papers_are_limited_and_ordered():
    archive = fixture_archive()
    stats = archive_stats(archive, top_tags=2, recurring=1)
    assert len(stats.tag_trends) == 2 and len(stats.recurring) == 1
    most = max(len(p.appearances) for p in archive.papers.values())
    assert len(stats.recurring[0].appearances) == most


def test_statistics_page_is_in_the_nav_and_draws_every_day(fixture_site):
    from .test_build import soup

    page = soup(fixture_site / "stats" / "index.html")
    assert "Statistics" in [a.get_text(strip=True) for a in page.select(".md-tabs a")]
    day_pages = sorted((fixture_site / "days").glob("2*/index.html"))
    bars = page.select(".da-chart-bars rect")
    assert len(bars) == len(day_pages)
    for bar, day_page in zip(bars, day_pages):
        entries = len(soup(day_page).select(".da-entry"))
        assert bar.title.get_text().endswith(f": {entries}")
    rows = page.select(".da-trends tbody tr")
    assert 1 <= len(rows) <= 8 and all(row.select_one("svg path.da-chart-columns") for row in rows)
    recurring = page.select(".da-stats ol.da-list li")
    for item in recurring:
        paper = soup(fixture_site / "stats" / item.a["href"] / "index.html")
        listed = len(paper.select(".da-appearances li"))
        assert f"listed on {listed} days" in item.get_text()
