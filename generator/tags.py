"""Stage 3d: topic tags from a taxonomy file, with hand-made overrides per paper.

The taxonomy is YAML the archive's maintainers edit::

    settings:
      title_weight: 3   # a match in the title counts as much as 3 in the abstract
      min_score: 2      # a tag applies from this score on
      max_tags: 4       # a paper shows at most its 4 best-scoring tags
    tags:
      diffusion-models:
        name: Diffusion models
        description: Denoising diffusion and score-based generative models.
        phrases: ["diffusion model*", "score-based"]
        patterns: ['\\bDDPMs?\\b']

A tag's score on a paper counts the matches of its phrases and patterns: each match in
the title counts ``title_weight``, each in the abstract counts 1. So a topic named in the
title applies at once, while a topic the abstract mentions once in passing does not.
Phrases match whole words with case ignored (punctuation between words does not matter,
so ``score-based`` matches "score based"), and a trailing ``*`` on a word matches any
ending (``prun*`` matches pruning and pruned). Patterns are regular expressions, matched
with case ignored.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from slugify import slugify

from .errors import ArchiveError
from .model import Paper, Tag

_WORD = re.compile(r"\w+")

DEFAULT_TITLE_WEIGHT = 3
DEFAULT_MIN_SCORE = 2
DEFAULT_MAX_TAGS = 4


@dataclass(frozen=True)
class Taxonomy:
    """The tags in file order and the scoring settings that apply to all of them."""

    tags: tuple[Tag, ...]
    title_weight: int = DEFAULT_TITLE_WEIGHT
    min_score: int = DEFAULT_MIN_SCORE
    max_tags: int = DEFAULT_MAX_TAGS


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and validate a taxonomy file; raise :class:`ArchiveError` naming what is wrong."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ArchiveError(f"cannot read taxonomy {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ArchiveError(f"taxonomy {path} is not valid YAML: {error}") from None
    return parse_taxonomy(document, str(path))


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
        unknown = set(tag_settings) - {"name", "description", "phrases", "patterns", "min_score"}
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
        if not isinstance(phrases, list) or not all(isinstance(p, str) and _WORD.search(p) for p in phrases):
            raise ArchiveError(f"{where}: 'phrases' must be a list of phrases")
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
                slug=slug, name=name.strip(), description=description.strip(),
                phrases=tuple(phrases), patterns=tuple(patterns),
                min_score=_positive_int(tag_settings, "min_score", min_score, where),
            )
        )
    return Taxonomy(tuple(tags), title_weight=title_weight, min_score=min_score, max_tags=max_tags)


def _positive_int(settings: Mapping, key: str, default: int, where: str) -> int:
    value = settings.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ArchiveError(f"{where}: {key!r} must be a whole number of at least 1, not {value!r}")
    return value


@dataclass(frozen=True)
class _Phrase:
    """A phrase as word tokens; a token ending in ``*`` matches any word it starts."""

    words: tuple[str, ...]

    @property
    def second_word(self) -> str | None:
        """The second word if the phrase has one that must match exactly, else None:
        checked inline before :meth:`matches_at`, it rules out most candidates cheaply."""
        if len(self.words) > 1 and not self.words[1].endswith("*"):
            return self.words[1]
        return None

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


class TagMatcher:
    """Scores every tag of a taxonomy on a text in one pass over its words.

    Text and phrases are split into word tokens (letters and digits; case ignored), so a
    phrase matches whole words whatever stands between them: ``score-based`` matches
    "score based" and "Score-Based". Phrases are looked up by their first word; which
    phrases a word can start is worked out once per distinct word, not once per paper.
    """

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.order = {tag.slug: index for index, tag in enumerate(taxonomy.tags)}
        self.min_score = {tag.slug: tag.min_score for tag in taxonomy.tags}
        self.by_first_word: dict[str, list[tuple[str, _Phrase]]] = defaultdict(list)
        self.by_first_prefix: dict[str, list[tuple[str, _Phrase]]] = defaultdict(list)
        for tag in taxonomy.tags:
            for phrase in tag.phrases:
                words = tuple(_phrase_words(phrase))
                first = words[0]
                if first.endswith("*"):
                    self.by_first_prefix[first[:-1]].append((tag.slug, _Phrase(words)))
                else:
                    self.by_first_word[first].append((tag.slug, _Phrase(words)))
        self.patterns = [
            (tag.slug, re.compile(pattern, re.IGNORECASE)) for tag in taxonomy.tags for pattern in tag.patterns
        ]
        # Most texts match no pattern: one scan for any of them says whether to count each.
        self.any_pattern = (
            re.compile("|".join(f"(?:{pattern})" for tag in taxonomy.tags for pattern in tag.patterns), re.IGNORECASE)
            if self.patterns else None
        )
        self._started_by: dict[str, tuple[tuple[str, _Phrase, int, str | None], ...]] = {}

    def paper_tags(self, paper: Paper) -> tuple[str, ...]:
        """The tags of a paper, from its title and abstract: see :meth:`tags_of`."""
        return self.tags_of(paper.title, paper.abstract)

    def tags_of(self, title: str, abstract: str = "") -> tuple[str, ...]:
        """The slugs of the tags that reach their minimum score, best first.

        At most ``max_tags``; ties keep taxonomy order.
        """
        scores = self.scores(title, abstract)
        chosen = [slug for slug, score in scores.items() if score >= self.min_score[slug]]
        chosen.sort(key=lambda slug: (-scores[slug], self.order[slug]))
        return tuple(chosen[: self.taxonomy.max_tags])

    def scores(self, title: str, abstract: str = "") -> dict[str, int]:
        """``{tag slug: score}`` for every tag with at least one match."""
        scores: dict[str, int] = defaultdict(int)
        weight = self.taxonomy.title_weight
        for slug, count in self._matches(title).items():
            scores[slug] += weight * count
        for slug, count in self._matches(abstract).items():
            scores[slug] += count
        return dict(scores)

    def _matches(self, text: str) -> dict[str, int]:
        """Matches per tag in ``text``. Overlapping phrases of one tag count once, so
        "large language models" is one match of a tag listing "large language model*"
        and "language model*"."""
        counts: dict[str, int] = defaultdict(int)
        if not text:
            return counts
        covered_until: dict[str, int] = {}
        tokens = word_tokens(text)
        last = len(tokens) - 1
        started_by = self._started_by
        for position, token in enumerate(tokens):
            candidates = started_by.get(token)
            if candidates is None:
                candidates = self._phrases_started_by(token)
            for slug, phrase, length, second in candidates:
                if length > 1 and (
                    position == last
                    or (second is not None and tokens[position + 1] != second)
                    or not phrase.matches_at(tokens, position)
                ):
                    continue
                if covered_until.get(slug, 0) > position:
                    continue
                counts[slug] += 1
                covered_until[slug] = position + length
        if self.any_pattern is not None and self.any_pattern.search(text):
            for slug, pattern in self.patterns:
                found = len(pattern.findall(text))
                if found:
                    counts[slug] += found
        return counts

    def _phrases_started_by(self, token: str) -> tuple[tuple[str, _Phrase, int, str | None], ...]:
        phrases = list(self.by_first_word.get(token, ()))
        for end in range(1, len(token) + 1):
            phrases.extend(self.by_first_prefix.get(token[:end], ()))
        candidates = tuple((slug, phrase, len(phrase.words), phrase.second_word) for slug, phrase in phrases)
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


@dataclass(frozen=True)
class TagOverride:
    """Tags added to or removed from one paper by hand; ``paper`` is its slug or title."""

    paper: str
    add: tuple[str, ...]
    remove: tuple[str, ...]
    line: int


def load_overrides(path: Path, taxonomy: Taxonomy) -> tuple[TagOverride, ...]:
    """Read the per-paper overrides file; a missing file means no overrides.

    The file maps a paper (its URL slug, or its title) to the tags to ``add`` or
    ``remove``::

        papers:
          why-do-random-forests-work-understanding-tree-ensembles-as-2f0c5a8e:
            add: [learning-theory]
          "Fast Sparse ConvNets":
            remove: [computer-vision]
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except OSError as error:
        raise ArchiveError(f"cannot read tag overrides {path}: {error.strerror}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise ArchiveError(f"tag overrides {path} are not valid YAML: {error}") from None
    if root is None:
        return ()
    known = {tag.slug for tag in taxonomy.tags}
    papers = _mapping_value(root, "papers")
    if not isinstance(root, yaml.MappingNode) or papers is None and root.value:
        raise ArchiveError(f"{path}:{root.start_mark.line + 1}: expected 'papers:', a mapping of paper to add/remove")
    if papers is None or isinstance(papers, yaml.ScalarNode) and papers.value in ("", "~", "null"):
        return ()
    if not isinstance(papers, yaml.MappingNode):
        raise ArchiveError(f"{path}:{papers.start_mark.line + 1}: 'papers' must map a paper's slug or title to add/remove")
    overrides = []
    for key_node, value_node in papers.value:
        line = key_node.start_mark.line + 1
        where = f"{path}:{line}"
        if not isinstance(key_node, yaml.ScalarNode) or not key_node.value.strip():
            raise ArchiveError(f"{where}: a paper is named by its slug or title")
        if not isinstance(value_node, yaml.MappingNode):
            raise ArchiveError(f"{where}: expected 'add:' and/or 'remove:' lists of tag slugs")
        lists = {"add": (), "remove": ()}
        for field_node, tags_node in value_node.value:
            field = field_node.value
            if field not in lists:
                raise ArchiveError(f"{path}:{field_node.start_mark.line + 1}: unknown key {field!r}; use 'add' or 'remove'")
            if not isinstance(tags_node, yaml.SequenceNode) or not all(isinstance(n, yaml.ScalarNode) for n in tags_node.value):
                raise ArchiveError(f"{path}:{tags_node.start_mark.line + 1}: '{field}' must be a list of tag slugs")
            for tag_node in tags_node.value:
                if tag_node.value not in known:
                    raise ArchiveError(
                        f"{path}:{tag_node.start_mark.line + 1}: unknown tag {tag_node.value!r} (not in the taxonomy)"
                    )
            lists[field] = tuple(node.value for node in tags_node.value)
        overrides.append(TagOverride(paper=key_node.value.strip(), add=lists["add"], remove=lists["remove"], line=line))
    return tuple(overrides)


def _mapping_value(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return value_node
    return None


def apply_override(tags: tuple[str, ...], override: TagOverride) -> tuple[str, ...]:
    """``tags`` with the override's removals taken out and its additions put first."""
    kept = [slug for slug in tags if slug not in override.remove and slug not in override.add]
    return tuple(dict.fromkeys([*override.add, *kept]))
