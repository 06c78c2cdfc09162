"""Page planning: the archive model -> every file of the site, rendered on demand.

:func:`plan_site` returns a :class:`SitePlan`, ``{path inside site_src: content}``
whose keys are known at once and whose contents (Markdown pages with an HTML body from
the Jinja2 templates in ``templates/``, Atom feeds, ``archive.json.gz``) are rendered
only when read, so :mod:`generator.site.write` can render them in several processes
and never hold them all. Every URL comes from :mod:`generator.site.urls`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import operator
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, cast

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from jinja2.environment import TemplateModule
from markupsafe import Markup, escape

from ..analysis.stats import archive_stats, most_recurring
from ..model import NO_META, Appearance, Archive, Day, Paper, Tag, exact_text
from . import reader_index, urls
from .az import az_sections, walk_sections
from .charts import sparkline, time_chart
from .citations import ARXIV_ABS, ARXIV_PDF, HF_PAPER, Citation, arxiv_search_word, bibtex, citation, highwire_tags
from .escaping import (
    MONTH_NAMES,
    atom_date,
    count,
    excerpt,
    format_date,
    front_matter,
    linkify,
    month_name,
    query_value,
    xml_text,
)
from .export import compressed, export_json

# A topic page shows its latest listings; older papers are on one page per month.
TAG_LATEST_PAPERS = 50
HOME_RECURRING_PAPERS = 10
# Feeds: the latest days (each entry lists that day's papers), and per topic the papers
# it gained most recently (by first listing: a paper listed again is not news).
FEED_DAYS = 30
FEED_TOPIC_PAPERS = 50
LINK_LABELS = {"code": "Code", "huggingface": "Hugging Face", "project": "Project page"}
# Authors named on a listing before "and N more authors" (all of them on the paper page).
LISTED_AUTHORS = 3
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Papers on a page of the most voted of a week or a month.
TOP_PAPERS = 25
TOP_LATEST_WEEK = 10

# Bumped when what a render key covers changes (see SitePlan.render_key).
RENDER_KEY_VERSION = 5
# Pages whose render key is their template context (SitePlan.render_key): their
# templates read nothing else of the archive but the taxonomy's tag chips.
CONTEXT_KEYED_TEMPLATES = frozenset({"day.html.j2", "week.html.j2", "tag_month.html.j2"})
# Values a template context holds whose repr is their key text as they are.
_PLAIN = frozenset({str, int, float, bool, type(None), dt.date})
# The fields of a paper a listing can show, and the others; together, every field
# (tests/test_site_plan.py checks it).
LISTED_FIELDS = ("key", "title", "abstract", "slug", "appearances", "tags", "meta")
UNLISTED_FIELDS = ("related", "homonyms", "aliases", "alias_slugs", "links")
_UNLISTED = operator.attrgetter(*UNLISTED_FIELDS)
# BibTeX files of at most this many papers get a key; archive.bib (every paper) would
# cost more to key than to write.
KEYED_BIB_PAPERS = 5000


# What makes the pages besides the generator's own code: an upgraded Python, Jinja2,
# MarkupSafe, python-slugify, orjson or isal (archive.json.gz) could make them differently.
_LIBRARY_VERSIONS = (
    sys.version,
    importlib.metadata.version("jinja2"),
    importlib.metadata.version("markupsafe"),
    importlib.metadata.version("python-slugify"),
    importlib.metadata.version("orjson"),
    importlib.metadata.version("isal"),
)


def generator_code_hash() -> str:
    """A hash of the generator's code and templates and of the libraries that render
    them: any change renders every page again (every render key has it, and the check
    that skips a generate whose inputs did not change)."""
    digest = hashlib.sha256(repr(_LIBRARY_VERSIONS).encode())
    root = Path(__file__).parent.parent
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.j2")]):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


# A job renders one file: a template and its context; or, with no template, the data
# file (no context), a BibTeX file (the context names its papers: {"bib": keys}) or a file
# of the reader's index ({"index": keys, "extra": fields}; see reader_index.py) or other
# JSON ({"json": value}).
_Job = tuple[str | None, dict[str, Any] | None]


def _environment(archive: Archive, site_name: str, site_url: str) -> Environment:
    env = Environment(
        loader=PackageLoader("generator.site", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Templates do not change during a run: skip the stat() per rendered page.
        auto_reload=False,
    )
    env.filters.update(
        date=format_date,
        atom_date=atom_date,
        xml=xml_text,
        excerpt=excerpt,
        linkify=linkify,
        front_matter=front_matter,
        urlquote=query_value,
        count=count,
    )
    env.globals.update(
        url=urls.url,
        day_url=urls.day_url,
        paper_url=urls.paper_url,
        sibling_paper_url=urls.sibling_paper_url,
        tag_url=urls.tag_url,
        tag_feed_url=urls.tag_feed_url,
        paper_bib_url=urls.paper_bib_url,
        day_bib_url=urls.day_bib_url,
        tag_bib_url=urls.tag_bib_url,
        week_url=urls.week_url,
        arxiv_abs_url=lambda arxiv_id: ARXIV_ABS.format(id=arxiv_id),
        arxiv_pdf_url=lambda arxiv_id: ARXIV_PDF.format(id=arxiv_id),
        hf_paper_url=lambda arxiv_id: HF_PAPER.format(id=arxiv_id),
        arxiv_search_word=arxiv_search_word,
        listed_authors=LISTED_AUTHORS,
        tag_chips=_tag_chips_helper({tag.slug: tag for tag in archive.tags}),
        month_name=month_name,
        month_names=MONTH_NAMES,
        archive=archive,
        site_name=site_name,
        site_url=site_url,
        feed_days=FEED_DAYS,
        link_labels=LINK_LABELS,
        day_sizes={day.date: len(day.paper_keys) for day in archive.days},
    )
    env.globals["macros"] = _macros_by_root(env)
    return env


def _macros_by_root(env: Environment) -> Callable[[str], TemplateModule]:
    """``macros(root)``: the shared macros (``_macros.html.j2``), for pages whose links
    start with ``root``; templates call it as ``{% set m = macros(root) %}``.

    The macros read nothing of a page's context but ``root`` (the path back to the site
    root), and a site has a few page depths: each one's module is made once per process.
    ``{% import ... with context %}`` would run the macros' template again for every page
    rendered (at 50,000 papers, about 2 s of the writers' CPU).
    """
    modules: dict[str, TemplateModule] = {}

    def macros(root: str) -> TemplateModule:
        module = modules.get(root)
        if module is None:
            module = modules[root] = env.get_template("_macros.html.j2").make_module({"root": root})
        return module

    return macros


class _Planner:
    """Works out every file of the site and the template context of each."""

    def __init__(self, archive: Archive, site_url: str) -> None:
        self.archive = archive
        self.site_url = site_url
        self.jobs: dict[str, _Job] = {}
        # Each topic's months with a page of their own, for the search plugin's parts.
        self._tag_months: dict[str, list[tuple[int, int]]] = {}

    def plan(self) -> dict[str, _Job]:
        self.home()
        self.days()
        self.papers()
        self.tags()
        self.top()
        self.weeks()
        self.reader()
        self.feeds()
        self.statistics()
        self.search_months()
        self.jobs[urls.url("data")] = (None, None)
        self.bib(
            urls.url("archive_bib"),
            [paper.key for paper in sorted(self.archive.papers.values(), key=_by_first_listing)],
        )
        return self.jobs

    def search_months(self) -> None:
        """The built paths of the indexed pages by month, oldest month first: the papers
        first listed in it, its days and its topic months; the newest month also has the
        topic pages, whose counts change every day. And the pages of the newest month
        that a day of its newest week can change: the papers first listed and the days
        from that week's Monday (or the month's first day), the topic pages and the
        newest month's topic months.

        The search plugin indexes the newest week as a part of its own, the rest of the
        newest month as another, and packs the older months, in order, into the larger
        parts: a new day re-indexes the newest week's part, a new week also the newest
        month's, and a new month the last of the larger parts
        (:func:`generator.mkdocs.search.index_parts`)."""
        if not self.archive.days:
            return
        months: dict[tuple[int, int], list[str]] = {}
        newest = self.archive.days[-1].date
        newest_month = (newest.year, newest.month)  # the last: nothing is listed after the newest day
        week_from = max(newest - dt.timedelta(days=newest.weekday()), newest.replace(day=1))
        week: set[str] = set()
        for paper in self.archive.papers.values():
            first = paper.first_seen
            page = urls.paper_url(paper.slug)
            months.setdefault((first.year, first.month), []).append(page)
            if first >= week_from:
                week.add(page)
        for day in self.archive.days:
            page = urls.day_url(day.date)
            months.setdefault((day.date.year, day.date.month), []).append(page)
            if day.date >= week_from:
                week.add(page)
        for slug, tag_months in self._tag_months.items():
            for month in tag_months:
                page = urls.tag_month_url(slug, month)
                months.setdefault(month, []).append(page)
                if month == newest_month:
                    week.add(page)
        months.setdefault(newest_month, [])
        topics = [urls.built_path(urls.source_path(urls.tag_url(tag.slug), index=True)) for tag in self.archive.tags]
        listed = []
        newest_week: list[str] = []
        for month in sorted(months):
            built = [urls.built_path(urls.source_path(page)) for page in months[month]]
            if month == newest_month:
                newest_week = sorted(
                    [path for path, page in zip(built, months[month], strict=True) if page in week] + topics
                )
                built += topics
            listed.append([f"{month[0]:04d}-{month[1]:02d}", sorted(built)])
        self.jobs[urls.url("search_months")] = (None, {"json": {"months": listed, "newest_week": newest_week}})

    def bib(self, path: str, keys: list[str]) -> None:
        self.jobs[path] = (None, {"bib": keys})

    def page(self, template: str, page_url: str, *, index: bool = False, **context: Any) -> None:
        self.jobs[urls.source_path(page_url, index)] = (
            template,
            {"page_url": page_url, "root": urls.root_prefix(page_url), **context},
        )

    def home(self) -> None:
        papers = list(self.archive.papers.values())
        latest = self.archive.days[-1] if self.archive.days else None
        self.page(
            "home.html.j2",
            urls.url("home"),
            latest=latest,
            latest_papers=self.archive.papers_on(latest) if latest else [],
            recurring=most_recurring(papers, HOME_RECURRING_PAPERS),
            appearance_count=sum(len(p.appearances) for p in papers),
        )

    def days(self) -> None:
        days = self.archive.days
        self.page(
            "days_index.html.j2",
            urls.url("days"),
            index=True,
            months=calendar_months(days),
            weeks_with_pages={_iso_week(day.date) for day in days},
            weekday_names=WEEKDAY_NAMES,
            latest=days[-1].date if days else None,
        )
        listings = self.listings
        for position, day in enumerate(days):
            on_day = listings[day.date]
            entries = [
                (paper, on_day[paper.key], [a.date for a in paper.appearances if a.date != day.date])
                for paper in self.archive.papers_on(day)
            ]
            counted = [paper.meta.upvotes_on for paper, _, _ in entries if paper.meta.upvotes is not None]
            self.page(
                "day.html.j2",
                urls.day_url(day.date),
                day=day,
                week=_iso_week(day.date),
                entries=entries,
                voted=max((date for date in counted if date), default=None) or (day.date if counted else None),
                repeats=sum(1 for _, _, other_days in entries if other_days),
                previous_day=days[position - 1] if position > 0 else None,
                next_day=days[position + 1] if position + 1 < len(days) else None,
            )
            self.bib(urls.day_bib_url(day.date), list(day.paper_keys))

    @cached_property
    def listings(self) -> dict[dt.date, dict[str, Appearance]]:
        """Each day's listing of each of its papers (a paper's title and abstract as that
        day's digest gave them); worked out once for the day and week pages."""
        listings: dict[dt.date, dict[str, Appearance]] = {day.date: {} for day in self.archive.days}
        for paper in self.archive.papers.values():
            for listing in paper.appearances:
                listings[listing.date].setdefault(paper.key, listing)
        return listings

    def weeks(self) -> None:
        """A page per ISO week with digests: each paper once, under the first day of the
        week it was listed; and the index of weeks."""
        listings = self.listings
        by_week: dict[tuple[int, int], list[Day]] = {}
        for day in self.archive.days:
            by_week.setdefault(_iso_week(day.date), []).append(day)
        keys = sorted(by_week)
        sizes = []
        for position, week in enumerate(keys):
            seen: set[str] = set()
            week_days = []
            for day in by_week[week]:
                entries = []
                for paper in self.archive.papers_on(day):
                    if paper.key not in seen:
                        seen.add(paper.key)
                        entries.append((paper, listings[day.date][paper.key]))
                week_days.append((day, entries))
            new = sum(1 for day, entries in week_days for paper, _ in entries if paper.first_seen >= day.date)
            sizes.append(len(seen))
            self.page(
                "week.html.j2",
                urls.week_url(week),
                week=week,
                week_title=f"Week {week[1]}, {week[0]}",
                week_range=_week_range(week),
                days=week_days,
                paper_count=len(seen),
                new_count=new,
                older=keys[position - 1] if position > 0 else None,
                newer=keys[position + 1] if position + 1 < len(keys) else None,
            )
        self.page(
            "weeks_index.html.j2",
            urls.url("weeks"),
            index=True,
            weeks=[(week, _week_start(week), size) for week, size in reversed(list(zip(keys, sizes, strict=True)))],
        )

    def reader(self) -> None:
        """The reading list and /for-you/ pages, and the compact index they read."""
        papers = self.archive.papers
        shards = reader_index.shard_count(len(papers))
        for number, keys in enumerate(reader_index.shard_members(papers.values(), shards)):
            self.jobs[urls.url("reader_shard", number=number)] = (None, {"index": keys, "extra": {"shards": shards}})
        recent = reader_index.recent_keys(self.archive)
        self.jobs[urls.url("reader_recent")] = (
            None,
            {
                "index": recent,
                "related": True,
                "extra": {"days": [day.date.isoformat() for day in self.archive.days[-reader_index.RECENT_DAYS :]]},
            },
        )
        paths = {
            "shard": urls.url("reader_shard", number="{number}"),
            "recent": urls.url("reader_recent"),
            "paper": urls.url("paper", slug="{slug}"),
            "bib": urls.url("paper_bib", slug="{slug}"),
            "tag": urls.url("tag", slug="{slug}"),
        }
        topics = {tag.slug: tag.name for tag in self.archive.tags}
        self.jobs[urls.url("search_filters")] = (
            None,
            {
                "json": {
                    "topics": sorted(topics.values(), key=str.casefold),
                    "years": sorted({paper.first_seen.year for paper in papers.values()}, reverse=True),
                    "authors": any(paper.meta.authors for paper in papers.values()),
                }
            },
        )
        for template, page_url in (
            ("reading_list.html.j2", urls.url("reading_list")),
            ("for_you.html.j2", urls.url("for_you")),
        ):
            self.page(template, page_url, index=True, shards=shards, paths=paths, topics=topics)

    def papers(self) -> None:
        root = az_sections(list(self.archive.papers.values()))
        self.page("papers_index.html.j2", root.url, index=True, sections=root.children, total=len(root.papers))
        for section, parents in walk_sections(root):
            if section is root:
                continue
            self.page(
                "papers_section.html.j2",
                section.url,
                index=True,
                section=section,
                parents=parents[1:],
                letters=root.children,
            )
        for paper in root.papers:
            # The citation (BibTeX, meta tags) is worked out when the page is rendered:
            # in the writer's processes, and not at all for a page it need not render.
            self.page("paper.html.j2", urls.paper_url(paper.slug), paper=paper)
            self.bib(urls.paper_bib_url(paper.slug), [paper.key])
            # A near-duplicate merged into this paper keeps its own URL as a redirect here.
            for alias_slug in paper.alias_slugs:
                self.jobs[urls.redirect_file(alias_slug)] = ("redirect.html.j2", {"paper": paper})

    def tags(self) -> None:
        papers = self.archive.papers.values()
        slugs = [tag.slug for tag in self.archive.tags]
        members: dict[str, list[Paper]] = {slug: [] for slug in slugs}
        latest: dict[str, list[Paper]] = {slug: [] for slug in slugs}
        # A month page lists the topic's papers listed that month, by their last listing
        # in it: a later digest adds to its own month and leaves earlier months as they are.
        months: dict[str, dict[tuple[int, int], list[tuple[dt.date, Paper]]]] = {slug: {} for slug in slugs}
        # One sort of the whole archive per order, then each paper goes to its tags' lists.
        for paper in sorted(papers, key=lambda p: (-p.last_seen.toordinal(), p.key)):
            for slug in paper.tags:
                members[slug].append(paper)
                if len(latest[slug]) < TAG_LATEST_PAPERS:
                    latest[slug].append(paper)
            if paper.tags:
                last_in_month = {(a.date.year, a.date.month): a.date for a in paper.appearances}
                for slug in paper.tags:
                    tag_months = months[slug]
                    for month, date in last_in_month.items():
                        tag_months.setdefault(month, []).append((date, paper))
        untagged = sum(1 for paper in papers if not paper.tags)
        self.page(
            "tags_index.html.j2",
            urls.url("tags"),
            index=True,
            members=members,
            untagged=untagged,
            paper_count=len(papers),
            topics=sorted(self.archive.tags, key=lambda tag: (-len(members[tag.slug]), tag.name.casefold(), tag.slug)),
        )
        for tag in self.archive.tags:
            self.tag_pages(tag, members[tag.slug], latest[tag.slug], months[tag.slug])
            # The papers the topic page lists: a whole large topic would be megabytes of
            # BibTeX per topic (70 MB at 50,000 papers), and archive.bib holds them all.
            if latest[tag.slug]:
                self.bib(urls.tag_bib_url(tag.slug), [paper.key for paper in latest[tag.slug]])

    def tag_pages(
        self,
        tag: Tag,
        members: list[Paper],
        latest: list[Paper],
        tag_months: dict[tuple[int, int], list[tuple[dt.date, Paper]]],
    ) -> None:
        month_keys = sorted(tag_months, reverse=True)
        self._tag_months[tag.slug] = month_keys
        self.page(
            "tag.html.j2",
            urls.tag_url(tag.slug),
            index=True,
            tag=tag,
            latest=latest,
            total=len(members),
            months=[(month, urls.tag_month_url(tag.slug, month), len(tag_months[month])) for month in month_keys],
            busiest=max((len(listed) for listed in tag_months.values()), default=0),
        )
        for position, month in enumerate(month_keys):
            newer = month_keys[position - 1] if position > 0 else None
            older = month_keys[position + 1] if position + 1 < len(month_keys) else None
            listed = sorted(tag_months[month], key=lambda item: (-item[0].toordinal(), item[1].key))
            self.page(
                "tag_month.html.j2",
                urls.tag_month_url(tag.slug, month),
                tag=tag,
                month=month,
                listed=listed,
                newer=newer and (newer, urls.tag_month_url(tag.slug, newer)),
                older=older and (older, urls.tag_month_url(tag.slug, older)),
            )

    def top(self) -> None:
        """The most voted papers of each week and month (by first listing), and their index."""
        voted = sorted(
            (paper for paper in self.archive.papers.values() if paper.meta.upvotes is not None),
            key=lambda p: (-(p.meta.upvotes or 0), p.first_seen, p.key),
        )
        weeks: dict[tuple[int, int], list[Paper]] = {}
        months: dict[tuple[int, int], list[Paper]] = {}
        for paper in voted:
            iso = paper.first_seen.isocalendar()
            weeks.setdefault((iso[0], iso[1]), []).append(paper)
            months.setdefault((paper.first_seen.year, paper.first_seen.month), []).append(paper)
        week_keys = sorted(weeks, reverse=True)
        month_keys = sorted(months, reverse=True)
        self.page(
            "top_index.html.j2",
            urls.url("top"),
            index=True,
            months=[(month, urls.top_month_url(month), len(months[month])) for month in month_keys],
            weeks=[(week, _week_start(week), urls.top_week_url(week), len(weeks[week])) for week in week_keys],
            latest_week_start=_week_start(week_keys[0]) if week_keys else None,
            latest_week_url=urls.top_week_url(week_keys[0]) if week_keys else "",
            latest_week_papers=weeks[week_keys[0]][:TOP_LATEST_WEEK] if week_keys else [],
        )
        for keys, papers_of, page_url, name, phrase in (
            (
                week_keys,
                weeks,
                urls.top_week_url,
                _week_name,
                lambda w: f"in the week of {format_date(_week_start(w))}",
            ),
            (month_keys, months, urls.top_month_url, month_name, lambda m: f"in {month_name(m)}"),
        ):
            for position, period in enumerate(keys):
                newer = keys[position - 1] if position > 0 else None
                older = keys[position + 1] if position + 1 < len(keys) else None
                self.page(
                    "top_period.html.j2",
                    page_url(period),
                    period_name=name(period),
                    period_phrase=phrase(period),
                    papers=papers_of[period][:TOP_PAPERS],
                    voted_papers=len(papers_of[period]),
                    newer=newer and (name(newer), page_url(newer)),
                    older=older and (name(older), page_url(older)),
                )

    def statistics(self) -> None:
        stats = archive_stats(self.archive)
        self.page(
            "stats.html.j2",
            urls.url("stats"),
            index=True,
            stats=stats,
            daily_chart=time_chart(stats.daily_counts),
            busiest=max(stats.daily_counts, key=lambda point: (point[1], point[0])),
            trends=[(trend, sparkline(trend.monthly)) for trend in stats.tag_trends],
        )

    def feeds(self) -> None:
        days = []
        for day in self.archive.days[-FEED_DAYS:][::-1]:
            # Each paper as that day's digest titled it, as on the day's page.
            listed = [
                (paper, next(a for a in paper.appearances if a.date == day.date))
                for paper in self.archive.papers_on(day)
            ]
            days.append((day, listed))
        self.jobs[urls.url("days_feed")] = ("feed_days.xml.j2", {"days": days})
        newest_first = sorted(self.archive.papers.values(), key=lambda p: (-p.first_seen.toordinal(), p.key))
        gained: dict[str, list[Paper]] = {tag.slug: [] for tag in self.archive.tags}
        for paper in newest_first:
            for slug in paper.tags:
                if len(gained[slug]) < FEED_TOPIC_PAPERS:
                    gained[slug].append(paper)
        for tag in self.archive.tags:
            self.jobs[urls.tag_feed_url(tag.slug)] = ("feed_tag.xml.j2", {"tag": tag, "papers": gained[tag.slug]})


def _by_first_listing(paper: Paper) -> tuple[dt.date, str]:
    return paper.first_seen, paper.key


def _iso_week(date: dt.date) -> tuple[int, int]:
    iso = date.isocalendar()
    return iso[0], iso[1]


@dataclass(frozen=True)
class CalendarMonth:
    """A month of the days index: its weeks as rows of seven (date, papers) cells, where
    the date is None outside the month and papers is None on a day without a digest."""

    key: str
    name: str
    short: str
    days: int
    listings: int
    rows: list[tuple[tuple[int, int], list[tuple[dt.date | None, int | None]]]]


def calendar_months(days: Sequence[Day]) -> list[CalendarMonth]:
    """The months that have digests, newest first, as calendar grids (weeks from Monday)."""
    sizes = {day.date: len(day.paper_keys) for day in days}
    months = sorted({(day.date.year, day.date.month) for day in days}, reverse=True)
    result = []
    for year, month in months:
        first = dt.date(year, month, 1)
        last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        monday = first - dt.timedelta(days=first.weekday())
        rows = []
        while monday <= last:
            cells: list[tuple[dt.date | None, int | None]] = []
            for offset in range(7):
                date = monday + dt.timedelta(days=offset)
                cells.append((date, sizes.get(date)) if date.month == month else (None, None))
            rows.append((_iso_week(monday), cells))
            monday += dt.timedelta(days=7)
        in_month = [size for date, size in sizes.items() if (date.year, date.month) == (year, month)]
        result.append(
            CalendarMonth(
                f"{year:04d}-{month:02d}",
                month_name((year, month)),
                MONTH_NAMES[month - 1],
                len(in_month),
                sum(in_month),
                rows,
            )
        )
    return result


def _week_start(week: tuple[int, int]) -> dt.date:
    return dt.date.fromisocalendar(week[0], week[1], 1)


def _week_range(week: tuple[int, int]) -> str:
    """``Mar 10 to Mar 16, 2025``: the Monday to Sunday of ISO week ``week``."""
    start = _week_start(week)
    end = start + dt.timedelta(days=6)
    return f"{format_date(start).rsplit(',', 1)[0]} to {format_date(end)}"


def _week_name(week: tuple[int, int]) -> str:
    return f"week of {format_date(_week_start(week))}"


def _tag_chips_helper(tags_by_slug: dict[str, Tag]) -> Callable[..., Markup]:
    """Template helper: the linked tag chips of a paper on the page being rendered.

    ``root`` is the page's path back to the site root; with ``filter`` (a paper page)
    each chip is also the paper's value of the search's topic filter. Memoised per
    (tags, root, filter): an archive has few distinct combinations, and chips appear on
    every day and paper page.
    """
    rendered: dict[tuple[tuple[str, ...], str, bool], Markup] = {}
    # And each chip on its own: a paper's tags, best first, are nearly its own
    # combination, so the pages share chips far more than whole lists.
    chips: dict[tuple[str, str, bool], str] = {}

    def chip(slug: str, root: str, filter: bool) -> str:
        key = (slug, root, filter)
        found = chips.get(key)
        if found is None:
            # escape() and an f-string, not Markup.format: that goes through
            # string.Formatter in Python (an eighth of a paper page's rendering).
            attribute = ' data-pagefind-filter="topic"' if filter else ""
            href = escape(root + urls.tag_url(slug))
            found = chips[key] = f'<a href="{href}"{attribute}>{escape(tags_by_slug[slug].name)}</a>'
        return found

    def tag_chips(slugs: tuple[str, ...], root: str, filter: bool = False) -> Markup:
        key = (slugs, root, filter)
        found = rendered.get(key)
        if found is None:
            links = "".join(chip(slug, root, filter) for slug in slugs)
            found = rendered[key] = Markup(f'<span class="da-tags">{links}</span>') if slugs else Markup("")
        return found

    return tag_chips


class SitePlan(Mapping[str, "str | bytes"]):
    """Every file of the site, ``{path inside site_src: content}``, rendered on access.

    Keys are known at once and sorted; a page is rendered only when its content is read,
    so the writer can render pages in several processes and never hold them all.
    """

    def __init__(
        self,
        archive: Archive,
        site_name: str,
        site_url: str,
        code_hash: str | None = None,
    ) -> None:
        self._archive = archive
        self._site_url = site_url
        self._env = _environment(archive, site_name, site_url)
        self._templates: dict[str, Template] = {}
        planner = _Planner(archive, site_url)
        self._jobs = planner.plan()
        self._paths = sorted(self._jobs)
        # Each paper's citation, worked out once in each process that needs it.
        self._citations: dict[str, Citation] = {}
        self._bibtex: dict[str, str] = {}
        self._digests: dict[str, str] = {}
        self._listing_digests: dict[str, str] = {}
        self._texts: dict[Appearance | Day, str] = {}
        # Hashed once: a day's, a week's or a topic's month page key names the taxonomy.
        self._taxonomy_text = _repr_hash(archive.tags)
        self._settings_key = repr((RENDER_KEY_VERSION, site_name, site_url, code_hash or generator_code_hash()))
        self._tag_names = {tag.slug: tag.name for tag in archive.tags}
        self._day_sizes = {day.date: len(day.paper_keys) for day in archive.days}

    def _citation(self, paper: Paper) -> Citation:
        if paper.key not in self._citations:
            self._citations[paper.key] = citation(paper, self._site_url + urls.paper_url(paper.slug))
        return self._citations[paper.key]

    def _bibtex_of(self, key: str) -> str:
        if key not in self._bibtex:
            self._bibtex[key] = bibtex(self._citation(self._archive.papers[key]))
        return self._bibtex[key]

    def __getitem__(self, path: str) -> str | bytes:
        template, context = self._jobs[path]
        if template is None:
            if context is None:
                return compressed(export_json(self._archive))
            if "json" in context:
                return json.dumps(context["json"], ensure_ascii=False, separators=(",", ":")) + "\n"
            if "index" in context:
                return reader_index.index_file(
                    context["index"], self._archive.papers, context.get("related", False), **context["extra"]
                )
            return "\n".join(self._bibtex_of(key) for key in context["bib"])
        assert context is not None, "a template always has a context"
        if template == "paper.html.j2":
            paper = context["paper"]
            cite = self._citation(paper)
            context = {**context, "cite": cite, "bib": self._bibtex_of(paper.key), "citation_tags": highwire_tags(cite)}
        return self._template(template).render(context)

    def _template(self, name: str) -> Template:
        found = self._templates.get(name)
        if found is None:
            found = self._templates[name] = self._env.get_template(name)
            # Jinja copies a template's globals into each page's context, and sets their
            # names aside: from its ChainMap over the environment's, a Python lookup per
            # name (31 of them); from a dict, in C. The globals are all set before the
            # first page, and never changed.
            found.globals = dict(found.globals)
        return found

    def _digest(self, paper: Paper) -> str:
        """A short hash of every field of ``paper``: its :meth:`_listing_digest` and the
        fields a listing does not show. Keys name papers by it, so that a key's own text
        stays short."""
        found = self._digests.get(paper.key)
        if found is None:
            text = self._listing_digest(paper) + repr(_UNLISTED(paper))
            found = self._digests[paper.key] = _short_hash(text)
        return found

    def _listing_digest(self, paper: Paper) -> str:
        """A short hash of what day, week and topic-month pages can show of a paper:
        every field but its related papers, namesakes, aliases and links other than the
        code link. A change in a paper's related papers (every new day brings some)
        leaves those pages as they are (``tests/test_site_plan.py`` checks it)."""
        found = self._listing_digests.get(paper.key)
        if found is None:
            found = self._listing_digests[paper.key] = _listing_hash(paper)
        return found

    def _section_text(self, context: dict[str, Any]) -> str:
        """What an A-Z section page shows: its prefix and papers (each by its listing
        hash) or its sub-sections (prefix, size, first and last title), and the prefixes
        of the letters and of the sections above it. A new paper under another letter
        leaves the page as it is (``tests/test_site_plan.py`` checks that a page whose
        key stays stays the same)."""
        section = context["section"]
        papers = [self._listing_digest(paper) for paper in section.papers] if not section.children else []
        children = [(c.prefix, len(c.papers), c.papers[0].title, c.papers[-1].title) for c in section.children]
        letters = [letter.prefix for letter in context["letters"]]
        parents = [parent.prefix for parent in context["parents"]]
        return repr((section.prefix, len(section.papers), papers, children, letters, parents))

    def _context_text(self, value: object) -> str:
        """``repr`` of a template context, each paper in it by its :meth:`_listing_digest`."""
        kind = type(value)
        if kind is list or kind is tuple:
            # The common case first, and plain values without a call: a week's context
            # holds thousands of them, and every day page, week and topic month is keyed.
            recurse = self._context_text
            items = cast("Sequence[object]", value)
            return "[" + ",".join([repr(item) if type(item) in _PLAIN else recurse(item) for item in items]) + "]"
        if kind in _PLAIN:
            return repr(value)
        if isinstance(value, Paper):
            return "L:" + self._listing_digest(value)
        if isinstance(value, (Appearance, Day)):
            # Frozen dataclasses, hashable by value: each one's repr hashed once (a
            # listing is on its day's page and its week's). A hash, not the repr: an
            # appearance holds its abstract, and a week's page text would otherwise be
            # hundreds of kilobytes, quoted and hashed again for each key (at 50,000
            # papers, a second of each daily run).
            text = self._texts.get(value)
            if text is None:
                hashed = _appearance_hash(value) if isinstance(value, Appearance) else _repr_hash(value)
                text = self._texts[value] = hashed
            return text
        if isinstance(value, dict):
            return "{" + ",".join(f"{key!r}:{self._context_text(item)}" for key, item in value.items()) + "}"
        if isinstance(value, (list, tuple)):
            return "[" + ",".join(self._context_text(item) for item in value) + "]"
        return repr(value)

    def render_key(self, path: str) -> str | None:
        """A key that changes whenever the file at ``path`` would render differently;
        None for the files it cannot vouch for. The writer keeps a file whose key is the
        one it wrote it with, without rendering it again.

        * A paper's page shows the paper (every field), the titles, slugs and first-listed
          dates of its related papers and namesakes, the size of each day it was listed on
          and its topics' names: the key is made of exactly these.
        * A day's, a week's and a topic's month page show their template context and the
          topics' names and slugs (the tag chips), nothing else of the archive
          (``tests/test_site_plan.py`` checks that their templates read no other global
          that changes with the archive): the key is the context, each paper by a hash of
          every field they can show (:meth:`_listing_digest`), and the taxonomy.
        * A BibTeX file of up to :data:`KEYED_BIB_PAPERS` papers (a paper's, a day's, a
          topic's) is made of its papers alone.
        * An A-Z section page: see :meth:`_section_text`.
        * A shard of the reader's index holds a record per paper of what a listing shows
          (:func:`~generator.site.reader_index.paper_record`): the key is made of their
          listing hashes; the newest papers' file, which holds related papers too, has none.

        Every key also covers the generator's code and templates and the site's name and
        address.
        """
        template, context = self._jobs[path]
        if template is None and context is not None and "index" in context and not context.get("related"):
            # A shard of the reader's index: a record per paper, of fields a listing shows.
            records = [self._listing_digest(self._archive.papers[key]) for key in context["index"]]
            parts: tuple = ("index", records, self._context_text(context["extra"]))
        elif template is None:
            keys = context.get("bib") if context else None
            if not keys or len(keys) > KEYED_BIB_PAPERS:
                return None
            listed = [self._archive.papers[key] for key in keys]
            # A citation is made of what a listing shows (title, slug, first-listed date, metadata).
            if len(listed) == 1 and path == urls.paper_bib_url(listed[0].slug):
                parts = ("bib", self._listing_digest(listed[0]))
            else:
                parts = ("bibs", [self._listing_digest(paper) for paper in listed])
        elif template in ("paper.html.j2", "redirect.html.j2") and context is not None:
            paper = context["paper"]
            papers = self._archive.papers
            shown = [(o.slug, o.title, o.first_seen) for o in (papers[k] for k in (*paper.related, *paper.homonyms))]
            parts = (
                template,
                self._digest(paper),
                shown,
                [self._day_sizes[a.date] for a in paper.appearances],
                [self._tag_names[slug] for slug in paper.tags],
            )
        elif template in CONTEXT_KEYED_TEMPLATES and context is not None:
            parts = (template, self._taxonomy_text, _short_hash(self._context_text(context)))
        elif template == "papers_section.html.j2" and context is not None:
            parts = (template, self._section_text(context))
        else:
            return None
        text = repr((self._settings_key, path, parts))
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()

    def know(self, hashes: ListingHashes) -> None:
        """Take the papers' and appearances' hashes the keys are made of, worked out
        elsewhere by :func:`listing_hashes` (beside other work, before the writer's
        processes start: each of them would otherwise work most of them out again)."""
        by_paper, of_appearances = hashes
        self._listing_digests.update(by_paper)
        appearances = [appearance for paper in self._archive.papers.values() for appearance in paper.appearances]
        self._texts.update(zip(appearances, of_appearances, strict=True))

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


# Each paper's listing hash by key, and each appearance's hash, in the order of the
# archive's papers and their appearances (see SitePlan.know).
ListingHashes = tuple[dict[str, str], list[str]]


def listing_hashes(archive: Archive) -> ListingHashes:
    """The hashes render keys are made of that depend on one paper or one listing alone:
    :meth:`SitePlan._listing_digest` of each paper, and the hash of each appearance's
    repr. At 50,000 papers, about 2 s of work that can run beside the page plan."""
    papers = archive.papers.values()
    return (
        {paper.key: _listing_hash(paper) for paper in papers},
        [_appearance_hash(appearance) for paper in papers for appearance in paper.appearances],
    )


def _listing_hash(paper: Paper) -> str:
    return _short_hash(_listing_text(paper))


def _listing_text(paper: Paper) -> str:
    """A paper's :data:`LISTED_FIELDS` and its code link, each exactly, as one text
    (:func:`~generator.model.exact_text`: not the repr of the fields, which took 3.4 s
    against 1.2 s at 50,000 papers)."""
    code = paper.code_link
    texts = [
        paper.key,
        paper.title,
        paper.abstract,
        paper.slug,
        *paper.tags,
        "" if paper.meta is NO_META else repr(paper.meta),
        "" if code is None else repr(code),
    ]
    numbers = [len(paper.tags)]
    for appearance in paper.appearances:
        listed_texts, listed_numbers = _appearance_fields(appearance)
        texts += listed_texts
        numbers += listed_numbers
    return exact_text(texts, numbers)


def _appearance_hash(appearance: Appearance) -> str:
    return _short_hash(_appearance_text(appearance))


def _appearance_text(appearance: Appearance) -> str:
    """What a page can show of a listing as one text (see :func:`_listing_text` and
    :func:`_appearance_fields`)."""
    return exact_text(*_appearance_fields(appearance))


def _appearance_fields(appearance: Appearance) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """What a page can show of a listing: its texts and its numbers. Not the digest file
    and line it was read from, which only messages name: the same digests read through
    another path (``--digests /abs/path`` one day, ``digests`` the next), or a line added
    to a digest's header, would otherwise render every page again
    (``tests/test_site_plan.py`` checks that no file shows them)."""
    return (appearance.title, appearance.abstract), (appearance.date.toordinal(), appearance.rank)


def _repr_hash(value: object) -> str:
    return _short_hash(repr(value))


def _short_hash(text: str) -> str:
    """A 24-digit hash of ``text``, standing for it in a render key (a digest's lone
    surrogates, as a JSON digest can hold them, included)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def plan_site(
    archive: Archive,
    site_name: str = "Digest Archive",
    site_url: str = urls.LOCAL_SITE_URL,
    code_hash: str | None = None,
) -> SitePlan:
    """Every file of the archive, rendered lazily: see :class:`SitePlan`.

    ``site_url`` is the public address of the site root (ending in "/"), for the feeds;
    ``code_hash`` is :func:`generator_code_hash`, if already worked out.
    """
    return SitePlan(archive, site_name, site_url, code_hash)


def render_site(
    archive: Archive, site_name: str = "Digest Archive", site_url: str = urls.LOCAL_SITE_URL
) -> dict[str, str | bytes]:
    """Render every file of the archive: ``{path inside site_src: content}``, sorted."""
    plan = plan_site(archive, site_name, site_url)
    return {path: plan[path] for path in plan}
