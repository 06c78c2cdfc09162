"""The reader's script (``theme_overrides/assets/javascripts/archive-reader.js``) given
the site paths it needs from the URL table.

The script is a static file of the project's theme. Paths written into every page (a
data attribute on its script tag) would cost some 100 bytes on each of 50,000 paper
pages; instead the plugin replaces the script's placeholder line with the paths once,
when MkDocs collects the site's files. Without the plugin (plain Material) the script
keeps its placeholder and the tools that need a path (the search filters, the tabs to
the reading list and /for-you/) stay off.
"""

from __future__ import annotations

import json

from ..site.urls import url

PLACEHOLDER = "var ARCHIVE_READER_PATHS = null;"


def reader_paths(search_filters: bool) -> dict[str, str | None]:
    """The paths the script reads: its own (to find the site root from its address), the
    reader's pages, and the search filters' choices when the archive's search is on."""
    return {
        "script": url("reader_script"),
        "readingList": url("reading_list"),
        "forYou": url("for_you"),
        "filters": url("search_filters") if search_filters else None,
    }


def reader_script(source: str, search_filters: bool) -> str:
    """``source`` with its placeholder line replaced by the paths."""
    if PLACEHOLDER not in source:
        raise ValueError(f"the reader script has no line {PLACEHOLDER!r} for the site paths")
    return source.replace(PLACEHOLDER, f"var ARCHIVE_READER_PATHS = {json.dumps(reader_paths(search_filters))};", 1)
