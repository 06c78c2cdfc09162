"""What every digest reader produces: a :class:`Digest` of :class:`DigestEntry` records.

Records are the text as the digest gave it; identity, duplicates and everything else are
worked out later (:mod:`generator.analysis`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model import PaperMeta


@dataclass(frozen=True)
class DigestEntry:
    """One listed paper: its title and abstract, with the line of its title in the digest
    (for a JSON digest, the item's number), and its metadata when the digest has any."""

    title: str
    abstract: str
    line: int
    meta: PaperMeta | None = None


@dataclass(frozen=True)
class Digest:
    """One digest: where it came from, its date and its entries in digest order.

    ``problems`` are listings left out as unreadable (a JSON item with no title, say),
    each naming the item: reported like a bad digest, but the rest of the day is kept.
    """

    source: str
    date: dt.date
    entries: tuple[DigestEntry, ...]
    problems: tuple[str, ...] = ()
