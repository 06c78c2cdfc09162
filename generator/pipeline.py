"""The stages chained: digest files -> model -> rendered pages. No writing here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .dedupe import build_archive
from .errors import DigestError
from .links import attach_links
from .model import Archive, Tag
from .parse import Digest, find_digests, read_digest
from .slugs import assign_slugs
from .tags import assign_tags


@dataclass(frozen=True)
class LoadedDigests:
    """The digests that parsed, and the error of each one that did not."""

    digests: tuple[Digest, ...]
    problems: tuple[DigestError, ...]


def load_digests(folder: Path, default_year: int | None = None) -> LoadedDigests:
    """Parse every digest in ``folder``, collecting errors instead of stopping at one."""
    digests, problems = [], []
    for path in find_digests(folder):
        try:
            digests.append(read_digest(path, default_year))
        except DigestError as error:
            problems.append(error)
    return LoadedDigests(tuple(digests), tuple(problems))


def build_model(digests: Iterable[Digest], taxonomy: tuple[Tag, ...]) -> Archive:
    """Merge digests into papers and days, then add links, slugs and tags."""
    archive = build_archive(digests)
    archive = attach_links(archive)
    archive = assign_slugs(archive)
    return assign_tags(archive, taxonomy)
