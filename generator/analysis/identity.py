"""Stage 3a, identity: which listings are one paper.

A listing with an arXiv id (from a structured digest) is the paper with that id. Any
other listing is identified by its normalised title (:func:`title_key`): the same title
on several days, or twice on one day, is one paper with one page listing every day, and
a text listing joins the paper with an id listed under its title. Two listings under the
same normalised title whose abstracts are clearly different (:func:`same_abstract` says
no), or whose arXiv ids differ, are two papers: the first listed keeps the title's
identity, each later one is identified by the title and a fingerprint of its own
abstract (or id), so each gets its own page and URL and neither is lost.

The key of a paper never changes when its id becomes known: its URL comes from the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from ..model import NO_META, Appearance, Archive, Day, Homonyms, Paper, PaperMeta
from ..sources.records import Digest

# Unicode categories folded to a space: punctuation, symbols, separators and controls.
_FOLDED_CATEGORIES = frozenset("PSZC")
# Listings under one title are one paper when their normalised abstracts are at least
# this similar (rapidfuzz ratio, 0-100): a revised abstract scores 80 and more; two
# unrelated abstracts score 40 to 50, since they share the common words of English.
SAME_ABSTRACT_RATIO = 60.0
# ... or when the shorter is most of the way a part of the longer (a truncated copy).
SAME_ABSTRACT_PARTIAL = 90.0
FINGERPRINT_CHARS = 12


class _FoldTable(dict[int, str]):
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

    ``"Q-VLM:  Post-Training"`` and ``"q vlm post training"`` have the same key. The key
    holds no line break (spacing is folded), which :func:`homonym_key` relies on.
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    key = " ".join(text.translate(_FOLD).split())
    # A title of nothing but punctuation still needs an identity of its own.
    return key or " ".join(text.split())


def homonym_key(key: str, normalised_abstract: str) -> str:
    """The identity of a paper listed under the title ``key`` after another paper: the
    title and a fingerprint of its abstract (normalised by :func:`title_key`), after a
    line break."""
    fingerprint = hashlib.sha256(normalised_abstract.encode("utf-8")).hexdigest()[:FINGERPRINT_CHARS]
    return f"{key}\n{fingerprint}"


def title_of_key(key: str) -> str:
    """The normalised title part of a paper's key."""
    return key.split("\n", 1)[0]


def same_abstract(a: str, b: str) -> bool:
    """True if two abstracts (normalised by :func:`title_key`) are one paper's: equal,
    similar (a revision), or one a truncated copy of the other."""
    if a == b:
        return True
    if fuzz.ratio(a, b, score_cutoff=SAME_ABSTRACT_RATIO):
        return True
    shorter = min(len(a), len(b))
    return shorter >= 100 and bool(fuzz.partial_ratio(a, b, score_cutoff=SAME_ABSTRACT_PARTIAL))


@dataclass
class _Candidate:
    """A paper being gathered under one title: its key and the abstracts it was listed
    with, as written and (worked out only when needed) normalised."""

    key: str
    abstracts: list[str]
    normalised: list[str] = field(default_factory=list)
    arxiv_id: str = ""

    def matches(self, abstract: str, normalised: str) -> bool:
        if abstract in self.abstracts:
            return True
        while len(self.normalised) < len(self.abstracts):
            self.normalised.append(title_key(self.abstracts[len(self.normalised)]))
        if any(same_abstract(normalised, known) for known in self.normalised):
            self.abstracts.append(abstract)
            self.normalised.append(normalised)
            return True
        return False


def build_archive(digests: Iterable[Digest]) -> Archive:
    """Build the archive model from digest records.

    Days are ordered by date; digests of one date are merged into one day in source
    order. A paper listed twice on one day (say in a text and a structured digest) keeps
    its first listing there. Each paper's appearances are oldest first, and its title
    and abstract are those of its first appearance; its metadata is the newest read of
    each field (see :func:`newest_meta`). Listings under one title with clearly
    different abstracts or ids are separate papers, recorded in ``Archive.homonyms``.
    """
    digests_by_date: dict = defaultdict(list)
    for digest in sorted(digests, key=lambda d: (d.date, d.source)):
        digests_by_date[digest.date].append(digest)

    appearances: dict[str, list[Appearance]] = defaultdict(list)
    metas: dict[str, list[tuple[dt.date, dt.date, PaperMeta]]] = defaultdict(list)
    identities = _Identities()
    days: list[Day] = []
    for date, same_day in sorted(digests_by_date.items()):
        keys: list[str] = []
        listed: set[str] = set()
        for digest in same_day:
            for entry in digest.entries:
                key = identities.key(entry.title, entry.abstract, entry.meta.arxiv_id if entry.meta else "")
                if entry.meta is not None:
                    metas[key].append((entry.meta.upvotes_on or date, date, entry.meta))
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
        days.append(Day(date=date, paper_keys=tuple(keys)))

    homonyms = _homonyms(identities.candidates)
    others = {key: group.keys for group in homonyms for key in group.keys}
    papers = {
        key: Paper(
            key=key,
            title=listing[0].title,
            abstract=listing[0].abstract,
            appearances=tuple(listing),
            homonyms=tuple(other for other in others.get(key, ()) if other != key),
            meta=newest_meta(metas.get(key, ())),
        )
        for key, listing in sorted(appearances.items())
    }
    return Archive(papers=papers, days=tuple(days), homonyms=homonyms)


def newest_meta(reads: Iterable[tuple[dt.date, dt.date, PaperMeta]]) -> PaperMeta:
    """One paper's metadata from several reads ``(read on, listed on, meta)``: each field
    from the newest read that knows it (see :meth:`PaperMeta.over`)."""
    merged = NO_META
    for _, _, meta in sorted(reads, key=lambda read: (read[0], read[1])):
        merged = meta.over(merged)
    return merged


def unversioned(arxiv_id: str) -> str:
    """``2503.07000v2`` -> ``2503.07000``: every version of a paper is one paper."""
    head, sep, version = arxiv_id.rpartition("v")
    return head if sep and version.isdigit() and head[-1:].isdigit() else arxiv_id


class _Identities:
    """The papers seen so far, by normalised title and by arXiv id."""

    def __init__(self) -> None:
        self.candidates: dict[str, list[_Candidate]] = {}
        self.by_id: dict[str, str] = {}

    def key(self, title: str, abstract: str, arxiv_id: str) -> str:
        """The key of the paper a listing belongs to, making a new paper when no paper
        has its id, or its title with a matching abstract and no other id."""
        arxiv_id = unversioned(arxiv_id)
        if arxiv_id and arxiv_id in self.by_id:
            return self.by_id[arxiv_id]
        key = title_key(title)
        known = self.candidates.get(key)
        if known is None:
            self.candidates[key] = [_Candidate(key, [abstract], arxiv_id=arxiv_id)]
            return self._remember(key, arxiv_id)
        if not arxiv_id and len(known) == 1 and abstract in known[0].abstracts:
            return key  # the common case: a paper listed again with the same abstract
        normalised = title_key(abstract)
        for candidate in known:
            if arxiv_id and candidate.arxiv_id and candidate.arxiv_id != arxiv_id:
                continue  # two arXiv ids are two papers, whatever their text
            if candidate.matches(abstract, normalised):
                if arxiv_id and not candidate.arxiv_id:
                    candidate.arxiv_id = arxiv_id
                return self._remember(candidate.key, arxiv_id)
        new_key = homonym_key(key, normalised)
        if any(candidate.key == new_key for candidate in known):
            # The same text under another id (a paper submitted twice): the id tells them apart.
            new_key = homonym_key(key, f"{normalised}\narxiv {arxiv_id}")
        known.append(_Candidate(new_key, [abstract], [normalised], arxiv_id))
        return self._remember(new_key, arxiv_id)

    def _remember(self, key: str, arxiv_id: str) -> str:
        if arxiv_id:
            self.by_id.setdefault(arxiv_id, key)
        return key


def _homonyms(candidates: dict[str, list[_Candidate]]) -> tuple[Homonyms, ...]:
    groups = []
    for key, known in sorted(candidates.items()):
        if len(known) > 1:
            firsts = [title_key(candidate.abstracts[0]) for candidate in known]
            score = max(fuzz.ratio(a, b) for i, a in enumerate(firsts) for b in firsts[i + 1 :])
            groups.append(Homonyms(key, tuple(candidate.key for candidate in known), round(score, 1)))
    return tuple(groups)
