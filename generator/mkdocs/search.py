"""MkDocs plugin ``digest-archive-search``: a Pagefind index behind Material's search box.

Material's own search plugin writes one JSON index of the whole site, which every reader
downloads before the first result: about 2 KB a paper, 100 MB at 50,000 papers. Pagefind
splits its index into chunks and a query fetches only the chunks and result fragments it
needs. Material's search box talks to a web worker whose URL it reads from the page
configuration, so the archive keeps Material's box and result list and only swaps the
worker (``theme_overrides/assets/javascripts/archive-search.js``) for one that asks
Pagefind. This plugin, used instead of Material's ``search`` plugin,

* runs the Pagefind indexer on the built site (pages mark what is indexed with
  ``data-pagefind-body`` and ``data-pagefind-ignore``; see the page templates). Pagefind
  holds its whole index in memory while it works, about 110 KB a page, so a large site
  is indexed in parts (``pagefind/``, ``pagefind-2/``, ...) of at most
  :data:`PAGES_PER_INDEX` pages, one after the other, and the search worker merges them
  in the browser (Pagefind's ``mergeIndex``), listed in ``pagefind/archive-parts.json``.
  From :data:`RECENT_PART_FROM` indexed pages, the pages of the newest week are the first
  part, the rest of the newest month the second, and the older months are packed, in
  order, into runs (the generator lists the pages by month in site_src,
  :func:`generator.site.plan`): a new day then changes the first part only, a Monday the
  first two, a new month the last run, and in an incremental build
  (:mod:`.incremental`) a part whose pages index as before is kept as it is instead of
  being indexed again. The runs go on a thread
  (:class:`BackgroundIndexing`) while the digest-archive plugin writes the sitemap and
  sweeps the rest of the site; it records the state once they are done;
* writes the empty ``search/search_index.json`` that Material's front end fetches on
  start-up before it hands over to the worker.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files

from ..folder_swap import link_or_copy
from ..lock import inherited_lock_fds
from ..site.urls import UNUSED_SEARCH_FILES, glob, url
from .incremental import IncrementalBuild, write_new
from .pagefind_filters import PagefindFormatError, canonical_filters

log = get_plugin_logger("digest-archive")

# Pages per Pagefind run: some 2.2 GB of memory for the indexer.
PAGES_PER_INDEX = 20_000
# Indexed pages from which the newest week and month are parts of their own: below,
# re-indexing the whole site takes about as long as a part would, and one part means
# fewer fetches.
RECENT_PART_FROM = 5_000

# The pages Pagefind indexes (the others carry no data-pagefind-body): built paths.
_INDEXED_KINDS = ("day", "paper", "tag", "tag_month")

WORKER_SOURCE = Path(__file__).parent / "archive-search.js"

# What Material's front end expects at search/search_index.json; the worker ignores it.
_MATERIAL_STUB_INDEX = {"config": {"lang": ["en"], "separator": r"[\s\-]+", "pipeline": []}, "docs": []}


class SearchConfig(Config):
    enabled = config_options.Type(bool, default=True)
    # Lower it if the indexer runs out of memory (about 110 KB a page).
    pages_per_index = config_options.Type(int, default=PAGES_PER_INDEX)
    recent_part_from = config_options.Type(int, default=RECENT_PART_FROM)


class SearchPlugin(BasePlugin[SearchConfig]):
    """Adds the search worker to the site and indexes the built site with Pagefind."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.config.enabled:
            if "digest-archive" not in config.plugins:
                raise PluginError(
                    "digest-archive-search needs the digest-archive plugin, which puts its search box"
                    " and worker into Material's pages: list both under plugins in mkdocs.yml"
                )
            if "material/search" in config.plugins:
                raise PluginError(
                    "digest-archive-search and Material's search plugin both answer the search box:"
                    " list one of them under plugins in mkdocs.yml"
                )
        return config

    # Before the digest-archive plugin's, whatever their order in mkdocs.yml: it sweeps the
    # site while Pagefind writes the folders claimed here, then records the build's state.
    @event_priority(50)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled:
            return
        site_dir = Path(config.site_dir)
        builder: IncrementalBuild | None = getattr(config.plugins.get("digest-archive"), "incremental_build", None)
        write_new(site_dir / url("material_search_index"), json.dumps(_MATERIAL_STUB_INDEX))
        started = time.monotonic()
        pages = self._indexed_pages()
        listed = read_months(Path(config.docs_dir))
        parts = index_parts(
            pages, listed.months, self.config.pages_per_index, self.config.recent_part_from, listed.newest_week
        )
        kept = 0
        runs: list[tuple[str, list[str]]] = []
        for folder, members in parts:
            key = part_key(members, builder)
            if builder is not None:
                builder.claim_folder(folder)
                builder.state.search_parts[folder] = key or ""
                previous = builder.previous.search_parts.get(folder) if builder.previous else None
                if key and key == previous and (site_dir / folder / url("search_entry")).is_file():
                    kept += len(members)
                    continue
            shutil.rmtree(site_dir / folder, ignore_errors=True)  # old files may be links into the last site
            runs.append((folder, members))
        # Read by the search worker: the folders of the parts after the first. It is in the
        # first part's folder: written after Pagefind when that part is indexed again.
        list_parts = functools.partial(
            write_new, site_dir / url("search_parts"), json.dumps([folder for folder, _ in parts[1:]])
        )
        then: Callable[[], None] | None = None
        if any(folder == parts[0][0] for folder, _ in runs):
            then = list_parts
        else:
            list_parts()
        indexing = BackgroundIndexing(site_dir, runs, started, kept, len(parts), then=then)
        if builder is not None:
            builder.claim(url("material_search_index"))
            # The rest of the site is swept while Pagefind writes these folders.
            builder.writing_meanwhile([folder for folder, _ in runs], indexing.finish)
        else:
            indexing.finish()

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        if self.config.enabled:
            files.append(File.generated(config, url("search_worker"), content=search_worker_script()))
        self._files = files
        return files

    def _indexed_pages(self) -> list[str]:
        dests = [file.dest_uri for file in self._files.documentation_pages()]
        # A site of other pages than the archive's (none marks what Pagefind indexes):
        # every page, as Pagefind indexes such a site.
        return indexed_pages(dests) or sorted(dests)


def drop_unused_ui(index_dir: Path) -> None:
    """Remove Pagefind's search interfaces from an index folder it has just written."""
    for name in UNUSED_SEARCH_FILES:
        (index_dir / name).unlink(missing_ok=True)


def search_worker_script() -> str:
    """The search worker (archive-search.js) with the paths it reads from the URL table:
    the site root seen from the worker's folder, the first index and the list of parts."""
    paths = {
        "root": "../" * url("search_worker").count("/"),
        "index": url("search_index"),
        "parts": url("search_parts"),
    }
    source = WORKER_SOURCE.read_text(encoding="utf-8")
    strict = '"use strict";\n'
    assert strict in source, "the worker runs in strict mode"
    return source.replace(strict, f"{strict}\nconst ARCHIVE_PATHS = {json.dumps(paths)};\n", 1)


def indexed_pages(dests: Iterable[str]) -> list[str]:
    """The built pages among ``dests`` that Pagefind indexes (day, paper, topic and
    topic-month pages), sorted."""
    patterns = [re.escape(glob(kind) + "index.html").replace(r"\*", "[^/]+") for kind in _INDEXED_KINDS]
    matcher = re.compile("|".join(f"(?:{pattern})" for pattern in patterns))
    return sorted(dest for dest in dests if matcher.fullmatch(dest))


@dataclass(frozen=True)
class SearchMonths:
    """The built paths of the indexed pages by month, oldest month first, and those of
    the newest month that its newest week can change, as the generator listed them."""

    months: list[list[str]]
    newest_week: list[str]


def read_months(docs_dir: Path) -> SearchMonths:
    """What the generator listed (nothing when it did not: every page is then in the runs
    of sorted paths; no newest week: the newest month is one part)."""
    try:
        document = json.loads((docs_dir / url("search_months")).read_text(encoding="utf-8"))
        months = [[str(page) for page in pages] for _, pages in document["months"]]
        return SearchMonths(months, [str(page) for page in document.get("newest_week", [])])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return SearchMonths([], [])


def index_parts(
    pages: Sequence[str],
    months: Sequence[Collection[str]] = (),
    pages_per_index: int = PAGES_PER_INDEX,
    recent_part_from: int = RECENT_PART_FROM,
    newest_week: Collection[str] = (),
) -> list[tuple[str, list[str]]]:
    """The Pagefind runs for the indexed ``pages``: (output folder, the pages it indexes).

    ``months`` are the pages about each month, oldest first, and ``newest_week`` those of
    the newest month that a day of its newest week can change (:func:`read_months`).
    Below ``recent_part_from`` pages, or without ``months``, the pages are split into runs
    of at most ``pages_per_index`` sorted paths, of about equal size, in ``pagefind/``,
    ``pagefind-2/``, ... From ``recent_part_from`` pages:

    * the newest month's pages of its newest week are the first part, ``pagefind/``; the
      rest of the newest month is ``pagefind-2/`` (none when it has no pages: the month
      began this week, or the week is not listed);
    * the older months are packed in order into runs of at most ``pages_per_index``
      pages, from ``pagefind-3/`` on: a run is closed when the next month does not fit (a
      month larger than a run is split by sorted paths). A new month thus joins the last
      run or starts one, and the runs before stay as they were;
    * pages in no month come last, in runs of sorted paths.

    Which part a page is in depends only on the site, never on the builds before.
    """
    pages = sorted(pages)
    if len(pages) < recent_part_from or not months:
        numbered = list(enumerate(_even_runs(pages, pages_per_index) or [[]], start=1))
    else:
        # Sets made once: a membership test per page, 50,000 pages and more.
        remaining = set(pages)
        newest = _taken(months[-1], remaining)
        in_week = set(newest_week)
        week = [page for page in newest if page in in_week]
        before_week = [page for page in newest if page not in in_week]
        if not week:  # no week listed: the newest month is the first part
            week, before_week = before_week, []
        runs: list[list[str]] = []
        run: list[str] = []
        for month in months[:-1]:
            members = _taken(month, remaining)
            if run and len(run) + len(members) > pages_per_index:
                runs.append(run)
                run = []
            while len(run) + len(members) > pages_per_index:
                runs.append(members[:pages_per_index])
                members = members[pages_per_index:]
            run += members
        if run:
            runs.append(run)
        runs += _even_runs([page for page in pages if page in remaining], pages_per_index)
        # The runs' numbers do not depend on whether the newest month has a part before
        # its newest week: a run keeps its folder, and so its index, from day to day.
        # The first part is always there: the search worker starts from it.
        numbered = [
            (number, sorted(group))
            for number, group in [(1, week), (2, before_week), *enumerate(runs, start=3)]
            if group or number == 1
        ]
    return [
        (url("search_index") if number == 1 else url("search_index_part", number=number), group)
        for number, group in numbered
    ]


def _taken(month: Collection[str], remaining: set[str]) -> list[str]:
    """The pages of ``month`` still in ``remaining``, sorted, taken out of it."""
    members = sorted(page for page in month if page in remaining)
    remaining.difference_update(members)
    return members


def _even_runs(pages: list[str], pages_per_index: int) -> list[list[str]]:
    """``pages`` in runs of at most ``pages_per_index``, of about equal size (none if empty)."""
    count = math.ceil(len(pages) / pages_per_index)
    return [pages[len(pages) * n // count : len(pages) * (n + 1) // count] for n in range(count)]


def part_key(pages: Sequence[str], builder: IncrementalBuild | None) -> str | None:
    """A hash of a part's pages and what Pagefind reads from each; None when a page's is
    unknown (the part is then indexed)."""
    if builder is None:
        return None
    digest = hashlib.sha256()
    for page in pages:
        fingerprint = builder.indexed_fingerprint(page)
        if fingerprint is None:
            return None
        digest.update(f"{page}\t{fingerprint}\n".encode())
    return digest.hexdigest()


class BackgroundIndexing:
    """The Pagefind runs of a build, one part after the other, on a thread of their own:
    they are seconds of a subprocess's work, during which the digest-archive plugin
    writes the sitemap and sweeps the rest of the site (:meth:`IncrementalBuild.sweep`)."""

    def __init__(
        self,
        site_dir: Path,
        runs: Sequence[tuple[str, Sequence[str]]],
        started: float,
        kept: int,
        parts: int,
        then: Callable[[], None] | None = None,
    ):
        self._site_dir = site_dir
        self._runs = list(runs)
        self._then = then
        self._started, self._kept, self._parts = started, kept, parts
        self._indexed = 0
        self._error: BaseException | None = None
        self._done = False
        self._thread = threading.Thread(target=self._index, name="pagefind", daemon=False)
        self._thread.start()

    def _index(self) -> None:
        try:
            for folder, members in self._runs:
                self._indexed += index_part(self._site_dir, folder, members)
            if self._then is not None:
                self._then()
        except BaseException as error:  # noqa: BLE001 - raised again by finish, in the build's thread
            self._error = error

    def finish(self) -> None:
        """Wait for the runs; raise the error of one that failed (once)."""
        self._thread.join()
        if self._done:
            return
        self._done = True
        if self._error is not None:
            raise self._error
        log.info(
            f"search index: {self._indexed} pages indexed by Pagefind in {time.monotonic() - self._started:.1f} s"
            f" ({self._parts} part{'s' if self._parts > 1 else ''}"
            + (f"; {self._kept} pages in parts that index as before, kept" if self._kept else "")
            + ")"
        )


def index_part(site_dir: Path, folder: str, pages: Sequence[str]) -> int:
    """Index one part into ``site_dir/folder`` (see :func:`run_pagefind_on`), without
    Pagefind's search interfaces and with its filter files made deterministic; return the
    number of pages indexed."""
    indexed = run_pagefind_on(site_dir, folder, pages)
    drop_unused_ui(site_dir / folder)
    try:
        canonical_filters(site_dir / folder)
    except (PagefindFormatError, OSError, ValueError) as error:
        raise PluginError(f"could not make Pagefind's filter files deterministic: {error}") from None
    return indexed


def run_pagefind_on(site_dir: Path, folder: str, pages: Sequence[str]) -> int:
    """Index ``pages`` of ``site_dir`` into ``site_dir/folder``: Pagefind reads them from
    a folder of hard links to exactly those pages (its globs cannot list pages)."""
    prefix = f".{site_dir.name}.pagefind-"
    for left in site_dir.parent.glob(prefix + "*"):  # by a run that was killed (runs never overlap)
        shutil.rmtree(left, ignore_errors=True)
    farm = Path(tempfile.mkdtemp(prefix=prefix, dir=site_dir.parent))
    try:
        for page in pages:
            target = farm / page
            target.parent.mkdir(parents=True, exist_ok=True)
            link_or_copy(site_dir / page, target)
        return run_pagefind(farm, str(site_dir / folder), output_path=True)
    finally:
        shutil.rmtree(farm, ignore_errors=True)


@functools.cache
def pagefind_command() -> tuple[str, ...]:
    """How to start Pagefind: its executable, found as the ``pagefind`` package's
    ``python -m pagefind`` finds it (``PAGEFIND_BINARY_PATH``, then the executable of
    ``pagefind_bin_extended`` or ``pagefind_bin``, through their documented
    ``get_executable``), else that command itself. Started directly, each run saves the
    start of a Python process that only finds and runs it (0.06 to 0.16 s a run; a build
    has one to five runs)."""
    configured = os.environ.get("PAGEFIND_BINARY_PATH")
    if configured:
        return (configured,)
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            executable = importlib.import_module(package).get_executable()
        except (ImportError, OSError, AttributeError):
            continue
        return (str(Path(executable).absolute()),)
    return (sys.executable, "-m", "pagefind")


def run_pagefind(site_dir: Path, folder: str, pattern: str | None = None, output_path: bool = False) -> int:
    """Index the pages of ``site_dir`` that the glob ``pattern`` matches (all if None)
    into ``site_dir/folder`` (into ``folder`` itself with ``output_path``); return the
    number of pages indexed."""
    output = ["--output-path", folder] if output_path else ["--output-subdir", folder.rstrip("/")]
    command = [*pagefind_command(), "--site", str(site_dir), *output]
    if pattern is not None:
        command += ["--glob", pattern]
    try:
        # The project lock goes with it: a run's lock is held until its last process ends.
        result = subprocess.run(command, capture_output=True, text=True, check=False, pass_fds=inherited_lock_fds())
    except OSError as error:
        raise PluginError(f"could not run Pagefind ({error}); is the pagefind[bin] package installed?") from None
    if result.returncode != 0:
        raise PluginError(f"Pagefind failed (exit {result.returncode}):\n{result.stderr or result.stdout}")
    for line in result.stdout.splitlines():
        words = line.split()
        if words[:1] == ["Indexed"] and words[2:3] in (["page"], ["pages"]):
            return int(words[1])
    raise PluginError(f"Pagefind printed no page count:\n{result.stdout}")
