"""The A-Z index of papers, split like a dictionary's thumb index.

Sections split by the papers they hold, never by position in a list, so a new paper
changes only the sections on its own path, not every page after it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..model import Paper
from .urls import section_url

# A section with more papers than this is split into sub-sections by the next letters
# of the title, like the thumb index of a dictionary.
PAPERS_PER_SECTION = 300


@dataclass(frozen=True)
class Section:
    """A page of the A-Z index: papers whose slug starts with ``prefix``.

    A section lists its papers if it has few enough, or else its sub-sections.
    """

    prefix: str
    papers: tuple[Paper, ...]
    children: tuple[Section, ...] = ()

    @property
    def url(self) -> str:
        return section_url(self.prefix)

    @property
    def label(self) -> str:
        """``Sample efficient a…`` for prefix ``sample-efficient-a``; ``S`` for ``s``."""
        text = self.prefix.rstrip("~").replace("-", " ").rstrip()
        text = text[:1].upper() + text[1:]
        return text if len(self.prefix) == 1 else text + "…"


def az_sections(papers: Sequence[Paper], limit: int = PAPERS_PER_SECTION) -> Section:
    """The A-Z index of ``papers`` as a tree under the root section (prefix ``""``).

    The root has one section per first character. Below that, a section with more than
    ``limit`` papers splits on the next character, each part named by the longest prefix
    its papers share, so a run of titles opening with the same words is one step, not one
    per letter.
    """
    ordered = tuple(sorted(papers, key=lambda p: (p.slug, p.key)))
    return Section("", ordered, _split(ordered, 0, limit, first_level=True))


def _split(papers: tuple[Paper, ...], depth: int, limit: int, first_level: bool = False) -> tuple[Section, ...]:
    groups: dict[str, list[Paper]] = {}
    for paper in papers:
        groups.setdefault(paper.slug[depth : depth + 1], []).append(paper)
    if len(groups) == 1 and not first_level:
        # All share the next characters: skip to where they differ instead of adding a
        # section with a single sub-section.
        shared = _common_prefix(papers[0].slug, papers[-1].slug)
        if len(shared) > depth:
            return _split(papers, len(shared), limit)
    sections = []
    for group in groups.values():
        members = tuple(group)
        if first_level:
            prefix = members[0].slug[:1]
        elif len(members[0].slug) == depth:
            # A slug that is itself the shared prefix of the others: "~" keeps its URL
            # apart from theirs.
            prefix = members[0].slug + "~"
        else:
            prefix = _common_prefix(members[0].slug, members[-1].slug)
        children = _split(members, len(prefix), limit) if len(members) > limit else ()
        sections.append(Section(prefix, members, children))
    return tuple(sections)


def _common_prefix(first: str, last: str) -> str:
    """The longest common prefix of two slugs (of sorted slugs, it is that of all between)."""
    length = 0
    for a, b in zip(first, last, strict=False):  # slugs of different lengths
        if a != b:
            break
        length += 1
    return first[:length]


def walk_sections(section: Section) -> Iterator[tuple[Section, tuple[Section, ...]]]:
    """``section`` and every section below it, parents first, with their parents."""
    stack: list[tuple[Section, tuple[Section, ...]]] = [(section, ())]
    while stack:
        current, parents = stack.pop()
        yield current, parents
        stack.extend((child, (*parents, current)) for child in reversed(current.children))
