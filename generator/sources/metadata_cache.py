"""The metadata cache: what ``digest-archive enrich`` found on the Daily Papers API for
papers of text digests, committed beside the digests so builds stay offline.

One JSON file (``metadata_cache`` in archive.yml, ``metadata.json`` by default)::

    {"format": 1,
     "papers": {"<paper key>": {"title": "<title as listed>", "looked_up": "2026-11-24",
                                "paper": {<the API's paper object, as given>} | null}}}

``paper: null`` records a miss, which is not looked up again unless asked. Papers are
keyed by their identity in the archive (the normalised title; see
:mod:`generator.analysis.identity`) and written in key order, so a change is a small diff.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ArchiveError
from ..model import PaperMeta
from .hf_json import paper_meta

CACHE_FORMAT = 1


@dataclass(frozen=True)
class CachedLookup:
    """One paper's lookup: the title searched for, the day, and the API's paper (None: a miss)."""

    title: str
    looked_up: dt.date
    paper: Mapping[str, Any] | None

    @property
    def meta(self) -> PaperMeta | None:
        return None if self.paper is None else paper_meta(self.paper, self.looked_up)


def read_cache(path: Path) -> dict[str, CachedLookup]:
    """The lookups of the cache at ``path`` by paper key; none if there is no file yet.

    Raises :class:`ArchiveError` naming the file (and line) when it is not a cache.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ArchiveError(f"cannot read the metadata cache {path}: {error.strerror}") from None
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ArchiveError(f"{path}: the metadata cache is not valid UTF-8") from None
    except json.JSONDecodeError as error:
        raise ArchiveError(f"{path}:{error.lineno}: the metadata cache is not valid JSON: {error.msg}") from None
    papers = document.get("papers") if isinstance(document, dict) else None
    if not isinstance(papers, dict) or document.get("format") != CACHE_FORMAT:
        raise ArchiveError(f'{path}: not a metadata cache (expected {{"format": 1, "papers": {{...}}}})')
    lookups: dict[str, CachedLookup] = {}
    for key, record in papers.items():
        looked_up = _date(record.get("looked_up")) if isinstance(record, dict) else None
        paper = record.get("paper") if isinstance(record, dict) else None
        if (
            looked_up is None
            or not isinstance(record.get("title"), str)
            or not (paper is None or isinstance(paper, dict))
        ):
            raise ArchiveError(f"{path}: the record of {key!r} needs 'title', 'looked_up' (a date) and 'paper'")
        lookups[key] = CachedLookup(record["title"], looked_up, paper)
    return lookups


def cache_bytes(lookups: Mapping[str, CachedLookup]) -> bytes:
    """The file content of a cache holding ``lookups``: the same bytes for the same lookups."""
    papers = {
        key: {"title": lookup.title, "looked_up": lookup.looked_up.isoformat(), "paper": lookup.paper}
        for key, lookup in sorted(lookups.items())
    }
    return (json.dumps({"format": CACHE_FORMAT, "papers": papers}, ensure_ascii=False, indent=1) + "\n").encode()


def cached_metadata(lookups: Mapping[str, CachedLookup]) -> dict[str, PaperMeta]:
    """The metadata found, by paper key (misses left out)."""
    return {key: meta for key, lookup in lookups.items() if (meta := lookup.meta) is not None}


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
