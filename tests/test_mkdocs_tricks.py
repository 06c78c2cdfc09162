"""Every theme trick has an off switch in mkdocs.yml, and the archive never depends on them.

One site_src is generated from the ordinary and the hostile fixtures; it is then built
with the project's mkdocs.yml, with each trick switched off in turn, with all of them
off, and in plain mode: stock MkDocs + Material + Material's own search, no project
plugin and no theme override. Every build must show each paper's exact title and
abstract; each trick's mark must be there when it is on and gone when it is off.
"""

from __future__ import annotations

import filecmp
import gzip
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.mkdocs.theme import Tricks

from .helpers import FIXTURES, REPO, make_project, run_cli
from .test_build import paper_pages, raw_entries, soup

HOSTILE = FIXTURES / "hostile"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A project whose site_src holds the ordinary and hostile fixtures' pages."""
    project = make_project(tmp_path_factory.mktemp("tricks"))
    digests = project / "digests"
    shutil.copytree(FIXTURES / "archive", digests)
    for digest in HOSTILE.glob("*.txt"):
        shutil.copy(digest, digests / digest.name)
    result = run_cli("generate", "--digests", str(digests), "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture(scope="module")
def expected(generated) -> dict[str, str]:
    """Title -> abstract of every paper, as archive.json.gz has them; the hostile ones as
    the digest files have them, read without the project's parser."""
    data = json.loads(gzip.decompress((generated / "site_src" / "archive.json.gz").read_bytes()))
    entries = {paper["title"]: paper["abstract"] for paper in data["papers"]}
    hostile = {title: abstract for _, title, abstract in raw_entries(HOSTILE)}
    assert hostile.items() <= entries.items() and len(entries) > len(hostile)
    return entries


def mkdocs_build(project: Path, name: str, config: dict) -> Path:
    """``mkdocs build --strict`` of the project's site_src with ``config``; the site."""
    path = project / f"mkdocs-{name}.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    site = project / f"site-{name}"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(path), "--site-dir", str(site)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return site


def project_config(project: Path, **plugin_settings: object) -> dict:
    """The project's mkdocs.yml with ``plugin_settings`` for the digest-archive plugin
    (``search=None`` replaces digest-archive-search with Material's search)."""
    # site_url is an !ENV tag there: a plain value here.
    config = yaml.safe_load(re.sub(r"!ENV \[\w+, (\"[^\"]*\")\]", r"\1", (project / "mkdocs.yml").read_text()))
    search = plugin_settings.pop("search", "digest-archive-search")
    plugins = []
    for plugin in config["plugins"]:
        if plugin == "digest-archive-search":
            plugins.append(search or "search")
        elif plugin == "digest-archive":
            plugins.append({"digest-archive": plugin_settings} if plugin_settings else plugin)
        else:
            plugins.append(plugin)
    config["plugins"] = plugins
    config["site_url"] = "https://example.org/archive/"
    return config


def assert_exact_text(site: Path, expected: dict[str, str]) -> None:
    """Each paper page shows its title and abstract exactly as the digest gave them."""
    shown = {}
    for page in paper_pages(site):
        html = soup(page)
        shown[html.select_one("article h1").get_text()] = html.select_one(".da-abstract").get_text()
    assert shown == expected


def paper_page(site: Path) -> str:
    return paper_pages(site)[0].read_text()


# Each trick's mark in the built site: (site) -> True where the trick was played.
MARKS: dict[str, Callable[[Path], bool]] = {
    "stamp_frames": lambda site: True,  # same bytes either way: test_mkdocs_stamp compares the sites
    "pass_through_html": lambda site: True,  # same bytes either way: compared below
    "lean_html": lambda site: '<meta name="generator"' not in paper_page(site) and "\n    " not in paper_page(site),
    "sitemap": lambda site: "<lastmod>" not in (site / "sitemap.xml").read_text(),
    "chrome_script": lambda site: (
        (site / "assets/javascripts/archive-chrome.js").is_file() and "__md_scope" not in paper_page(site)
    ),
    "icon_sprite": lambda site: (
        (site / "assets/images/archive-icons.svg").is_file()
        and "<svg" in paper_page(site)
        and "<path" not in paper_page(site)
    ),
    "lean_sidebar": lambda site: 'data-md-type="toc"' not in paper_page(site),
    "credit_on_home_only": lambda site: "Material for MkDocs" not in paper_page(site),
    "no_top_button_on_papers": lambda site: "md-top" not in paper_page(site),
    "tabs_script_when_needed": lambda site: "__tabbed_" not in paper_page(site),
    "quick_exit": lambda site: True,  # only under digest-archive build, and the same site: tested there
    "fast_pages": lambda site: True,  # same bytes either way: compared below
    "early_files": lambda site: True,  # only under digest-archive build: test_mkdocs_early_files.py
    "frozen_heap": lambda site: True,  # same bytes either way: compared below; test_mkdocs_frozen_heap.py
}


@pytest.fixture(scope="module")
def default_site(generated) -> Path:
    return mkdocs_build(generated, "default", project_config(generated))


def test_every_trick_has_a_mark_to_check():
    assert set(MARKS) == set(Tricks.names())


@pytest.mark.parametrize("trick", Tricks.names())
def test_each_trick_switched_off_alone_leaves_a_complete_site_without_it(generated, expected, default_site, trick):
    site = mkdocs_build(generated, f"no-{trick}", project_config(generated, **{trick: False}))
    assert_exact_text(site, expected)
    assert MARKS[trick](default_site), f"{trick} is not played by default"
    if trick in ("pass_through_html", "fast_pages", "frozen_heap"):
        # Python-Markdown passes the generated HTML through, MkDocs' own Page methods
        # give the same dates and addresses, and collections free nothing the build
        # keeps: the same site, more slowly.
        comparison = filecmp.dircmp(default_site, site, ignore=["pagefind"])
        assert not comparison.diff_files and not comparison.left_only and not comparison.right_only
    elif trick not in ("stamp_frames", "quick_exit", "early_files"):
        assert not MARKS[trick](site), f"{trick} is still played when switched off"


def test_all_tricks_off_with_materials_own_search(generated, expected):
    settings = dict.fromkeys(Tricks.names(), False)
    site = mkdocs_build(generated, "all-off", project_config(generated, search=None, **settings))
    assert_exact_text(site, expected)
    for trick in ("lean_html", "sitemap", "chrome_script", "icon_sprite", "lean_sidebar", "credit_on_home_only"):
        assert not MARKS[trick](site), trick
    page = paper_page(site)
    assert 'class="md-search__input"' in page and '<script id="__config"' in page
    assert not (site / "pagefind").exists()
    index = (site / "search" / "search_index.json").read_text()
    assert "Robust Reward Models Resist Reward Hacking" in index  # Material's lunr index


def test_plain_mode_stock_mkdocs_and_material_without_any_project_plugin_or_override(generated, expected):
    config = project_config(generated)
    plain = {
        "site_name": config["site_name"],
        "site_url": config["site_url"],
        "docs_dir": str(generated / "site_src"),
        "theme": {"name": "material"},
        "plugins": ["search"],
        "nav": config["nav"],
        "validation": config["validation"],
    }
    site = mkdocs_build(generated, "plain", plain)
    assert_exact_text(site, expected)
    page = paper_page(site)
    assert "archive-chrome.js" not in page and "archive.css" not in page and not (site / "pagefind").exists()
    days = soup(site / "days" / "2025-01-02" / "index.html")
    assert len(days.select("li.da-entry")) == 4  # listings and their links are plain HTML


def test_the_search_plugin_refuses_to_run_without_its_partner_or_beside_materials(generated):
    config = project_config(generated)
    config["plugins"] = [p for p in config["plugins"] if p != "digest-archive"]
    path = generated / "mkdocs-alone.yml"
    assert "needs the digest-archive plugin" in failed_build(path, config, generated / "x")
    config = project_config(generated)
    config["plugins"].append("search")
    assert "list one of them" in failed_build(path, config, generated / "x")


def failed_build(path: Path, config: dict, site: Path) -> str:
    """The messages of ``mkdocs build`` with ``config`` written to ``path``, which must fail."""
    path.write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--config-file", str(path), "--site-dir", str(site)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    return result.stderr


def test_the_trick_map_documents_every_switch():
    readme = (REPO / "generator" / "mkdocs" / "README.md").read_text()
    for trick in Tricks.names():
        assert f"`{trick}`" in readme, trick
