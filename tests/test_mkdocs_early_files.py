"""early_files: site_src listed ahead, then again from directory entries, gives the list
MkDocs' own get_files gives, in its order, with its inclusion levels."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.structure.files import get_files

from generator.mkdocs import early_files

NAMES = ["index.md", "a.md", "b.md", "Index.md", "z.txt", ".hidden.json", "data.json", "a", "b-c.md", "é.md"]
FOLDERS = ["", "papers/", "papers/x/", "papers/y/", "days/", ".private/", "a/", "templates/"]
PATHS = st.builds(lambda folder, name: folder + name, st.sampled_from(FOLDERS), st.sampled_from(NAMES))


def config_for(root: Path):
    (root / "mkdocs.yml").write_text("site_name: t\ndocs_dir: docs\nsite_dir: site\nexclude_docs: |\n  drafts/\n")
    (root / "docs").mkdir(exist_ok=True)
    return load_config(config_file=str(root / "mkdocs.yml"))


def write(docs: Path, path: str, text: str) -> None:
    """As the generator writes: a new file put in place (a new inode), never in place."""
    target = docs / path
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = target.with_name(target.name + ".new")
    fresh.write_text(text)
    os.replace(fresh, target)


def described(files) -> list[tuple[str, str, str]]:
    return [(file.src_uri, file.dest_uri, str(file.inclusion)) for file in files]


def plant(docs: Path, paths: set[str]) -> set[str]:
    """Write what can be written (a file and a folder of one name cannot both be)."""
    written = set()
    for path in sorted(paths):
        try:
            write(docs, path, path)
            written.add(path)
        except (NotADirectoryError, IsADirectoryError, FileExistsError):
            continue
    return written


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.sets(PATHS, min_size=1, max_size=25),
    added=st.sets(PATHS, max_size=8),
    changed=st.sets(PATHS, max_size=8),
    removed=st.sets(PATHS, max_size=8),
)
def test_the_list_after_any_change_is_get_files_own(before, added, changed, removed):
    root = Path(tempfile.mkdtemp())
    try:
        config = config_for(root)
        docs = Path(config.docs_dir)
        before = plant(docs, {path for path in before if "README" not in path})
        early = early_files.scan(config)
        assert early is not None
        assert described(early.files) == described(get_files(config))
        # New files first, so no inode a removal frees is taken again (as in the generator).
        plant(docs, added - before)
        for path in changed & before:
            write(docs, path, "changed " + path)
        for path in removed & before:
            (docs / path).unlink()
        now = early.files_now(config)
        if now is None:  # only when a new file's destination is another's
            return
        files, status = now
        assert described(files) == described(get_files(config))
        for uri, (inode, size, mtime_ns) in status.items():
            found = os.stat(docs / uri)
            assert (found.st_ino, found.st_size, found.st_mtime_ns) == (inode, size, mtime_ns)
        assert not (set(status) & ((changed & before) | (added - before)))
    finally:
        shutil.rmtree(root)


def test_what_only_get_files_settles_is_left_to_it(tmp_path):
    config = config_for(tmp_path)
    docs = Path(config.docs_dir)
    write(docs, "index.md", "home")
    write(docs, "a.md", "a")
    early = early_files.scan(config)
    assert early is not None and early.files_now(config) is not None
    write(docs, "a/index.md", "a again")  # the same page as a.md
    assert early.files_now(config) is None
    (docs / "a" / "index.md").unlink()
    os.symlink(docs / "a.md", docs / "b.md")
    assert early.files_now(config) is None
    (docs / "b.md").unlink()
    write(docs, "README.md", "readme")  # get_files drops a README.md beside an index.md
    assert early.files_now(config) is None
    rescanned = early_files.scan(config)  # get_files' own list, the README left out...
    assert rescanned is not None and described(rescanned.files) == described(get_files(config))
    assert rescanned.files_now(config) is None  # ...which only get_files settles


def test_mkdocs_lists_through_the_early_list_inside_the_block_and_its_own_after(tmp_path):
    config = config_for(tmp_path)
    write(Path(config.docs_dir), "index.md", "home")
    early = early_files.scan(config)
    assert early is not None
    told: list[dict] = []
    with early_files.listing_with(early, told.append):
        files = mkdocs_build.get_files(config)
        write(Path(config.docs_dir), "a/index.md", "a")
        write(Path(config.docs_dir), "a.md", "the same page: MkDocs' own list")
        assert described(mkdocs_build.get_files(config)) == described(get_files(config))
    assert mkdocs_build.get_files is get_files
    assert described(files) == [("index.md", "index.html", "InclusionLevel.INCLUDED")]
    assert len(told) == 1 and set(told[0]) == {"index.md"}


def test_a_scan_that_fails_gives_no_early_list_and_a_folder_gone_leaves_the_list_to_mkdocs(tmp_path, monkeypatch):
    config = config_for(tmp_path)
    write(Path(config.docs_dir), "index.md", "home")
    early = early_files.scan(config)
    assert early is not None
    shutil.rmtree(config.docs_dir)
    assert early.files_now(config) is None

    def fails(config):
        raise OSError("unreadable")

    monkeypatch.setattr(early_files, "get_files", fails)
    assert early_files.scan(config) is None


@pytest.mark.parametrize("setting", ["site_dir", "use_directory_urls"])
def test_a_list_made_with_other_settings_is_not_used(tmp_path, setting):
    config = config_for(tmp_path)
    write(Path(config.docs_dir), "index.md", "home")
    early = early_files.scan(config)
    assert early is not None
    config[setting] = "elsewhere" if setting == "site_dir" else not config[setting]
    assert early.files_now(config) is None
