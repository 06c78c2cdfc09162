"""Which search result is the paper a text digest listed: the rule ``enrich`` accepts.

A result is accepted only on a near-exact title match: the same normalised title
(:func:`~generator.analysis.identity.title_key`: case, punctuation and spacing aside) or
one differing by a character or two. When several results qualify, the one whose
abstract is closest to the listed abstract wins; a result whose abstract is clearly a
different paper's is refused even with the same title.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rapidfuzz import fuzz

from ..model import Paper
from .identity import title_key

# Normalised titles at least this similar (rapidfuzz ratio, 0-100) are a near-exact match:
# a dropped hyphen or a typo in a 60-character title, not a different word.
TITLE_MATCH = 96.0
# Below this abstract similarity, a result with the paper's title is another paper.
ABSTRACT_FLOOR = 50.0


def best_match(paper: Paper, results: Iterable[Any]) -> Mapping[str, Any] | None:
    """The API paper object (from ``results``, raw search items) that is ``paper``, or None."""
    wanted_title = title_key(paper.title)
    wanted_abstract = title_key(paper.abstract)
    best: tuple[float, float, Mapping[str, Any]] | None = None
    for result in results:
        if not isinstance(result, dict):
            continue
        nested = result.get("paper")
        found: dict[str, Any] = nested if isinstance(nested, dict) else result
        title = found.get("title") if isinstance(found.get("title"), str) else result.get("title")
        if not isinstance(title, str):
            continue
        title_score = 100.0 if title_key(title) == wanted_title else fuzz.ratio(title_key(title), wanted_title)
        if title_score < TITLE_MATCH:
            continue
        summary = found.get("summary") if isinstance(found.get("summary"), str) else ""
        abstract_score = _abstract_similarity(title_key(summary), wanted_abstract) if summary else ABSTRACT_FLOOR
        if abstract_score < ABSTRACT_FLOOR:
            continue
        score = (abstract_score, title_score)
        if best is None or score > best[:2]:
            best = (*score, found)
    return best[2] if best else None


def _abstract_similarity(found: str, listed: str) -> float:
    """How alike two normalised abstracts are; a digest's abstract cut short still matches."""
    if not listed:
        return ABSTRACT_FLOOR
    score = fuzz.ratio(found, listed)
    if min(len(found), len(listed)) >= 100:
        score = max(score, fuzz.partial_ratio(found, listed))
    return score
