"""The digest folder: which files in it are digests.

A digest is a regular file named ``*.txt`` (a text digest) or ``*.json`` (a structured
digest from the Daily Papers API) inside the digest folder (at any depth). A
symbolic link is followed only to a regular file inside the folder: a link out of it, a
broken link or a link to something else is refused, and so is a hidden file
(``.draft.txt``). Hidden folders (``.git``) are not read at all. A refused file is
reported like a bad digest (a warning, or an error under ``--strict``) and never read,
so nothing outside the folder reaches a page or a message.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..errors import ArchiveError, DigestError

DIGEST_SUFFIXES = (".txt", ".json")


@dataclass(frozen=True)
class DigestFiles:
    """The digest files to read, sorted by path, and the files refused, with why."""

    paths: tuple[Path, ...]
    refused: tuple[DigestError, ...]


def find_digests(folder: Path) -> DigestFiles:
    """The digests of ``folder``; raises :class:`ArchiveError` if it is not a folder."""
    if not folder.is_dir():
        raise ArchiveError(f"digest folder not found: {folder}")
    root = folder.resolve()
    paths: list[Path] = []
    refused: list[DigestError] = []

    def unreadable(error: OSError) -> None:
        refused.append(DigestError(str(error.filename), None, f"cannot read this folder: {error.strerror}"))

    for folder_path, subfolders, names in os.walk(folder, onerror=unreadable):
        for name in list(subfolders):
            path = Path(folder_path, name)
            if name.startswith(".") or path.is_symlink():
                subfolders.remove(name)  # hidden folders are not digests; links are checked below
                if not name.startswith(".") and not _inside(path, root):
                    refused.append(DigestError(str(path), None, "a link to a folder outside the digest folder"))
        for name in names:
            if not name.endswith(DIGEST_SUFFIXES):
                continue
            path = Path(folder_path, name)
            problem = _refusal(path, name, root)
            if problem:
                refused.append(DigestError(str(path), None, problem))
            else:
                paths.append(path)
    return DigestFiles(tuple(sorted(paths)), tuple(sorted(refused, key=lambda error: error.source)))


def _refusal(path: Path, name: str, root: Path) -> str | None:
    """Why ``path`` is not read as a digest, or None if it is one."""
    if name.startswith("."):
        return "a hidden file (rename it without the leading dot to read it)"
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "a broken symbolic link"
        if not _inside(target, root):
            return "a symbolic link to a file outside the digest folder"
    try:
        mode = path.stat().st_mode
    except OSError as error:
        return f"cannot read file: {error.strerror}"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return None


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        return False
