"""The stages chained: digest files -> model -> rendered pages. No writing here."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .dedupe import build_archive
from .errors import DigestError
from .links import attach_links
from .model import Archive, Tag
from .parse import Digest, find_digests, read_digest
from .progress import track
from .slugs import assign_slugs
from .tags import assign_tags


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
    digests, problems = [], []
    for path in track(paths, "reading digests", len(paths), unit="digests", min_total=200):
        try:
            digests.append(read_digest(path, default_year))
        except DigestError as error:
            problems.append(error)
    return LoadedDigests(tuple(digests), tuple(problems))


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
    """Merge digests into papers and days, then add links, slugs and tags."""
    archive = build_archive(digests)
    archive = attach_links(archive)
    archive = assign_slugs(archive)
    return assign_tags(archive, taxonomy)
