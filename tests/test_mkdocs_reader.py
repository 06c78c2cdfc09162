"""The reader's script gets the site paths it needs from the plugin (generator/mkdocs/reader.py)."""

from __future__ import annotations

import json
import re

import pytest

from generator.mkdocs.reader import PLACEHOLDER, reader_paths, reader_script
from generator.site.urls import url

from .helpers import REPO

SOURCE = REPO / "theme_overrides" / url("reader_script")


def test_the_placeholder_line_becomes_the_paths_once():
    source = "// head\n" + PLACEHOLDER + "\n(function () {})();\n"
    result = reader_script(source, search_filters=True)
    (line,) = [line for line in result.splitlines() if line.startswith("var ARCHIVE_READER_PATHS")]
    paths = json.loads(line.removeprefix("var ARCHIVE_READER_PATHS = ").removesuffix(";"))
    assert paths == reader_paths(True) and paths["filters"] == url("search_filters")
    assert reader_paths(False)["filters"] is None
    with pytest.raises(ValueError, match="ARCHIVE_READER_PATHS"):
        reader_script("(function () {})();", search_filters=True)


def test_the_projects_script_has_the_placeholder_and_the_built_one_has_the_paths(fixture_site):
    assert PLACEHOLDER in SOURCE.read_text()
    built = (fixture_site / url("reader_script")).read_text()
    assert PLACEHOLDER not in built
    (value,) = re.findall(r"^var ARCHIVE_READER_PATHS = (.*);$", built, re.M)
    assert json.loads(value) == reader_paths(True)
    # Every page loads it without attributes: the paths are in the script, not the pages.
    day = next((fixture_site / "days").glob("*/index.html")).read_text()
    assert re.search(r'<script src="\.\./\.\./assets/javascripts/archive-reader\.js" defer>', day)
