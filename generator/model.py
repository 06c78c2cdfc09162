"""Stage 2: the archive model, frozen dataclasses built from digest records.

Every later stage (analysis, site) takes these objects and returns new ones; nothing
here touches the filesystem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

_Record = TypeVar("_Record")


@dataclass(frozen=True)
class Link:
    """A link found in an abstract. ``kind`` is ``code``, ``huggingface`` or ``project``."""

    url: str
    kind: str


@dataclass(frozen=True)
class PaperMeta:
    """What the Hugging Face Daily Papers API knows of a paper, each field only when known.

    Strings are exactly as the API gave them. ``upvotes_on`` and ``stars_on`` are the days
    the counts were read (the fetch date): votes settle over a week or two, stars keep
    changing, so a count is never shown without its date when the date is known.
    """

    arxiv_id: str = ""
    authors: tuple[str, ...] = ()
    published: dt.date | None = None
    upvotes: int | None = None
    upvotes_on: dt.date | None = None
    github_repo: str = ""
    github_stars: int | None = None
    stars_on: dt.date | None = None
    project_page: str = ""
    ai_summary: str = ""
    ai_keywords: tuple[str, ...] = ()

    def over(self, older: PaperMeta) -> PaperMeta:
        """This record, its unknown fields taken from ``older`` (a count with its date)."""
        upvotes = (self.upvotes, self.upvotes_on) if self.upvotes is not None else (older.upvotes, older.upvotes_on)
        stars = (
            (self.github_stars, self.stars_on)
            if self.github_stars is not None
            else (older.github_stars, older.stars_on)
        )
        return PaperMeta(
            arxiv_id=self.arxiv_id or older.arxiv_id,
            authors=self.authors or older.authors,
            published=self.published or older.published,
            upvotes=upvotes[0],
            upvotes_on=upvotes[1],
            github_repo=self.github_repo or older.github_repo,
            github_stars=stars[0],
            stars_on=stars[1],
            project_page=self.project_page or older.project_page,
            ai_summary=self.ai_summary or older.ai_summary,
            ai_keywords=self.ai_keywords or older.ai_keywords,
        )


NO_META = PaperMeta()


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
    same normalised title with a clearly different abstract or arXiv id, that title and
    a fingerprint (see :mod:`generator.analysis.identity`). Its arXiv id, when known, is
    in ``meta``; the key stays the title's so that URLs never change when an id arrives. ``title`` and
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
    # Metadata from structured digests or the metadata cache (NO_META when none).
    meta: PaperMeta = NO_META

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
    # Phrases that count only in a paper where a phrase or pattern of the tag matched.
    context: tuple[str, ...] = ()
    # Phrases that cancel the tag's matches they overlap ("data pruning" for pruning).
    exclude: tuple[str, ...] = ()
    # Tags given whenever this one is (certified robustness is adversarial robustness).
    implies: tuple[str, ...] = ()


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


def replaced(record: _Record, /, **changes: Any) -> _Record:
    """``dataclasses.replace(record, **changes)`` for the frozen dataclasses of this
    module, without running ``__init__``: a copy of the record's fields with ``changes``
    put over them. None of them has a ``__post_init__`` or an ``InitVar``, so the result
    is the one ``replace`` gives (``tests/test_model.py`` holds it to that), at a sixth
    of the cost: the model replaces each of 50,000 papers a few times.

    A name that is not a field raises ``TypeError``, as ``replace`` does.
    """
    fields = type(record).__dataclass_fields__  # type: ignore[attr-defined]
    if not changes.keys() <= fields.keys():
        unknown = ", ".join(sorted(changes.keys() - fields.keys()))
        raise TypeError(f"{type(record).__name__} has no field {unknown}")
    copy = object.__new__(type(record))
    values = copy.__dict__
    values.update(record.__dict__)
    values.update(changes)
    return copy


def exact_text(texts: Sequence[str], numbers: Sequence[int] = ()) -> str:
    """One text that ``texts`` and ``numbers`` can be read back from (the numbers and the
    texts' lengths, then the texts), for hashing a record's fields exactly: no two lists
    give one text, whatever characters the texts hold. Cheaper than their ``repr``,
    which quotes each abstract and formats dataclasses field by field."""
    return ",".join(map(str, numbers)) + ";" + ",".join([str(len(text)) for text in texts]) + "\n" + "".join(texts)


def _unique(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
