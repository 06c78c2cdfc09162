"""Run ``mkdocs build --strict`` and put the new site in place only if it is complete.

MkDocs builds into a staging folder beside the site (:mod:`generator.folder_swap`); the
old site is swapped out only after a clean build whose output holds every page the
generator wrote, so a failed, interrupted or incomplete build leaves the last good site
as it was. A site folder is only ever replaced if it is empty or carries the marker of
an earlier build.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from ..errors import ArchiveError
from ..folder_swap import describe_os_error, replacing
from ..lock import LOCK_FD_VARIABLE
from ..site.urls import built_path

SITE_MARKER = ".digest-archive-site"


def build_site(mkdocs_config: Path, site_dir: Path, expected: Iterable[str] = (), lock_fd: int | None = None) -> None:
    """Build the MkDocs site of ``mkdocs_config`` into ``site_dir`` (strict mode).

    ``expected`` are the files of site_src the generator wrote: the build counts as
    complete only if each is in the site (as its HTML page, or copied). ``lock_fd`` is
    the project lock, held by MkDocs and its children too while they run.
    """
    site_dir = Path(os.path.abspath(site_dir))
    _check_replaceable(site_dir)
    try:
        with replacing(site_dir) as staging:
            _run_mkdocs(mkdocs_config, staging, site_dir, lock_fd)
            missing = sorted(path for path in map(built_path, expected) if not (staging / path).is_file())
            if missing:
                listed = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
                raise ArchiveError(
                    f"mkdocs build left out {len(missing)} page(s) the generator wrote ({listed});"
                    f" the previous site in {site_dir} is unchanged"
                )
            (staging / SITE_MARKER).write_text("Built by digest-archive; safe to delete.\n", encoding="utf-8")
    except OSError as error:
        raise ArchiveError(describe_os_error(error, site_dir)) from None


def _run_mkdocs(mkdocs_config: Path, staging: Path, site_dir: Path, lock_fd: int | None) -> None:
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--config-file",
        str(mkdocs_config),
        "--site-dir",
        str(staging),
    ]
    # The banner Material prints on every build is noise in an archive's CI log.
    environment = {"NO_MKDOCS_2_WARNING": "1", **os.environ}
    if lock_fd is not None:
        environment[LOCK_FD_VARIABLE] = str(lock_fd)
    fds = (lock_fd,) if lock_fd is not None else ()
    result = subprocess.run(command, check=False, env=environment, pass_fds=fds)
    if result.returncode != 0:
        raise ArchiveError(
            f"mkdocs build --strict failed (exit {result.returncode}); its messages are above."
            f" The previous site in {site_dir} is unchanged."
        )


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
