"""Stage 2: the archive model, frozen dataclasses built from digest records.

Every later stage (analysis, site) takes these objects and returns new ones; nothing
here touches the filesystem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    """A link found in an abstract. ``kind`` is ``code``, ``huggingface`` or ``project``."""

    url: str
    kind: str


@dataclass(frozen=True)
class Appearance:
    """One listing of a paper in one day's digest, as it was written that day."""

    date: dt.date
    rank: int
    title: str
    abstract: str
    source: str
    line: int


@dataclass(frozen=True)
class Paper:
    """A unique paper with every day it appeared on, oldest first.

    ``key`` identifies it: its normalised title, or for a second paper listed under the
    same normalised title with a clearly different abstract, that title and a
    fingerprint of its abstract (see :mod:`generator.analysis.identity`). ``title`` and
    ``abstract`` are the text of its first appearance, shown exactly as written.
    """

    key: str
    title: str
    abstract: str
    appearances: tuple[Appearance, ...]
    slug: str = ""
    links: tuple[Link, ...] = ()
    tags: tuple[str, ...] = ()
    # Keys of papers found to be this one under a slightly different title (merged in).
    aliases: tuple[str, ...] = ()
    # Their URL slugs: those pages redirect here, so no URL ever published breaks.
    alias_slugs: tuple[str, ...] = ()
    # Keys of the most similar papers, most similar first.
    related: tuple[str, ...] = ()
    # Keys of other papers listed under the same normalised title (different abstracts).
    homonyms: tuple[str, ...] = ()

    @property
    def first_seen(self) -> dt.date:
        return self.appearances[0].date

    @property
    def last_seen(self) -> dt.date:
        return self.appearances[-1].date

    @property
    def title_variants(self) -> tuple[str, ...]:
        """Other spellings of the title seen on later days, in order of appearance."""
        return _unique(a.title for a in self.appearances if a.title != self.title)

    @property
    def abstract_variants(self) -> tuple[str, ...]:
        """Other versions of the abstract seen on later days, in order of appearance."""
        return _unique(a.abstract for a in self.appearances if a.abstract != self.abstract)

    @property
    def code_link(self) -> Link | None:
        """The first code or model link, the one a reader most often wants."""
        for kind in ("code", "huggingface"):
            for link in self.links:
                if link.kind == kind:
                    return link
        return None


@dataclass(frozen=True)
class Day:
    """One day of the archive: the keys of its papers in digest order."""

    date: dt.date
    paper_keys: tuple[str, ...]


@dataclass(frozen=True)
class Tag:
    """A topic from the taxonomy file."""

    slug: str
    name: str
    description: str
    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    min_score: int = 2


@dataclass(frozen=True)
class Merge:
    """A near-duplicate merged into another paper, with the similarities that decided it.

    Scores are 0 to 100 (rapidfuzz ratios of the normalised titles and abstracts).
    """

    kept: str
    merged: str
    merged_title: str
    title_score: float
    abstract_score: float


@dataclass(frozen=True)
class Homonyms:
    """Papers listed under one normalised title whose abstracts are clearly different:
    kept apart, each with its own page. ``abstract_score`` (0-100) is the highest
    similarity of two of their abstracts."""

    title_key: str
    keys: tuple[str, ...]
    abstract_score: float


@dataclass(frozen=True)
class Archive:
    """The whole archive: papers by key, days oldest first, tags in taxonomy order, and
    what identity decided: near-duplicates merged, same-title papers kept apart."""

    papers: dict[str, Paper]
    days: tuple[Day, ...]
    tags: tuple[Tag, ...] = ()
    merges: tuple[Merge, ...] = ()
    homonyms: tuple[Homonyms, ...] = ()

    def papers_on(self, day: Day) -> list[Paper]:
        """The papers of ``day`` in digest order."""
        return [self.papers[key] for key in day.paper_keys]


def _unique(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
