"""early_files: MkDocs' list of site_src's files made while the pages are generated.

Every build, dirty or not, starts with ``get_files``: a ``File`` for each of site_src's
files (105,000 at 50,000 papers), then the incremental build's ``stat`` of each to tell
the files it knows. At 50,000 papers that is 2.7 s on a slow day. A daily build changes
a few hundred of them, and the MkDocs process :class:`~.build.EarlyMkDocs` starts ahead
waits for the pages anyway, so that process lists and stats the last site_src while the
model is built (:func:`scan`), and once the pages are written lists site_src again
with ``os.scandir`` alone (no ``File``, no ``stat``: the directory entries give each
file's inode) and makes ``File`` objects only for the files that are new or whose inode
changed (:meth:`EarlyFiles.files_now`).

Why an inode says a file is unchanged: the generator writes site_src under the
project lock, and never in place: a changed file is a new file in a new folder, an
unchanged one a hard link to the old one (:mod:`generator.site.write`), and the old
folder is removed only after MkDocs lists the new one, so no inode is reused between
the two listings.

The list is the one ``get_files`` would give, in its order (MkDocs' public
``file_sort_key`` "replicates the sort order how get_files produces it"), with the
inclusion levels ``set_exclusions`` gives. Anything out of the ordinary (a symbolic
link, an ``index``/``README`` pair, a new file whose destination another file has, an
error) means MkDocs' own ``get_files``. Relies on ``mkdocs.commands.build.build`` calling
``get_files(config)`` by that global name (guarded by a test that reads MkDocs' source).
"""

from __future__ import annotations

import bisect
import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, file_sort_key, get_files, set_exclusions

from ..site.escaping import count

log = get_plugin_logger("digest-archive")

# (inode, size, mtime_ns) of a file, as the incremental build records it.
Status = tuple[int, int, int]


@dataclass
class EarlyFiles:
    """site_src's files as they were listed early, and each one's :data:`Status`."""

    docs_dir: str
    files: list[File]
    status: dict[str, Status]
    # What else the list depends on: were a later plugin's on_config to change it, only
    # get_files can say.
    settings: tuple[object, ...] = ()

    def files_now(self, config: MkDocsConfig) -> tuple[Files, dict[str, Status]] | None:
        """The files of site_src now, as ``get_files(config)`` gives them, and the status of
        those listed early and unchanged since (the others are new or changed); None when
        only ``get_files`` can say (see the module's description)."""
        if config.docs_dir != self.docs_dir or _settings(config) != self.settings:
            return None
        try:
            found = _inodes(self.docs_dir)
        except OSError:
            return None
        if found is None:
            return None
        kept = [file for file in self.files if found.get(file.src_uri) == self.status[file.src_uri][0]]
        known = {file.src_uri for file in kept}
        new = [
            File(uri, config.docs_dir, config.site_dir, config.use_directory_urls)
            for uri in sorted(uri for uri in found if uri not in known)
        ]
        set_exclusions(new, config)
        destinations = {file.dest_uri for file in kept}
        for file in new:
            if file.dest_uri in destinations or _is_readme(file.src_uri):
                return None  # get_files would settle which one is kept
            destinations.add(file.dest_uri)
        merged = list(kept)
        for file in sorted(new, key=file_sort_key):
            merged.insert(bisect.bisect_right(merged, file_sort_key(file), key=file_sort_key), file)
        return Files(merged), {file.src_uri: self.status[file.src_uri] for file in kept}


def scan(config: MkDocsConfig) -> EarlyFiles | None:
    """List site_src with ``get_files`` and stat each file; None if that fails or the
    list holds something :meth:`EarlyFiles.files_now` leaves to ``get_files``."""
    try:
        files = list(get_files(config))
        prefix = os.path.join(config.docs_dir, "")
        status: dict[str, Status] = {}
        for file in files:
            if _is_readme(file.src_uri):
                return None
            found = os.lstat(prefix + file.src_uri)
            status[file.src_uri] = (found.st_ino, found.st_size, found.st_mtime_ns)
        return EarlyFiles(config.docs_dir, files, status, _settings(config))
    except Exception:  # noqa: BLE001 - the early list is only a shortcut: MkDocs lists again
        return None


@contextlib.contextmanager
def listing_with(early: EarlyFiles, on_listed: Callable[[dict[str, Status]], None]) -> Iterator[None]:
    """Inside the block, MkDocs' build lists site_src through ``early``, calling
    ``on_listed(status)`` with the status of the files unchanged since; MkDocs' own
    ``get_files`` is back after it."""

    def listed(config: MkDocsConfig) -> Files:
        now = early.files_now(config)
        if now is None:
            return get_files(config)
        files, status = now
        on_listed(status)
        changed = count(len(files) - len(status), "file")
        log.info(f"site_src listed while its pages were generated; {changed} new or changed since")
        return files

    mkdocs_build.get_files = listed
    try:
        yield
    finally:
        mkdocs_build.get_files = get_files


def _settings(config: MkDocsConfig) -> tuple[object, ...]:
    exclusions = tuple(id(config.get(name)) for name in ("exclude_docs", "draft_docs", "not_in_nav"))
    return (config.site_dir, config.use_directory_urls, *exclusions)


def _inodes(docs_dir: str) -> dict[str, int] | None:
    """Each file of ``docs_dir`` (relative, '/'-separated) and its inode, from the
    directory entries alone; None if a symbolic link is met."""
    found: dict[str, int] = {}
    folders = [(docs_dir, "")]
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_symlink():
                    return None
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, prefix + entry.name + "/"))
                else:
                    found[prefix + entry.name] = entry.inode()
    return found


def _is_readme(src_uri: str) -> bool:
    # A README.md beside an index.md is dropped by get_files: left to it.
    return os.path.splitext(os.path.basename(src_uri))[0] == "README"
