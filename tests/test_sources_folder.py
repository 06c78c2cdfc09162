"""The digest folder: regular *.txt files inside it are digests; links out of it, broken
links, hidden files and other kinds of file are refused with a message, never read."""

from __future__ import annotations

import os
import shutil

from generator.sources.folder import find_digests

from .helpers import FIXTURES, make_project, run_cli

DIGEST = (FIXTURES / "archive" / "2024-12-30.txt").read_text()


def hostile_folder(root):
    """A digest folder with one good digest and every kind of file that must be refused."""
    digests = root / "digests"
    (digests / "sub").mkdir(parents=True)
    (digests / "2024-12-30.txt").write_text(DIGEST)
    os.symlink("/etc/passwd", digests / "passwd.txt")
    os.symlink(digests / "missing.txt", digests / "broken.txt")
    os.symlink("../2024-12-30.txt", digests / "sub" / "2024-12-30-link.txt")  # a link inside: fine
    (digests / ".hidden.txt").write_text(DIGEST)
    (digests / ".drafts").mkdir()
    (digests / ".drafts" / "2025-01-01.txt").write_text(DIGEST)  # a hidden folder is not read
    outside = root / "elsewhere"
    outside.mkdir()
    (outside / "2024-01-01.txt").write_text(DIGEST)
    os.symlink(outside, digests / "linked-folder")
    os.mkfifo(digests / "fifo.txt")
    (digests / "notes.md").write_text("not a digest")
    return digests


def test_only_regular_files_inside_the_folder_are_digests(tmp_path):
    digests = hostile_folder(tmp_path)
    found = find_digests(digests)
    assert [p.relative_to(digests).as_posix() for p in found.paths] == ["2024-12-30.txt", "sub/2024-12-30-link.txt"]
    refused = {os.path.relpath(error.source, digests): error.message for error in found.refused}
    assert refused == {
        ".hidden.txt": "a hidden file (rename it without the leading dot to read it)",
        "broken.txt": "a broken symbolic link",
        "fifo.txt": "not a regular file",
        "linked-folder": "a link to a folder outside the digest folder",
        "passwd.txt": "a symbolic link to a file outside the digest folder",
    }
    assert all(error.line is None for error in found.refused)


def test_refused_files_are_warnings_by_default_and_errors_under_strict_and_never_read(tmp_path):
    project = make_project(tmp_path / "project")
    digests = hostile_folder(tmp_path)
    lenient = run_cli("generate", "--digests", str(digests), cwd=project)
    assert lenient.returncode == 0, lenient.stderr
    assert lenient.stderr.count("warning:") == 5 and "(not read)" in lenient.stderr
    assert "root:" not in lenient.stderr and "Traceback" not in lenient.stderr  # nothing of /etc/passwd
    assert "2 digests, 5 skipped: 2 papers on 1 day ->" in lenient.stderr
    shutil.rmtree(project / "site_src")
    strict = run_cli("generate", "--digests", str(digests), "--strict", cwd=project)
    assert strict.returncode == 1
    for name in ("passwd.txt", "broken.txt", ".hidden.txt", "fifo.txt", "linked-folder"):
        assert f"error: {digests / name}: " in strict.stderr, name
    assert "5 bad digests; nothing was written (--strict)" in strict.stderr
    assert not (project / "site_src").exists()
