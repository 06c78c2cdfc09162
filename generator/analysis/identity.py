"""Stage 3a, identity: which listings are one paper.

A paper is identified by its normalised title (:func:`title_key`): the same title on
several days, or twice on one day, is one paper with one page listing every day. Two
listings under the same normalised title whose abstracts are clearly different
(:func:`same_abstract` says no) are two papers: the first listed keeps the title's
identity, each later one is identified by the title and a fingerprint of its own
abstract, so each gets its own page and URL and neither is lost.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from ..model import Appearance, Archive, Day, Homonyms, Paper
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
    order. A paper listed twice on one day keeps its first listing there. Each paper's
    appearances are oldest first, and its title and abstract are those of its first
    appearance. Listings under one title with clearly different abstracts are separate
    papers, recorded in ``Archive.homonyms``.
    """
    digests_by_date: dict = defaultdict(list)
    for digest in sorted(digests, key=lambda d: (d.date, d.source)):
        digests_by_date[digest.date].append(digest)

    appearances: dict[str, list[Appearance]] = defaultdict(list)
    candidates: dict[str, list[_Candidate]] = {}
    days: list[Day] = []
    for date, same_day in sorted(digests_by_date.items()):
        keys: list[str] = []
        listed: set[str] = set()
        for digest in same_day:
            for entry in digest.entries:
                key = _paper_key(title_key(entry.title), entry.abstract, candidates)
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

    homonyms = _homonyms(candidates)
    others = {key: group.keys for group in homonyms for key in group.keys}
    papers = {
        key: Paper(
            key=key,
            title=listing[0].title,
            abstract=listing[0].abstract,
            appearances=tuple(listing),
            homonyms=tuple(other for other in others.get(key, ()) if other != key),
        )
        for key, listing in sorted(appearances.items())
    }
    return Archive(papers=papers, days=tuple(days), homonyms=homonyms)


def _paper_key(key: str, abstract: str, candidates: dict[str, list[_Candidate]]) -> str:
    """The key of the paper a listing (title key ``key``) belongs to, making a new paper
    when no paper under that title has a matching abstract."""
    known = candidates.get(key)
    if known is None:
        candidates[key] = [_Candidate(key, [abstract])]
        return key
    if len(known) == 1 and abstract in known[0].abstracts:
        return key  # the common case: a paper listed again with the same abstract
    normalised = title_key(abstract)
    for candidate in known:
        if candidate.matches(abstract, normalised):
            return candidate.key
    candidate = _Candidate(homonym_key(key, normalised), [abstract], [normalised])
    known.append(candidate)
    return candidate.key


def _homonyms(candidates: dict[str, list[_Candidate]]) -> tuple[Homonyms, ...]:
    groups = []
    for key, known in sorted(candidates.items()):
        if len(known) > 1:
            firsts = [title_key(candidate.abstracts[0]) for candidate in known]
            score = max(fuzz.ratio(a, b) for i, a in enumerate(firsts) for b in firsts[i + 1 :])
            groups.append(Homonyms(key, tuple(candidate.key for candidate in known), round(score, 1)))
    return tuple(groups)
