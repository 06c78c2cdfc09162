"""Replace a folder in one step: build its next version beside it, then swap.

Both ``site_src/`` (the generator's pages) and ``site/`` (MkDocs' build) change this
way. :func:`replacing` gives a staging folder beside the target
(``.<name>.writing``); when the work in it succeeds, two renames put it in place and the
previous version, moved to ``.<name>.previous``, is discarded; when the work fails or is
interrupted, the staging folder goes and the target is untouched. A run killed at any
point leaves either the old or the new folder in place, and :func:`recover` (called by
the next run) puts things back in order.

The staging folder holds a marker file while it is being filled, so a folder in the way
that the generator did not make is never deleted.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ArchiveError

STAGING_MARKER = ".digest-archive-writing"

# How the previous version is cleared after a swap: ``discard(previous, current)``.
Discard = Callable[[Path, Path], None]


def staging_folder(target: Path) -> Path:
    """Where the next version of ``target`` is built."""
    return target.with_name(f".{target.name}.writing")


def retired_folder(target: Path) -> Path:
    """Where the previous version of ``target`` waits, during a swap, to be cleared."""
    return target.with_name(f".{target.name}.previous")


def remove_tree(previous: Path, current: Path) -> None:
    """The :data:`Discard` for a folder whose every file the generator made."""
    shutil.rmtree(previous)


def recover(target: Path, discard: Discard = remove_tree) -> None:
    """Clear up after a replacement that was killed: keep the previous ``target`` (or,
    if the swap had happened, the new one) and remove the leftovers beside it."""
    staging, retired = staging_folder(target), retired_folder(target)
    if retired.exists() and not target.exists():
        os.replace(retired, target)  # killed between the two renames of a swap
    if staging.exists():
        remove_staging(staging)
    if retired.exists():
        discard(retired, target)
    (target / STAGING_MARKER).unlink(missing_ok=True)


@contextmanager
def replacing(
    target: Path, discard: Discard = remove_tree, keep_previous: bool = False, prepared: bool = False
) -> Iterator[Path]:
    """Yield a new, empty staging folder for the next version of ``target``; swap it in
    when the block ends without an exception, remove it when one is raised.

    With ``keep_previous``, the previous version is left beside ``target`` after the
    swap, for the caller to clear with :func:`recover` (which the next replacement also
    does): it may have better things to do first. With ``prepared``, the staging folder
    is the one the caller already made (after :func:`recover`) and began to fill."""
    staging = staging_folder(target)
    if prepared:
        if not (staging / STAGING_MARKER).is_file():
            raise ArchiveError(f"{staging} is not a staging folder digest-archive prepared")
    else:
        recover(target, discard)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
    try:
        (staging / STAGING_MARKER).touch()
        yield staging
        _swap(staging, target, None if keep_previous else discard)
    except BaseException:
        remove_staging(staging)
        raise


def _swap(staging: Path, target: Path, discard: Discard | None) -> None:
    retired = retired_folder(target)
    if target.exists():
        os.replace(target, retired)
    os.replace(staging, target)
    (target / STAGING_MARKER).unlink()
    if retired.exists() and discard is not None:
        discard(retired, target)


def remove_staging(staging: Path) -> None:
    """Remove a staging folder: everything in it was made by the generator."""
    if not staging.exists():
        return
    if not (staging / STAGING_MARKER).exists() and any(staging.iterdir()):
        raise ArchiveError(f"{staging} is in the way and was not made by digest-archive; move it elsewhere")
    shutil.rmtree(staging)


def describe_os_error(error: OSError, target: Path) -> str:
    """One line for an OS error met while writing ``target``."""
    where = error.filename or target
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write to {where}: the folder is read-only or not yours (permission denied)"
    if error.errno == errno.ENOSPC:
        return f"cannot write to {where}: no space left on the device"
    if error.errno in (errno.EBUSY, errno.EXDEV):
        return (
            f"cannot replace {where}: {error.strerror}. The generator builds a new {target.name}"
            " beside the old one and swaps them, so the folder cannot be a mount point:"
            " mount the folder above it instead"
        )
    if error.errno == errno.EDQUOT:
        return f"cannot write to {where}: disk quota exceeded"
    return f"cannot write to {where}: {error.strerror or error}"


def link_or_copy(source: Path | str, target: Path | str) -> bool:
    """Put ``source`` at ``target`` as the same file (a hard link: True) or, where the
    file system has no hard links, as a copy with the same mtime (False)."""
    try:
        os.link(source, target, follow_symlinks=False)
        return True
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EMLINK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV):
            raise
    shutil.copy2(source, target, follow_symlinks=False)
    return False


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step: a reader sees the old file or the new
    one, never half of one. The partial file is hidden and not named ``*.json``, so no
    digest reader ever takes it for a digest."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with open(partial, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, path)
    except OSError as error:
        with contextlib.suppress(OSError):  # the folder itself may be what is missing
            partial.unlink(missing_ok=True)
        raise ArchiveError(f"cannot write {path}: {error.strerror}") from None
