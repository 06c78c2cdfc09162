"""Stage 3a: merge the appearances of one paper across days into a single Paper.

Identity is the normalised title (:func:`title_key`); two digests with the same date are
merged into one day, in file-name order, without losing a paper. Then papers whose
titles differ by a changed word but whose abstracts are near-identical are merged too
(:func:`find_near_duplicates`, :func:`merge_papers`).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from .model import Appearance, Archive, Day, Merge, Paper
from .parse import Digest

if TYPE_CHECKING:
    from .related import Neighbours

# Unicode categories folded to a space: punctuation, symbols, separators and controls.
_FOLDED_CATEGORIES = frozenset("PSZC")


class _FoldTable(dict):
    """``str.translate`` table: folded characters to a space, others to themselves.

    Filled on first sight of each character, so the per-character work runs in C.
    """

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = " " if unicodedata.category(char)[0] in _FOLDED_CATEGORIES else char
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def title_key(title: str) -> str:
    """Normalise a title for identity: NFKC, case-folded, punctuation and spacing folded.

    ``"Q-VLM:  Post-Training"`` and ``"q vlm post training"`` have the same key.
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    key = " ".join(text.translate(_FOLD).split())
    # A title of nothing but punctuation still needs an identity of its own.
    return key or " ".join(text.split())


def build_archive(digests: Iterable[Digest]) -> Archive:
    """Build the archive model from parsed digests.

    Days are ordered by date; a paper listed twice on one day (in one digest or in two
    digests of the same date) keeps its first listing there. Each paper's appearances are
    oldest first, and its title and abstract are those of its first appearance.
    """
    digests_by_date: dict = defaultdict(list)
    for digest in sorted(digests, key=lambda d: (d.date, d.source)):
        digests_by_date[digest.date].append(digest)

    appearances: dict[str, list[Appearance]] = defaultdict(list)
    days: list[Day] = []
    for date, same_day in sorted(digests_by_date.items()):
        keys: list[str] = []
        listed: set[str] = set()
        for digest in same_day:
            for entry in digest.entries:
                key = title_key(entry.title)
                if key in listed:
                    continue
                listed.add(key)
                keys.append(key)
                appearances[key].append(
                    Appearance(
                        date=date,
                        rank=len(keys),
                        title=entry.title,
                        abstract=entry.abstract,
                        source=digest.source,
                        line=entry.line,
                    )
                )
        days.append(Day(date=date, paper_keys=tuple(keys), sources=tuple(d.source for d in same_day)))

    papers = {
        key: Paper(key=key, title=listing[0].title, abstract=listing[0].abstract, appearances=tuple(listing))
        for key, listing in sorted(appearances.items())
    }
    return Archive(papers=papers, days=tuple(days))


# A pair is checked as a near-duplicate only if its TF-IDF cosine reaches this; it is
# merged when its titles and abstracts are both this similar (rapidfuzz ratio, 0-100,
# of the normalised texts).
NEAR_DUPLICATE_COSINE = 0.5
TITLE_SIMILARITY = 80.0
ABSTRACT_SIMILARITY = 90.0


def find_near_duplicates(papers: Sequence[Paper], nearest: Neighbours) -> tuple[Merge, ...]:
    """Pairs of ``papers`` that are one paper under slightly different titles.

    Candidates are each paper's nearest neighbours by text (``nearest``, rows in the
    order of ``papers``), so the work grows with the archive, not with its square. A
    candidate is merged when its title differs only a little (case, punctuation, dashes,
    a changed word) and its abstract is near-identical; similar titles over different
    abstracts stay apart. Each group keeps the paper listed first (ties: by key); the
    returned merges name it and each paper merged into it, with their scores.
    """
    parent = list(range(len(papers)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for index, (row, scores) in enumerate(zip(nearest.indices, nearest.scores)):
        for other, score in zip(row, scores):
            if other < 0 or score < NEAR_DUPLICATE_COSINE:
                break
            if root(index) != root(other) and _same_paper(papers[index], papers[other]):
                parent[root(other)] = root(index)
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(papers)):
        groups[root(index)].append(index)
    merges = []
    for members in groups.values():
        if len(members) == 1:
            continue
        kept, *merged = sorted((papers[i] for i in members), key=lambda p: (p.first_seen, p.key))
        merges.extend(
            Merge(kept.key, paper.key, paper.title, *_similarities(kept, paper)) for paper in merged
        )
    return tuple(sorted(merges, key=lambda m: (m.kept, m.merged)))


def _similarities(a: Paper, b: Paper) -> tuple[float, float]:
    title = fuzz.ratio(a.key, b.key)
    abstract = fuzz.ratio(title_key(a.abstract), title_key(b.abstract))
    return round(title, 1), round(abstract, 1)


def _same_paper(a: Paper, b: Paper) -> bool:
    if fuzz.ratio(a.key, b.key, score_cutoff=TITLE_SIMILARITY) == 0:
        return False
    return fuzz.ratio(title_key(a.abstract), title_key(b.abstract), score_cutoff=ABSTRACT_SIMILARITY) > 0


def merge_papers(archive: Archive, merges: Sequence[Merge]) -> Archive:
    """``archive`` with each merged paper folded into the one it was merged into.

    The kept paper takes every listing of the merged ones (one per day) and their keys as
    ``aliases``; day listings point at the kept paper.
    """
    if not merges:
        return archive
    kept_of = {merge.merged: merge.kept for merge in merges}
    members: dict[str, list[Paper]] = defaultdict(list)
    for key, paper in archive.papers.items():
        members[kept_of.get(key, key)].append(paper)
    papers = {}
    for key, group in members.items():
        kept = archive.papers[key]
        if len(group) == 1:
            papers[key] = kept
            continue
        by_date: dict = {}
        for appearance in sorted((a for p in group for a in p.appearances), key=lambda a: (a.date, a.rank)):
            by_date.setdefault(appearance.date, appearance)
        aliases = tuple(sorted(p.key for p in group if p.key != key))
        papers[key] = dataclasses.replace(kept, appearances=tuple(by_date.values()), aliases=aliases)
    days = tuple(
        dataclasses.replace(day, paper_keys=tuple(dict.fromkeys(kept_of.get(k, k) for k in day.paper_keys)))
        for day in archive.days
    )
    return dataclasses.replace(archive, papers=dict(sorted(papers.items())), days=days, merges=tuple(merges))
