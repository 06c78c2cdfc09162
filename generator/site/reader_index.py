"""The compact paper index read in the browser by the reading list and ``/for-you/``.

A reader's stars live in their browser (localStorage) as paper slugs, so the pages that
show them need a paper's title, dates, topics, authors and related papers by slug,
without a server. One file of the whole archive would be megabytes at 50,000 papers;
instead each paper sits in one of a few shards chosen by a hash of its slug (FNV-1a,
which ``archive-reader.js`` computes the same way), so a reading list fetches only the
shards of its papers. The papers listed on the latest days are in one more file, which
``/for-you/`` ranks by their related-paper links to the starred papers.

The shard count is a power of two, about one shard per :data:`PAPERS_PER_SHARD` papers:
it changes only when the archive doubles, so a new day rewrites few shards.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ..model import Archive, Paper

PAPERS_PER_SHARD = 256
# The latest digest days whose papers /for-you/ ranks.
RECENT_DAYS = 14
# Authors named in the index (with the total count): enough for a reading-list line.
INDEX_AUTHORS = 3
# The order of a paper's fields in each record; the files carry it, and the script
# reads fields by these names.
FIELDS = ("slug", "title", "first", "last", "topics", "arxiv", "authors", "authorCount", "votes")
# The papers of the latest days also carry their related papers (/for-you/ ranks them by
# these); a starred paper's come from its page, so the shards need not hold them all.
RECENT_FIELDS = (*FIELDS, "related")


def shard_count(papers: int) -> int:
    """How many shards hold ``papers`` papers: a power of two, at least one."""
    count = 1
    while count * PAPERS_PER_SHARD < papers:
        count *= 2
    return count


def fnv1a(text: str) -> int:
    """The 32-bit FNV-1a hash of ``text``'s UTF-8 bytes (as archive-reader.js computes it)."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def fnv1a_all(texts: Sequence[str]) -> list[int]:
    """:func:`fnv1a` of each of ``texts``, worked out a byte position at a time for all
    of them (numpy's uint32 arithmetic wraps as the hash's does): at 50,000 papers the
    slugs' hashes took 0.7 s one byte at a time in Python, and take milliseconds."""
    encoded = [text.encode("utf-8") for text in texts]
    if not encoded:
        return []
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    width = int(lengths.max())
    table = np.zeros((len(encoded), max(width, 1)), dtype=np.uint32)
    starts = np.cumsum(lengths) - lengths
    rows = np.repeat(np.arange(len(encoded)), lengths)
    table[rows, np.arange(int(lengths.sum())) - np.repeat(starts, lengths)] = np.frombuffer(b"".join(encoded), np.uint8)
    values = np.full(len(encoded), 0x811C9DC5, dtype=np.uint32)
    prime = np.uint32(0x01000193)
    for column in range(width):
        hashed = (values ^ table[:, column]) * prime
        values = np.where(lengths > column, hashed, values)
    return [int(value) for value in values]


def shard_of(slug: str, shards: int) -> int:
    """The shard (0 to ``shards`` - 1) holding the paper with ``slug``."""
    return fnv1a(slug) % shards


def shard_members(papers: Iterable[Paper], shards: int) -> list[list[str]]:
    """The paper keys of each shard (:func:`shard_of` each paper's slug), each list
    sorted by slug."""
    listed = list(papers)
    members: list[list[tuple[str, str]]] = [[] for _ in range(shards)]
    for paper, value in zip(listed, fnv1a_all([paper.slug for paper in listed]), strict=True):
        members[value % shards].append((paper.slug, paper.key))
    return [[key for _, key in sorted(shard)] for shard in members]


def recent_keys(archive: Archive, days: int = RECENT_DAYS) -> list[str]:
    """The keys of the papers listed on the archive's latest ``days`` digest days,
    newest listing first."""
    latest = archive.days[-days:]
    if not latest:
        return []
    since = latest[0].date
    recent = [paper for paper in archive.papers.values() if paper.last_seen >= since]
    return [paper.key for paper in sorted(recent, key=lambda p: (-p.last_seen.toordinal(), p.slug))]


def paper_record(
    paper: Paper, papers: Mapping[str, Paper], topic_numbers: Mapping[str, int], related: bool = False
) -> list[Any]:
    """One paper as a record of :data:`FIELDS` (:data:`RECENT_FIELDS` with ``related``);
    every string exactly as listed. Topics are numbers into the file's ``topics`` list:
    a slug on every record would cost 3 MB at 50,000 papers."""
    meta = paper.meta
    record = [
        paper.slug,
        paper.title,
        paper.first_seen.isoformat(),
        paper.last_seen.isoformat(),
        [topic_numbers[slug] for slug in paper.tags],
        meta.arxiv_id or "",
        list(meta.authors[:INDEX_AUTHORS]),
        len(meta.authors),
        meta.upvotes,
    ]
    if related:
        record.append([papers[key].slug for key in paper.related])
    return record


def index_file(keys: Iterable[str], papers: Mapping[str, Paper], related: bool = False, **extra: object) -> str:
    """The JSON of one index file: its field names, the topics its records number, and a
    record per paper of ``keys`` (with its related papers when ``related``)."""
    fields = RECENT_FIELDS if related else FIELDS
    keys = list(keys)
    topics = sorted({slug for key in keys for slug in papers[key].tags})
    numbers = {slug: number for number, slug in enumerate(topics)}
    records = [paper_record(papers[key], papers, numbers, related) for key in keys]
    document = {"fields": list(fields), "topics": topics, **extra, "papers": records}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
