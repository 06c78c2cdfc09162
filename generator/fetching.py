"""``fetch`` and ``enrich``: the archive feeding itself from the Daily Papers API.

:func:`fetch` saves each day's listing as a structured digest ``DIR/YYYY-MM-DD.json``
(the raw items, every page, written atomically). :func:`enrich` looks up papers of text
digests by title and records what it found, or that it found nothing, in the metadata
cache. Both hold the project lock, so a build never reads a folder they are changing.
Builds read only the saved files: they never touch the network.

A day or a lookup that fails is reported and the others go on; the run then ends with
an :class:`ArchiveError` naming what failed, so the command exits non-zero.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .analysis.identity import build_archive
from .analysis.matching import best_match
from .config import Config
from .errors import ArchiveError, DigestError
from .folder_swap import write_atomically
from .pipeline import Reporter, RunOptions, holding_project, load_digests
from .site.escaping import count
from .sources.hf_api import ApiError, ApiSettings, DailyPapersApi, endpoint_from_environment
from .sources.hf_json import parse_json_digest
from .sources.metadata_cache import CachedLookup, cache_bytes, read_cache

# enrich stops after this many lookups in a row fail: the service is down, and every
# further lookup would only wait out its retries.
ENRICH_FAILURES_IN_A_ROW = 3


def api_client(config: Config, report: Reporter) -> DailyPapersApi:
    """A client of the API at ``HF_ENDPOINT`` with the project's ``fetch:`` settings;
    each retry is reported as a warning."""
    settings = config.fetch
    return DailyPapersApi(
        ApiSettings(
            endpoint=endpoint_from_environment(),
            timeout=settings.timeout,
            retries=settings.retries,
            first_wait=settings.first_wait,
            longest_wait=settings.longest_wait,
        ),
        on_retry=lambda what, why, wait, attempt: report.warning(
            f"{what}: {why}; trying again in {wait:g} s (retry {attempt} of {settings.retries})"
        ),
    )


def dates_to_fetch(
    today: dt.date,
    refresh_days: int,
    date: dt.date | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> tuple[list[dt.date], bool]:
    """The days a ``fetch`` reads, oldest first, and whether it reads saved days again.

    ``--date`` is one day, ``--since`` a range up to ``--until`` (default: today). With
    neither, the scheduled run: the last ``refresh_days`` days, saved ones read again so
    their votes settle.
    """
    if date is not None:
        return [date], False
    if since is not None:
        last = until or today
        if last < since:
            raise ArchiveError(f"--until {last.isoformat()} is before --since {since.isoformat()}")
        return [since + dt.timedelta(days=n) for n in range((last - since).days + 1)], False
    return [today - dt.timedelta(days=n) for n in range(refresh_days - 1, -1, -1)], True


@dataclass(frozen=True)
class FetchResult:
    """How many days were saved, left unchanged, skipped as already saved or empty, and
    which failed (with why)."""

    saved: int
    unchanged: int
    skipped: int
    empty: int
    failed: tuple[tuple[dt.date, str], ...]


def fetch(
    config: Config,
    dates: list[dt.date],
    refresh: bool,
    options: RunOptions,
    report: Reporter,
    api: DailyPapersApi | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
) -> FetchResult:
    """Save the listing of each of ``dates`` as ``<digests>/YYYY-MM-DD.json``.

    A day already saved is skipped unless ``refresh``; one read again is rewritten only
    if the API now says something else (new votes, say). A day with no papers writes
    nothing. Raises :class:`ArchiveError` after the last day if any day failed.
    """
    api = api or api_client(config, report)
    folder = config.digests
    saved = unchanged = skipped = empty = 0
    failed: list[tuple[dt.date, str]] = []
    with holding_project(config, "fetch", options, report):
        folder.mkdir(parents=True, exist_ok=True)
        for date in dates:
            path = folder / f"{date.isoformat()}.json"
            if path.exists() and not refresh:
                skipped += 1
                continue
            try:
                items = api.day(date)
            except ApiError as error:
                report.error(str(error))
                failed.append((date, str(error).removeprefix(f"{date.isoformat()}: ")))
                continue
            if not items:
                report.info(f"{date.isoformat()}: no papers listed; nothing written")
                empty += 1
                continue
            if path.exists() and _saved_items(path) == items:
                report.info(f"{date.isoformat()}: {count(len(items), 'paper')}, as saved before; unchanged")
                unchanged += 1
                continue
            data = digest_bytes(date, now(), items, api.settings.endpoint)
            try:
                digest = parse_json_digest(data, str(path))
            except DigestError as error:  # the API's answer is not a listing of papers
                report.error(str(error))
                failed.append((date, error.message))
                continue
            for problem in digest.problems:
                report.warning(problem)
            write_atomically(path, data)
            report.info(f"{date.isoformat()}: {count(len(items), 'paper')} saved in {path}")
            saved += 1
    result = FetchResult(saved, unchanged, skipped, empty, tuple(failed))
    if failed:
        days = ", ".join(f"{date.isoformat()} ({why})" for date, why in failed)
        others = len(dates) - len(failed)
        rest = f"; the other {count(others, 'day')} were fetched" if others else ""
        raise ArchiveError(f"{count(len(failed), 'day')} of {len(dates)} failed: {days}{rest}")
    return result


def digest_bytes(date: dt.date, fetched: dt.datetime, items: list[Any], endpoint: str) -> bytes:
    """A structured digest: the day, when it was read, and the API's items as given."""
    document = {
        "source": f"{endpoint}/api/daily_papers",
        "date": date.isoformat(),
        "fetched": fetched.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "items": items,
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _saved_items(path: Path) -> object:
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return document.get("items") if isinstance(document, dict) else document


@dataclass(frozen=True)
class EnrichResult:
    """Papers looked up, found, not found, failed, and left for a later run by ``limit``."""

    looked_up: int
    found: int
    missed: int
    failed: int
    left: int


def enrich(
    config: Config,
    options: RunOptions,
    report: Reporter,
    retry_misses: bool = False,
    limit: int | None = None,
    api: DailyPapersApi | None = None,
    today: dt.date | None = None,
) -> EnrichResult:
    """Look up, by title, each paper of the text digests that has no arXiv id and no
    record in the metadata cache (or only a miss, with ``retry_misses``), newest first,
    at most ``limit``; record each find or miss in the cache.

    Raises :class:`ArchiveError` if lookups failed (what was found is saved first).
    """
    api = api or api_client(config, report)
    today = today or dt.datetime.now(dt.timezone.utc).date()
    with holding_project(config, "enrich", options, report):
        loaded = load_digests(config.digests, config.year)
        for problem in loaded.problems:
            report.warning(f"{problem} (not looked up)")
        archive = build_archive(loaded.digests)
        lookups = read_cache(config.metadata_cache)
        wanted = [
            paper
            for paper in sorted(archive.papers.values(), key=lambda p: (-p.first_seen.toordinal(), p.key))
            if not paper.meta.arxiv_id
            and (paper.key not in lookups or (retry_misses and lookups[paper.key].paper is None))
        ]
        todo = wanted if limit is None else wanted[:limit]
        found = missed = failed = in_a_row = 0
        looked_up = 0
        for paper in todo:
            try:
                results = api.search(paper.title)
            except ApiError as error:
                report.error(str(error))
                failed += 1
                in_a_row += 1
                if in_a_row >= ENRICH_FAILURES_IN_A_ROW:
                    report.error(f"{count(in_a_row, 'lookup')} in a row failed: the API seems down; stopping")
                    break
                continue
            in_a_row = 0
            looked_up += 1
            match = best_match(paper, results)
            lookups[paper.key] = CachedLookup(paper.title, today, match)
            if match is None:
                missed += 1
            else:
                found += 1
        if looked_up:
            write_atomically(config.metadata_cache, cache_bytes(lookups))
    left = len(wanted) - looked_up
    result = EnrichResult(looked_up, found, missed, failed, left)
    if failed:
        raise ArchiveError(
            f"{count(failed, 'lookup')} failed; {found} found and {missed} not found were saved in"
            f" {config.metadata_cache}; run enrich again to retry"
        )
    return result
