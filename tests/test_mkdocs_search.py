"""Pagefind runs: one for a small site, parts of bounded size for a large one."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.mkdocs.search import index_parts, indexed_pages


def test_a_small_site_is_one_index():
    pages = ["days/2025-01-01/index.html", "papers/alpha-1/index.html", "papers/beta-2/index.html"]
    assert index_parts(pages, months=[pages[1:], pages[:1]], pages_per_index=100) == [("pagefind/", pages)]


def test_the_indexed_pages_are_day_paper_topic_and_topic_month_pages():
    dests = [
        "index.html",
        "days/index.html",
        "days/2025-01-01/index.html",
        "papers/index.html",
        "papers/az/b/index.html",
        "papers/alpha-1/index.html",
        "tags/index.html",
        "tags/pruning/index.html",
        "tags/pruning/2025-01/index.html",
        "weeks/2025-W01/index.html",
    ]
    assert indexed_pages(dests) == [
        "days/2025-01-01/index.html",
        "papers/alpha-1/index.html",
        "tags/pruning/2025-01/index.html",
        "tags/pruning/index.html",
    ]


def archive_months(sizes: list[int]) -> list[list[str]]:
    """Indexed pages by month, oldest first: ``sizes[n]`` papers and one day in month n
    (paper slugs spread over the alphabet, as real titles are)."""
    return [
        [f"papers/{chr(97 + (n * 7 + k) % 26)}-{n}-{k}/index.html" for k in range(size)]
        + [f"days/2025-{n + 1:02d}-01/index.html"]
        for n, size in enumerate(sizes)
    ]


def test_a_large_site_has_the_newest_month_first_and_the_older_months_in_bounded_runs():
    months = archive_months([12, 12, 12, 40, 12, 5])
    pages = [page for month in months for page in month]
    parts = index_parts(pages, months, pages_per_index=30, recent_part_from=50)
    # Without a newest week listed, the newest month is the first part; the runs are
    # numbered from 3 whatever the newest month is (2 is its part before its newest week).
    assert [folder for folder, _ in parts] == ["pagefind/", "pagefind-3/", "pagefind-4/", "pagefind-5/", "pagefind-6/"]
    assert parts[0][1] == sorted(months[-1])
    # Months in order, whole, until the next does not fit; the month of 41 pages is split.
    assert [pages for _, pages in parts[1:]] == [
        sorted(months[0] + months[1]),
        sorted(months[2]),
        sorted(months[3])[:30],
        sorted(sorted(months[3])[30:] + months[4]),
    ]
    # Indexed pages the generator did not list come last; listed pages that are not
    # indexed are left out.
    stray = ["tags/stray/index.html"]
    parts = index_parts([*pages, *stray], [*months[:-1], [*months[-1], "papers/gone/index.html"]], 30, 50)
    assert parts[-1][1] == stray and parts[0][1] == sorted(months[-1])
    # An archive of one month is one part.
    assert index_parts(months[3], [months[3]], 30, 1) == [("pagefind/", sorted(months[3]))]
    # Below recent_part_from pages, or with no months listed, runs of sorted paths.
    assert [pages for _, pages in index_parts(pages, months, 100, recent_part_from=500)] == [sorted(pages)]
    assert len(pages) == 99
    assert [pages for _, pages in index_parts(pages, [], 50, 1)] == [sorted(pages)[:49], sorted(pages)[49:]]


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 45), min_size=2, max_size=12),
    pages_per_index=st.integers(10, 60),
)
def test_a_new_month_changes_only_the_last_run(sizes, pages_per_index):
    """On the first day of a month the month before leaves the newest part for the runs:
    the runs before the last stay as they were (their parts are kept, not indexed again),
    every page is in one part, and no part is larger than pages_per_index."""
    months = archive_months(sizes)
    before = index_parts([p for m in months for p in m], months, pages_per_index, 1)
    first_day = [f"papers/new-{n}/index.html" for n in range(3)]
    after_months = [*months, first_day]
    pages = [p for m in after_months for p in m]
    after = index_parts(pages, after_months, pages_per_index, 1)
    assert after[0][1] == sorted(first_day)
    # Runs (folder and pages) before the last one of `before`: the same.
    assert after[1 : len(before) - 1] == before[1:-1]
    # The last one of `before` grows by the month that joins the runs, or is closed and
    # the month starts runs of its own.
    if len(before) > 1:
        assert after[len(before) - 1][0] == before[-1][0]
        assert set(before[-1][1]) <= set(after[len(before) - 1][1])
    joined = {page for _, members in after[max(len(before) - 1, 1) :] for page in members}
    assert joined - set(before[-1][1] if len(before) > 1 else []) == set(months[-1])
    everything = [page for _, members in after for page in members]
    assert sorted(everything) == sorted(pages) and len(everything) == len(set(everything))
    assert all(len(members) <= pages_per_index for _, members in after)


def test_which_part_a_settled_page_is_in_does_not_depend_on_the_newest_month():
    months = archive_months([20, 20, 20, 20])
    pages = [p for m in months for p in m]
    before = index_parts([*pages, "papers/new-1/index.html"], [*months, ["papers/new-1/index.html"]], 30, 10)
    new_day = ["papers/new-1/index.html", "papers/new-2/index.html"]
    after = index_parts([*pages, *new_day], [*months, new_day], 30, 10)
    assert before[1:] == after[1:]


def test_the_newest_week_is_the_first_part_and_the_rest_of_its_month_the_second():
    months = archive_months([12, 12, 12, 20])
    pages = [page for month in months for page in month]
    week = sorted(months[-1])[::3]
    parts = index_parts(pages, months, pages_per_index=30, recent_part_from=50, newest_week=week)
    assert parts[:2] == [("pagefind/", week), ("pagefind-2/", sorted(set(months[-1]) - set(week)))]
    assert parts[2:] == index_parts(pages, months, pages_per_index=30, recent_part_from=50)[1:]
    # A month that began this week is all in the first part; the runs keep their folders.
    whole = index_parts(pages, months, 30, 50, newest_week=months[-1])
    assert [folder for folder, _ in whole] == ["pagefind/", "pagefind-3/", "pagefind-4/"]
    assert whole[1:] == parts[2:] and whole[0][1] == sorted(months[-1])
    # Listed pages that are not the newest month's are not in its parts.
    assert index_parts(pages, months, 30, 50, newest_week=[*week, months[0][0]])[:2] == parts[:2]


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 45), min_size=1, max_size=8),
    month_before_week=st.integers(0, 40),
    week_days=st.lists(st.integers(1, 12), min_size=1, max_size=6),
    pages_per_index=st.integers(10, 60),
)
def test_a_new_day_changes_the_first_part_and_a_new_week_the_first_two(
    sizes, month_before_week, week_days, pages_per_index
):
    """Another day of the newest week re-indexes its part only; a Monday also the rest of
    the month, which the week before joins; the older months' runs stay as they were."""
    older = archive_months(sizes)
    before_week = [f"papers/month-{n}/index.html" for n in range(month_before_week)]
    week = [f"papers/week-{d}-{n}/index.html" for d, size in enumerate(week_days) for n in range(size)]
    topics = ["tags/t/index.html", "tags/t/2025-09/index.html"]

    def parts(month_pages, newest_week):
        months = [*older, month_pages]
        return index_parts([p for m in months for p in m], months, pages_per_index, 1, newest_week)

    today = parts([*before_week, *week, *topics], [*week, *topics])
    new_day = [f"papers/day-{n}/index.html" for n in range(3)]
    tomorrow = parts([*before_week, *week, *new_day, *topics], [*week, *new_day, *topics])
    assert tomorrow[0][1] == sorted([*week, *new_day, *topics])
    assert tomorrow[1:] == today[1:]
    monday = parts([*before_week, *week, *new_day, *topics], [*new_day, *topics])
    assert monday[:2] == [("pagefind/", sorted([*new_day, *topics])), ("pagefind-2/", sorted([*before_week, *week]))]
    assert [part for part in monday if part[0] not in ("pagefind/", "pagefind-2/")] == [
        part for part in today if part[0] not in ("pagefind/", "pagefind-2/")
    ]
    everything = [page for _, members in monday for page in members]
    assert len(everything) == len(set(everything)) == sum(map(len, older)) + len(before_week) + len(week) + 5


# --- Pagefind's filter files, made deterministic (generator/mkdocs/pagefind_filters.py) --


def filtered_site(root):
    """Pages with a topic filter of 30 values and a year filter: enough values that two
    runs of Pagefind write them in the same order by chance with odds of 1 in 30!."""
    for n in range(60):
        folder = root / "papers" / f"paper-{n}"
        folder.mkdir(parents=True)
        folder.joinpath("index.html").write_text(
            f"<html><body data-pagefind-body><h1>Paper {n} about pruning</h1><p>words {n}</p>"
            f'<a data-pagefind-filter="topic">Topic {n % 30}</a><a data-pagefind-filter="topic">Other {n % 7}</a>'
            f'<p data-pagefind-filter="year:{2020 + n % 4}">x</p></body></html>'
        )
    return root


def index_files(folder):
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_the_installed_pagefinds_files_are_in_the_format_the_rewrite_reads(tmp_path):
    import cbor2

    from generator.mkdocs import pagefind_filters
    from generator.mkdocs.search import run_pagefind

    site = filtered_site(tmp_path)
    assert run_pagefind(site, "pagefind/") == 60
    index = site / "pagefind"
    entry = json.loads((index / "pagefind-entry.json").read_text())
    (language,) = entry["languages"].values()
    meta_path = index / f"pagefind.{language['hash']}.pf_meta"
    meta = pagefind_filters.read(meta_path)
    assert meta[0] == entry["version"]
    filters = dict(meta[pagefind_filters.META_FILTERS])
    assert sorted(filters) == ["topic", "year"]
    for name, file_hash in filters.items():
        path = index / "filter" / f"{file_hash}.pf_filter"
        content = pagefind_filters.read(path)
        assert content[0] == name and all(isinstance(value, str) and pages for value, pages in content[1])
        # Decoded and encoded again, the CBOR is byte for byte Pagefind's.
        raw = gzip.decompress(path.read_bytes())
        assert pagefind_filters.SIGNATURE + cbor2.dumps(content) == raw
    assert pagefind_filters.SIGNATURE + cbor2.dumps(meta) == gzip.decompress(meta_path.read_bytes())


def test_two_pagefind_runs_differ_and_are_identical_once_rewritten(tmp_path):
    from generator.mkdocs.pagefind_filters import canonical_filters
    from generator.mkdocs.search import run_pagefind

    site = filtered_site(tmp_path)
    runs = []
    for folder in ("first/", "second/"):
        run_pagefind(site, folder, "papers/**/index.html")
        before = index_files(site / folder)
        assert canonical_filters(site / folder) == 2
        runs.append((before, index_files(site / folder)))
    assert runs[0][0] != runs[1][0]  # Pagefind's own output: a random order
    assert runs[0][1] == runs[1][1]  # after the rewrite: the same bytes
    # Same values, pages and names as Pagefind wrote them, only in order.
    from generator.mkdocs.pagefind_filters import read

    for path in (site / "first" / "filter").iterdir():
        values = read(path)[1]
        assert [value for value, _ in values] == sorted(value for value, _ in values)


def test_a_file_in_another_format_stops_the_rewrite_with_an_error(tmp_path):
    from generator.mkdocs.pagefind_filters import PagefindFormatError, canonical_filters, encode
    from generator.mkdocs.search import run_pagefind

    site = filtered_site(tmp_path)
    run_pagefind(site, "pagefind/")
    index = site / "pagefind"
    (path,) = [p for p in (index / "filter").iterdir() if read_name(p) == "year"]
    path.write_bytes(encode({"not": "a filter"}))
    with pytest.raises(PagefindFormatError):
        canonical_filters(index)


def read_name(path):
    from generator.mkdocs.pagefind_filters import read

    return read(path)[0]


def test_pagefinds_search_interfaces_are_dropped_and_the_index_kept(tmp_path):
    from generator.mkdocs.search import drop_unused_ui, run_pagefind
    from generator.site.urls import UNUSED_SEARCH_FILES

    site = filtered_site(tmp_path)
    run_pagefind(site, "pagefind/")
    index = site / "pagefind"
    # Pagefind writes them: the list names real files, not guesses.
    assert all((index / name).is_file() for name in UNUSED_SEARCH_FILES)
    drop_unused_ui(index)
    left = sorted(path.name for path in index.iterdir())
    assert not set(UNUSED_SEARCH_FILES) & set(left)
    # What the search worker loads stays.
    assert {"pagefind.js", "pagefind-entry.json", "pagefind-worker.js", "fragment", "index", "filter"} <= set(left)


def test_pagefind_runs_on_a_thread_the_part_list_after_it_and_finish_waits(tmp_path, monkeypatch):
    import threading

    from generator.mkdocs import search

    events: list[str] = []
    release = threading.Event()

    def index_part(site_dir, folder, pages):
        release.wait(10)  # the build's thread goes on meanwhile
        events.append(f"indexed {folder}")
        return len(pages)

    monkeypatch.setattr(search, "index_part", index_part)
    indexing = search.BackgroundIndexing(
        tmp_path, [("pagefind/", ["a"]), ("pagefind-2/", ["b", "c"])], 0.0, 0, 2, then=lambda: events.append("listed")
    )
    events.append("swept")
    release.set()
    indexing.finish()
    assert events == ["swept", "indexed pagefind/", "indexed pagefind-2/", "listed"]


def test_a_failed_pagefind_run_on_the_thread_is_raised_by_finish(tmp_path, monkeypatch):
    from mkdocs.exceptions import PluginError

    from generator.mkdocs import search

    def index_part(site_dir, folder, pages):
        raise PluginError("Pagefind failed (exit 2)")

    monkeypatch.setattr(search, "index_part", index_part)
    indexing = search.BackgroundIndexing(tmp_path, [("pagefind/", ["a"])], 0.0, 0, 1)
    with pytest.raises(PluginError, match="exit 2"):
        indexing.finish()
    indexing.finish()  # raised once: the error handler's wait does not raise it again


@pytest.mark.parametrize(
    "listed", [["digest-archive-search", "digest-archive"], ["digest-archive", "digest-archive-search"]]
)
def test_the_search_plugin_ends_the_build_before_the_archive_plugin_in_either_order(listed):
    # The archive plugin sweeps the site while Pagefind writes, then records the state:
    # the search plugin must have claimed its folders and started Pagefind before.
    from mkdocs.plugins import PluginCollection

    from generator.mkdocs.plugin import ArchivePlugin
    from generator.mkdocs.search import SearchPlugin

    collection = PluginCollection()
    for name in listed:
        collection[name] = SearchPlugin() if name == "digest-archive-search" else ArchivePlugin()
    order = [type(method.__self__).__name__ for method in collection.events["post_build"]]
    assert order == ["SearchPlugin", "ArchivePlugin"]


def test_pagefind_is_started_directly_as_its_python_wrapper_would_find_it(tmp_path, monkeypatch):
    import importlib

    import pagefind_bin

    from generator.mkdocs import search

    search.pagefind_command.cache_clear()
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    try:
        # The executable of pagefind[bin], not a Python process that looks for it.
        (executable,) = search.pagefind_command()
        assert Path(executable) == pagefind_bin.get_executable().absolute()
        search.pagefind_command.cache_clear()

        # The wrapper's own setting comes first, and run_pagefind uses what it names.
        fake = tmp_path / "fake-pagefind"
        fake.write_text('#!/bin/sh\necho "$@" > "$(dirname "$0")/arguments"\necho "Indexed 7 pages"\n')
        fake.chmod(0o755)
        monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
        site = tmp_path / "site"
        site.mkdir()
        assert search.run_pagefind(site, "pagefind/") == 7
        assert (tmp_path / "arguments").read_text().split() == ["--site", str(site), "--output-subdir", "pagefind"]
        search.pagefind_command.cache_clear()

        # Without an executable package, the wrapper's command.
        monkeypatch.delenv("PAGEFIND_BINARY_PATH")
        real_import = importlib.import_module

        def without_executables(name, *args):
            if name.startswith("pagefind_bin"):
                raise ImportError(name)
            return real_import(name, *args)

        monkeypatch.setattr(importlib, "import_module", without_executables)
        assert search.pagefind_command() == (sys.executable, "-m", "pagefind")
    finally:
        search.pagefind_command.cache_clear()
