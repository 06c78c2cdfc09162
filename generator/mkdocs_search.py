"""MkDocs plugin ``digest-archive-search``: a Pagefind index behind Material's search box.

Material's own search plugin writes one JSON index of the whole site, which every reader
downloads before the first result: about 2 KB a paper, 100 MB at 50,000 papers. Pagefind
splits its index into chunks and a query fetches only the chunks and result fragments it
needs. Material's search box talks to a web worker whose URL it reads from the page
configuration, so the archive keeps Material's box and result list and only swaps the
worker (``theme_overrides/assets/javascripts/archive-search.js``) for one that asks
Pagefind. This plugin, used instead of Material's ``search`` plugin,

* runs the Pagefind indexer on the built site (pages mark what is indexed with
  ``data-pagefind-body`` and ``data-pagefind-ignore``; see the page templates);
* writes the empty ``search/search_index.json`` that Material's front end fetches on
  start-up before it hands over to the worker.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger

log = get_plugin_logger("digest-archive")

PAGEFIND_FOLDER = "pagefind"

# What Material's front end expects at search/search_index.json; the worker ignores it.
_MATERIAL_STUB_INDEX = {"config": {"lang": ["en"], "separator": r"[\s\-]+", "pipeline": []}, "docs": []}


class SearchConfig(Config):
    enabled = config_options.Type(bool, default=True)


class SearchPlugin(BasePlugin[SearchConfig]):
    """Indexes the built site with Pagefind after every build."""

    def on_post_build(self, *, config) -> None:
        if not self.config.enabled:
            return
        site_dir = Path(config.site_dir)
        stub = site_dir / "search" / "search_index.json"
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text(json.dumps(_MATERIAL_STUB_INDEX), encoding="utf-8")
        started = time.monotonic()
        pages = run_pagefind(site_dir)
        log.info(f"search index: {pages} pages indexed by Pagefind in {time.monotonic() - started:.1f} s")


def run_pagefind(site_dir: Path) -> int:
    """Index ``site_dir`` into ``site_dir/pagefind``; return the number of pages indexed."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", PAGEFIND_FOLDER]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        raise PluginError(f"could not run Pagefind ({error}); is the pagefind[bin] package installed?") from None
    if result.returncode != 0:
        raise PluginError(f"Pagefind failed (exit {result.returncode}):\n{result.stderr or result.stdout}")
    for line in result.stdout.splitlines():
        words = line.split()
        if words[:1] == ["Indexed"] and words[2:3] == ["pages"]:
            return int(words[1])
    raise PluginError(f"Pagefind printed no page count:\n{result.stdout}")
