"""Writer: only its own files, only changed files, nothing half-written."""

from __future__ import annotations

import errno
import os

import pytest

from generator import write
from generator.errors import ArchiveError
from generator.write import MANIFEST_NAME, is_up_to_date, read_manifest, write_site


def test_first_write_creates_files_and_manifest(tmp_path):
    report = write_site(tmp_path, {"index.md": "home\n", "papers/a.md": "A\n"})
    assert report.written == ("index.md", "papers/a.md") and report.removed == ()
    assert (tmp_path / "papers" / "a.md").read_text() == "A\n"
    assert read_manifest(tmp_path) == {"index.md", "papers/a.md"}


def test_unchanged_files_are_not_rewritten(tmp_path):
    files = {"index.md": "home\n", "papers/a.md": "A\n"}
    write_site(tmp_path, files)
    target = tmp_path / "papers" / "a.md"
    os.utime(target, (1_000_000, 1_000_000))
    report = write_site(tmp_path, {**files, "index.md": "new home\n"})
    assert report.written == ("index.md",) and report.unchanged == 1
    assert target.stat().st_mtime == 1_000_000


def test_files_no_longer_produced_are_removed_but_hand_written_ones_stay(tmp_path):
    write_site(tmp_path, {"index.md": "x", "papers/old.md": "old", "papers/deep/gone.md": "g"})
    (tmp_path / "about.md").write_text("mine")
    (tmp_path / "papers" / "notes.md").write_text("mine too")
    report = write_site(tmp_path, {"index.md": "x"})
    assert set(report.removed) == {"papers/old.md", "papers/deep/gone.md"}
    assert not (tmp_path / "papers" / "old.md").exists()
    assert not (tmp_path / "papers" / "deep").exists()  # emptied folder pruned
    assert (tmp_path / "about.md").read_text() == "mine"
    assert (tmp_path / "papers" / "notes.md").read_text() == "mine too"


def test_a_hand_written_file_at_a_generated_path_is_never_overwritten(tmp_path):
    (tmp_path / "index.md").write_text("my own home page")
    with pytest.raises(ArchiveError, match="did not write.*index.md"):
        write_site(tmp_path, {"index.md": "generated"})
    assert (tmp_path / "index.md").read_text() == "my own home page"


def test_damaged_manifest_is_a_clear_error(tmp_path):
    (tmp_path / MANIFEST_NAME).write_text("{not json")
    with pytest.raises(ArchiveError, match="damaged"):
        write_site(tmp_path, {"index.md": "x"})


@pytest.mark.parametrize("path", ["../escape.md", "/abs.md", "a/../../b.md", ""])
def test_paths_outside_the_folder_are_refused(tmp_path, path):
    with pytest.raises(ArchiveError, match="outside"):
        write_site(tmp_path / "out", {path: "x"})


def test_new_file_cut_short_is_owned_and_repaired_by_the_next_run(tmp_path, monkeypatch):
    files = {f"papers/p{n}.md": f"paper {n} " * 100 + "\n" for n in range(10)}
    real_write = os.write
    calls = {"count": 0}

    def crash_half_way_through_the_fifth_page(descriptor, data):
        calls["count"] += 1
        if calls["count"] == 6:  # the manifest, four pages, then half of the fifth
            real_write(descriptor, bytes(data[: len(data) // 2]))
            raise KeyboardInterrupt
        return real_write(descriptor, data)

    monkeypatch.setattr(write.os, "write", crash_half_way_through_the_fifth_page)
    with pytest.raises(KeyboardInterrupt):
        write_site(tmp_path, files)
    monkeypatch.setattr(write.os, "write", real_write)
    assert sorted(p.name for p in (tmp_path / "papers").iterdir()) == [f"p{n}.md" for n in range(5)]
    assert (tmp_path / "papers" / "p4.md").read_text() != files["papers/p4.md"]
    assert read_manifest(tmp_path) >= set(files)  # every file it may have made is owned
    assert not is_up_to_date(tmp_path, "x")
    report = write_site(tmp_path, files)  # the next run finishes the job, no clash
    assert set(report.written) == {f"papers/p{n}.md" for n in range(4, 10)}
    assert {p: (tmp_path / p).read_text() for p in files} == files


def test_replacing_a_page_cut_short_keeps_the_old_page_whole(tmp_path, monkeypatch):
    write_site(tmp_path, {"a.md": "old a\n", "b.md": "old b\n"})
    real_replace = os.replace

    def crash_on_the_first_page(source, target):
        if str(target).endswith(".md"):
            raise KeyboardInterrupt
        real_replace(source, target)

    monkeypatch.setattr(write.os, "replace", crash_on_the_first_page)
    with pytest.raises(KeyboardInterrupt):
        write_site(tmp_path, {"a.md": "new a\n", "b.md": "new b\n"})
    monkeypatch.setattr(write.os, "replace", real_replace)
    assert (tmp_path / "a.md").read_text() == "old a\n"
    assert not list(tmp_path.rglob("*.writing"))  # no temporary file left behind
    write_site(tmp_path, {"a.md": "new a\n", "b.md": "new b\n"})
    assert (tmp_path / "a.md").read_text() == "new a\n"


@pytest.mark.parametrize(
    "code, words",
    [(errno.EACCES, "read-only or not yours"), (errno.EROFS, "read-only"), (errno.ENOSPC, "no space left")],
)
def test_os_errors_become_clear_messages(tmp_path, monkeypatch, code, words):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(tmp_path / "x"))

    monkeypatch.setattr(write.os, "open", fail)
    with pytest.raises(ArchiveError, match=words):
        write_site(tmp_path, {"index.md": "x"})
