"""Measuring the tagger and the related-paper lists against papers labelled by hand.

A labels file (``evaluation/shared-digests.yml``; its README says how it was made) gives,
for each labelled paper, the topics that fit it, the topics that are acceptable but not
required, the research threads it belongs to and any further papers genuinely related
to it. Relatedness is symmetric: two papers of one thread are related, and a pair listed
under either paper counts for both.

Each paper is in the ``tune`` half (for adjusting the taxonomy and the scorer) or the
``held-out`` half (for reporting): the figures that count are those of the held-out half.

* tag precision: the share of the tags given that fit or are acceptable;
* tag recall: the share of the fitting topics that were given;
* untagged: papers with a fitting topic and no tag at all;
* related precision: the share of the listed related papers that are genuinely related.

Pure functions from the model and the labels to the figures; :mod:`generator.reports`
prints them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ArchiveError
from ..model import Archive
from .taxonomy import read_yaml

SPLITS = ("tune", "held-out")


@dataclass(frozen=True)
class LabelledPaper:
    """One labelled paper: its URL slug (as on the site), title and labels."""

    slug: str
    title: str
    split: str
    topics: frozenset[str]
    acceptable: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Labels:
    """Every labelled paper by slug, and the related pairs (each pair both ways)."""

    papers: dict[str, LabelledPaper]
    related: dict[str, frozenset[str]]
    source: str = ""

    def chosen(self, split: str) -> list[LabelledPaper]:
        """The labelled papers of ``split`` (``tune``, ``held-out`` or ``all``)."""
        return [paper for paper in self.papers.values() if split == "all" or paper.split == split]


def load_labels(path: Path, topic_slugs: Iterable[str]) -> Labels:
    """Read and check a labels file; raise :class:`ArchiveError` naming what is wrong."""
    return parse_labels(read_yaml(path, "labels"), set(topic_slugs), str(path))


def parse_labels(document: object, topics: set[str], source: str = "labels") -> Labels:
    """Check a loaded labels document against the taxonomy's topic slugs."""
    if not isinstance(document, dict) or not isinstance(document.get("papers"), list):
        raise ArchiveError(f"{source}: expected 'papers:', a list of labelled papers")
    papers: dict[str, LabelledPaper] = {}
    pairs: list[tuple[str, str, str]] = []
    for number, entry in enumerate(document["papers"], start=1):
        where = f"{source}: paper {number}"
        if not isinstance(entry, dict) or not isinstance(entry.get("slug"), str):
            raise ArchiveError(f"{where}: expected a mapping with 'slug'")
        slug = entry["slug"]
        where = f"{source}: paper {slug!r}"
        if slug in papers:
            raise ArchiveError(f"{where}: labelled twice")
        split = entry.get("split")
        if split not in SPLITS:
            raise ArchiveError(f"{where}: 'split' must be one of {', '.join(SPLITS)}")
        fitting = _topic_set(entry, "topics", topics, where)
        acceptable = _topic_set(entry, "acceptable", topics, where)
        if fitting & acceptable:
            raise ArchiveError(f"{where}: {', '.join(sorted(fitting & acceptable))} both fitting and acceptable")
        papers[slug] = LabelledPaper(slug, str(entry.get("title", "")), split, fitting, acceptable)
        pairs += [(slug, other, where) for other in _slug_list(entry, "related", where)]
    threads = document.get("threads") or {}
    if not isinstance(threads, dict):
        raise ArchiveError(f"{source}: 'threads' must map a thread's name to its papers")
    for name, members in threads.items():
        where = f"{source}: thread {name!r}"
        members = _slug_list({"papers": members}, "papers", where)
        pairs += [(a, b, where) for a in members for b in members if a != b]
    related: dict[str, set[str]] = {slug: set() for slug in papers}
    for a, b, where in pairs:
        for slug in (a, b):
            if slug not in papers:
                raise ArchiveError(f"{where}: {slug!r} is not a labelled paper")
        related[a].add(b)
        related[b].add(a)
    return Labels(
        papers, {slug: frozenset(others) for slug, others in related.items()}, str(document.get("source", ""))
    )


def _topic_set(entry: dict, key: str, topics: set[str], where: str) -> frozenset[str]:
    values = entry.get(key) or []
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise ArchiveError(f"{where}: '{key}' must be a list of topic slugs")
    unknown = sorted(set(values) - topics)
    if unknown:
        raise ArchiveError(f"{where}: {', '.join(unknown)} not in the taxonomy")
    return frozenset(values)


def _slug_list(entry: dict, key: str, where: str) -> list[str]:
    values = entry.get(key) or []
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise ArchiveError(f"{where}: '{key}' must be a list of paper slugs")
    return values


@dataclass(frozen=True)
class TopicErrors:
    """What one topic got wrong: papers it was wrongly given to, papers it missed."""

    wrong: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()


@dataclass(frozen=True)
class TagScores:
    papers: int
    given: int
    right: int
    fitting: int
    found: int
    untagged: tuple[str, ...]
    per_topic: dict[str, TopicErrors] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.right / self.given if self.given else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.fitting if self.fitting else 1.0


@dataclass(frozen=True)
class RelatedScores:
    papers: int
    listed: int
    right: int
    # Papers that list more related papers than they have genuinely related ones.
    padded: tuple[str, ...] = ()
    # Papers that have related papers labelled and list none of them.
    missing: tuple[str, ...] = ()

    @property
    def precision(self) -> float:
        return self.right / self.listed if self.listed else 1.0


@dataclass(frozen=True)
class Evaluation:
    split: str
    tags: TagScores
    related: RelatedScores
    # Labelled slugs not found in the archive (the labels are for other digests).
    absent: tuple[str, ...] = ()


def evaluate(archive: Archive, labels: Labels, split: str = "held-out") -> Evaluation:
    """Score the archive's tags and related lists on the labelled papers of ``split``."""
    by_slug = {paper.slug: paper for paper in archive.papers.values()}
    slug_of_key = {key: paper.slug for key, paper in archive.papers.items()}
    chosen = [label for label in labels.chosen(split) if label.slug in by_slug]
    absent = tuple(sorted(label.slug for label in labels.chosen(split) if label.slug not in by_slug))
    wrong: dict[str, list[str]] = {}
    missed: dict[str, list[str]] = {}
    given = right = fitting = found = 0
    untagged: list[str] = []
    listed = right_related = 0
    padded: list[str] = []
    missing: list[str] = []
    for label in chosen:
        tags = set(by_slug[label.slug].tags)
        given += len(tags)
        right += len(tags & (label.topics | label.acceptable))
        fitting += len(label.topics)
        found += len(tags & label.topics)
        if label.topics and not tags:
            untagged.append(label.slug)
        for topic in sorted(tags - label.topics - label.acceptable):
            wrong.setdefault(topic, []).append(label.slug)
        for topic in sorted(label.topics - tags):
            missed.setdefault(topic, []).append(label.slug)
        shown = [slug_of_key[key] for key in by_slug[label.slug].related if key in slug_of_key]
        truly = labels.related.get(label.slug, frozenset())
        hits = sum(1 for slug in shown if slug in truly)
        listed += len(shown)
        right_related += hits
        if len(shown) > hits and len(shown) > len(truly):
            padded.append(label.slug)
        if truly and not hits:
            missing.append(label.slug)
    per_topic = {
        topic: TopicErrors(tuple(wrong.get(topic, ())), tuple(missed.get(topic, ())))
        for topic in sorted(set(wrong) | set(missed))
    }
    return Evaluation(
        split,
        TagScores(len(chosen), given, right, fitting, found, tuple(untagged), per_topic),
        RelatedScores(len(chosen), listed, right_related, tuple(padded), tuple(missing)),
        absent,
    )
