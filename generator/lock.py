"""One run at a time per project folder: the lock every command that writes takes.

``generate``, ``build`` and ``serve`` (when it builds) take an exclusive ``flock`` on
``.digest-archive.lock`` in the project folder before they touch ``site_src/`` or
``site/``, and a second run waits for it (or, with ``--no-wait``, stops at once with a
clear error). The lock belongs to the open file, so every process of the run holds it:
the worker processes forked from the run, and ``mkdocs build`` and Pagefind, which get
the file descriptor (:func:`inherited_lock_fds`). The kernel releases it when the last of
them ends, however they end, so a killed run never leaves a lock that blocks the next;
the file's content (the holder's pid, command and start time, cleared on a clean
release) tells the next run that the previous one did not finish, and the next run then
clears up what it left (see :mod:`generator.folder_swap`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import ArchiveError

LOCK_NAME = ".digest-archive.lock"
# Passed to mkdocs build, whose plugins pass the descriptor on to Pagefind.
LOCK_FD_VARIABLE = "DIGEST_ARCHIVE_LOCK_FD"


class LockBusy(ArchiveError):
    """Another run holds the project's lock and this one was told not to wait."""


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) a project lock, as written in its file."""

    pid: int
    command: str
    started: str

    def describe(self) -> str:
        return f"pid {self.pid}, `digest-archive {self.command}`, started {self.started}"


@dataclass(frozen=True)
class ProjectLock:
    """A held project lock: its file descriptor, and the run that held it before if that
    run ended without releasing it (killed, or its machine went down)."""

    path: Path
    fd: int
    abandoned_by: Holder | None


@contextlib.contextmanager
def project_lock(
    project: Path, command: str, wait: bool = True, on_wait: Callable[[str], None] | None = None
) -> Iterator[ProjectLock]:
    """Hold the lock of ``project`` while the block runs.

    If another run holds it: wait for it, calling ``on_wait`` once with a message, or if
    not ``wait``, raise :class:`LockBusy` naming the holder.
    """
    project = project.resolve()
    path = project / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise ArchiveError(f"cannot create the lock file {path}: {error.strerror}") from None
    try:
        if not _try_lock(fd):
            holder = _read_holder(fd)
            who = f" ({holder.describe()})" if holder else ""
            if not wait:
                raise LockBusy(
                    f"another digest-archive run{who} is writing in {project}; wait for it to"
                    " finish, or run again without --no-wait to wait for it"
                )
            if on_wait:
                on_wait(f"waiting for another digest-archive run{who} to finish in {project}")
            fcntl.flock(fd, fcntl.LOCK_EX)
        abandoned = _read_holder(fd)
        _write_holder(fd, Holder(os.getpid(), command, dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")))
        yield ProjectLock(path, fd, abandoned)
        # A clean release empties the file: content left in it means a run that never got here.
        os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock if this process is its last holder


def inherited_lock_fds() -> tuple[int, ...]:
    """The project lock's descriptor passed down to this process (by ``build`` to
    ``mkdocs build``), to pass on to its own children: empty if none."""
    value = os.environ.get(LOCK_FD_VARIABLE, "")
    if not value.isdigit():
        return ()
    try:
        os.fstat(int(value))
    except OSError:
        return ()
    return (int(value),)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def _read_holder(fd: int) -> Holder | None:
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8")
        values = json.loads(text) if text.strip() else None
        return Holder(int(values["pid"]), str(values["command"]), str(values["started"])) if values else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_holder(fd: int, holder: Holder) -> None:
    data = json.dumps({"pid": holder.pid, "command": holder.command, "started": holder.started}).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data + b"\n", 0)
