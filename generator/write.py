"""Stage 5: write rendered pages into site_src, the only module that writes Markdown.

A manifest (``.digest-archive-manifest.json`` in site_src; MkDocs skips dotfiles) lists
every file the generator wrote. The writer

* never overwrites or deletes a file the manifest does not list, so hand-written pages in
  site_src are safe (a clash is an error, not an overwrite);
* rewrites only files whose content changed, so an unchanged page keeps its mtime;
* removes the files it wrote earlier that the archive no longer produces;
* records every file in the manifest before creating it, and replaces an existing file
  by writing a temporary name and renaming it into place: an interrupted run never
  leaves a half-written file under a name a reader had, nor a file it will not
  recognise as its own (a new file cut short is rewritten by the next run).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import ArchiveError
from .parallel import map_in_chunks
from .progress import Progress

MANIFEST_NAME = ".digest-archive-manifest.json"
_MANIFEST_FORMAT = "digest-archive manifest 1"


@dataclass(frozen=True)
class WriteReport:
    """What a write changed: paths relative to the output folder."""

    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


def write_site(out_dir: Path, files: Mapping[str, str | bytes], inputs: str = "") -> WriteReport:
    """Make ``out_dir`` hold exactly ``files`` among the files the generator owns.

    ``files`` may be lazy (a :class:`~generator.render.SitePlan`): contents are read
    once each, in worker processes on a large site.

    ``inputs`` is a fingerprint of what the files were made from, kept in the manifest so
    that :func:`is_up_to_date` can skip a run whose inputs did not change.
    """
    for path in files:
        _check_relative(path)
    try:
        return _write(out_dir, files, inputs)
    except OSError as error:
        raise ArchiveError(_describe_os_error(error, out_dir)) from None


def read_manifest(out_dir: Path) -> set[str]:
    """The paths the generator wrote into ``out_dir`` last time (empty if none)."""
    return set(_read_manifest_document(out_dir)["files"])


def is_up_to_date(out_dir: Path, inputs: str) -> bool:
    """True if the last write was made from ``inputs`` and all its files are still there."""
    document = _read_manifest_document(out_dir)
    return bool(inputs) and document.get("inputs") == inputs and all(
        (out_dir / path).is_file() for path in document["files"]
    )


def _read_manifest_document(out_dir: Path) -> dict:
    manifest = out_dir / MANIFEST_NAME
    if not manifest.exists():
        return {"files": []}
    try:
        document = json.loads(manifest.read_text(encoding="utf-8"))
        if document.get("format") != _MANIFEST_FORMAT or not isinstance(document["files"], list):
            raise ValueError("unknown format")
        for path in document["files"]:
            _check_relative(path)
    except (ValueError, KeyError, TypeError, AttributeError, ArchiveError):
        raise ArchiveError(
            f"{manifest} is damaged; delete {out_dir} if everything in it was generated"
        ) from None
    return document


def _write(out_dir: Path, files: Mapping[str, str | bytes], inputs: str) -> WriteReport:
    out_dir.mkdir(parents=True, exist_ok=True)
    owned = read_manifest(out_dir)
    clashes = sorted(p for p in files if p not in owned and (out_dir / p).exists())
    if clashes:
        listed = ", ".join(clashes[:5]) + (" …" if len(clashes) > 5 else "")
        raise ArchiveError(
            f"{out_dir} holds files the generator did not write and would overwrite: {listed}."
            " Move them elsewhere (or delete the folder if it is all generated output)."
        )

    _write_manifest(out_dir, owned | set(files))

    def write_one(path: str) -> bool:
        # Reading files[path] renders the page when files is a lazy SitePlan: rendering
        # and writing happen together, spread over the worker processes.
        target = out_dir / path
        content = files[path]
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        existing = _current_content(target, len(data))
        if existing == data:
            return False
        if existing is None and _create_new(target, data):
            return True
        target.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(target, data)
        return True

    paths = list(files)
    progress = Progress("rendering and writing", len(paths))
    changed = map_in_chunks(write_one, paths, on_chunk=progress.advance)
    progress.close()
    written = [path for path, was_written in zip(paths, changed) if was_written]
    unchanged = len(paths) - len(written)

    removed = sorted(owned - set(files))
    for path in removed:
        (out_dir / path).unlink(missing_ok=True)
        _prune_empty_parents(out_dir, out_dir / path)
    _write_manifest(out_dir, set(files), inputs)
    return WriteReport(written=tuple(written), unchanged=unchanged, removed=tuple(removed))


def _current_content(target: Path, size: int) -> bytes | None:
    """The bytes of ``target`` if it has ``size`` bytes, ``b""`` if another size, None if absent."""
    try:
        if target.stat().st_size != size:
            return b""
        return target.read_bytes()
    except FileNotFoundError:
        return None


def _create_new(target: Path, data: bytes) -> bool:
    """Write a file that does not exist yet, straight to its name; False if it now exists.

    No temporary file is needed: the manifest already lists the path, so should the run
    be cut short mid-write, the next run finds the content wrong and replaces it. O_EXCL
    never follows a symlink or truncates a file that appeared meanwhile.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        descriptor = os.open(target, flags, 0o644)
    except FileExistsError:
        return False
    except FileNotFoundError:  # its folder is new too
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(target, flags, 0o644)
        except FileExistsError:
            return False
    _write_and_close(descriptor, data)
    return True


def _write_and_close(descriptor: int, data: bytes) -> None:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
    finally:
        os.close(descriptor)


def _atomic_write(target: Path, data: bytes) -> None:
    # A fixed temporary name beside the target: a leftover from a run killed mid-write
    # is overwritten by the next run instead of piling up under random names.
    temporary = f"{target.parent}/.{target.name}.writing"
    try:
        _write_and_close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), data)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _write_manifest(out_dir: Path, paths: set[str], inputs: str = "") -> None:
    # Written with inputs="" before pages change, so a run cut short is never taken as up to date.
    document = {"format": _MANIFEST_FORMAT, "inputs": inputs, "files": sorted(paths)}
    _atomic_write(out_dir / MANIFEST_NAME, (json.dumps(document, indent=0) + "\n").encode("utf-8"))


def _prune_empty_parents(out_dir: Path, removed_file: Path) -> None:
    """Remove folders left empty by a removal, up to (not including) ``out_dir``."""
    folder = removed_file.parent
    while folder != out_dir and out_dir in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (or not ours to judge): keep it
        folder = folder.parent


def _check_relative(path: str) -> None:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or path != pure.as_posix():
        raise ArchiveError(f"refusing to write outside the output folder: {path!r}")


def _describe_os_error(error: OSError, out_dir: Path) -> str:
    where = error.filename or out_dir
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write to {where}: the folder is read-only or not yours (permission denied)"
    if error.errno == errno.ENOSPC:
        return f"cannot write to {where}: no space left on the device"
    return f"cannot write to {where}: {error.strerror or error}"
