"""Stage 3a: merge the appearances of one paper across days into a single Paper.

Identity is the normalised title (:func:`title_key`); two digests with the same date are
merged into one day, in file-name order, without losing a paper.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from .model import Appearance, Archive, Day, Paper
from .parse import Digest

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
