"""Byte-deterministic Pagefind filter files.

Pagefind writes each filter (the search's topic and year filters) to
``filter/<lang>_<hash>.pf_filter`` with its values in the order of a Rust ``HashMap``,
which is seeded at random per run: two runs over the same pages give different filter
files, so a different ``pf_meta`` (which names them) and ``pagefind-entry.json`` (which
names that). The archive's builds are byte-deterministic, so after each Pagefind run
:func:`canonical_filters` rewrites those files with the values sorted and names them by
a hash of their content.

**A private format**, read from Pagefind's Rust sources (``index_filter.rs``,
``index_metadata.rs``) and pinned by ``pagefind[bin]>=1.5,<1.6``: every file is gzip of
``pagefind_dcd`` followed by CBOR. A filter file is ``[name, [[value, [page, ...]],
...]]``; the meta file is ``[version, pages, index_chunks, [[filter, hash], ...], sorts,
...]``. Anything else is refused with an error rather than rewritten:
``tests/test_mkdocs_search.py`` checks that the installed Pagefind's files decode and
re-encode to the same bytes, and that a site built twice is identical.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import cbor2

from ..site.urls import url

SIGNATURE = b"pagefind_dcd"
ENTRY = url("search_entry")
# The position of the filter list in the meta file's top-level array.
META_FILTERS = 3


class PagefindFormatError(Exception):
    """A Pagefind file is not in the format this module was written for."""


def read(path: Path) -> Any:
    """The CBOR value of a Pagefind file."""
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise PagefindFormatError(f"{path}: no {SIGNATURE.decode()} signature")
    return cbor2.loads(raw[len(SIGNATURE) :])


def encode(value: Any) -> bytes:
    """A Pagefind file's bytes for ``value``: gzip (no time stamp) of signature + CBOR."""
    return gzip.compress(SIGNATURE + cbor2.dumps(value), compresslevel=9, mtime=0)


def _renamed(old: str, payload: bytes) -> str:
    """A file name like ``old`` (``<lang>_<hex>``) with the hex from ``payload``'s hash."""
    language, _, digest = old.rpartition("_")
    return f"{language}_{hashlib.sha256(payload).hexdigest()[: len(digest)]}"


def canonical_filters(index_dir: Path) -> int:
    """Rewrite the Pagefind index in ``index_dir`` so that its filter files, meta file and
    entry file depend only on the pages indexed. Returns the number of filter files."""
    entry_path = index_dir / ENTRY
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    rewritten = 0
    for language in entry.get("languages", {}).values():
        meta_path = index_dir / f"pagefind.{language['hash']}.pf_meta"
        meta = read(meta_path)
        if not (isinstance(meta, list) and len(meta) > META_FILTERS and isinstance(meta[META_FILTERS], list)):
            raise PagefindFormatError(f"{meta_path}: not a Pagefind {entry.get('version')} meta file")
        # Every file is read before any is written: a new name may be an old one.
        contents = {}
        for pair in meta[META_FILTERS]:
            name, old_hash = pair
            old_path = index_dir / "filter" / f"{old_hash}.pf_filter"
            content = read(old_path)
            if not (isinstance(content, list) and len(content) == 2 and content[0] == name):
                raise PagefindFormatError(f"{old_path}: not the filter {name!r}")
            contents[old_hash] = [name, sorted(content[1], key=lambda value: value[0])]
        filters = []
        for old_hash in contents:
            (index_dir / "filter" / f"{old_hash}.pf_filter").unlink()
        for old_hash, content in contents.items():
            new_hash = _renamed(old_hash, cbor2.dumps(content))
            (index_dir / "filter" / f"{new_hash}.pf_filter").write_bytes(encode(content))
            filters.append([content[0], new_hash])
            rewritten += 1
        if not filters:
            continue
        meta[META_FILTERS] = sorted(filters)
        new_meta_hash = _renamed(language["hash"], cbor2.dumps(meta))
        meta_path.unlink()
        (index_dir / f"pagefind.{new_meta_hash}.pf_meta").write_bytes(encode(meta))
        language["hash"] = new_meta_hash
    if rewritten:
        entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return rewritten
