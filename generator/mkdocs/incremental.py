"""The incremental build: MkDocs rebuilds only the pages whose sources changed.

A full ``mkdocs build`` renders every page and re-indexes the whole site, although a new
day changes about 1,300 files of 100,000. ``digest-archive build`` instead starts the
next site from the last one and lets MkDocs' dirty build redo what changed:

* :mod:`generator.mkdocs.build` hard-links the previous site into the staging folder
  (no copying) and runs ``mkdocs build --dirty`` into it, naming the previous build's
  :class:`BuildState` (:data:`STATE_VARIABLE`) and where this build's goes
  (:data:`STATE_OUT_VARIABLE`);
* the ``digest-archive`` plugin (:class:`IncrementalBuild`) decides what MkDocs writes:
  a page or file of site_src is rebuilt when its content differs from the previous
  build's (a content hash, not MkDocs' mtimes, which a cache restore or a checkout
  resets); a theme file when it is missing; a generated file when its bytes differ;
* every file MkDocs or the plugins write is unlinked first, so a write never goes
  through a hard link into the previous site (which stays the live site until the swap);
* after the build, every file carried over from the previous site that this build did
  not produce (a removed page, a sitemap part, an index part) is swept away, so the site
  holds exactly what a full build writes;
* the search plugin re-indexes only the Pagefind parts whose pages' indexed content
  changed (:func:`index_fingerprint`).

Nothing is trusted blindly. The state is thrown away, and the build is a full one, when
its format, the MkDocs configuration, the theme (custom_dir and the generator's own
theme layers and code), or the versions of Python, MkDocs, Material or Pagefind differ
(:func:`setup_fingerprint`); when the last site is not the one the state records (each
file is checked while it is linked, :func:`link_tree`); and when the incremental build
fails or a write went through a link (:func:`written_through`).
``tests/test_incremental_build.py`` checks that the site an incremental build leaves
equals a fresh full build byte for byte, after each kind of change, and that a damaged
state costs a full build, never a wrong site.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import re
import stat
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from ..folder_swap import link_or_copy

STATE_FORMAT = "digest-archive build state 3"
# Set by generator.mkdocs.build for the mkdocs process: the previous build's state (an
# incremental build when it is valid), and where to write this build's.
STATE_VARIABLE = "DIGEST_ARCHIVE_BUILD_STATE"
STATE_OUT_VARIABLE = "DIGEST_ARCHIVE_BUILD_STATE_OUT"

# The packages whose version changes what a build writes.
_PACKAGES = ("mkdocs", "mkdocs-material", "pagefind", "pagefind_bin", "jinja2", "markdown", "pymdown-extensions")
_GENERATOR = Path(__file__).parent.parent


class SourceRecord(NamedTuple):
    """A file of site_src as the last build saw it: how to tell it is the same file
    (inode, size, mtime) and what it held (``sha``), and where the site has it."""

    inode: int
    size: int
    mtime_ns: int
    sha: str
    dest: str


@dataclass
class BuildState:
    """What the next build needs to know about the site a build left."""

    setup: str
    sources: dict[str, SourceRecord] = field(default_factory=dict)
    # A fingerprint of what Pagefind reads from each indexed page, by built path.
    indexed: dict[str, str] = field(default_factory=dict)
    # Each Pagefind part's folder and the fingerprint of the pages it was made from.
    search_parts: dict[str, str] = field(default_factory=dict)
    # Every file of the site the build left: (size, mtime_ns, sha, inode), to check that
    # the site the next build starts from is still that one (see :func:`link_tree`).
    site: dict[str, tuple[int, int, str, int]] = field(default_factory=dict)

    def to_bytes(self, incremental: bool = False) -> bytes:
        """The state as a file: a text header (the format, and whether the build it
        records was incremental, where :func:`was_incremental` reads it without reading
        the rest), then the records as a pickle.

        A pickle because at 50,000 papers the state holds about 300,000 records: as
        JSON (60 MB) it took a second to read in each of the two processes of a build
        and another to write. The file is the project's own bookkeeping beside the site,
        as trusted as the project's code.
        """
        header = f"{STATE_FORMAT}\nincremental: {'yes' if incremental else 'no'}\n".encode()
        records = (
            self.setup,
            {path: tuple(record) for path, record in self.sources.items()},
            self.indexed,
            self.search_parts,
            self.site,
        )
        return header + pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def from_bytes(cls, data: bytes) -> BuildState:
        """Read a state; ValueError if it is not one this version wrote."""
        header = f"{STATE_FORMAT}\nincremental: ".encode()
        if not data.startswith(header):
            raise ValueError("not a build state of this version")
        body = data.index(b"\n", len(header)) + 1
        try:
            setup, sources, indexed, parts, site = pickle.loads(data[body:])
            if not all(isinstance(value, dict) for value in (sources, indexed, parts, site)):
                raise ValueError("records of another shape")
            return cls(
                str(setup),
                {path: SourceRecord(*record) for path, record in sources.items()},
                indexed,
                parts,
                site,
            )
        except Exception as error:  # a damaged pickle fails in many ways; each means no state
            raise ValueError(f"not a build state: {error}") from None


def _unchanged() -> bool:
    """is_modified of an unchanged file that is not a page."""
    return False


def _rewritten(dest: str) -> bool:
    """is_modified of a file this build writes: its old copy (a link into the last site)
    is unlinked first."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(dest)
    return True


def was_incremental(path: Path) -> bool:
    """Whether the build whose state is at ``path`` was built from the last site."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(200)
    except OSError:
        return False
    return head.startswith(f"{STATE_FORMAT}\nincremental: yes\n".encode())


# The last state read, by its path and (inode, size, mtime): a MkDocs process started
# ahead of its build reads it while it waits (plugin.on_startup), and the build then
# finds it read (at 50,000 papers, 0.3 s). Its readers never change it.
_last_read: dict[str, tuple[tuple[int, int, int], BuildState]] = {}


def read_state(path: Path) -> BuildState | None:
    """The state at ``path``, or None when it is missing or unreadable (a full build)."""
    try:
        status = path.stat()
        key, signature = os.path.abspath(path), (status.st_ino, status.st_size, status.st_mtime_ns)
        known = _last_read.get(key)
        if known is not None and known[0] == signature:
            return known[1]
        state = BuildState.from_bytes(path.read_bytes())
    except (OSError, ValueError):
        return None
    _last_read.clear()
    _last_read[key] = (signature, state)
    return state


def write_new(path: Path, data: str | bytes) -> None:
    """Write ``path`` as a new file: whatever was at ``path`` is unlinked first, so a hard
    link to the previous site's copy is never written through."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


def setup_fingerprint(config_file: Path | None, custom_dir: Path | None, settings: dict) -> str:
    """A hash of everything besides site_src that decides what a build writes: the
    MkDocs configuration (its file and the ``settings`` read from it), the theme's
    custom_dir, the generator's code and theme layers, and the versions of Python and
    of the packages that render or index the pages."""
    digest = hashlib.sha256()
    digest.update(
        json.dumps({"format": STATE_FORMAT, "python": sys.version, **settings}, sort_keys=True, default=str).encode()
    )
    for name in _PACKAGES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"\0{name}={version}".encode())
    if config_file is not None:
        digest.update(b"\0config\0" + config_file.read_bytes())
    for root in (custom_dir, _GENERATOR):
        if root is None or not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(f"\0{path.relative_to(root).as_posix()}\0".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


_IGNORED_ALL = 'data-pagefind-ignore="all"'
_TAG_NAME = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)")


def index_fingerprint(html: str) -> str:
    """A hash of a built page less its ``data-pagefind-ignore="all"`` elements: Pagefind
    reads nothing else from the page, so two pages with the same fingerprint index the
    same (the reverse need not hold: the hash also covers the page frame and attributes).

    The generator's HTML is well formed and its text escaped, so an element ends at the
    closing tag that balances its opening tag's name.
    """
    kept: list[str] = []
    position = 0
    while (found := html.find(_IGNORED_ALL, position)) != -1:
        start = html.rfind("<", position, found)
        name = _TAG_NAME.match(html, start) if start != -1 else None
        if name is None:  # the attribute's text outside a tag: escaped, so not an element
            kept.append(html[position : found + len(_IGNORED_ALL)])
            position = found + len(_IGNORED_ALL)
            continue
        kept.append(html[position:start])
        position = _element_end(html, name.group(1), html.index(">", found) + 1)
    kept.append(html[position:])
    return hashlib.sha256("".join(kept).encode("utf-8")).hexdigest()


def _element_end(html: str, name: str, start: int) -> int:
    """The index after the closing tag of the element ``name`` opened just before ``start``."""
    pattern = re.compile(rf"<(/?){re.escape(name)}\b[^>]*>", re.IGNORECASE)
    depth = 1
    for tag in pattern.finditer(html, start):
        if tag.group(1):
            depth -= 1
            if depth == 0:
                return tag.end()
        elif not tag.group(0).endswith("/>"):
            depth += 1
    return len(html)  # unbalanced: the rest of the page counts as ignored, as Pagefind would


def file_sha(path: Path | str) -> str:
    """The SHA-256 of a file's content."""
    with open(path, "rb") as stream:
        return hashlib.sha256(stream.read()).hexdigest()


def _site_record(
    record: tuple[int, int, str, int] | None, status: os.stat_result, path: str
) -> tuple[int, int, str, int]:
    """The record of a file of the site (size, mtime_ns, sha, inode) from its status: the
    last ``record``'s content hash when its size and time are the recorded ones, else the
    file's own."""
    if record is None or record[0] != status.st_size or record[1] != status.st_mtime_ns:
        sha = file_sha(path)
    else:
        sha = record[2]
    return (status.st_size, status.st_mtime_ns, sha, status.st_ino)


class NotTheRecordedSite(Exception):
    """The site to start from is not the one its build state records."""


def link_tree(
    source: Path,
    target: Path,
    expected: dict[str, tuple[int, int, str, int]] | None = None,
    ignore: Iterable[str] = (),
) -> dict[str, tuple[int, int, int]]:
    """Fill ``target`` (an existing folder) with hard links to the files of ``source``.

    With ``expected`` (a state's ``site``), every file is checked on the way against its
    record, by size and mtime or else by content, and :class:`NotTheRecordedSite` is
    raised for a file that differs, one that is not recorded, or one recorded but
    missing; ``ignore`` are files not checked. Returns ``{relative path: (inode, size,
    mtime_ns)}`` of what was linked, for :func:`written_through`. Where the file system
    has no hard links, files are copied (and not listed: a copy cannot be written through).
    """
    linked: dict[str, tuple[int, int, int]] = {}
    ignored = set(ignore)
    checked = 0
    target_prefix = os.path.join(target, "")

    def visit(folder: str, prefix: str) -> None:
        nonlocal checked
        with os.scandir(folder) as scan:
            entries = list(scan)
        for entry in entries:
            relative = prefix + entry.name
            destination = target_prefix + relative
            if entry.is_dir(follow_symlinks=False):
                os.mkdir(destination)
                visit(entry.path, relative + "/")
                continue
            status = entry.stat(follow_symlinks=False)
            if expected is not None and relative not in ignored:
                record = expected.get(relative)
                if (
                    record is None
                    or entry.is_symlink()
                    or status.st_size != record[0]
                    or (status.st_mtime_ns != record[1] and file_sha(entry.path) != record[2])
                ):
                    raise NotTheRecordedSite(relative)
                checked += 1
            try:
                if link_or_copy(entry.path, destination):
                    linked[relative] = (status.st_ino, status.st_size, status.st_mtime_ns)
            except FileExistsError:
                continue  # the staging folder's own marker

    visit(str(source), "")
    if expected is not None and checked != len(expected):
        raise NotTheRecordedSite("a recorded file is missing")
    return linked


def written_through(target: Path, linked: dict[str, tuple[int, int, int]]) -> list[str]:
    """The linked files of :func:`link_tree` that were changed in place since (same
    inode, other size or mtime): a write that went through to the previous site."""
    changed = []
    prefix = os.path.join(target, "")
    for relative, (inode, size, mtime_ns) in linked.items():
        try:
            status = os.lstat(prefix + relative)
        except FileNotFoundError:
            continue
        if status.st_ino == inode and (status.st_size != size or status.st_mtime_ns != mtime_ns):
            changed.append(relative)
    return sorted(changed)


class IncrementalBuild:
    """The plugin's side of an incremental build (see the module's docstring).

    ``previous`` is the last build's state, or None for a full build (which still
    records the state the next build needs). ``site_dir`` is where MkDocs builds.
    """

    def __init__(self, previous: BuildState | None, setup: str, site_dir: Path, docs_dir: Path) -> None:
        self.incremental = previous is not None and previous.setup == setup
        self.previous = previous if self.incremental else None
        self.state = BuildState(setup)
        self.site_dir = site_dir
        self._docs_dir = str(docs_dir)
        self._docs_prefix = os.path.join(os.path.abspath(docs_dir), "")
        self.claimed: set[str] = set()
        self.claimed_folders: set[str] = set()
        self.rebuilt = 0
        self.all_pages = False
        # Folders written by another job while the build ends (Pagefind's), and the wait
        # for it: see writing_meanwhile.
        self._meanwhile: tuple[str, ...] = ()
        self._finish_meanwhile: Callable[[], None] | None = None
        # (inode, size, mtime_ns) of source files listed before the build and unchanged
        # since (see .early_files): not stat'ed again.
        self.known_status: dict[str, tuple[int, int, int]] = {}
        # Files of the last site this build leaves as they are (is_modified False): the
        # links to them stay, so the sweep keeps their records without a stat.
        self._carried_pages: set[str] = set()
        self._carried_files: set[str] = set()

    def decide(self, files: Iterable[object]) -> None:
        """Give every file of the build an ``is_modified`` that says whether this build
        writes it, and that unlinks its old copy when it does (``on_files``)."""
        site_prefix = os.path.join(os.path.abspath(self.site_dir), "")
        previous = self.previous
        for file in files:
            if not file.inclusion.is_included():  # type: ignore[attr-defined]
                continue  # not written (dotfiles such as the generator's manifest)
            dest = file.dest_uri  # type: ignore[attr-defined]
            self.claimed.add(dest)
            page = file.is_documentation_page()  # type: ignore[attr-defined]
            if previous is not None and self._listed_unchanged(file, dest, previous):
                # What _is_modified finds for it, without a stat or a new record: at
                # 50,000 papers all but a few hundred of 105,000 files.
                file.is_modified = self._modified_check(False, page, site_prefix + dest)  # type: ignore[attr-defined]
                (self._carried_pages if page else self._carried_files).add(dest)
                continue
            modified = self._is_modified(file, site_prefix + dest)
            file.is_modified = self._modified_check(modified, page, site_prefix + dest)  # type: ignore[attr-defined]
            if modified and page:
                self.rebuilt += 1
            elif not modified and previous is not None and dest in previous.site:
                (self._carried_pages if page else self._carried_files).add(dest)

    def _listed_unchanged(self, file: object, dest: str, previous: BuildState) -> bool:
        """True (and its record kept) for a file of site_src whose status, handed over by
        the early listing (:attr:`known_status`), is the one the last build recorded for
        it, with the same destination, which the last site has."""
        src_uri = file.src_uri  # type: ignore[attr-defined]
        known = self.known_status.get(src_uri)
        if known is None or file.src_dir != self._docs_dir or getattr(file, "_content", None) is not None:  # type: ignore[attr-defined]
            return False
        before = previous.sources.get(src_uri)
        if before is None or before.dest != dest or (before.inode, before.size, before.mtime_ns) != known:
            return False
        if dest not in previous.site:
            return False
        self.state.sources[src_uri] = before
        return True

    def _page_check(self, dest: str) -> bool:
        """is_modified of an unchanged page: rebuilt only if every page is."""
        return _rewritten(dest) if self.all_pages else False

    def rebuild_all_pages(self) -> None:
        """Rebuild every page, changed or not (when something every page shows, such as
        a nav title read from a page, may have changed)."""
        self.all_pages = True

    def _modified_check(self, modified: bool, page: bool, dest: str) -> Callable[[], bool]:
        """The ``is_modified`` of a file: a partial or a shared function, not a closure
        per file (105,000 at 50,000 papers)."""
        if modified:
            return functools.partial(_rewritten, dest)
        return functools.partial(self._page_check, dest) if page else _unchanged

    def _is_modified(self, file: object, dest: str) -> bool:
        content = getattr(file, "_content", None)
        if file.src_dir == self._docs_dir and content is None:  # type: ignore[attr-defined]
            # A page or file of site_src: its path without MkDocs' normpath per file.
            source = self._docs_prefix + file.src_uri  # type: ignore[attr-defined]
        else:
            source = file.abs_src_path  # type: ignore[attr-defined]
        if content is not None or source is None:  # made by a plugin
            data = file.content_bytes  # type: ignore[attr-defined]
            if not self.incremental:
                return True
            try:
                with open(dest, "rb") as stream:
                    return stream.read() != data
            except OSError:
                return True
        # Whether the last site has the file: the staging folder holds exactly the files
        # its state records (link_tree checked them), so a lookup, not a stat, says so.
        if not source.startswith(self._docs_prefix):  # a theme file: the setup fingerprint covers it
            return self.previous is None or file.dest_uri not in self.previous.site  # type: ignore[attr-defined]
        record = self._record(file.src_uri, source, file.dest_uri)  # type: ignore[attr-defined]
        if self.previous is None:
            return True
        before = self.previous.sources.get(file.src_uri)  # type: ignore[attr-defined]
        return (
            before is None
            or before.sha != record.sha
            or before.dest != record.dest
            or record.dest not in self.previous.site
        )

    def _record(self, src_uri: str, source: str, dest: str) -> SourceRecord:
        known = self.known_status.get(src_uri)
        if known is None:
            status = os.stat(source)
            known = (status.st_ino, status.st_size, status.st_mtime_ns)
        inode, size, mtime_ns = known
        before = self.previous.sources.get(src_uri) if self.previous else None
        if before is not None and before.size == size and before.mtime_ns == mtime_ns:
            # The same file as last time: no need to read it. Whatever its inode: site_src
            # restored from the deploy workflow's cache (a tar archive, which keeps the
            # times) has new ones, and every file would be read (105,000 at 50,000
            # papers). The generator's writer trusts size and time the same way.
            sha = before.sha
        else:
            sha = file_sha(source)
        record = SourceRecord(inode, size, mtime_ns, sha, dest)
        self.state.sources[src_uri] = record
        return record

    def unlink_outputs(self, names: Iterable[str]) -> None:
        """Unlink files MkDocs writes on every build (the theme's static templates) and
        claim them."""
        for name in names:
            self.claim(name)
            (self.site_dir / name).unlink(missing_ok=True)

    def claim(self, path: str) -> None:
        """Mark a file (relative to the site) as written by this build."""
        self.claimed.add(path)
        # Written by a plugin, whatever MkDocs decided for a file of the same name.
        self._carried_files.discard(path)
        self._carried_pages.discard(path)

    def claim_folder(self, path: str) -> None:
        """Mark a folder (relative to the site) and everything in it as written by this build."""
        self.claimed_folders.add(path.rstrip("/") + "/")

    def page_built(self, dest: str, html: str) -> None:
        """Record what Pagefind would read from a page this build wrote."""
        self.state.indexed[dest] = index_fingerprint(html)

    def indexed_fingerprint(self, dest: str) -> str | None:
        """The index fingerprint of a built page: this build's, else the previous one's
        when the page was carried over unchanged."""
        found = self.state.indexed.get(dest)
        if found is None and self.previous is not None:
            found = self.previous.indexed.get(dest)
            if found is not None:
                self.state.indexed[dest] = found
        return found

    def writing_meanwhile(self, folders: Iterable[str], finish: Callable[[], None]) -> None:
        """Say that another job is writing ``folders`` (claimed, relative to the site), and
        that ``finish()`` waits for it and raises its error: :meth:`sweep` sweeps the rest
        of the site first, then waits, then records those folders."""
        self._meanwhile = tuple(folder.rstrip("/") + "/" for folder in folders)
        self._finish_meanwhile = finish

    def finish_meanwhile(self) -> None:
        """Wait for the job of :meth:`writing_meanwhile`, if any (raising its error)."""
        finish, self._finish_meanwhile = self._finish_meanwhile, None
        if finish is not None:
            finish()

    def sweep(self, keep: Callable[[str], bool] = lambda path: False) -> list[str]:
        """Remove the files of the site that this build did not claim (carried over from
        the previous site; a full build would not write them) and record every file left;
        return the removed ones. ``keep`` names files that are neither (bookkeeping).
        Folders still being written (:meth:`writing_meanwhile`) are recorded last, once
        their job is done."""
        removed: list[str] = []
        before = self.previous.site if self.previous else {}
        folders = tuple(self.claimed_folders)
        later = set(self._meanwhile)

        def visit(folder: str, prefix: str) -> bool:
            """Sweep one folder; True if that left it empty, and so removed."""
            with os.scandir(folder) as scan:
                entries = list(scan)
            emptied = False
            for entry in entries:
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if relative + "/" not in later:
                        emptied = visit(entry.path, relative + "/") or emptied
                    continue
                if keep(relative):
                    continue
                if self.incremental and relative not in self.claimed and not relative.startswith(folders):
                    os.unlink(entry.path)
                    removed.append(relative)
                    emptied = True
                    continue
                record = before.get(relative)
                if record is not None and record[3] == entry.inode():
                    # The very file the last build left, linked: its record holds (a write
                    # through the link is caught by written_through, and fails the build).
                    self.state.site[relative] = record
                    continue
                self.state.site[relative] = _site_record(record, entry.stat(follow_symlinks=False), entry.path)
            if prefix and emptied and not os.listdir(folder):
                os.rmdir(folder)
                return True
            return False

        if self.incremental:
            # The staging folder held exactly the files the last state records (link_tree
            # checked them), and this build wrote the claimed ones: the lists say what is
            # there without a walk of every folder (10,000 paper folders at 10,000 papers).
            removed += self._sweep_listed(keep, folders)
            for folder in folders:
                outer = any(folder != other and folder.startswith(other) for other in folders)
                if folder not in later and not outer:
                    with contextlib.suppress(FileNotFoundError):
                        visit(os.path.join(self.site_dir, folder), folder)
        else:
            visit(str(self.site_dir), "")
        self.finish_meanwhile()
        for folder in sorted(later):
            with contextlib.suppress(FileNotFoundError):  # a job that wrote nothing there
                visit(os.path.join(self.site_dir, folder), folder)
        return sorted(removed)

    def _sweep_listed(self, keep: Callable[[str], bool], folders: tuple[str, ...]) -> list[str]:
        """:meth:`sweep` of an incremental build outside the claimed ``folders``, from the
        last state's list of the site and the claimed files, as the walk of every folder
        would sweep and record them; return the removed files."""
        assert self.previous is not None
        before = self.previous.site
        prefix = os.path.join(self.site_dir, "")
        removed: list[str] = []
        for relative in before:
            if relative in self.claimed or relative.startswith(folders) or keep(relative):
                continue
            try:
                os.unlink(prefix + relative)
            except (FileNotFoundError, IsADirectoryError):
                continue
            removed.append(relative)
        # Pages are all rewritten after rebuild_all_pages; a file a plugin rewrote anyway
        # would only fail the next build's check of the site (link_tree), costing a full
        # build, and one written through its link fails this build (written_through).
        carried = self._carried_files if self.all_pages else self._carried_files | self._carried_pages
        for relative in self.claimed:
            if relative.startswith(folders) or keep(relative):
                continue
            if relative in carried:
                self.state.site[relative] = before[relative]
                continue
            try:
                status = os.lstat(prefix + relative)
            except (FileNotFoundError, NotADirectoryError):
                continue  # claimed, but written by no one
            if stat.S_ISDIR(status.st_mode):
                continue
            record = before.get(relative)
            if record is not None and record[3] == status.st_ino:
                self.state.site[relative] = record  # the very file the last build left, linked
            else:
                self.state.site[relative] = _site_record(record, status, prefix + relative)
        # The folders the removed files leave empty go too, as the walk removes them.
        for relative in removed:
            folder = relative.rpartition("/")[0]
            while folder:
                try:
                    os.rmdir(prefix + folder)
                except OSError:
                    break  # not empty (or gone): nor are the folders above it
                folder = folder.rpartition("/")[0]
        return removed

    def save(self, path: Path) -> None:
        """Write this build's state (only pages still in the site keep a fingerprint)."""
        built = {record.dest for record in self.state.sources.values()}
        self.state.indexed = {dest: value for dest, value in self.state.indexed.items() if dest in built}
        write_new(path, self.state.to_bytes(self.incremental))
