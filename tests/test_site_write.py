"""Writer: only its own files, only changed files, nothing half-written."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import ArchiveError
from generator.folder_swap import STAGING_MARKER, retired_folder, staging_folder
from generator.site import write
from generator.site.write import MANIFEST_NAME, finish_interrupted_write, read_manifest, write_site


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


def test_every_kind_of_entry_in_the_way_of_a_generated_path_is_found(tmp_path):
    # The clash check lists each folder once; it must find what os.path.lexists finds.
    (tmp_path / "papers" / "deep").mkdir(parents=True)
    (tmp_path / "papers" / "a.md").write_text("mine")
    (tmp_path / "papers" / "deep" / "b.md").write_text("mine")
    (tmp_path / "papers" / "dangling.md").symlink_to(tmp_path / "nowhere")
    (tmp_path / "papers" / "folder.md").mkdir()
    (tmp_path / "top.md").write_text("mine")
    (tmp_path / "file").write_text("a file where a folder would be")
    paths = [
        "papers/a.md",
        "papers/deep/b.md",
        "papers/dangling.md",
        "papers/folder.md",
        "top.md",
        "papers/free.md",
        "papers/deep/free.md",
        "missing/x.md",
        "file/x.md",
        "free.md",
    ]
    expected = sorted(path for path in paths if os.path.lexists(tmp_path / path))
    assert expected == ["papers/a.md", "papers/dangling.md", "papers/deep/b.md", "papers/folder.md", "top.md"]
    assert write._present(tmp_path, paths) == expected
    assert write._present(tmp_path / "not-there", paths) == []
    with pytest.raises(ArchiveError, match="did not write.*papers/dangling.md, papers/deep/b.md"):
        write_site(tmp_path, dict.fromkeys(paths[1:3] + paths[5:7], "generated"))


def test_only_files_the_last_run_wrote_are_read_to_compare(tmp_path, monkeypatch):
    looked_up = []
    original = write._current_content

    def spy(target, size):
        looked_up.append(target)
        return original(target, size)

    monkeypatch.setattr(write, "_current_content", spy)
    write_site(tmp_path, {"index.md": "x", "papers/a.md": "A"})
    assert looked_up == []
    report = write_site(tmp_path, {"index.md": "x", "papers/a.md": "A changed", "papers/b.md": "B"})
    assert sorted(os.path.relpath(path, tmp_path) for path in looked_up) == ["index.md", "papers/a.md"]
    assert report.written == ("papers/a.md", "papers/b.md") and report.unchanged == 1
    assert (tmp_path / "papers" / "b.md").read_text() == "B"


def test_damaged_manifest_is_a_clear_error(tmp_path):
    (tmp_path / MANIFEST_NAME).write_text("{not json")
    with pytest.raises(ArchiveError, match="damaged"):
        write_site(tmp_path, {"index.md": "x"})


@pytest.mark.parametrize("path", ["../escape.md", "/abs.md", "a/../../b.md", ""])
def test_paths_outside_the_folder_are_refused(tmp_path, path):
    with pytest.raises(ArchiveError, match="outside"):
        write_site(tmp_path / "out", {path: "x"})


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="a./\\ ", max_size=8))
def test_the_path_check_refuses_exactly_what_is_not_a_plain_relative_posix_path(path):
    # The reference: what PurePosixPath makes of the path (the check used to be this).
    pure = PurePosixPath(path)
    refused = (
        pure.is_absolute()
        or ".." in pure.parts
        or not pure.parts
        or path != pure.as_posix()
        or (len(pure.parts) == 1 and path in write._OWN_BOOKKEEPING)
    )
    try:
        write._check_relative(path)
        accepted = True
    except ArchiveError:
        accepted = False
    assert accepted != refused, path


def test_the_manifest_is_parsed_again_only_when_it_changed(tmp_path, monkeypatch):
    write_site(tmp_path, {"index.md": "one"})
    first = write._read_manifest_document(tmp_path)
    assert write._read_manifest_document(tmp_path) is first  # the same parse
    write_site(tmp_path, {"index.md": "two", "more.md": "x"})
    assert set(write._read_manifest_document(tmp_path)["files"]) == {"index.md", "more.md"}


def snapshot(folder):
    """Every entry below ``folder``: its content (or link target) and mtime."""
    entries = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            entries[relative] = ("link", os.readlink(path))
        elif path.is_dir():
            entries[relative] = ("folder",)
        else:
            entries[relative] = (path.read_bytes(), path.stat().st_mtime_ns)
    return entries


def test_a_run_that_fails_half_way_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    out = tmp_path / "site_src"
    write_site(out, {f"papers/p{n}.md": f"paper {n}\n" for n in range(10)})
    (out / "about.md").write_text("mine")
    before = snapshot(out)
    real_write = os.write
    calls = {"count": 0}

    def crash_half_way_through_the_fifth_page(descriptor, data):
        calls["count"] += 1
        if calls["count"] == 5:
            real_write(descriptor, bytes(data[: len(data) // 2]))
            raise KeyboardInterrupt
        return real_write(descriptor, data)

    monkeypatch.setattr(write.os, "write", crash_half_way_through_the_fifth_page)
    with pytest.raises(KeyboardInterrupt):
        write_site(out, {f"papers/p{n}.md": f"new paper {n}\n" for n in range(12)})
    monkeypatch.setattr(write.os, "write", real_write)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site_src"]  # nothing left beside it
    report = write_site(out, {f"papers/p{n}.md": f"new paper {n}\n" for n in range(12)})
    assert len(report.written) == 12 and (out / "papers" / "p11.md").read_text() == "new paper 11\n"


def test_leftovers_of_a_killed_run_are_cleared_by_the_next(tmp_path):
    out = tmp_path / "site_src"
    write_site(out, {"a.md": "a\n"})
    before = snapshot(out)
    staging = staging_folder(out)  # as a run killed while writing leaves it
    (staging / "papers").mkdir(parents=True)
    (staging / STAGING_MARKER).touch()
    (staging / "papers" / "half.md").write_text("hal")
    finish_interrupted_write(out)
    assert not staging.exists() and snapshot(out) == before


def test_a_run_killed_between_the_two_renames_keeps_the_previous_folder(tmp_path):
    out = tmp_path / "site_src"
    write_site(out, {"a.md": "a\n"})
    (out / "about.md").write_text("mine")
    before = snapshot(out)
    os.replace(out, retired_folder(out))  # killed after the first rename of the swap
    staging_folder(out).mkdir()
    (staging_folder(out) / STAGING_MARKER).touch()
    finish_interrupted_write(out)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site_src"]


def test_a_run_killed_after_the_swap_has_its_previous_folder_cleared(tmp_path):
    out = tmp_path / "site_src"
    write_site(out, {"a.md": "a\n", "old.md": "old\n"})
    (out / "about.md").write_text("mine")
    retired = retired_folder(out)
    shutil.copytree(out, retired)  # the previous folder, not yet cleared
    write_site(out, {"a.md": "a\n"})
    finish_interrupted_write(out)
    assert not retired.exists()
    assert (out / "about.md").read_text() == "mine" and not (out / "old.md").exists()


def test_a_previous_folder_holding_someone_elses_file_is_not_deleted(tmp_path):
    out = tmp_path / "site_src"
    write_site(out, {"a.md": "a\n"})
    retired = retired_folder(out)
    shutil.copytree(out, retired)
    (retired / "notes.md").write_text("written there by hand")
    with pytest.raises(ArchiveError, match="notes.md"):
        finish_interrupted_write(out)
    assert (retired / "notes.md").read_text() == "written there by hand"


def test_a_folder_in_the_way_of_staging_that_is_not_ours_is_kept(tmp_path):
    out = tmp_path / "site_src"
    staging_folder(out).mkdir(parents=True)
    (staging_folder(out) / "thesis.tex").write_text("years of work")
    with pytest.raises(ArchiveError, match="not made by digest-archive"):
        write_site(out, {"a.md": "a\n"})
    assert (staging_folder(out) / "thesis.tex").read_text() == "years of work"


def test_hand_written_files_links_and_empty_folders_survive_every_run(tmp_path):
    out = tmp_path / "site_src"
    write_site(out, {"index.md": "home\n", "papers/a.md": "A\n"})
    (out / "about.md").write_text("mine")
    (out / "papers" / "notes.md").write_text("mine too")
    (out / "drafts").mkdir()
    (out / "outside").symlink_to(tmp_path / "elsewhere")  # dangling: kept as a link
    (out / "papers" / "latest.md").symlink_to("a.md")
    os.utime(out / "about.md", ns=(1_000_000_000, 1_000_000_000))
    inode = (out / "about.md").stat().st_ino
    write_site(out, {"index.md": "new home\n", "papers/b.md": "B\n"})
    assert (out / "about.md").stat().st_ino == inode  # the same file, not a copy
    assert (out / "about.md").stat().st_mtime_ns == 1_000_000_000
    assert (out / "papers" / "notes.md").read_text() == "mine too"
    assert (out / "drafts").is_dir()
    assert os.readlink(out / "outside") == str(tmp_path / "elsewhere")
    assert os.readlink(out / "papers" / "latest.md") == "a.md"
    assert not (out / "papers" / "a.md").exists()


def test_without_hard_links_files_are_copied_with_their_mtime(tmp_path, monkeypatch):
    out = tmp_path / "site_src"
    write_site(out, {"a.md": "a\n"})
    (out / "about.md").write_text("mine")
    os.utime(out / "a.md", ns=(1_000_000_000, 1_000_000_000))

    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(write.os, "link", no_links)
    report = write_site(out, {"a.md": "a\n", "b.md": "b\n"})
    assert report.written == ("b.md",)
    assert (out / "a.md").stat().st_mtime_ns == 1_000_000_000
    assert (out / "about.md").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site_src"]


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


class _Counting(dict):
    """Files whose reads (renders) are counted."""

    def __init__(self, files):
        super().__init__(files)
        self.read: list[str] = []

    def __getitem__(self, path):
        self.read.append(path)
        return super().__getitem__(path)


def test_a_file_written_under_the_same_render_key_is_kept_without_rendering(tmp_path):
    keys = {"papers/a.md": "key-a", "papers/b.md": "key-b"}
    files = _Counting({"index.md": "home\n", "papers/a.md": "A\n", "papers/b.md": "B\n"})
    write_site(tmp_path, files, render_key=keys.get)
    assert sorted(files.read) == ["index.md", "papers/a.md", "papers/b.md"]

    files = _Counting({"index.md": "home\n", "papers/a.md": "A\n", "papers/b.md": "B, changed\n"})
    report = write_site(tmp_path, files, render_key={**keys, "papers/b.md": "key-b2"}.get)
    assert sorted(files.read) == ["index.md", "papers/b.md"]  # a kept unread: same key
    assert report.written == ("papers/b.md",)
    assert (tmp_path / "papers" / "b.md").read_text() == "B, changed\n"


def test_a_file_edited_since_it_was_written_is_rendered_again_whatever_its_key(tmp_path):
    keys = {"papers/a.md": "key-a"}
    write_site(tmp_path, {"papers/a.md": "A\n"}, render_key=keys.get)
    (tmp_path / "papers" / "a.md").write_text("edited by hand\n")
    files = _Counting({"papers/a.md": "A\n"})
    report = write_site(tmp_path, files, render_key=keys.get)
    assert files.read == ["papers/a.md"] and report.written == ("papers/a.md",)
    assert (tmp_path / "papers" / "a.md").read_text() == "A\n"


def _settle(folder) -> None:
    """Date the manifest a minute later: the files written with it are then 'settled'."""
    manifest = folder / MANIFEST_NAME
    later = manifest.stat().st_mtime_ns + 60_000_000_000
    os.utime(manifest, ns=(later, later))


def _spy_on_reads(monkeypatch) -> list[str]:
    """The files the writer opens to check them (by name)."""
    opened: list[str] = []
    real_open = open

    def spying(file, *args, **kwargs):
        opened.append(os.path.basename(str(file)))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(write, "open", spying, raising=False)
    return opened


def test_a_settled_file_untouched_since_is_kept_without_being_read(tmp_path, monkeypatch):
    keys = {"papers/a.md": "key-a", "papers/b.md": "key-b"}
    write_site(tmp_path, {"papers/a.md": "A\n", "papers/b.md": "B\n"}, render_key=keys.get)
    opened = _spy_on_reads(monkeypatch)
    # Written just now, as close to the manifest as an edit could be: read and compared.
    write_site(tmp_path, _Counting({"papers/a.md": "A\n", "papers/b.md": "B\n"}), render_key=keys.get)
    assert sorted(opened) == ["a.md", "b.md"]
    _settle(tmp_path)
    opened.clear()
    files = _Counting({"papers/a.md": "A\n", "papers/b.md": "B\n"})
    report = write_site(tmp_path, files, render_key=keys.get)
    assert opened == [] and files.read == [] and report.written == ()
    # Its signature carries over: the run after still finds it settled.
    _settle(tmp_path)
    assert (
        write_site(tmp_path, _Counting({"papers/a.md": "A\n", "papers/b.md": "B\n"}), render_key=keys.get).written == ()
    )
    assert opened == []


def test_a_settled_file_restored_with_its_time_is_kept_without_being_read(tmp_path, monkeypatch):
    # As the deploy workflow restores site_src from its cache: new files (new inodes),
    # the same bytes and times.
    keys = {"papers/a.md": "key-a"}
    write_site(tmp_path, {"papers/a.md": "A\n"}, render_key=keys.get)
    _settle(tmp_path)
    page = tmp_path / "papers" / "a.md"
    before = page.stat()
    restored = page.with_suffix(".restoring")
    shutil.copy2(page, restored)
    os.replace(restored, page)
    assert page.stat().st_ino != before.st_ino and page.stat().st_mtime_ns == before.st_mtime_ns
    opened = _spy_on_reads(monkeypatch)
    files = _Counting({"papers/a.md": "A\n"})
    assert write_site(tmp_path, files, render_key=keys.get).written == ()
    assert opened == [] and files.read == []


@pytest.mark.parametrize("edit", ["in place", "saved anew"])
def test_a_settled_file_edited_since_is_rendered_again(tmp_path, edit):
    keys = {"papers/a.md": "key-a"}
    write_site(tmp_path, {"papers/a.md": "A\n"}, render_key=keys.get)
    _settle(tmp_path)
    page = tmp_path / "papers" / "a.md"
    if edit == "in place":
        page.write_text("Z\n")  # the same size
    else:  # as editors save: a new file renamed over it
        page.with_suffix(".saving").write_text("Z\n")
        os.replace(page.with_suffix(".saving"), page)
    files = _Counting({"papers/a.md": "A\n"})
    report = write_site(tmp_path, files, render_key=keys.get)
    assert files.read == ["papers/a.md"] and report.written == ("papers/a.md",)
    assert page.read_text() == "A\n"


def test_a_manifest_of_the_first_format_is_read_and_renders_everything(tmp_path):
    write_site(tmp_path, {"papers/a.md": "A\n"})
    manifest = tmp_path / MANIFEST_NAME
    document = json.loads(manifest.read_text())
    document["format"] = "digest-archive manifest 1"
    del document["keys"]
    manifest.write_text(json.dumps(document))
    files = _Counting({"papers/a.md": "A\n"})
    assert write_site(tmp_path, files, render_key=lambda path: "k").written == ()
    assert files.read == ["papers/a.md"]


def _spy_on_work_order(monkeypatch) -> list[tuple[list[str], int]]:
    """Each write's paths in the order handed to the workers, and how many went alone."""
    calls: list[tuple[list[str], int]] = []
    real = write.map_in_chunks

    def spying(function, items, **options):
        calls.append((list(items), options.get("solo", 0)))
        return real(function, items, **options)

    monkeypatch.setattr(write, "map_in_chunks", spying)
    return calls


def test_files_without_a_recorded_key_are_written_first_one_at_a_time(tmp_path, monkeypatch):
    """A daily run's few files that always render (archive.json.gz, feeds) go first, alone;
    the report keeps the order they were given in."""
    files = {f"papers/p{n:04d}.md": f"paper {n}\n" for n in range(3000)}
    files["feed.xml"] = "feed\n"
    keyed = {path: "k" for path in files if path.startswith("papers/")}
    write_site(tmp_path, files, render_key=keyed.get)
    calls = _spy_on_work_order(monkeypatch)
    changed = {**files, "feed.xml": "feed, newer\n", "papers/p2999.md": "changed\n"}
    keys = {**keyed, "papers/p2999.md": "k2", "papers/new.md": "k"}
    report = write_site(tmp_path, {**changed, "papers/new.md": "new\n"}, render_key=keys.get)
    [(order, solo)] = calls
    assert order[:2] == ["feed.xml", "papers/new.md"] and solo == 2
    assert sorted(order) == sorted([*files, "papers/new.md"])
    assert report.written == ("papers/p2999.md", "feed.xml", "papers/new.md")
    assert (tmp_path / "feed.xml").read_text() == "feed, newer\n"
    assert (tmp_path / "papers/p2999.md").read_text() == "changed\n"


def test_a_first_write_keeps_the_sorted_order_in_chunks(tmp_path, monkeypatch):
    calls = _spy_on_work_order(monkeypatch)
    files = {f"papers/p{n:04d}.md": f"paper {n}\n" for n in range(1500)}
    write_site(tmp_path, files, render_key=lambda path: "k")
    [(order, solo)] = calls
    assert order == sorted(files) and solo == 0


@pytest.mark.parametrize("damage", ["garbage", "missing", "other times"])
def test_damaged_or_missing_signatures_only_mean_reading_the_files_again(tmp_path, monkeypatch, damage):
    keys = {"papers/a.md": "key-a", "papers/b.md": "key-b"}
    files = {"papers/a.md": "A\n", "papers/b.md": "B\n"}
    write_site(tmp_path, files, render_key=keys.get)
    signatures = write.signatures_file(tmp_path)
    if damage == "garbage":
        signatures.write_bytes(b"\x00not json")
    elif damage == "missing":
        signatures.unlink()
    else:
        document = json.loads(signatures.read_text())
        document["files"] = {path: [size, mtime - 1] for path, (size, mtime) in document["files"].items()}
        signatures.write_text(json.dumps(document))
    _settle(tmp_path)
    opened = _spy_on_reads(monkeypatch)
    counting = _Counting(files)
    report = write_site(tmp_path, counting, render_key=keys.get)
    assert sorted(opened) == ["a.md", "b.md"] and counting.read == [] and report.written == ()
    assert json.loads(signatures.read_text())["files"].keys() == set(files)  # recorded again
