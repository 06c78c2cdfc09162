"""fast_pages: MkDocs' ``Page`` and ``File`` objects made without three costs each.

MkDocs makes a ``Page`` for every page of the site on every build, dirty or not (at
50,000 papers, 53,000 of them), and ``Page.__init__`` spends most of its time on two
things that give the same answer for every page or could be had without urllib:

* ``update_date = get_build_date()``, which reads the environment (for
  ``SOURCE_DATE_EPOCH``) and formats the date again for each page: the build's date is
  worked out once when the build starts (:func:`installed`);
* ``_set_canonical_url``, which calls ``urljoin`` and ``urlsplit`` per page: for a plain
  relative URL (segments of letters, digits, ``-``, ``_``, ``.`` and ``~``, none empty or
  starting with a dot, as every URL of the archive's URL table) on a plain site URL,
  the canonical URL is the site URL followed by the page's URL, and its path the site
  URL's path followed by it. Any other URL goes through MkDocs' own method.

It also makes a ``File`` for every file of site_src (105,000 at 50,000 papers), whose
``src_path`` setter turns the path into a ``PurePath`` and back (``as_posix``): on a POSIX
system, a relative path of non-empty segments, none of them ``.``, after an optional
``./`` (what ``get_files`` gives: ``os.path.join(".", name)`` at the top) is that path
already, less the ``./``. Any other path, or any path on another system, goes through
MkDocs' own setter.

The pages, and so the site, are the same byte for byte (``tests/test_mkdocs_fast_pages.py``
compares the values with MkDocs' own on any URL, and the sites built with the trick on
and off); a build that crosses midnight gives every page the date it started on.
Relies on ``mkdocs.structure.pages`` calling ``get_build_date`` by that global name and
``self._set_canonical_url(config.get('site_url', None))`` from ``Page.__init__``
and ``File.src_path``'s setter being ``self.src_uri = PurePath(value).as_posix()``
(guarded by a test that reads MkDocs' source).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urljoin, urlsplit

from mkdocs.structure import files, pages

# A relative URL whose join with a plain base is the two strings joined: non-empty
# segments, none starting with a dot (no "." or ".." to resolve), nothing urllib splits on.
_PLAIN_RELATIVE = re.compile(r"(?:[A-Za-z0-9_~-][A-Za-z0-9_.~-]*/)*(?:[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)?")
_PROBE = "probe-segment/index.html"

_mkdocs_set_canonical_url = pages.Page._set_canonical_url
_mkdocs_get_build_date = pages.get_build_date
_mkdocs_src_path: property = files.File.__dict__["src_path"]

# A relative path PurePosixPath gives back as it is (after an optional "./"): segments
# that are neither empty nor ".".
_PLAIN_PATH = re.compile(r"(?:\./)?((?:(?:[^/.][^/]*|\.[^/]+)/)*(?:[^/.][^/]*|\.[^/]+))")


@contextmanager
def installed() -> Iterator[None]:
    """Pages made inside the block take the build date worked out once, and join plain
    URLs to the site URL without urllib; MkDocs' own functions are back after it."""
    build_date = _mkdocs_get_build_date()
    pages.get_build_date = lambda: build_date
    pages.Page._set_canonical_url = _set_canonical_url  # type: ignore[method-assign]
    if os.name == "posix":  # elsewhere PurePath is a Windows path: MkDocs' own setter
        files.File.src_path = _src_path  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        pages.get_build_date = _mkdocs_get_build_date
        pages.Page._set_canonical_url = _mkdocs_set_canonical_url  # type: ignore[method-assign]
        files.File.src_path = _mkdocs_src_path  # type: ignore[method-assign,assignment]


def _set_src_path(self: files.File, value: str) -> None:
    plain = _PLAIN_PATH.fullmatch(value) if isinstance(value, str) else None
    if plain is None:
        assert _mkdocs_src_path.fset is not None
        _mkdocs_src_path.fset(self, value)
    else:
        self.src_uri = plain.group(1)


_src_path = property(_mkdocs_src_path.fget, _set_src_path, doc=_mkdocs_src_path.__doc__)


# The last site URL seen, normalised as MkDocs does, and its path; None if the probe
# shows that joining to it is more than putting two strings together.
_plain_base: tuple[str, str, str] | None = None


def _set_canonical_url(self: pages.Page, base: str | None) -> None:
    global _plain_base
    page_url = self.url
    if base and _PLAIN_RELATIVE.fullmatch(page_url):
        if _plain_base is None or _plain_base[0] != base:
            _plain_base = _base_parts(base)
        joined, path = _plain_base[1], _plain_base[2]
        if joined:
            self.canonical_url = joined + page_url
            self.abs_url = path + page_url
            return
    _mkdocs_set_canonical_url(self, base)


def _base_parts(base: str) -> tuple[str, str, str]:
    """``(base, base with a final "/", its path)``, or with empty strings where urljoin
    does more than join (a query, a fragment, dot segments, an empty segment)."""
    joined = base if base.endswith("/") else base + "/"
    probe = urljoin(joined, _PROBE)
    if probe != joined + _PROBE or urlsplit(probe).path != urlsplit(joined).path + _PROBE:
        return base, "", ""
    return base, joined, urlsplit(joined).path
