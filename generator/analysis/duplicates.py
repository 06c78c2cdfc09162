"""Near-duplicates: one paper listed under slightly different titles, merged into one.

Papers whose titles differ by a changed word but whose abstracts are near-identical are
the same paper (:func:`find_near_duplicates`); :func:`merge_papers` folds each group into
the paper listed first, whose page the other titles' URLs redirect to.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from ..model import Archive, Merge, Paper, replaced
from .identity import newest_meta, title_key, title_of_key

if TYPE_CHECKING:
    from .related import Neighbours

# A pair is checked as a near-duplicate only if its TF-IDF cosine reaches this; it is
# merged when its titles and abstracts are both this similar (rapidfuzz ratio, 0-100,
# of the normalised texts).
NEAR_DUPLICATE_COSINE = 0.5
TITLE_SIMILARITY = 80.0
ABSTRACT_SIMILARITY = 90.0


def find_near_duplicates(papers: Sequence[Paper], nearest: Neighbours) -> tuple[Merge, ...]:
    """Pairs of ``papers`` that are one paper under slightly different titles, or under
    one arXiv id.

    Candidates are each paper's nearest neighbours by text (``nearest``, rows in the
    order of ``papers``), so the work grows with the archive, not with its square. A
    candidate is merged when its title differs only a little (case, punctuation, dashes,
    a changed word) and its abstract is near-identical; similar titles over different
    abstracts stay apart, and so do papers with different arXiv ids. Each group keeps
    the paper listed first (ties: by key); the returned merges name it and each paper
    merged into it, with their scores.
    """
    parent = list(range(len(papers)))
    # The arXiv id of each group (by its root), when a member has one: a group never
    # gathers two ids, whatever a paper without one links it to.
    group_id = [paper.meta.arxiv_id for paper in papers]

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    def join(index: int, other: int) -> None:
        a, b = root(index), root(other)
        if a != b and not (group_id[a] and group_id[b] and group_id[a] != group_id[b]):
            parent[b] = a
            group_id[a] = group_id[a] or group_id[b]

    # The same arXiv id is the same paper, however its titles differ (a text listing
    # given its id by the metadata cache, a title revised on arXiv).
    first_with_id: dict[str, int] = {}
    for index, paper in enumerate(papers):
        if paper.meta.arxiv_id:
            join(first_with_id.setdefault(paper.meta.arxiv_id, index), index)
    for index, (row, scores) in enumerate(zip(nearest.indices, nearest.scores, strict=True)):
        for other, score in zip(row, scores, strict=True):
            if other < 0 or score < NEAR_DUPLICATE_COSINE:
                break
            if root(index) != root(other) and _same_paper(papers[index], papers[other]):
                join(index, other)
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(papers)):
        groups[root(index)].append(index)
    merges: list[Merge] = []
    for members in groups.values():
        if len(members) == 1:
            continue
        kept, *merged = sorted((papers[i] for i in members), key=lambda p: (p.first_seen, p.key))
        merges.extend(Merge(kept.key, paper.key, paper.title, *_similarities(kept, paper)) for paper in merged)
    return tuple(sorted(merges, key=lambda m: (m.kept, m.merged)))


def _similarities(a: Paper, b: Paper) -> tuple[float, float]:
    title = fuzz.ratio(title_of_key(a.key), title_of_key(b.key))
    abstract = fuzz.ratio(title_key(a.abstract), title_key(b.abstract))
    return round(title, 1), round(abstract, 1)


def _same_paper(a: Paper, b: Paper) -> bool:
    if a.meta.arxiv_id and b.meta.arxiv_id and a.meta.arxiv_id != b.meta.arxiv_id:
        return False
    if fuzz.ratio(title_of_key(a.key), title_of_key(b.key), score_cutoff=TITLE_SIMILARITY) == 0:
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
    for key, folded in members.items():
        kept = archive.papers[key]
        if len(folded) == 1:
            papers[key] = kept
            continue
        by_date: dict = {}
        for appearance in sorted((a for p in folded for a in p.appearances), key=lambda a: (a.date, a.rank)):
            by_date.setdefault(appearance.date, appearance)
        aliases = tuple(sorted(p.key for p in folded if p.key != key))
        meta = newest_meta((p.meta.upvotes_on or p.last_seen, p.last_seen, p.meta) for p in folded)
        papers[key] = replaced(kept, appearances=tuple(by_date.values()), aliases=aliases, meta=meta)
    for key, paper in papers.items():
        if paper.homonyms:
            others = dict.fromkeys(kept_of.get(other, other) for other in paper.homonyms)
            papers[key] = replaced(paper, homonyms=tuple(other for other in others if other != key))
    days = tuple(
        dataclasses.replace(day, paper_keys=tuple(dict.fromkeys(kept_of.get(k, k) for k in day.paper_keys)))
        for day in archive.days
    )
    homonyms = []
    for group in archive.homonyms:
        keys = tuple(dict.fromkeys(kept_of.get(key, key) for key in group.keys))
        if len(keys) > 1:
            homonyms.append(dataclasses.replace(group, keys=keys))
    return dataclasses.replace(
        archive, papers=dict(sorted(papers.items())), days=days, merges=tuple(merges), homonyms=tuple(homonyms)
    )
