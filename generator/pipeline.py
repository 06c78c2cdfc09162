"""The stages chained: digest files -> model -> rendered pages. No writing here."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .dedupe import build_archive, find_near_duplicates, merge_papers, title_key
from .errors import DigestError
from .links import paper_links
from .model import Archive, Link, Paper
from .parse import Digest, find_digests, read_digest
from .parallel import map_in_chunks
from .progress import Progress
from .slugs import paper_slug, unique_slugs
from .tags import TagMatcher, TagOverride, Taxonomy, apply_override


# A digest is about 80 KB of text: worth a worker process from a few hundred on.
DIGESTS_PER_CHUNK = 25
DIGESTS_PER_WORKER = 200


@dataclass(frozen=True)
class LoadedDigests:
    """The digests that parsed, and the error of each one that did not."""

    digests: tuple[Digest, ...]
    problems: tuple[DigestError, ...]


def load_digests(folder: Path, default_year: int | None = None) -> LoadedDigests:
    """Parse every digest in ``folder``; see :func:`parse_digests`."""
    return parse_digests(find_digests(folder), default_year)


def parse_digests(paths: list[Path], default_year: int | None = None) -> LoadedDigests:
    """Parse the digest files ``paths``, collecting errors instead of stopping at one."""
    progress = Progress("reading digests", len(paths), unit="digests", min_total=200)
    results = map_in_chunks(
        functools.partial(_read_or_error, default_year=default_year), paths,
        on_chunk=progress.advance, chunk_size=DIGESTS_PER_CHUNK, min_items_per_worker=DIGESTS_PER_WORKER,
    )
    progress.close()
    digests = tuple(result for result in results if isinstance(result, Digest))
    problems = tuple(result for result in results if isinstance(result, DigestError))
    return LoadedDigests(digests, problems)


def _read_or_error(path: Path, default_year: int | None) -> Digest | DigestError:
    try:
        return read_digest(path, default_year)
    except DigestError as error:
        return error


def input_fingerprint(digest_paths: list[Path], settings_files: list[Path], settings: dict) -> str:
    """A hash of everything the pages are made from: digests, taxonomy and overrides,
    templates, settings.

    Two runs with the same fingerprint produce the same files, so the second can stop early.
    """
    fingerprint = hashlib.sha256()
    fingerprint.update(json.dumps({"version": __version__, **settings}, sort_keys=True, default=str).encode())
    templates = sorted((Path(__file__).parent / "templates").glob("*.j2"))
    try:
        for path in [*templates, *settings_files, *digest_paths]:
            fingerprint.update(f"\0{path.as_posix()}\0".encode())
            if path in settings_files and not path.exists():
                fingerprint.update(b"absent")  # an optional file, such as the overrides
                continue
            fingerprint.update(hashlib.sha256(path.read_bytes()).digest())
    except OSError:
        return ""  # unreadable input: no shortcut; the full run reports it properly
    return fingerprint.hexdigest()


# Neighbours kept per paper: enough to fill the related list after near-duplicates of
# the paper itself and of its neighbours are folded together.
NEIGHBOURS_KEPT = 10


def build_model(
    digests: Iterable[Digest], taxonomy: Taxonomy, overrides: Sequence[TagOverride] = ()
) -> Archive:
    """Digests to the finished model.

    Listings are merged into papers by normalised title, then near-duplicates (a changed
    word in the title, the same abstract) are merged; each paper gets its links, slug,
    tags (the taxonomy's, then the hand-made ``overrides``) and related papers. Links,
    slug and tags depend on the paper alone: they are found in one pass spread over the
    cores.
    """
    # scikit-learn takes a second to import: only runs that build the model pay for it,
    # not one that finds its inputs unchanged.
    from .related import neighbours, related_papers, tfidf_vectors

    exact = build_archive(digests)
    listed = list(exact.papers.values())
    nearest = neighbours(tfidf_vectors([f"{p.title}\n{p.abstract}" for p in listed]), NEIGHBOURS_KEPT)
    merges = find_near_duplicates(listed, nearest)
    archive = merge_papers(exact, merges)
    kept_of = {merge.merged: merge.kept for merge in merges}
    related = related_papers([p.key for p in listed], nearest, kept_of)

    matcher = TagMatcher(taxonomy)
    papers = list(archive.papers.values())
    found = map_in_chunks(functools.partial(_paper_facts, matcher=matcher), papers)
    slugs = unique_slugs({key: slug for _, _, key_slugs in found for key, slug in key_slugs})
    enriched = {
        paper.key: dataclasses.replace(
            paper, links=links, slug=slugs[paper.key], tags=tags,
            alias_slugs=tuple(slugs[alias] for alias in paper.aliases),
            related=related.get(paper.key, ()),
        )
        for paper, (links, tags, _) in zip(papers, found)
    }
    archive = dataclasses.replace(archive, papers=enriched, tags=taxonomy.tags)
    for override, key in override_targets(archive, overrides).items():
        if key is not None:
            paper = archive.papers[key]
            archive.papers[key] = dataclasses.replace(paper, tags=apply_override(paper.tags, override))
    return archive


def _paper_facts(
    paper: Paper, matcher: TagMatcher
) -> tuple[tuple[Link, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Links, tags, and the slug of the paper's key and of each alias's (before clashes
    between papers are settled by :func:`unique_slugs`)."""
    return (
        paper_links(paper), matcher.paper_tags(paper),
        tuple((key, paper_slug(key)) for key in (paper.key, *paper.aliases)),
    )


def override_targets(archive: Archive, overrides: Sequence[TagOverride]) -> dict[TagOverride, str | None]:
    """The key of the paper each override names (by slug or title), or None if no paper."""
    by_name: dict[str, str] = {}
    for paper in archive.papers.values():
        for name in (paper.key, *paper.aliases, paper.slug, *paper.alias_slugs):
            by_name[name] = paper.key
    return {
        override: by_name.get(override.paper) or by_name.get(title_key(override.paper))
        for override in overrides
    }
