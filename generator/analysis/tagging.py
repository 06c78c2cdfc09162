"""Tag matching: the taxonomy's topics scored on a paper's title and abstract.

See :mod:`generator.analysis.taxonomy` for how a topic's score counts its phrases and
patterns, and when a topic applies.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from ..model import Paper
from .taxonomy import Taxonomy
from .words import WORD, word_tokens


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
            if self.patterns
            else None
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


def _phrase_words(phrase: str) -> list[str]:
    words = []
    for part in re.split(r"\s+", phrase.lower()):
        star = part.endswith("*")
        tokens = WORD.findall(part)
        if tokens and star:
            tokens[-1] += "*"
        words.extend(tokens)
    return words
