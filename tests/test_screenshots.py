"""The README's screenshots: the tool takes them in headless Chromium, the README shows them."""

from __future__ import annotations

import re
import struct
import sys

from .helpers import REPO

sys.path.insert(0, str(REPO / "tools"))
from screenshots import SHOTS, VIEWPORT, take_screenshots  # noqa: E402


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_tool_takes_distinct_full_size_screenshots_of_each_kind(fixture_site, tmp_path, browser):
    saved = take_screenshots(fixture_site, tmp_path, browser)
    images = [path.read_bytes() for path in saved]
    assert [path.name for path in saved] == [f"{name}.png" for name in SHOTS]
    for data in images:
        assert png_size(data) == (VIEWPORT["width"], VIEWPORT["height"])
        assert len(data) > 20_000  # a page, not a blank image (a blank 1280x800 PNG is ~4 KB)
    assert len(set(images)) == len(images)


def test_readme_shows_every_screenshot_and_they_are_committed():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"!\[[^\]]+\]\((screenshots/[a-z]+\.png)\)", readme)
    assert sorted(shown) == sorted(f"screenshots/{name}.png" for name in SHOTS)
    for path in shown:
        assert png_size((REPO / path).read_bytes()) == (VIEWPORT["width"], VIEWPORT["height"])
