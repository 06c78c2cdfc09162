"""Settings from archive.yml and mkdocs.yml."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import load_config
from generator.errors import ArchiveError

from .helpers import make_project


def test_defaults_come_from_mkdocs_yml(tmp_path, monkeypatch):
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.docs_dir == Path("site_src")
    assert config.site_dir == Path("site")
    assert config.digests == Path("digests")
    assert config.year is None
    assert config.site_name == "Digest Archive"


def test_archive_yml_paths_are_relative_to_its_folder(tmp_path):
    make_project(tmp_path)
    (tmp_path / "archive.yml").write_text("digests: incoming\nyear: 2024\n")
    config = load_config(tmp_path / "archive.yml")
    assert config.digests == tmp_path / "incoming"
    assert config.year == 2024
    assert config.docs_dir == tmp_path / "site_src"


def test_mkdocs_yml_with_python_tags_is_still_read(tmp_path):
    make_project(tmp_path)
    mkdocs = tmp_path / "mkdocs.yml"
    mkdocs.write_text(
        mkdocs.read_text()
        + "markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
    )
    (tmp_path / "archive.yml").write_text("{}\n")
    assert load_config(tmp_path / "archive.yml").docs_dir == tmp_path / "site_src"


@pytest.mark.parametrize(
    "content, message",
    [
        ("year: twenty\n", "'year' must be a year"),
        ("digest: x\n", "unknown setting"),
        ("- a list\n", "expected settings"),
        ("year: [\n", "not valid YAML"),
    ],
)
def test_bad_settings_are_clear_errors(tmp_path, content, message):
    make_project(tmp_path)
    (tmp_path / "archive.yml").write_text(content)
    with pytest.raises(ArchiveError, match=message):
        load_config(tmp_path / "archive.yml")


def test_missing_explicit_config_is_an_error(tmp_path):
    with pytest.raises(ArchiveError, match="not found"):
        load_config(tmp_path / "nope.yml")


@pytest.mark.parametrize(
    "setting, message",
    [
        ("year: 25\n", "'year' must be a year from 1900 to 2200"),
        ("year: true\n", "'year' must be a year from 1900 to 2200"),
    ],
)
def test_archive_yml_years_outside_the_range_are_errors(tmp_path, setting, message):
    make_project(tmp_path)
    (tmp_path / "archive.yml").write_text(setting)
    with pytest.raises(ArchiveError, match=message):
        load_config(tmp_path / "archive.yml")


def test_file_urls_are_refused_because_every_link_is_a_directory_url(tmp_path):
    make_project(tmp_path)
    (tmp_path / "mkdocs.yml").write_text(
        (tmp_path / "mkdocs.yml").read_text().replace("use_directory_urls: true", "use_directory_urls: false")
    )
    (tmp_path / "archive.yml").write_text("{}\n")
    with pytest.raises(ArchiveError, match="set use_directory_urls: true"):
        load_config(tmp_path / "archive.yml")
