"""Run ``mkdocs build --strict`` and put the new site in place only if it is complete.

MkDocs builds into a staging folder beside the site (:mod:`generator.folder_swap`); the
old site is swapped out only after a clean build whose output holds every page the
generator wrote, so a failed, interrupted or incomplete build leaves the last good site
as it was. A site folder is only ever replaced if it is empty or carries the marker of
an earlier build.

When the last build left its state (``.<site>.build-state.pickle`` beside the site), the
build is incremental (:mod:`generator.mkdocs.incremental`): the staging folder starts as
hard links to the last site and ``mkdocs build --dirty`` redoes what changed. Should it
fail, or should a write have gone through a link into the last site, the build is
done again in full; the site it leaves is the same either way.
"""

from __future__ import annotations

import contextlib
import functools
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ArchiveError
from ..folder_swap import STAGING_MARKER, describe_os_error, recover, remove_staging, replacing, staging_folder
from ..lock import LOCK_FD_VARIABLE
from ..parallel import in_background
from ..site.urls import built_path
from .incremental import (
    STATE_OUT_VARIABLE,
    STATE_VARIABLE,
    NotTheRecordedSite,
    link_tree,
    read_state,
    was_incremental,
    written_through,
)

SITE_MARKER = ".digest-archive-site"


def state_file(site_dir: Path) -> Path:
    """Where the build state of ``site_dir`` is kept: beside it, not in the published site."""
    return site_dir.with_name(f".{site_dir.name}.build-state.pickle")


def _new_state_file(state: Path) -> Path:
    """Where a build writes its state, put in place of ``state`` once its site is."""
    return state.with_name(state.name + ".new")


@dataclass(frozen=True)
class PreparedSite:
    """The staging folder of an incremental build, filled with links to the last site
    (:func:`prepare_site`): what was linked, for :func:`written_through`; or, when
    there is nothing to start from, None and why (for the log; None if no state)."""

    linked: dict[str, tuple[int, int, int]] | None
    why_not: str | None = None


def prepare_site(site_dir: Path, full: bool = False) -> PreparedSite:
    """Remove the site the last build swapped out (``.site.previous``), then fill the
    staging folder of ``site_dir`` with hard links to the last site, checked against its
    build state, ready for :func:`build_site`; nothing when there is no state, the site
    is not the one it records, or ``full``.

    It touches only the last site (read) and the staging folder, so ``digest-archive
    build`` runs it in the background while it generates the pages (at 50,000 papers,
    160,000 links: two seconds).
    """
    site_dir = Path(os.path.abspath(site_dir))
    try:
        _check_replaceable(site_dir)
        recover(site_dir)  # the site the last build swapped out, and what a killed build left
        previous = None if full or not (site_dir / SITE_MARKER).is_file() else read_state(state_file(site_dir))
        if previous is None:
            return PreparedSite(None)
        staging = staging_folder(site_dir)
        staging.mkdir()
        (staging / STAGING_MARKER).touch()
        try:
            return PreparedSite(link_tree(site_dir, staging, previous.site, ignore=[SITE_MARKER]))
        except NotTheRecordedSite:
            remove_staging(staging)
            return PreparedSite(None, f"{site_dir} is not the site its build state describes (changed since?)")
    except OSError as error:
        raise ArchiveError(describe_os_error(error, site_dir)) from None


def discard_prepared_site(site_dir: Path) -> None:
    """Remove what :func:`prepare_site` made, when no build follows."""
    try:
        remove_staging(staging_folder(Path(os.path.abspath(site_dir))))
    except OSError as error:
        raise ArchiveError(describe_os_error(error, site_dir)) from None


def build_site(
    mkdocs_config: Path,
    site_dir: Path,
    expected: Iterable[str] = (),
    lock_fd: int | None = None,
    full: bool = False,
    report: Callable[[str], None] = lambda text: None,
    prepared: PreparedSite | None = None,
    early: EarlyMkDocs | None = None,
) -> bool:
    """Build the MkDocs site of ``mkdocs_config`` into ``site_dir`` (strict mode);
    return True if the build was incremental.

    ``expected`` are the files of site_src the generator wrote: the build counts as
    complete only if each is in the site (as its HTML page, or copied). ``lock_fd`` is
    the project lock, held by MkDocs and its children too while they run. The build
    starts from the last site when its state is there, unless ``full``; ``prepared`` is
    what :func:`prepare_site` made of it, if it already ran; ``early``, the MkDocs
    process started for it (:class:`EarlyMkDocs`), which is stopped if not used.
    """
    site_dir = Path(os.path.abspath(site_dir))
    if prepared is None:
        prepared = prepare_site(site_dir, full)
    # MkDocs publishes no dotfile of site_src (such as the search plugin's list of pages).
    expected = [path for path in expected if not any(part.startswith(".") for part in path.split("/"))]
    state = state_file(site_dir)
    try:
        if prepared.linked is not None:
            try:
                _build(mkdocs_config, site_dir, expected, lock_fd, prepared.linked, early)
                # The plugin builds in full when the state does not fit this build's setup.
                return was_incremental(state)
            except ArchiveError as error:
                report(f"the incremental build did not succeed ({error}); building in full")
        elif prepared.why_not:
            report(f"{prepared.why_not}; building in full")
    finally:
        if early is not None:
            early.stop()
    _build(mkdocs_config, site_dir, expected, lock_fd, None)
    return False


def _build(
    mkdocs_config: Path,
    site_dir: Path,
    expected: list[str],
    lock_fd: int | None,
    linked: dict[str, tuple[int, int, int]] | None,
    early: EarlyMkDocs | None = None,
) -> None:
    """One build into the staging folder, swapped in if it is complete: an incremental
    one when ``linked`` (the staging folder then holds the links to the last site that
    :func:`prepare_site` made; ``early`` builds it, if given), else a full one into a new
    staging folder."""
    state = state_file(site_dir)
    new_state = _new_state_file(state)
    try:
        new_state.unlink(missing_ok=True)
        # The site swapped out stays beside the new one as .site.previous (hard links,
        # bar the files this build changed): the next build removes it on the second core
        # (prepare_site) instead of this one spending a second on 160,000 unlinks.
        with replacing(site_dir, keep_previous=True, prepared=linked is not None) as staging:
            incremental_from = state if linked is not None else None
            _run_mkdocs(mkdocs_config, staging, site_dir, lock_fd, incremental_from, new_state, early)
            # Two checks of every file of the site (160,000 at 50,000 papers): one per core.
            with in_background(functools.partial(_left_out, staging, expected)) as leaving_out:
                if through := written_through(staging, linked or {}):
                    raise ArchiveError(
                        f"a write went through a hard link into the last site ({', '.join(through[:3])})"
                    )
                missing = leaving_out.result()
            if missing:
                listed = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
                raise ArchiveError(
                    f"mkdocs build left out {len(missing)} page(s) the generator wrote ({listed});"
                    f" the previous site in {site_dir} is unchanged"
                )
            marker = staging / SITE_MARKER
            marker.unlink(missing_ok=True)
            marker.write_text("Built by digest-archive; safe to delete.\n", encoding="utf-8")
            # The old state goes before the swap: a run killed in between builds in full.
            state.unlink(missing_ok=True)
        if new_state.is_file():
            os.replace(new_state, state)
    except OSError as error:
        raise ArchiveError(describe_os_error(error, site_dir)) from None
    finally:
        new_state.unlink(missing_ok=True)


def _run_mkdocs(
    mkdocs_config: Path,
    staging: Path,
    site_dir: Path,
    lock_fd: int | None,
    state: Path | None,
    new_state: Path,
    early: EarlyMkDocs | None = None,
) -> None:
    if early is not None and state is not None:
        status = early.run()
    else:
        command = _mkdocs_command(mkdocs_config, staging, dirty=state is not None)
        fds = (lock_fd,) if lock_fd is not None else ()
        environment = _mkdocs_environment(lock_fd, state, new_state)
        status = subprocess.run(command, check=False, env=environment, pass_fds=fds).returncode
    if status != 0:
        raise ArchiveError(
            f"mkdocs build --strict failed (exit {status}); its messages are above."
            f" The previous site in {site_dir} is unchanged."
        )


def _mkdocs_command(mkdocs_config: Path, staging: Path, dirty: bool) -> list[str]:
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(mkdocs_config)]
    return [*command, "--site-dir", str(staging), *(["--dirty"] if dirty else [])]


def _mkdocs_environment(lock_fd: int | None, state: Path | None, new_state: Path) -> dict[str, str]:
    # The banner Material prints on every build is noise in an archive's CI log.
    environment = {"NO_MKDOCS_2_WARNING": "1", **os.environ, STATE_OUT_VARIABLE: str(new_state)}
    environment.pop(STATE_VARIABLE, None)
    environment.pop(GO_FD_VARIABLE, None)
    if state is not None:
        environment[STATE_VARIABLE] = str(state)
    if lock_fd is not None:
        environment[LOCK_FD_VARIABLE] = str(lock_fd)
    return environment


# The pipe an early MkDocs process (EarlyMkDocs) waits on before it builds.
GO_FD_VARIABLE = "DIGEST_ARCHIVE_GO_FD"
_GO = b"go\n"


class EarlyMkDocs:
    """The incremental ``mkdocs build`` of a site, started before its pages are written.

    Python, MkDocs, Material and the plugins load (half a second at any size) on the
    other core while the generator builds the model; the process then waits, in the
    plugin's ``on_startup`` (:func:`wait_for_go`), before MkDocs reads anything of the
    pages or the site. :meth:`run` lets it build; :meth:`stop` ends it unused (a full
    build, a failed run), as does the end of this process, whatever ends it (the pipe
    closes). It is the build :func:`_run_mkdocs` would start, with the same command,
    environment and project lock.
    """

    def __init__(self, process: subprocess.Popen[bytes], go: int) -> None:
        self._process = process
        self._go: int | None = go

    @classmethod
    def start(cls, mkdocs_config: Path, site_dir: Path, lock_fd: int | None = None) -> EarlyMkDocs | None:
        """Start the incremental build of ``site_dir``; None when there is no build
        state to build from (the build is then a full one, started when needed)."""
        site_dir = Path(os.path.abspath(site_dir))
        state = state_file(site_dir)
        if not state.is_file():
            return None
        wait, go = os.pipe()
        environment = _mkdocs_environment(lock_fd, state, _new_state_file(state))
        environment[GO_FD_VARIABLE] = str(wait)
        fds = (wait, lock_fd) if lock_fd is not None else (wait,)
        try:
            command = _mkdocs_command(mkdocs_config, staging_folder(site_dir), dirty=True)
            process = subprocess.Popen(command, env=environment, pass_fds=fds)
        except OSError as error:
            os.close(go)
            raise ArchiveError(f"could not start mkdocs build ({error})") from None
        finally:
            os.close(wait)
        return cls(process, go)

    def run(self) -> int:
        """Let the build go; wait for it; its exit status."""
        if self._go is not None:
            with contextlib.suppress(BrokenPipeError):  # it stopped early: its status says why
                os.write(self._go, _GO)
            self._let_go()
        return self._process.wait()

    def stop(self) -> None:
        """End the process without a build (nothing if it already ran)."""
        if self._go is not None:
            self._let_go()  # the pipe closes without the signal: it ends
            self._process.wait()

    def _let_go(self) -> None:
        assert self._go is not None
        os.close(self._go)
        self._go = None


def waiting_for_go() -> bool:
    """Whether this MkDocs process was started by :class:`EarlyMkDocs` and has not yet
    been let go (:func:`wait_for_go`)."""
    return GO_FD_VARIABLE in os.environ


def wait_for_go() -> None:
    """In a MkDocs process that :class:`EarlyMkDocs` started, wait until it may build; end
    the process quietly if it is not needed. Anywhere else, return at once."""
    go = os.environ.pop(GO_FD_VARIABLE, None)
    if go is None:
        return
    with os.fdopen(int(go), "rb") as stream:
        signal = stream.readline()
    if signal != _GO:
        os._exit(EXIT_NOT_NEEDED)


# An early MkDocs process that was not needed ends with this status, having done nothing.
EXIT_NOT_NEEDED = 3


def _left_out(site: Path, expected: list[str]) -> list[str]:
    """The built paths of the ``expected`` files of site_src that are not in ``site``."""
    prefix = os.path.join(site, "")
    return sorted(path for path in map(built_path, expected) if not os.path.isfile(prefix + path))


def _check_replaceable(site_dir: Path) -> None:
    if not site_dir.exists():
        return
    if not site_dir.is_dir():
        raise ArchiveError(f"site folder {site_dir} is a file")
    if any(site_dir.iterdir()) and not (site_dir / SITE_MARKER).exists():
        raise ArchiveError(
            f"refusing to replace {site_dir}: it is not empty and was not built by digest-archive."
            " Choose another --site-dir or empty it."
        )
