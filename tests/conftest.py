"""Session fixtures: sites built once and read by several test modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import FIXTURES, SHARED_DIGESTS, build_project


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
