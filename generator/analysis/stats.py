"""Archive statistics for the statistics page (pure functions on the model).

The figures are drawn as static SVG (see :mod:`generator.site.charts`), so the page works
offline and without JavaScript.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Archive, Paper

TOP_TAGS = 8
RECURRING_PAPERS = 20


@dataclass(frozen=True)
class TagTrend:
    """Papers a topic gained per month (by first listing), over the archive's months."""

    slug: str
    name: str
    total: int
    monthly: tuple[int, ...]


@dataclass(frozen=True)
class ArchiveStats:
    papers: int
    listings: int
    days: int
    repeated_papers: int
    daily_counts: tuple[tuple[dt.date, int], ...]
    months: tuple[tuple[int, int], ...]
    tag_trends: tuple[TagTrend, ...]
    recurring: tuple[Paper, ...]


def archive_months(first: dt.date, last: dt.date) -> tuple[tuple[int, int], ...]:
    """Every (year, month) from ``first``'s month to ``last``'s, gaps included."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


def most_recurring(papers: Iterable[Paper], limit: int) -> list[Paper]:
    """The ``limit`` papers listed on the most days (more than one), latest first on a tie."""
    return sorted(
        (paper for paper in papers if len(paper.appearances) > 1),
        key=lambda p: (-len(p.appearances), -p.last_seen.toordinal(), p.key),
    )[:limit]


def archive_stats(archive: Archive, top_tags: int = TOP_TAGS, recurring: int = RECURRING_PAPERS) -> ArchiveStats:
    """The figures of the statistics page."""
    papers = list(archive.papers.values())
    days = archive.days
    months = archive_months(days[0].date, days[-1].date) if days else ()
    month_index = {month: index for index, month in enumerate(months)}

    tag_monthly: dict[str, list[int]] = {tag.slug: [0] * len(months) for tag in archive.tags}
    for paper in papers:
        first = paper.first_seen
        index = month_index[(first.year, first.month)]
        for slug in paper.tags:
            tag_monthly[slug][index] += 1

    totals = Counter({slug: sum(counts) for slug, counts in tag_monthly.items()})
    names = {tag.slug: tag.name for tag in archive.tags}
    # Ties by name, so the same archive always shows the same topics in the same order.
    top = sorted((slug for slug, total in totals.items() if total), key=lambda s: (-totals[s], names[s]))[:top_tags]
    trends = tuple(TagTrend(slug, names[slug], totals[slug], tuple(tag_monthly[slug])) for slug in top)

    return ArchiveStats(
        papers=len(papers),
        listings=sum(len(paper.appearances) for paper in papers),
        days=len(days),
        repeated_papers=sum(1 for paper in papers if len(paper.appearances) > 1),
        daily_counts=tuple((day.date, len(day.paper_keys)) for day in days),
        months=months,
        tag_trends=trends,
        recurring=tuple(most_recurring(papers, recurring)),
    )
