"""The taxonomy: the topics a paper can be tagged with, read from ``taxonomy.yml``.

The taxonomy is YAML the archive's maintainers edit::

    settings:
      title_weight: 3   # a match in the title counts as much as 3 in the abstract
      min_score: 2      # a tag applies from this score on
      max_tags: 3       # a paper shows at most its 3 best-scoring tags
    tags:
      diffusion-models:
        name: Diffusion models
        description: Denoising diffusion and score-based generative models.
        phrases: ["diffusion model*", "score-based"]
        patterns: ['\\bDDPMs?\\b']
        exclude: ["diffusion of innovation*"]

A tag's score on a paper counts the matches of its phrases and patterns: each match in
the title counts ``title_weight``, each in the abstract counts 1. So a topic named in the
title applies at once, while a topic the abstract mentions once in passing does not.

Three optional lists give phrases their context:

* ``context``: phrases that say the topic only beside a phrase or pattern of the tag
  (``prompt*`` counts for large language models in a paper that names a language model,
  not in a text-to-image paper); they add to the score, they never start it;
* ``exclude``: phrases that cancel the tag's matches they overlap (``data pruning``
  is no match of ``prun*``; ``training-free`` none of ``training``);
* ``implies``: tags given whenever this one is (certified robustness is adversarial
  robustness), within ``max_tags``.
Phrases match whole words with case ignored (punctuation between words does not matter,
so ``score-based`` matches "score based"), and a trailing ``*`` on a word matches any
ending (``prun*`` matches pruning and pruned). Patterns are regular expressions, matched
with case ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from slugify import slugify

from ..errors import ArchiveError
from ..model import Tag
from .words import WORD

DEFAULT_TITLE_WEIGHT = 3
DEFAULT_MIN_SCORE = 2
DEFAULT_MAX_TAGS = 3


@dataclass(frozen=True)
class Taxonomy:
    """The tags in file order and the scoring settings that apply to all of them."""

    tags: tuple[Tag, ...]
    title_weight: int = DEFAULT_TITLE_WEIGHT
    min_score: int = DEFAULT_MIN_SCORE
    max_tags: int = DEFAULT_MAX_TAGS


# PyYAML's safe loader on libyaml's parser when PyYAML was built with it: the same
# documents, parsed in C, about ten times faster (0.1 s of every run for the taxonomy).
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and validate a taxonomy file; raise :class:`ArchiveError` naming what is wrong."""
    return parse_taxonomy(read_yaml(path, "taxonomy"), str(path))


def read_yaml(path: Path, what: str) -> object:
    """The YAML document of ``path`` (safe loading); an :class:`ArchiveError` naming the
    file as ``what`` ("taxonomy", "labels") if it cannot be read or parsed."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    except OSError as error:
        raise ArchiveError(f"cannot read {what} {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ArchiveError(f"{what} {path} is not valid YAML: {error}") from None


def parse_taxonomy(document: object, source: str = "taxonomy") -> Taxonomy:
    """Validate a loaded taxonomy document and return its tags in file order."""
    if not isinstance(document, dict) or not isinstance(document.get("tags"), dict):
        raise ArchiveError(f"{source}: expected a mapping 'tags:' of tag slug to its settings")
    settings = document.get("settings") or {}
    if not isinstance(settings, dict) or set(settings) - {"title_weight", "min_score", "max_tags"}:
        raise ArchiveError(f"{source}: 'settings' takes title_weight, min_score and max_tags")
    title_weight = _positive_int(settings, "title_weight", DEFAULT_TITLE_WEIGHT, f"{source}: settings")
    min_score = _positive_int(settings, "min_score", DEFAULT_MIN_SCORE, f"{source}: settings")
    max_tags = _positive_int(settings, "max_tags", DEFAULT_MAX_TAGS, f"{source}: settings")
    tags = []
    for slug, tag_settings in document["tags"].items():
        where = f"{source}: tag {slug!r}"
        if not isinstance(slug, str) or slugify(slug) != slug:
            raise ArchiveError(f"{where}: a tag slug is lower-case words joined by '-'")
        if not isinstance(tag_settings, dict):
            raise ArchiveError(f"{where}: expected name, description and phrases")
        unknown = set(tag_settings) - {
            "name", "description", "phrases", "patterns", "min_score", "context", "exclude", "implies"
        }  # fmt: skip
        if unknown:
            raise ArchiveError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
        name = tag_settings.get("name")
        phrases = tag_settings.get("phrases", [])
        patterns = tag_settings.get("patterns", [])
        description = tag_settings.get("description", "")
        if not isinstance(name, str) or not name.strip():
            raise ArchiveError(f"{where}: 'name' must be a non-empty string")
        if not isinstance(description, str):
            raise ArchiveError(f"{where}: 'description' must be a string")
        for key in ("phrases", "context", "exclude"):
            values = tag_settings.get(key, [])
            if not isinstance(values, list) or not all(isinstance(p, str) and WORD.search(p) for p in values):
                raise ArchiveError(f"{where}: '{key}' must be a list of phrases")
        implies = tag_settings.get("implies", [])
        if not isinstance(implies, list) or not all(isinstance(other, str) for other in implies):
            raise ArchiveError(f"{where}: 'implies' must be a list of tag slugs")
        missing = sorted(set(implies) - set(document["tags"]))
        if missing:
            raise ArchiveError(f"{where}: implies {', '.join(missing)}, not a tag of the taxonomy")
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
            raise ArchiveError(f"{where}: 'patterns' must be a list of regular expressions")
        if not phrases and not patterns:
            raise ArchiveError(f"{where}: give 'phrases' or 'patterns' (or both)")
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ArchiveError(f"{where}: pattern {pattern!r} is not a valid regular expression: {error}") from None
        tags.append(
            Tag(
                slug=slug,
                name=name.strip(),
                description=description.strip(),
                phrases=tuple(phrases),
                patterns=tuple(patterns),
                min_score=_positive_int(tag_settings, "min_score", min_score, where),
                context=tuple(tag_settings.get("context", [])),
                exclude=tuple(tag_settings.get("exclude", [])),
                implies=tuple(implies),
            )
        )
    return Taxonomy(tuple(tags), title_weight=title_weight, min_score=min_score, max_tags=max_tags)


def _positive_int(settings: Mapping, key: str, default: int, where: str) -> int:
    value = settings.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ArchiveError(f"{where}: {key!r} must be a whole number of at least 1, not {value!r}")
    return value
