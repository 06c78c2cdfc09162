"""The stages chained: digest files -> model -> rendered pages. No writing here."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .dedupe import build_archive
from .errors import DigestError
from .links import paper_links
from .model import Archive, Link, Paper, Tag
from .parse import Digest, find_digests, read_digest
from .parallel import map_in_chunks
from .progress import Progress
from .slugs import paper_slug, unique_slugs
from .tags import TagMatcher


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


def input_fingerprint(digest_paths: list[Path], taxonomy: Path, settings: dict) -> str:
    """A hash of everything the pages are made from: digests, taxonomy, templates, settings.

    Two runs with the same fingerprint produce the same files, so the second can stop early.
    """
    fingerprint = hashlib.sha256()
    fingerprint.update(json.dumps({"version": __version__, **settings}, sort_keys=True, default=str).encode())
    templates = sorted((Path(__file__).parent / "templates").glob("*.j2"))
    try:
        for path in [*templates, taxonomy, *digest_paths]:
            fingerprint.update(f"\0{path.as_posix()}\0".encode())
            fingerprint.update(hashlib.sha256(path.read_bytes()).digest())
    except OSError:
        return ""  # unreadable input: no shortcut; the full run reports it properly
    return fingerprint.hexdigest()


def build_model(digests: Iterable[Digest], taxonomy: tuple[Tag, ...]) -> Archive:
    """Merge digests into papers and days, then give each paper its links, slug and tags.

    Links, slug and tags of a paper depend on that paper alone: they are found in one
    pass, spread over the cores, and each paper is rebuilt once with all three.
    """
    archive = build_archive(digests)
    matcher = TagMatcher(taxonomy)
    papers = list(archive.papers.values())
    found = map_in_chunks(functools.partial(_paper_facts, matcher=matcher), papers)
    slugs = unique_slugs({paper.key: slug for paper, (_, slug, _) in zip(papers, found)})
    enriched = {
        paper.key: dataclasses.replace(paper, links=links, slug=slugs[paper.key], tags=tags)
        for paper, (links, _, tags) in zip(papers, found)
    }
    return dataclasses.replace(archive, papers=enriched, tags=taxonomy)


def _paper_facts(paper: Paper, matcher: TagMatcher) -> tuple[tuple[Link, ...], str, tuple[str, ...]]:
    return paper_links(paper), paper_slug(paper.key), matcher.paper_tags(paper)
