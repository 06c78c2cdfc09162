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
  holds its whole index in memory while it works, about 110 KB a page: a site of more
  than :data:`PAGES_PER_INDEX` pages is indexed in parts (``pagefind/``,
  ``pagefind-2/``, ...: paper pages split by the first character of their URL, day
  and topic pages in the first part), one after the other, and the search worker
  merges them in the browser (Pagefind's ``mergeIndex``), listed in
  ``pagefind/archive-parts.json``;
* writes the empty ``search/search_index.json`` that Material's front end fetches on
  start-up before it hands over to the worker.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from ..lock import inherited_lock_fds
from ..site.urls import UNUSED_SEARCH_FILES, glob, static_prefix, url
from .pagefind_filters import PagefindFormatError, canonical_filters

log = get_plugin_logger("digest-archive")

# Pages per Pagefind run: some 2.2 GB of memory for the indexer.
PAGES_PER_INDEX = 20_000

WORKER_SOURCE = Path(__file__).parent / "archive-search.js"

# What Material's front end expects at search/search_index.json; the worker ignores it.
_MATERIAL_STUB_INDEX = {"config": {"lang": ["en"], "separator": r"[\s\-]+", "pipeline": []}, "docs": []}


class SearchConfig(Config):
    enabled = config_options.Type(bool, default=True)
    # Lower it if the indexer runs out of memory (about 110 KB a page).
    pages_per_index = config_options.Type(int, default=PAGES_PER_INDEX)


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

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        if self.config.enabled:
            files.append(File.generated(config, url("search_worker"), content=search_worker_script()))
        return files

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled:
            return
        site_dir = Path(config.site_dir)
        stub = site_dir / url("material_search_index")
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text(json.dumps(_MATERIAL_STUB_INDEX), encoding="utf-8")
        started = time.monotonic()
        parts = index_parts(site_dir, self.config.pages_per_index)
        pages = 0
        for folder, pattern in parts:
            pages += run_pagefind(site_dir, folder, pattern)
            drop_unused_ui(site_dir / folder)
            try:
                canonical_filters(site_dir / folder)
            except (PagefindFormatError, OSError, ValueError) as error:
                raise PluginError(f"could not make Pagefind's filter files deterministic: {error}") from None
        # Read by the search worker: the folders of the parts after the first.
        (site_dir / url("search_parts")).write_text(json.dumps([folder for folder, _ in parts[1:]]))
        log.info(
            f"search index: {pages} pages indexed by Pagefind in {time.monotonic() - started:.1f} s"
            f" ({len(parts)} part{'s' if len(parts) > 1 else ''})"
        )


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


def index_parts(site_dir: Path, pages_per_index: int = PAGES_PER_INDEX) -> list[tuple[str, str | None]]:
    """The Pagefind runs for ``site_dir``: (output folder, file glob or None for all).

    One run up to ``pages_per_index`` pages. Above, paper pages are split into runs of
    about equal size by the first character of their folder name, so a page's part
    depends on its own URL only; the first part also takes the day and topic pages.
    """
    papers = site_dir / static_prefix("paper")
    sections = Path(static_prefix("papers_section")).relative_to(static_prefix("paper")).parts[0]
    by_character = Counter(
        entry.name[0]
        for entry in (papers.iterdir() if papers.is_dir() else ())
        if entry.is_dir() and entry.name != sections
    )
    others = [glob("day") + "index.html", glob("tag") + "index.html", glob("tag_month") + "index.html"]
    total = sum(sum(1 for _ in site_dir.glob(pattern)) for pattern in others) + sum(by_character.values())
    count = math.ceil(total / pages_per_index)
    if count <= 1:
        return [(url("search_index"), None)]
    groups: list[list[str]] = [[]]
    filled = total - sum(by_character.values())
    for character in sorted(by_character):
        if filled >= total / count * len(groups) and len(groups) < count:
            groups.append([])
        groups[-1].append(character)
        filled += by_character[character]

    def papers_starting_with(characters: list[str]) -> str:
        return glob("paper", slug=f"[{''.join(characters)}]*") + "index.html"

    first = others + ([papers_starting_with(groups[0])] if groups[0] else [])
    globs = ["{" + ",".join(first) + "}"] + [papers_starting_with(group) for group in groups[1:]]
    return [
        (url("search_index") if n == 0 else url("search_index_part", number=n + 1), pattern)
        for n, pattern in enumerate(globs)
    ]


def run_pagefind(site_dir: Path, folder: str, pattern: str | None = None) -> int:
    """Index the pages of ``site_dir`` that the glob ``pattern`` matches (all if None)
    into ``site_dir/folder``; return the number of pages indexed."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", folder.rstrip("/")]
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
