"""What every digest reader produces: a :class:`Digest` of :class:`DigestEntry` records.

Records are the text as the digest gave it; identity, duplicates and everything else are
worked out later (:mod:`generator.analysis`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class DigestEntry:
    """One listed paper: its title and abstract, with the line of its title in the digest."""

    title: str
    abstract: str
    line: int


@dataclass(frozen=True)
class Digest:
    """One digest: where it came from, its date and its entries in digest order."""

    source: str
    date: dt.date
    entries: tuple[DigestEntry, ...]
