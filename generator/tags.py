"""Stage 3d: topic tags from a keyword taxonomy file.

The taxonomy is YAML the archive's maintainers edit::

    tags:
      diffusion-models:
        name: Diffusion models
        description: Denoising diffusion and score-based generative models.
        phrases: ["diffusion model*", "score-based"]

A tag applies to a paper when any of its phrases occurs in the title or abstract: case is
ignored, phrases match whole words (punctuation between words does not matter, so
``score-based`` matches "score based"), and a trailing ``*`` on a word matches any ending
(``prun*`` matches pruning and pruned).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from slugify import slugify

from .errors import ArchiveError
from .model import Paper, Tag

_WORD = re.compile(r"\w+")


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
            or not all(isinstance(p, str) and _WORD.search(p) for p in phrases)
        ):
            raise ArchiveError(f"{where}: 'phrases' must be a non-empty list of phrases")
        tags.append(Tag(slug=slug, name=name.strip(), description=description.strip(), phrases=tuple(phrases)))
    return tuple(tags)



@dataclass(frozen=True)
class _Phrase:
    """A phrase as word tokens; a token ending in ``*`` matches any word it starts."""

    words: tuple[str, ...]

    @cached_property
    def needle(self) -> str | None:
        """The phrase as a substring of the text's space-joined tokens, if one can say it."""
        if any(word.endswith("*") for word in self.words[:-1]):
            return None
        last = self.words[-1]
        return " " + " ".join(self.words[:-1] + (last.rstrip("*"),)) + ("" if last.endswith("*") else " ")

    def matches_at(self, tokens: list[str], start: int) -> bool:
        if start + len(self.words) > len(tokens):
            return False
        for offset, word in enumerate(self.words):
            token = tokens[start + offset]
            if word.endswith("*"):
                if not token.startswith(word[:-1]):
                    return False
            elif token != word:
                return False
        return True

    def occurs_in(self, tokens: list[str], joined: str) -> bool:
        needle = self.needle
        if needle is not None:
            return needle in joined
        return any(self.matches_at(tokens, start) for start in range(len(tokens)))


class TagMatcher:
    """Finds the tags of a text in one pass over its words, whatever the taxonomy size.

    Text and phrases are split into word tokens (letters and digits; case ignored), so a
    phrase matches whole words whatever stands between them: ``score-based`` matches
    "score based" and "Score-Based". Phrases are looked up by their first word; which
    phrases a word can start is worked out once per distinct word, not once per paper.
    """

    def __init__(self, tags: tuple[Tag, ...]) -> None:
        self.order = {tag.slug: index for index, tag in enumerate(tags)}
        self.by_first_word: dict[str, list[tuple[str, _Phrase]]] = defaultdict(list)
        self.by_first_prefix: dict[str, list[tuple[str, _Phrase]]] = defaultdict(list)
        for tag in tags:
            for phrase in tag.phrases:
                words = tuple(_phrase_words(phrase))
                first = words[0]
                if first.endswith("*"):
                    self.by_first_prefix[first[:-1]].append((tag.slug, _Phrase(words)))
                else:
                    self.by_first_word[first].append((tag.slug, _Phrase(words)))
        self._started_by: dict[str, tuple[tuple[str, str | None, _Phrase], ...]] = {}

    def paper_tags(self, paper: Paper) -> tuple[str, ...]:
        """The tags of a paper, from its title and abstract."""
        return self.tags_of(f"{paper.title}\n{paper.abstract}")

    def tags_of(self, text: str) -> tuple[str, ...]:
        """The slugs of the tags whose phrases occur in ``text``, in taxonomy order."""
        tokens = word_tokens(text)
        joined = " " + " ".join(tokens) + " "
        found: set[str] = set()
        started_by = self._started_by
        for token in set(tokens):
            candidates = started_by.get(token)
            if candidates is None:
                candidates = self._phrases_started_by(token)
            for slug, needle, phrase in candidates:
                # One-word phrases have the needle "", found at once; longer ones are a
                # substring search in C over the space-joined tokens.
                if slug not in found and (needle in joined if needle is not None else phrase.occurs_in(tokens, joined)):
                    found.add(slug)
        return tuple(sorted(found, key=self.order.__getitem__))

    def _phrases_started_by(self, token: str) -> tuple[tuple[str, str | None, _Phrase], ...]:
        phrases = list(self.by_first_word.get(token, ()))
        for end in range(1, len(token) + 1):
            phrases.extend(self.by_first_prefix.get(token[:end], ()))
        candidates = tuple((slug, "" if len(phrase.words) == 1 else phrase.needle, phrase) for slug, phrase in phrases)
        self._started_by[token] = candidates
        return candidates


# ASCII characters that are not word characters (``\w``), each to a space: on ASCII text,
# translate + split gives the tokens of ``\w+`` several times faster than the regex.
_ASCII_NON_WORD = str.maketrans({chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")})


def word_tokens(text: str) -> list[str]:
    """The lower-case words (runs of letters, digits and ``_``) of ``text``, in order."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered.translate(_ASCII_NON_WORD).split()
    return _WORD.findall(lowered)


def _phrase_words(phrase: str) -> list[str]:
    words = []
    for part in re.split(r"\s+", phrase.lower()):
        star = part.endswith("*")
        tokens = _WORD.findall(part)
        if tokens and star:
            tokens[-1] += "*"
        words.extend(tokens)
    return words
