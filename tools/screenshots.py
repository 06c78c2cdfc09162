"""Take the README's screenshots of a built archive in headless Chromium.

    .venv/bin/python tools/screenshots.py --site site --out screenshots

Serves the site on localhost and saves home.png, days.png (the calendar), day.png (the
latest day), paper.png (the first paper of that day), tag.png (that paper's first topic)
and reading.png (the reading list, with the latest day's first three papers starred),
1280 x 800, in the light palette. Needs Debian's Chromium (apt-get install chromium) and Playwright (a test
dependency).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from search_probe import CHROMIUM, CHROMIUM_ARGS, serving  # noqa: E402

VIEWPORT = {"width": 1280, "height": 800}
SHOTS = ("home", "days", "day", "paper", "tag", "reading")


def take_screenshots(site: Path, out: Path, browser=None) -> list[Path]:
    """Save the screenshots of ``site`` into ``out``; return their paths.

    ``browser`` is a Playwright browser to use; by default Chromium is started for this.
    """
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return take_screenshots(site, out, chromium)
            finally:
                chromium.close()
    out.mkdir(parents=True, exist_ok=True)
    latest_day = sorted(path.parent.name for path in (site / "days").glob("2*/index.html"))[-1]
    saved = []
    with serving(site) as base:
        page = browser.new_page(viewport=VIEWPORT, color_scheme="light")
        addresses = {"home": base, "days": f"{base}days/", "day": f"{base}days/{latest_day}/"}
        addresses["reading"] = f"{base}reading-list/"
        page.goto(addresses["day"], wait_until="load")
        stars = page.locator("li.da-entry .da-tools .da-star")
        for number in range(min(3, stars.count())):
            stars.nth(number).click()
        addresses["paper"] = page.locator(".da-entry-title a").first.evaluate("a => a.href")
        page.goto(addresses["paper"])
        tag = page.locator("article .da-tags > a").first
        addresses["tag"] = tag.evaluate("a => a.href") if tag.count() else f"{base}tags/"
        for name in SHOTS:
            page.goto(addresses[name], wait_until="load")
            if name == "reading":
                page.wait_for_selector("#da-reading-list li.da-entry")
            path = out / f"{name}.png"
            page.screenshot(path=str(path))
            saved.append(path)
        page.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("site"), help="the built site (default: site)")
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="where the PNGs go")
    args = parser.parse_args()
    for path in take_screenshots(args.site, args.out):
        print(path)


if __name__ == "__main__":
    main()
