"""The incremental build leaves the site a fresh full build of the same inputs would.

One project is built over and over as its digests, taxonomy, theme and settings change,
the way a daily job builds an archive; after each change, a second project is built from
scratch from the same inputs, and the two sites must be equal file for file, byte for
byte. The search index is in several parts (the newest month apart), as on a large
archive. A damaged or stale cache (the build state, the last site) costs a full build,
never a wrong site.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.mkdocs.build import state_file
from generator.mkdocs.incremental import index_fingerprint, read_state

from .helpers import REPO, Recorder, make_project, run_cli

sys.path.insert(0, str(REPO / "benchmarks"))
from synth import write_archive  # noqa: E402

# Small index parts, the newest month apart: what a 50,000-paper archive does.
SEARCH_SETTINGS = "  - digest-archive-search:\n      pages_per_index: 150\n      recent_part_from: 1\n"


def site_files(site: Path) -> dict[str, str]:
    return {
        path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def differences(first: dict[str, str], second: dict[str, str]) -> list[str]:
    return sorted(path for path in set(first) | set(second) if first.get(path) != second.get(path))


class Archive:
    """A project built the way the daily job builds it."""

    def __init__(self, root: Path, digests: Path) -> None:
        self.root = make_project(root)
        config = self.root / "mkdocs.yml"
        config.write_text(config.read_text().replace("  - digest-archive-search\n", SEARCH_SETTINGS))
        self.digests = digests

    def build(self, *extra: str) -> str:
        result = run_cli("build", "--digests", str(self.digests), "--strict", *extra, cwd=self.root)
        assert result.returncode == 0, result.stderr
        return result.stderr

    def fresh_copy(self, root: Path) -> Path:
        """The same inputs in a new project, built in full: the site to compare with."""
        shutil.copytree(self.root, root, ignore=shutil.ignore_patterns("site", "site_src", ".*"))
        shutil.copytree(self.digests, root / "digests-copy")
        result = run_cli("build", "--digests", str(root / "digests-copy"), "--strict", cwd=root)
        assert result.returncode == 0, result.stderr
        assert "incremental build" not in result.stderr
        return root / "site"


@pytest.fixture(scope="module")
def held_back(tmp_path_factory):
    """A synthetic archive over two months, with the newest digest and an older one
    held back to be added later."""
    folder = tmp_path_factory.mktemp("digests")
    write_archive(260, folder, start=dt.date(2022, 1, 29))  # to Feb 3
    digests = sorted(folder.glob("*.txt"))
    aside = tmp_path_factory.mktemp("aside")
    newest, older = digests[-1], digests[2]
    for digest in (newest, older):
        shutil.move(digest, aside / digest.name)
    return folder, aside / newest.name, aside / older.name


def assert_same_as_fresh(archive: Archive, tmp_path: Path, name: str) -> None:
    fresh = archive.fresh_copy(tmp_path / name)
    incremental, full = site_files(archive.root / "site"), site_files(fresh)
    assert differences(incremental, full) == [], name


def test_every_change_in_a_daily_sequence_leaves_the_site_a_full_build_leaves(held_back, tmp_path):
    digests, newest, older = held_back
    archive = Archive(tmp_path / "daily", digests)
    log = archive.build()
    assert "incremental build" not in log  # no earlier site: a full build

    # The day's digest arrives: only its part of the search index is made again.
    shutil.copy(newest, digests / newest.name)
    log = archive.build()
    assert "incremental build:" in log and "kept" in log, log
    assert "site built in site from the last one" in log
    assert_same_as_fresh(archive, tmp_path, "newest")

    # A digest of an earlier day turns up.
    shutil.copy(older, digests / older.name)
    log = archive.build()
    assert "incremental build:" in log, log
    assert_same_as_fresh(archive, tmp_path, "older")

    # An abstract is corrected.
    digest = sorted(digests.glob("*.txt"))[1]
    text = digest.read_text(encoding="utf-8")
    paragraphs = text.split("\n\n")
    abstract = next(n for n, p in enumerate(paragraphs) if len(p) > 300)
    paragraphs[abstract] = paragraphs[abstract].replace(" ", "  ", 1) + " Corrected."
    digest.write_text("\n\n".join(paragraphs), encoding="utf-8")
    log = archive.build()
    assert "incremental build:" in log, log
    assert_same_as_fresh(archive, tmp_path, "abstract")

    # The taxonomy changes: pages change, the build stays incremental.
    taxonomy = archive.root / "taxonomy.yml"
    taxonomy.write_text(taxonomy.read_text(encoding="utf-8").replace("unlearning", "forgetting"), encoding="utf-8")
    log = archive.build()
    assert "incremental build:" in log, log
    assert_same_as_fresh(archive, tmp_path, "taxonomy")

    # A template of the theme changes: every page may change, so the build is a full one.
    template = archive.root / "theme_overrides" / "main.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n{# edited #}\n", encoding="utf-8")
    log = archive.build()
    assert "does not fit" in log and "incremental build:" not in log, log
    assert "from the last one" not in log
    assert_same_as_fresh(archive, tmp_path, "template")

    # So does mkdocs.yml.
    config = archive.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("A browsable", "A browsable and"), encoding="utf-8")
    log = archive.build()
    assert "does not fit" in log, log
    assert_same_as_fresh(archive, tmp_path, "mkdocs.yml")

    # Nothing changed: the build keeps every page and every index part.
    log = archive.build()
    assert "incremental build: 0 of" in log and "0 pages indexed by Pagefind" in log, log


def test_a_new_month_indexes_only_the_newest_part_and_the_last_run(tmp_path):
    """On the first day of a month the month before joins the runs of older months: the
    runs before it are kept, and the site is still the one a full build makes."""
    digests = tmp_path / "digests"
    write_archive(1700, digests, start=dt.date(2021, 12, 31))
    kept = {"2021-12-31.txt", "2022-01-01.txt", "2022-02-01.txt"}
    for digest in digests.glob("*.txt"):
        if digest.name not in kept:
            digest.unlink()
    assert sorted(path.name for path in digests.glob("*.txt")) == sorted(kept)
    first_of_february = digests / "2022-02-01.txt"
    aside = tmp_path / "2022-02-01.txt"
    shutil.move(first_of_february, aside)
    archive = Archive(tmp_path / "daily", digests)
    # A run holds one month of this archive (about 50 papers and their topic months).
    config = archive.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("pages_per_index: 150", "pages_per_index: 100"))
    log = archive.build()
    assert "(2 parts)" in log, log  # January (the newest month), December
    shutil.move(aside, first_of_february)
    log = archive.build()
    # February, December (kept: the same pages, indexed as before), January (new).
    assert "(3 parts; " in log and "kept)" in log, log
    assert_same_as_fresh(archive, tmp_path, "new-month")


@pytest.fixture()
def built(held_back, tmp_path):
    digests, newest, _ = held_back
    archive = Archive(tmp_path / "archive", digests)
    archive.build()
    shutil.copy(newest, digests / newest.name)
    yield archive
    (digests / newest.name).unlink()


def test_a_damaged_state_costs_a_full_build_and_the_same_site(built, tmp_path):
    state = state_file(built.root / "site")
    good = state.read_bytes()
    fresh = None
    # Not a state at all, a state cut short, a state whose records are damaged.
    for damage in (b"{not a state", good[: len(good) // 2], good[:60] + b"\0" * 40 + good[100:]):
        state.write_bytes(damage)
        log = built.build()
        assert "incremental build" not in log
        fresh = fresh or site_files(built.fresh_copy(tmp_path / "fresh"))
        assert differences(site_files(built.root / "site"), fresh) == []
        assert read_state(state) is not None  # a good state again for the next run
        good = state.read_bytes()


def test_a_state_that_lies_about_a_page_is_caught_by_the_site_check(built, tmp_path):
    site = built.root / "site"
    page = next((site / "papers").glob("*/index.html"))
    page.write_text(page.read_text(encoding="utf-8").replace("<h1", "<h1 data-edited", 1), encoding="utf-8")
    log = built.build()
    assert "is not the site its build state describes" in log
    assert_same_as_fresh(built, tmp_path, "fresh")


def test_a_file_added_to_or_removed_from_the_last_site_costs_a_full_build(built, tmp_path):
    site = built.root / "site"
    (site / "stray.html").write_text("stray", encoding="utf-8")
    assert "is not the site its build state describes" in built.build()
    assert not (site / "stray.html").exists()
    assert_same_as_fresh(built, tmp_path, "after-stray")
    next((site / "papers").glob("*/index.html")).unlink()
    assert "is not the site its build state describes" in built.build()
    assert_same_as_fresh(built, tmp_path, "after-removal")


def test_a_state_of_another_setup_is_not_used(built, tmp_path):
    state = state_file(built.root / "site")
    document = read_state(state)
    assert document is not None
    document.setup = "0" * 64
    state.write_bytes(document.to_bytes(incremental=False))
    log = built.build()
    assert "does not fit" in log and "incremental build:" not in log
    assert_same_as_fresh(built, tmp_path, "fresh")


def test_force_builds_in_full(built, tmp_path):
    log = built.build("--force")
    assert "incremental build" not in log
    assert_same_as_fresh(built, tmp_path, "fresh")


def test_a_failed_incremental_build_leaves_the_last_site_as_it_was(built, tmp_path):
    site = built.root / "site"
    before = site_files(site)
    state = state_file(site).read_bytes()
    # A setting MkDocs does not know fails --strict, in the incremental build and in the
    # full one it falls back to.
    config = built.root / "mkdocs.yml"
    config.write_text(config.read_text() + "\nnot_a_setting: 1\n")
    result = run_cli("build", "--digests", str(built.digests), "--strict", cwd=built.root)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert site_files(site) == before
    assert state_file(site).read_bytes() == state


def test_a_write_through_a_hard_link_is_detected(tmp_path):
    from generator.mkdocs.incremental import link_tree, written_through

    last = tmp_path / "site"
    (last / "a").mkdir(parents=True)
    (last / "a" / "page.html").write_text("old")
    (last / "kept.html").write_text("kept")
    staging = tmp_path / "staging"
    staging.mkdir()
    linked = link_tree(last, staging)
    assert sorted(linked) == ["a/page.html", "kept.html"]
    (staging / "a" / "page.html").unlink()
    (staging / "a" / "page.html").write_text("new")  # unlinked first: the last site keeps "old"
    assert written_through(staging, linked) == []
    with open(staging / "kept.html", "a") as stream:  # in place: the last site changes too
        stream.write(" and changed")
    assert written_through(staging, linked) == ["kept.html"]
    assert (last / "kept.html").read_text() == "kept and changed"


def test_the_mkdocs_internals_the_incremental_build_relies_on():
    """MkDocs' dirty build: pages and files are skipped when File.is_modified() is False,
    the static templates are written every time, and the dirty build's warning is the
    text the plugin filters out (else --strict fails every incremental build)."""
    import inspect

    from mkdocs.commands import build
    from mkdocs.structure.files import File

    from generator.mkdocs.plugin import _DIRTY_BUILD_MESSAGES

    source = inspect.getsource(build)
    assert "if dirty and not page.file.is_modified():" in inspect.getsource(build._populate_page)
    assert "if dirty and not page.file.is_modified():" in inspect.getsource(build._build_page)
    assert "if dirty and not self.is_modified():" in inspect.getsource(File.copy_file)
    for message in _DIRTY_BUILD_MESSAGES:
        assert message in source
    assert "_build_theme_template(template, env, files, config, nav)" in inspect.getsource(build.build)


def test_the_index_fingerprint_ignores_only_what_pagefind_ignores_entirely():
    page = (
        '<div data-pagefind-body><h1>Title</h1><p data-pagefind-ignore="all">on <b>2</b> days'
        "<div><div>nested</div></div></p><span data-pagefind-ignore>First listed</span></div>"
    )
    relisted = page.replace("on <b>2</b> days", "on <b>3</b> days").replace("nested", "more")
    assert index_fingerprint(page) == index_fingerprint(relisted)
    assert index_fingerprint(page) != index_fingerprint(page.replace("Title", "Other title"))
    assert index_fingerprint(page) != index_fingerprint(page.replace("First listed", "Listed"))
    nested = '<div data-pagefind-ignore="all"><div>a</div><div>b</div></div><p>kept</p>'
    assert index_fingerprint(nested) == index_fingerprint('<div data-pagefind-ignore="all">x</div><p>kept</p>')
    assert index_fingerprint(nested) != index_fingerprint('<div data-pagefind-ignore="all">x</div><p>lost</p>')


def test_mkdocs_logs_its_success_message_only_after_the_strict_check_and_shuts_plugins_down_last():
    """The quick exit (generator/mkdocs/README.md) ends the MkDocs process with status 0
    once MkDocs logged "Documentation built in", which it does only after --strict counted
    no warning; and on_shutdown is the last thing the build command does."""
    import inspect

    from mkdocs import __main__ as cli
    from mkdocs.commands import build

    source = inspect.getsource(build.build)
    abort = source.index("raise Abort(f'Aborted with {msg} in strict mode!')")
    assert abort < source.index("log.info(f'Documentation built in")
    command = inspect.getsource(cli.build_command.callback).rstrip()
    assert command.endswith("cfg.plugins.on_shutdown()")


@pytest.mark.parametrize(
    ("logged", "under_build", "enabled", "exits"),
    [
        ("Documentation built in 1.00 seconds", True, True, True),
        ("Aborted with 1 warnings in strict mode!", True, True, False),  # a failed build
        ("Documentation built in 1.00 seconds", False, True, False),  # a plain mkdocs build
        ("Documentation built in 1.00 seconds", True, False, False),  # switched off
    ],
)
def test_the_quick_exit_ends_only_a_successful_build_under_digest_archive_build(
    monkeypatch, logged, under_build, enabled, exits
):
    import logging

    from generator.mkdocs import plugin as archive_plugin

    exited = []
    monkeypatch.setattr(archive_plugin.os, "_exit", exited.append)
    monkeypatch.setattr(archive_plugin.logging, "shutdown", lambda: None)
    instance = archive_plugin.ArchivePlugin()
    instance.tricks = archive_plugin.Tricks(quick_exit=enabled)
    instance.incremental_build = object() if under_build else None  # type: ignore[assignment]
    logger = logging.getLogger("mkdocs.commands.build")
    logger.addFilter(instance.outcome)
    level = logger.level
    logger.setLevel(logging.INFO)  # as MkDocs' command line sets it (quiet: no quick exit)
    try:
        logger.info(logged)
    finally:
        logger.removeFilter(instance.outcome)
        logger.setLevel(level)
    instance.on_shutdown()
    assert exited == ([0] if exits else [])


def test_a_write_through_a_link_found_after_the_build_means_building_again_in_full(tmp_path, monkeypatch):
    """The check runs beside the one for left-out pages (build._build): what it finds
    still stops the incremental build, and the full build that follows is what is kept."""
    from generator.mkdocs import build as build_module
    from generator.site.write import read_manifest

    from .helpers import FIXTURES

    project = make_project(tmp_path / "project")
    first = run_cli("build", "--digests", str(FIXTURES / "archive"), "--strict", cwd=project)
    assert first.returncode == 0, first.stderr
    built = site_files(project / "site")
    real = build_module.written_through
    calls = []

    def through_once(staging, linked):
        calls.append(len(linked))
        return ["papers/planted/index.html"] if len(calls) == 1 else real(staging, linked)

    monkeypatch.setattr(build_module, "written_through", through_once)
    notes: list[str] = []
    incremental = build_module.build_site(
        project / "mkdocs.yml", project / "site", read_manifest(project / "site_src"), report=notes.append
    )
    assert not incremental and calls[0] > 0 and len(calls) == 2
    assert notes == [
        "the incremental build did not succeed (a write went through a hard link into the last site"
        " (papers/planted/index.html)); building in full"
    ]
    assert site_files(project / "site") == built


def _built_project(tmp_path: Path):
    """A project built once (so it has a build state), and its config for in-process runs."""
    import dataclasses

    from generator.config import load_config

    from .helpers import FIXTURES

    project = make_project(tmp_path / "project")
    first = run_cli("build", "--digests", str(FIXTURES / "archive"), "--strict", cwd=project)
    assert first.returncode == 0, first.stderr
    config = load_config(project / "archive.yml") if (project / "archive.yml").exists() else load_config()
    config = dataclasses.replace(
        config,
        digests=FIXTURES / "archive",
        docs_dir=project / "site_src",
        site_dir=project / "site",
        mkdocs_config=project / "mkdocs.yml",
        project_dir=project,
    )
    return project, config


def _recording_early_starts(monkeypatch) -> list:
    from generator.mkdocs import build as build_module

    started = []
    real = build_module.EarlyMkDocs.start

    def recording(*args, **kwargs):
        early = real(*args, **kwargs)
        started.append(early)
        return early

    monkeypatch.setattr(build_module.EarlyMkDocs, "start", recording)
    return started


def test_the_daily_build_is_run_by_the_mkdocs_process_started_ahead(tmp_path, monkeypatch, capfd):
    """MkDocs loads while the pages are generated, then builds them: the build it runs is
    the incremental one, and the site is what the last build left plus the change."""
    from generator.pipeline import RunOptions, build

    project, config = _built_project(tmp_path)
    built = site_files(project / "site")
    started = _recording_early_starts(monkeypatch)
    result = build(config, RunOptions(strict=True), Recorder())
    [early] = started
    assert early is not None and early._process.returncode == 0 and early._go is None
    assert result.incremental and site_files(project / "site") == built
    # It listed site_src while the pages were generated (.early_files).
    assert "site_src listed while its pages were generated;" in capfd.readouterr().err


def test_a_build_started_ahead_times_itself_from_when_its_pages_were_ready():
    import logging
    import time

    from generator.mkdocs.plugin import _BuildOutcome

    outcome = _BuildOutcome()
    outcome.started = time.monotonic() - 2
    record = logging.LogRecord(
        "mkdocs.commands.build", logging.INFO, "", 0, "Documentation built in 40.00 seconds", (), None
    )
    assert outcome.filter(record) and outcome.succeeded
    assert record.getMessage().startswith("Documentation built in 2.0")


def test_a_run_that_fails_before_building_ends_the_mkdocs_process_started_ahead(tmp_path, monkeypatch):
    """It ends without building (its own status), the lock is free, the site is as it was."""
    from generator import pipeline
    from generator.errors import ArchiveError
    from generator.mkdocs.build import EXIT_NOT_NEEDED

    project, config = _built_project(tmp_path)
    built = site_files(project / "site")
    started = _recording_early_starts(monkeypatch)

    def failing(*args, **kwargs):
        raise ArchiveError("planted failure")

    monkeypatch.setattr(pipeline, "_generate", failing)
    with pytest.raises(ArchiveError, match="planted failure"):
        pipeline.build(config, pipeline.RunOptions(strict=True), Recorder())
    [early] = started
    assert early._process.returncode == EXIT_NOT_NEEDED
    assert site_files(project / "site") == built
    again = run_cli("build", "--digests", str(config.digests), "--strict", "--no-wait", cwd=project)
    assert again.returncode == 0, again.stderr


def test_no_mkdocs_process_is_started_ahead_without_a_build_state_or_when_forced(tmp_path, monkeypatch):
    from generator.mkdocs.build import EarlyMkDocs, state_file
    from generator.pipeline import RunOptions, build

    project, config = _built_project(tmp_path)
    started = _recording_early_starts(monkeypatch)
    build(config, RunOptions(strict=True, force=True), Recorder())
    assert started == []
    state_file(project / "site").unlink()
    assert EarlyMkDocs.start(config.mkdocs_config, config.site_dir) is None


def test_mkdocs_calls_on_startup_and_on_config_before_it_reads_the_pages():
    """The MkDocs process started ahead (build.EarlyMkDocs) reads the state in on_startup,
    lists the last site_src and waits in on_config: MkDocs must call both before it
    lists site_src (get_files, by that global name: early_files replaces it) or touches
    the site folder, and load nothing of either when it loads its configuration."""
    import inspect

    from mkdocs import __main__ as cli
    from mkdocs.commands import build
    from mkdocs.structure import files

    command = inspect.getsource(cli.build_command.callback)
    assert command.index("cfg.plugins.on_startup(") < command.index("build.build(cfg")
    assert command.index("config.load_config(") < command.index("cfg.plugins.on_startup(")
    source = inspect.getsource(build.build)
    on_config = source.index("config.plugins.on_config(config)")
    assert on_config < source.index("get_files(config)") and on_config < source.index("site_dir")
    assert "files = get_files(config)" in source and build.get_files is files.get_files


def test_folders_written_meanwhile_are_swept_last_and_recorded_as_their_job_left_them(tmp_path):
    from generator.mkdocs.incremental import BuildState, IncrementalBuild, file_sha

    site = tmp_path / "site"
    (site / "pagefind").mkdir(parents=True)
    (site / "kept.html").write_text("kept")
    (site / "stale.html").write_text("no longer built")
    (site / "pagefind" / "old.js").write_text("the last index")
    previous = BuildState("setup", site={"kept.html": (4, 0, "x", 0), "stale.html": (15, 0, "y", 0)})
    builder = IncrementalBuild(previous, "setup", site, tmp_path / "site_src")
    builder.claim("kept.html")
    builder.claim_folder("pagefind/")
    seen_when_waited: list[set[str]] = []

    def finish() -> None:
        # The rest of the site is swept and recorded first; the folder is not yet.
        seen_when_waited.append(set(builder.state.site))
        assert not (site / "stale.html").exists()
        (site / "pagefind" / "old.js").unlink()
        (site / "pagefind" / "entry.json").write_text("the new index")

    builder.writing_meanwhile(["pagefind/"], finish)
    assert builder.sweep() == ["stale.html"]
    assert seen_when_waited == [{"kept.html"}]
    assert set(builder.state.site) == {"kept.html", "pagefind/entry.json"}
    assert builder.state.site["pagefind/entry.json"][2] == file_sha(site / "pagefind" / "entry.json")
    builder.finish_meanwhile()  # waited for once only
    assert len(seen_when_waited) == 1


_SITE_FILES = ("index.html", "a/index.html", "a/b/index.html", "a/b/c.bib", "d/index.html", "d/e/index.html", "f.xml")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(("kept", "rewritten", "edited", "dropped")),
        min_size=len(_SITE_FILES),
        max_size=len(_SITE_FILES),
    ),
    st.sets(st.sampled_from(("g/index.html", "d/e/new.html", "a/b/new.bib"))),
    st.booleans(),
)
def test_an_incremental_sweep_leaves_and_records_what_a_walk_of_the_site_would(fates, new, with_folder):
    """The incremental sweep works from the last state's list and the claimed files, not
    a walk: the site it leaves holds exactly the claimed files (the very ones linked from
    the last site keep their record, the others are recorded anew), the claimed folder's
    files and the markers; every other file of the last site is gone, and with it each
    folder that left empty."""
    with tempfile.TemporaryDirectory() as folder:
        _check_incremental_sweep(Path(folder), fates, new, with_folder)


def _check_incremental_sweep(tmp_path: Path, fates: list[str], new: set[str], with_folder: bool) -> None:
    import os

    from generator.mkdocs.incremental import BuildState, IncrementalBuild, file_sha

    previous_site = tmp_path / "previous"
    site = tmp_path / "site"
    previous: dict[str, tuple[int, int, str, int]] = {}
    for relative in _SITE_FILES:
        path = previous_site / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"last build: {relative}")
        status = path.stat()
        previous[relative] = (status.st_size, status.st_mtime_ns, file_sha(path), status.st_ino)
    shutil.copytree(previous_site, site, copy_function=os.link)  # as link_tree leaves it
    (site / ".marker").write_text("bookkeeping")
    builder = IncrementalBuild(BuildState("setup", site=dict(previous)), "setup", site, tmp_path / "site_src")
    for relative, fate in zip(_SITE_FILES, fates, strict=True):
        if fate == "dropped":
            continue
        builder.claim(relative)
        if fate == "rewritten":  # MkDocs unlinks, then writes a new file
            (site / relative).unlink()
            (site / relative).write_text(f"this build: {relative}!")
        elif fate == "edited":  # the same bytes written again: a new inode, the same content
            (site / relative).unlink()
            (site / relative).write_text(f"last build: {relative}")
    for relative in new:
        builder.claim(relative)
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(f"new: {relative}")
    if with_folder:
        builder.claim_folder("pagefind/")
        (site / "pagefind").mkdir()
        (site / "pagefind" / "entry.json").write_text("index")

    removed = builder.sweep(keep=lambda path: path == ".marker")

    dropped = sorted(relative for relative, fate in zip(_SITE_FILES, fates, strict=True) if fate == "dropped")
    assert removed == dropped
    left = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    expected = {r for r, fate in zip(_SITE_FILES, fates, strict=True) if fate != "dropped"} | set(new) | {".marker"}
    assert left == expected | ({"pagefind/entry.json"} if with_folder else set())
    assert set(builder.state.site) == left - {".marker"}
    for relative, record in builder.state.site.items():
        status = (site / relative).stat()
        assert record == (status.st_size, status.st_mtime_ns, file_sha(site / relative), status.st_ino)
        if relative in previous and (site / relative).stat().st_ino == previous[relative][3]:
            assert record is builder.previous.site[relative]
    emptied = {str(Path(r).parent) for r in dropped} - {"."}
    for folder in emptied:
        assert (site / folder).exists() == any(f.startswith(folder + "/") for f in left)


def test_a_job_written_meanwhile_that_fails_fails_the_sweep(tmp_path):
    from mkdocs.exceptions import PluginError

    from generator.mkdocs.incremental import IncrementalBuild

    site = tmp_path / "site"
    (site / "pagefind").mkdir(parents=True)
    builder = IncrementalBuild(None, "setup", site, tmp_path / "site_src")

    def finish() -> None:
        raise PluginError("Pagefind failed (exit 1)")

    builder.writing_meanwhile(["pagefind"], finish)
    with pytest.raises(PluginError, match="Pagefind failed"):
        builder.sweep()


def test_a_site_src_restored_with_new_inodes_is_not_read_again(tmp_path, monkeypatch):
    """site_src restored from the deploy workflow's cache (a tar archive) keeps each
    file's size and time but not its inode: the build decides those files unchanged
    from their records, without reading one, and records their new inodes."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    from generator.mkdocs import incremental
    from generator.mkdocs.incremental import BuildState, IncrementalBuild, SourceRecord

    docs, site = tmp_path / "site_src", tmp_path / "site"
    site.mkdir()
    (docs / "p").mkdir(parents=True)
    (docs / "p" / "index.md").write_text("a page")
    (docs / "f.json").write_text("[1]")
    (tmp_path / "mkdocs.yml").write_text(f"site_name: t\ndocs_dir: {docs}\nsite_dir: {site}\n")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    sources, site_records = {}, {}
    for uri, dest in (("p/index.md", "p/index.html"), ("f.json", "f.json")):
        status = (docs / uri).stat()
        sha = incremental.file_sha(docs / uri)
        sources[uri] = SourceRecord(status.st_ino + 1000, status.st_size, status.st_mtime_ns, sha, dest)
        site_records[dest] = (1, 0, "x", 0)
    read: list[str] = []
    monkeypatch.setattr(incremental, "file_sha", lambda path: read.append(str(path)) or "0" * 64)

    builder = IncrementalBuild(BuildState("setup", sources=sources, site=site_records), "setup", site, docs)
    files = get_files(config)
    builder.decide(files)

    assert read == []
    assert {file.src_uri: file.is_modified() for file in files} == {"p/index.md": False, "f.json": False}
    assert builder.rebuilt == 0
    for uri, record in builder.state.sources.items():
        assert record.sha == sources[uri].sha and record.inode == (docs / uri).stat().st_ino


_RECORD_CHANGES = ("same", "no record", "other inode", "other size", "other content", "other dest", "not in site")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_RECORD_CHANGES), min_size=1, max_size=8), st.booleans())
def test_deciding_from_the_early_listing_decides_as_the_stats_do(tmp_path, changes, all_pages):
    """A file whose status the early listing handed over (known_status) is decided
    without a new record or a stat (IncrementalBuild._listed_unchanged), and exactly as
    the stat and the record comparison decide it."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    from generator.mkdocs.incremental import BuildState, IncrementalBuild, SourceRecord, file_sha

    root = Path(tempfile.mkdtemp(dir=tmp_path))
    docs, site = root / "site_src", root / "site"
    docs.mkdir()
    site.mkdir()
    for n, _ in enumerate(changes):
        (docs / f"p{n}").mkdir()
        (docs / f"p{n}" / "index.md").write_text(f"page {n}")
        (docs / f"f{n}.json").write_text(f"[{n}]")
    (root / "mkdocs.yml").write_text(f"site_name: t\ndocs_dir: {docs}\nsite_dir: {site}\n")
    config = load_config(str(root / "mkdocs.yml"))
    sources: dict[str, SourceRecord] = {}
    site_records = {}
    for n, change in enumerate(changes):
        for uri, dest in ((f"p{n}/index.md", f"p{n}/index.html"), (f"f{n}.json", f"f{n}.json")):
            status = (docs / uri).stat()
            record = SourceRecord(status.st_ino, status.st_size, status.st_mtime_ns, file_sha(docs / uri), dest)
            record = {
                "same": record,
                "other inode": record._replace(inode=record.inode + 1),
                "other size": record._replace(size=record.size + 1),
                "other content": record._replace(mtime_ns=record.mtime_ns + 1, sha="0" * 64),
                "other dest": record._replace(dest="elsewhere/" + dest),
                "not in site": record,
                "no record": None,
            }[change]
            if record is not None:
                sources[uri] = record
            if change != "not in site":
                site_records[dest] = (1, 0, "x", 0)
    previous = BuildState("setup", sources=sources, site=site_records)

    def decided(known: bool):
        builder = IncrementalBuild(previous, "setup", site, docs)
        files = get_files(config)
        if known:
            for file in files:
                status = (docs / file.src_uri).stat()
                builder.known_status[file.src_uri] = (status.st_ino, status.st_size, status.st_mtime_ns)
        builder.decide(files)
        if all_pages:
            builder.rebuild_all_pages()
        outcome = {file.src_uri: file.is_modified() for file in files}
        return outcome, builder.state.sources, builder.rebuilt, builder.claimed

    assert decided(known=True) == decided(known=False)
