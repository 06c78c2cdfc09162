"""Session fixtures: sites built once and read by several test modules."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from .helpers import FIXTURES, REPO, SHARED_DIGESTS, build_project

sys.path.insert(0, str(REPO / "benchmarks"))
from search_probe import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Path:
    """The site built from tests/fixtures/archive."""
    return build_project(tmp_path_factory.mktemp("fixture-project"), FIXTURES / "archive")


@pytest.fixture(scope="session")
def shared_site(tmp_path_factory) -> Path:
    """The site built from ../shared/digests, the real sample digests, with --year 2025."""
    if not SHARED_DIGESTS.is_dir():
        pytest.skip(f"{SHARED_DIGESTS} not present (it sits beside the repo in CI)")
    return build_project(tmp_path_factory.mktemp("shared-project"), SHARED_DIGESTS, "--year", "2025")


def _browser_missing() -> str | None:
    if not shutil.which(CHROMIUM):
        return f"{CHROMIUM} not installed (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed"
    return None


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's) driven by Playwright. CI sets
    DIGEST_ARCHIVE_REQUIRE_BROWSER=1 (see .ci/run): there a missing browser fails the
    run instead of skipping the browser tests."""
    missing = _browser_missing()
    if missing:
        if os.environ.get("DIGEST_ARCHIVE_REQUIRE_BROWSER") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script (make test installs it from npm; AXE_CORE_JS names it)."""
    path = Path(os.environ.get("AXE_CORE_JS", REPO / ".cache/npm/node_modules/axe-core/axe.min.js"))
    if not path.is_absolute():
        path = REPO / path
    if not path.is_file():
        message = f"axe-core not found at {path} (make test installs it with npm)"
        if os.environ.get("DIGEST_ARCHIVE_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def fixture_base(fixture_site):
    """The address of the fixture site, served as `digest-archive serve` serves it."""
    from generator.preview import serving

    with serving(fixture_site) as base:
        yield base


@pytest.fixture(scope="session")
def shared_base(shared_site):
    """The address of the site of ../shared/digests, served."""
    from generator.preview import serving

    with serving(shared_site) as base:
        yield base
