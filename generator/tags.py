"""Stage 3d: topic tags from a keyword taxonomy file.

The taxonomy is YAML the archive's maintainers edit::

    tags:
      diffusion-models:
        name: Diffusion models
        description: Denoising diffusion and score-based generative models.
        phrases: ["diffusion model*", "score-based"]

A tag applies to a paper when any of its phrases occurs in the title or abstract: case is
ignored, phrases match whole words, a space or hyphen in a phrase matches either, and a
trailing ``*`` on a word matches any ending (``prun*`` matches pruning and pruned).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import yaml
from slugify import slugify

from .errors import ArchiveError
from .model import Archive, Tag


def load_taxonomy(path: Path) -> tuple[Tag, ...]:
    """Read and validate a taxonomy file; raise :class:`ArchiveError` naming what is wrong."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ArchiveError(f"cannot read taxonomy {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ArchiveError(f"taxonomy {path} is not valid YAML: {error}") from None
    return parse_taxonomy(document, str(path))


def parse_taxonomy(document: object, source: str = "taxonomy") -> tuple[Tag, ...]:
    """Validate a loaded taxonomy document and return its tags in file order."""
    if not isinstance(document, dict) or not isinstance(document.get("tags"), dict):
        raise ArchiveError(f"{source}: expected a mapping 'tags:' of tag slug to its settings")
    tags = []
    for slug, settings in document["tags"].items():
        where = f"{source}: tag {slug!r}"
        if not isinstance(slug, str) or slugify(slug) != slug:
            raise ArchiveError(f"{where}: a tag slug is lower-case words joined by '-'")
        if not isinstance(settings, dict):
            raise ArchiveError(f"{where}: expected name, description and phrases")
        name = settings.get("name")
        phrases = settings.get("phrases")
        description = settings.get("description", "")
        if not isinstance(name, str) or not name.strip():
            raise ArchiveError(f"{where}: 'name' must be a non-empty string")
        if not isinstance(description, str):
            raise ArchiveError(f"{where}: 'description' must be a string")
        if (
            not isinstance(phrases, list)
            or not phrases
            or not all(isinstance(p, str) and p.strip(" *-") for p in phrases)
        ):
            raise ArchiveError(f"{where}: 'phrases' must be a non-empty list of phrases")
        tags.append(Tag(slug=slug, name=name.strip(), description=description.strip(), phrases=tuple(phrases)))
    return tuple(tags)


def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """Compile a tag's phrases into one case-insensitive whole-word pattern."""
    alternatives = []
    for phrase in phrases:
        words = [word for word in re.split(r"[\s-]+", phrase.strip()) if word]
        parts = [
            re.escape(word[:-1]) + r"\w*" if word.endswith("*") else re.escape(word)
            for word in words
        ]
        alternatives.append(r"[\s-]+".join(parts))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def assign_tags(archive: Archive, tags: tuple[Tag, ...]) -> Archive:
    """Return the archive with each paper's tags (in taxonomy order) and the taxonomy."""
    patterns = [(tag.slug, phrase_pattern(tag.phrases)) for tag in tags]
    papers = {}
    for key, paper in archive.papers.items():
        text = f"{paper.title}\n{paper.abstract}"
        matched = tuple(slug for slug, pattern in patterns if pattern.search(text))
        papers[key] = dataclasses.replace(paper, tags=matched)
    return dataclasses.replace(archive, papers=papers, tags=tags)
