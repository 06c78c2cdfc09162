"""The analysis stages chained: digest records -> the finished archive model.

Pure functions from records to the model; :func:`build_model` is what the pipeline calls.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import NO_META, Archive, Link, Paper, PaperMeta, exact_text, replaced
from ..parallel import map_in_chunks
from ..sources.records import Digest
from .duplicates import find_near_duplicates, merge_papers
from .identity import build_archive
from .links import paper_links
from .overrides import TagOverride, apply_override, override_targets
from .slugs import paper_slug, unique_slugs
from .tagging import TagMatcher
from .taxonomy import Taxonomy

if TYPE_CHECKING:
    import numpy as np

    from .related import WordCounts

# Neighbours kept per paper: enough to fill the related list after near-duplicates of
# the paper itself and of its neighbours are folded together, and those sharing no
# topic left out.
NEIGHBOURS_KEPT = 20
# How many times the title is counted in the text papers are compared on.
TITLE_REPEATS = 3


# What a paper's own text gives it, worked out once per paper: its links, its tags (the
# taxonomy's, before overrides) and the slug of its key and of each alias's.
Facts = tuple[tuple[Link, ...], tuple[str, ...], tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Model:
    """The archive, where each tag override went (see :func:`override_targets`), and
    each paper's :data:`Facts` by :func:`facts_key` and its text's word counts, for
    :func:`build_model`'s next run."""

    archive: Archive
    override_targets: Mapping[TagOverride, tuple[str, ...]]
    facts: Mapping[str, Facts] = dataclasses.field(default_factory=dict)
    # Each paper text's hashed word counts (see related.count_words), for the next run.
    word_counts: Mapping[str, WordCounts] = dataclasses.field(default_factory=dict)


def build_model(
    digests: Iterable[Digest],
    taxonomy: Taxonomy,
    overrides: Sequence[TagOverride] = (),
    cached: Mapping[str, PaperMeta] | None = None,
    embed: Callable[[Sequence[str]], np.ndarray] | None = None,
    known_facts: Mapping[str, Facts] | None = None,
    known_counts: Mapping[str, WordCounts] | None = None,
) -> Model:
    """Digest records to the finished model.

    Listings are merged into papers by identity (arXiv id, normalised title; see
    :mod:`.identity`); papers with no metadata of their own take what the metadata
    cache (``cached``, by paper key) found for them; then near-duplicates (a changed
    word in the title, the same abstract, or the same arXiv id) are merged; each paper
    gets its links, slug, tags (the taxonomy's, then the hand-made ``overrides`` that
    name exactly one paper) and related papers (by TF-IDF, or with ``embed``, a text to
    unit-vector function such as :class:`generator.embedding.Embedder`, by TF-IDF
    candidates scored again with their embeddings). Links,
    slug and tags depend on the paper alone: they are found in one pass spread over the
    cores, except for the papers whose :func:`facts_key` is in ``known_facts`` (the
    facts of an earlier run with the same taxonomy and code: the caller vouches for that);
    so are the word counts of texts in ``known_counts`` (:func:`.related.count_words`).
    """
    # scipy and numpy take a while to import: only runs that build the model pay for it,
    # not one that finds its inputs unchanged.
    from .related import BLENDED_FLOOR, blend_similarities, count_words, neighbours, related_papers, weigh

    exact = with_cached_metadata(build_archive(digests), cached or {})
    listed = list(exact.papers.values())
    texts = [comparable_text(p) for p in listed]
    # A daily run finds all but the new day's texts counted (a few milliseconds' work).
    counts, word_counts = count_words(texts, known_counts)
    nearest = neighbours(weigh(counts), NEIGHBOURS_KEPT)
    merges = find_near_duplicates(listed, nearest)
    archive = merge_papers(exact, merges)
    kept_of = {merge.merged: merge.kept for merge in merges}

    matcher = TagMatcher(taxonomy)
    papers = list(archive.papers.values())
    known = known_facts or {}
    keys_of_facts = [facts_key(paper) for paper in papers]
    unknown = [paper for paper, key in zip(papers, keys_of_facts, strict=True) if key not in known]
    computed = iter(map_in_chunks(functools.partial(_paper_facts, matcher=matcher), unknown))
    found = [known[key] if key in known else next(computed) for key in keys_of_facts]
    slugs = unique_slugs({key: slug for _, _, key_slugs in found for key, slug in key_slugs})
    enriched = {
        paper.key: replaced(
            paper,
            links=links,
            slug=slugs[paper.key],
            tags=tags,
            alias_slugs=tuple(slugs[alias] for alias in paper.aliases),
        )
        for paper, (links, tags, _) in zip(papers, found, strict=True)
    }
    archive = dataclasses.replace(archive, papers=enriched, tags=taxonomy.tags)
    targets = override_targets(archive, overrides)
    for override, keys in targets.items():
        if len(keys) == 1:
            paper = archive.papers[keys[0]]
            archive.papers[keys[0]] = replaced(paper, tags=apply_override(paper.tags, override))
    # Related papers last: they must share a topic, and topics are final only now.
    topics = {key: paper.tags for key, paper in archive.papers.items()}
    listed_keys = [p.key for p in listed]
    if embed is None:
        related = related_papers(listed_keys, nearest, kept_of, topics=topics)
    else:
        # Measured settings (see related.py): the blended score's own floor, and no
        # relative or mutual condition, which cost this backend more than they gave.
        blended = blend_similarities(nearest, embed(texts))
        related = related_papers(
            listed_keys, blended, kept_of, min_similarity=BLENDED_FLOOR, topics=topics, relative_floor=0, mutual_rank=0
        )
    for key, others in related.items():
        archive.papers[key] = replaced(archive.papers[key], related=others)
    return Model(archive, targets, dict(zip(keys_of_facts, found, strict=True)), word_counts)


def comparable_text(paper: Paper) -> str:
    """The text papers are compared on: the title :data:`TITLE_REPEATS` times, then the
    abstract. The title names the paper's problem and method; repeated, its words weigh
    as much as the abstract's most repeated ones."""
    return _comparable(paper.title, paper.abstract)


def _comparable(title: str, abstract: str) -> str:
    return "\n".join([title] * TITLE_REPEATS + [abstract])


def with_cached_metadata(archive: Archive, cached: Mapping[str, PaperMeta]) -> Archive:
    """``archive`` with each paper that has no arXiv id given the metadata cached for its key."""
    found = {
        key: replaced(paper, meta=cached[key].over(paper.meta))
        for key, paper in archive.papers.items()
        if key in cached and not paper.meta.arxiv_id
    }
    return dataclasses.replace(archive, papers={**archive.papers, **found}) if found else archive


def facts_key(paper: Paper) -> str:
    """A hash of everything a paper's :data:`Facts` are made from: its key and aliases
    (the slugs), title, abstract and its variants, and metadata (links and tags)."""
    # Not repr(): quoting 50,000 abstracts and formatting each metadata record took half
    # a second. The parts' count is the aliases' count and the variants'.
    parts = (
        paper.key,
        *paper.aliases,
        paper.title,
        paper.abstract,
        *paper.abstract_variants,
        "" if paper.meta is NO_META else repr(paper.meta),
    )
    text = exact_text(parts, (len(paper.aliases),))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _paper_facts(paper: Paper, matcher: TagMatcher) -> Facts:
    """Links, tags, and the slug of the paper's key and of each alias's (before clashes
    between papers are settled by :func:`unique_slugs`)."""
    return (
        paper_links(paper),
        matcher.paper_tags(paper),
        tuple((key, paper_slug(key)) for key in (paper.key, *paper.aliases)),
    )
