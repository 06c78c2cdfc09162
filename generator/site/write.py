"""The only writer of site_src: rendered pages in, a complete folder out.

A manifest (``.digest-archive-manifest.json`` in site_src; MkDocs skips dotfiles) lists
every file the generator wrote. The writer

* never overwrites or deletes a file the manifest does not list, so hand-written pages in
  site_src are safe (a clash is an error, not an overwrite);
* rewrites only files whose content changed, so an unchanged page keeps its mtime;
* leaves out the files it wrote earlier that the archive no longer produces;
* never changes site_src in place: it builds the new folder beside it
  (:func:`generator.folder_swap.replacing`), with unchanged pages and hand-written files
  hard-linked (same file, same mtime) rather than copied, and swaps the two folders only
  once the new one is complete. A run that is killed or fails leaves the previous
  site_src as it was; the next run clears up what the interrupted one left.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson

from ..errors import ArchiveError
from ..folder_swap import STAGING_MARKER, describe_os_error, link_or_copy, recover, replacing, write_atomically
from ..parallel import map_in_chunks
from ..progress import Progress

MANIFEST_NAME = ".digest-archive-manifest.json"
_MANIFEST_FORMAT = "digest-archive manifest 2"
# Manifests this version reads: the first had no render keys.
_MANIFEST_FORMATS = ("digest-archive manifest 1", _MANIFEST_FORMAT)

# Each file's size and modification time when the last write left it (see _same_key),
# in a file beside the output folder (signatures_file): times differ from run to run, and
# the folder, manifest included, is the same byte for byte for the same inputs.
_SIGNATURES_FORMAT = "digest-archive signatures 1"

# How a file was written: its render key (see write_site) and a hash of its content.
_Written = tuple[str, str]
_OWN_BOOKKEEPING = frozenset({MANIFEST_NAME, STAGING_MARKER})


@dataclass(frozen=True)
class WriteReport:
    """What a write changed: paths relative to the output folder."""

    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


def write_site(
    out_dir: Path,
    files: Mapping[str, str | bytes],
    inputs: str = "",
    render_key: Callable[[str], str | None] | None = None,
    keep_previous: bool = False,
) -> WriteReport:
    """Make ``out_dir`` hold exactly ``files`` among the files the generator owns.

    ``files`` may be lazy (a :class:`~generator.site.plan.SitePlan`): contents are read
    once each, in worker processes on a large site. Hand-written files in ``out_dir``
    are kept. ``out_dir`` changes in one step at the end, or not at all.

    ``inputs`` is a fingerprint of what the files were made from, kept in the manifest so
    that :func:`is_up_to_date` can skip a run whose inputs did not change.

    ``render_key(path)``, where given and not None, changes whenever the file's content
    would: a file written last time under the same key, and untouched since (the same
    content hash), is kept without reading ``files[path]`` (rendering it).
    """
    for path in files:
        _check_relative(path)
    out_dir = Path(os.path.abspath(out_dir))
    try:
        recover(out_dir, _discard_retired)  # before the manifest is read: a killed swap
        return _write(out_dir, files, inputs, render_key, keep_previous)
    except OSError as error:
        raise ArchiveError(describe_os_error(error, out_dir)) from None


def finish_interrupted_write(out_dir: Path) -> None:
    """Clear up after a write that was killed, or that kept the previous version: keep
    the previous ``out_dir`` (or, if the swap had happened, the new one) and remove the
    writer's leftovers beside it."""
    out_dir = Path(os.path.abspath(out_dir))
    try:
        recover(out_dir, _discard_retired)
    except OSError as error:
        raise ArchiveError(describe_os_error(error, out_dir)) from None


def read_manifest(out_dir: Path) -> set[str]:
    """The paths the generator wrote into ``out_dir`` last time (empty if none)."""
    return set(_read_manifest_document(out_dir)["files"])


def is_up_to_date(out_dir: Path, inputs: str) -> bool:
    """True if the last write was made from ``inputs`` and all its files are still there."""
    document = _read_manifest_document(out_dir)
    return (
        bool(inputs)
        and document.get("inputs") == inputs
        and all((out_dir / path).is_file() for path in document["files"])
    )


# The last manifest parsed, by its path and (inode, size, mtime): a run reads it up to
# three times (is it up to date, what to keep, what the build may use), and at 50,000
# papers each parse costs about half a second. Never mutated by its readers.
_parsed_manifest: dict[Path, tuple[tuple[int, int, int], dict]] = {}


def _manifest_and_signature(out_dir: Path) -> tuple[Path, tuple[int, int, int]]:
    """The manifest of ``out_dir`` as the memo's key (absolute: one key, however the
    folder is named) and its (inode, size, mtime); FileNotFoundError if there is none."""
    manifest = Path(os.path.abspath(out_dir / MANIFEST_NAME))
    status = manifest.stat()
    return manifest, (status.st_ino, status.st_size, status.st_mtime_ns)


def _remember_manifest(out_dir: Path, document: dict) -> None:
    """Keep ``document``, just written as ``out_dir``'s manifest, as its parsed version."""
    manifest, signature = _manifest_and_signature(out_dir)
    _parsed_manifest.clear()
    _parsed_manifest[manifest] = (signature, document)


def _read_manifest_document(out_dir: Path) -> dict:
    try:
        manifest, signature = _manifest_and_signature(out_dir)
    except FileNotFoundError:
        return {"files": []}
    known = _parsed_manifest.get(manifest)
    if known is not None and known[0] == signature:
        return known[1]
    try:
        # orjson: the same document in about a third of json's time (100,000 paths at 50k).
        document = orjson.loads(manifest.read_bytes())
        if document.get("format") not in _MANIFEST_FORMATS or not isinstance(document["files"], list):
            raise ValueError("unknown format")
        if not isinstance(document.get("keys", {}), dict):
            raise ValueError("unknown format")
        for path in document["files"]:
            _check_relative(path)
    except (ValueError, KeyError, TypeError, AttributeError, ArchiveError):
        raise ArchiveError(f"{manifest} is damaged; delete {out_dir} if everything in it was generated") from None
    _parsed_manifest.clear()
    _parsed_manifest[manifest] = (signature, document)
    return document


def _write(
    out_dir: Path,
    files: Mapping[str, str | bytes],
    inputs: str,
    render_key: Callable[[str], str | None] | None,
    keep_previous: bool,
) -> WriteReport:
    if out_dir.exists() and not out_dir.is_dir():
        raise ArchiveError(f"the output folder {out_dir} is a file")
    document = _read_manifest_document(out_dir)
    owned = set(document["files"])
    previous_keys: dict[str, list] = document.get("keys", {})
    signatures = _read_signatures(out_dir)
    settled_before = _settled_before(out_dir)
    clashes = _present(out_dir, [path for path in files if path not in owned])
    if clashes:
        listed = ", ".join(clashes[:5]) + (" …" if len(clashes) > 5 else "")
        raise ArchiveError(
            f"{out_dir} holds files the generator did not write and would overwrite: {listed}."
            " Move them elsewhere (or delete the folder if it is all generated output)."
        )

    paths = list(files)
    with replacing(out_dir, _discard_retired, keep_previous) as staging:
        # Strings, not Paths, and each folder made once per process: this runs for every
        # file (100,000 at 50,000 papers), nearly all of them unchanged.
        out_prefix, staging_prefix = os.path.join(out_dir, ""), os.path.join(staging, "")
        made: set[str] = set()

        def write_one(path: str) -> tuple[bool, _Written | None, list[int] | None]:
            previous = out_prefix + path
            target = staging_prefix + path
            folder = target.rpartition("/")[0]
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            key = render_key(path) if render_key is not None else None
            if key is not None and path in owned:
                recorded = previous_keys.get(path)
                signature = _same_key(previous, recorded, key, signatures.get(path), settled_before)
                if signature is not None:
                    link_or_copy(previous, target)
                    return False, (key, recorded[1]), signature  # type: ignore[index]
            # Reading files[path] renders the page when files is a lazy SitePlan: rendering
            # and writing happen together, spread over the worker processes.
            content = files[path]
            data = content if isinstance(content, bytes) else content.encode("utf-8")
            # A path the last run did not write is not there (the clash check found none):
            # a first run looks nothing up (100,000 failed lookups at 50,000 papers).
            current, status = _current_content(previous, len(data)) if path in owned else (None, None)
            if current == data:
                link_or_copy(previous, target)
            else:
                status = _create(target, data)
            if key is None or status is None:
                return current != data, None, None
            return current != data, (key, _content_hash(data)), _signature(status)

        def carry_over() -> None:
            # While the workers write: it touches only files the generator does not write.
            if out_dir.exists():
                _carry_over_hand_written(out_dir, staging, owned | set(paths))

        order, solo = _long_first(paths, previous_keys)
        progress = Progress("rendering and writing", len(paths))
        written_in_order = map_in_chunks(write_one, order, on_chunk=progress.advance, solo=solo, meanwhile=carry_over)
        done = dict(zip(order, written_in_order, strict=True))
        results = [done[path] for path in paths]
        progress.close()
        keys = {path: list(written) for path, (_, written, _) in zip(paths, results, strict=True) if written}
        manifest = _write_manifest(staging, set(paths), inputs, keys)
    # The build that follows reads the manifest: it is the one just written.
    _remember_manifest(out_dir, manifest)
    _write_signatures(
        out_dir, {path: signature for path, (_, _, signature) in zip(paths, results, strict=True) if signature}
    )
    written = tuple(path for path, (was_written, _, _) in zip(paths, results, strict=True) if was_written)
    return WriteReport(written=written, unchanged=len(paths) - len(written), removed=tuple(sorted(owned - set(paths))))


def _present(out_dir: Path, paths: list[str]) -> list[str]:
    """Those of ``paths`` (relative, with "/") that name an entry of ``out_dir``, sorted.

    Each folder is listed once, not each path looked up: a first run checks 100,000 paths
    at 50,000 papers, in a few folders (1.5 s of lookups, and nothing else runs then).
    """
    listed: dict[str, frozenset[str]] = {}
    present = []
    for path in paths:
        folder, _, name = path.rpartition("/")
        names = listed.get(folder)
        if names is None:
            try:
                names = frozenset(os.listdir(os.path.join(out_dir, folder)))
            except OSError:  # no such folder (or not a folder): nothing of it is there
                names = frozenset()
            listed[folder] = names
        if name in names:
            present.append(path)
    return sorted(present)


# At most this many files are written one at a time (see _long_first).
_SOLO_FILES = 1000


def _long_first(paths: list[str], previous_keys: Mapping[str, object]) -> tuple[list[str], int]:
    """``paths`` in the order to write them, and how many of the first go one at a time.

    The files written last time without a render key, or not at all, are rendered again:
    when they are few (a daily run's), they go first and one at a time. At 50,000 papers
    they include archive.json.gz (2.5 s) and archive.bib (1 s); in a chunk with 500
    others, or in the last chunk, the other workers would wait for them.
    """
    unkeyed = [path for path in paths if path not in previous_keys]
    if len(unkeyed) > _SOLO_FILES:
        return paths, 0
    return unkeyed + [path for path in paths if path in previous_keys], len(unkeyed)


def _content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _same_key(
    previous: str, recorded: list | None, key: str, signature_then: list[int] | None, settled_before: int
) -> list[int] | None:
    """The signature of ``previous`` (see :func:`_signature`) if it was written under
    ``key`` and still holds what was written then (not edited since); else None.

    A file whose size and modification time (to the nanosecond) are the ones recorded
    (``signature_then``), and whose modification time was over a second older than the
    manifest (``settled_before``), has not been touched since: it is not read again (at
    50,000 papers, 100,000 files read and hashed on every run). Any other is read and its
    content hash compared, as git compares a file whose time is too close to its
    index's ("racy git"): an edit made within a clock tick of the write would leave the
    time as it was. The inode is not compared: site_src restored from the deploy
    workflow's cache (a tar archive, which keeps the times) has new inodes. What goes
    unnoticed is an edit of the same size whose time is then put back to the
    nanosecond, which is no accident.
    """
    if not recorded or recorded[0] != key:
        return None
    try:
        status = os.stat(previous)
        signature = _signature(status)
        if signature == signature_then and status.st_mtime_ns < settled_before:
            return signature
        with open(previous, "rb") as stream:
            return signature if _content_hash(stream.read()) == recorded[1] else None
    except OSError:
        return None


def _signature(status: os.stat_result) -> list[int]:
    """What tells that a file has not been touched: its size and modification time."""
    return [status.st_size, status.st_mtime_ns]


def signatures_file(out_dir: Path) -> Path:
    """Where the sizes and times of ``out_dir``'s files are kept: beside it
    (``.site_src.signatures.json``), never published."""
    return out_dir.parent / f".{out_dir.name}.signatures.json"


def _read_signatures(out_dir: Path) -> dict[str, list[int]]:
    """The signatures the last write recorded; none if the file is missing or damaged
    (every kept file is then read to be checked). A file left by an older write holds
    signatures its files no longer have: they are read too."""
    try:
        document = orjson.loads(signatures_file(out_dir).read_bytes())
        if document.get("format") == _SIGNATURES_FORMAT and isinstance(document.get("files"), dict):
            return document["files"]
    except (OSError, ValueError, AttributeError):
        pass
    return {}


def _write_signatures(out_dir: Path, signatures: dict[str, list[int]]) -> None:
    """Keep the signatures for the next write; without them it only reads more. A write
    without render keys records none, and leaves no file."""
    if not signatures:
        with contextlib.suppress(OSError):
            signatures_file(out_dir).unlink(missing_ok=True)
        return
    document = {"format": _SIGNATURES_FORMAT, "files": signatures}
    with contextlib.suppress(ArchiveError):
        write_atomically(signatures_file(out_dir), orjson.dumps(document) + b"\n")


def _settled_before(out_dir: Path) -> int:
    """Files modified before this time (ns) and not since are as the last write left them
    (see :func:`_same_key`): a second before the last manifest was written; 0 without one."""
    try:
        _, (_, _, mtime_ns) = _manifest_and_signature(out_dir)
    except OSError:
        return 0
    return mtime_ns - 1_000_000_000


def _current_content(target: str, size: int) -> tuple[bytes | None, os.stat_result | None]:
    """The bytes of ``target`` if it is a file of ``size`` bytes, ``b""`` if another size,
    None if absent; and its status."""
    try:
        status = os.stat(target)
        if status.st_size != size:
            return b"", status
        with open(target, "rb") as stream:
            return stream.read(), status
    except FileNotFoundError:
        return None, None


def _create(target: Path | str, data: bytes) -> os.stat_result:
    """Write ``data`` to the new file ``target``; its status once written."""
    # O_EXCL: the staging folder is new, so a file already there is a bug, not a page.
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        return os.fstat(descriptor)
    finally:
        os.close(descriptor)


def _carry_over_hand_written(out_dir: Path, staging: Path, generated: set[str]) -> None:
    """Link into ``staging`` every file of ``out_dir`` the generator does not own (now or
    before), and the empty folders, keeping symbolic links as links."""
    for folder, subfolders, names in os.walk(out_dir):
        relative_folder = os.path.relpath(folder, out_dir)
        prefix = "" if relative_folder == "." else relative_folder.replace(os.sep, "/") + "/"
        target_folder = staging / prefix
        if not subfolders and not names:
            target_folder.mkdir(parents=True, exist_ok=True)
        for name in subfolders + names:
            relative = prefix + name
            if relative in generated or (not prefix and name in _OWN_BOOKKEEPING):
                continue
            source = Path(folder, name)
            if source.is_symlink():
                target_folder.mkdir(parents=True, exist_ok=True)
                os.symlink(os.readlink(source), target_folder / name)
            elif name in names:
                target_folder.mkdir(parents=True, exist_ok=True)
                link_or_copy(source, target_folder / name)


def _discard_retired(retired: Path, out_dir: Path) -> None:
    """Remove the previous version of ``out_dir`` after a swap, file by file: a file
    goes only if the generator wrote it or ``out_dir`` holds the same file."""
    owned = read_manifest(retired) | _OWN_BOOKKEEPING
    kept = []
    # Strings, not Paths: this visits every file of the previous version (100,000 at
    # 50,000 papers).
    for folder, subfolders, names in os.walk(retired, topdown=False):
        relative_folder = os.path.relpath(folder, retired)
        prefix = "" if relative_folder == "." else relative_folder.replace(os.sep, "/") + "/"
        for name in names + [entry for entry in subfolders if os.path.islink(os.path.join(folder, entry))]:
            relative = prefix + name
            old = os.path.join(folder, name)
            if relative in owned or _same_file(Path(old), out_dir / relative):
                os.unlink(old)
            else:
                kept.append(relative)
        with contextlib.suppress(OSError):  # it holds a kept file
            os.rmdir(folder)
    if kept:
        raise ArchiveError(
            f"{retired} holds files that are not in {out_dir} ({', '.join(sorted(kept)[:5])}):"
            " check them, then move or delete that folder"
        )


def _same_file(old: Path, new: Path) -> bool:
    if old.is_symlink():
        return new.is_symlink() and os.readlink(old) == os.readlink(new)
    try:
        if os.path.samefile(old, new):
            return True
        return (
            not new.is_symlink() and old.stat().st_size == new.stat().st_size and old.read_bytes() == new.read_bytes()
        )
    except OSError:
        return False


def _write_manifest(out_dir: Path, paths: set[str], inputs: str = "", keys: dict[str, list] | None = None) -> dict:
    document = {
        "format": _MANIFEST_FORMAT,
        "inputs": inputs,
        "files": sorted(paths),
        "keys": dict(sorted((keys or {}).items())),
    }
    # Compact: an indented dump goes through json's pure-Python encoder (1 s at 50,000 papers).
    _create(out_dir / MANIFEST_NAME, (json.dumps(document, separators=(",", ":")) + "\n").encode("utf-8"))
    return document


def _check_relative(path: str) -> None:
    # A plain relative POSIX path, written as PurePosixPath writes it: no empty, "." or
    # ".." part (so not absolute, no "//", no trailing "/"), and not the writer's own
    # bookkeeping. Plain string work: it runs for every path, several times a run.
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts) or (len(parts) == 1 and path in _OWN_BOOKKEEPING):
        raise ArchiveError(f"refusing to write outside the output folder: {path!r}")
