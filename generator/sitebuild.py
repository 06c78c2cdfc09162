"""Run ``mkdocs build --strict`` and put the new site in place only if it succeeds.

MkDocs builds into a sibling folder; the old site is swapped out only after a clean
build, so a failed or interrupted build leaves the last good site as it was. A site
folder is only ever replaced if it is empty or carries the marker of an earlier build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import ArchiveError

SITE_MARKER = ".digest-archive-site"


def build_site(mkdocs_config: Path, site_dir: Path) -> None:
    """Build the MkDocs site of ``mkdocs_config`` into ``site_dir`` (strict mode)."""
    site_dir = site_dir.resolve()
    _check_replaceable(site_dir)
    staging = site_dir.with_name(f".{site_dir.name}.building")
    retired = site_dir.with_name(f".{site_dir.name}.previous")
    if retired.exists() and not site_dir.exists():
        os.replace(retired, site_dir)  # a build was killed between the two renames of its swap
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    command = [
        sys.executable, "-m", "mkdocs", "build", "--strict",
        "--config-file", str(mkdocs_config), "--site-dir", str(staging),
    ]
    # The banner Material prints on every build is noise in an archive's CI log.
    environment = {"NO_MKDOCS_2_WARNING": "1", **os.environ}
    result = subprocess.run(command, check=False, env=environment)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise ArchiveError(
            f"mkdocs build --strict failed (exit {result.returncode}); its messages are above."
            f" The previous site in {site_dir} is unchanged."
        )
    (staging / SITE_MARKER).write_text("Built by digest-archive; safe to delete.\n", encoding="utf-8")
    if site_dir.exists():
        os.replace(site_dir, retired)
    os.replace(staging, site_dir)
    shutil.rmtree(retired, ignore_errors=True)


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
