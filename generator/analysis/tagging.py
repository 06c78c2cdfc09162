"""Tag matching: the taxonomy's topics scored on a paper's title and abstract.

See :mod:`generator.analysis.taxonomy` for how a topic's score counts its phrases and
patterns, and when a topic applies.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter
from typing import cast

from ..model import Paper
from .taxonomy import Taxonomy
from .words import WORD, looked_up, word_tokens


@dataclass(frozen=True)
class _Phrase:
    """A phrase as word tokens; a token ending in ``*`` matches any word it starts."""

    words: tuple[str, ...]

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


# A phrase that a word can start: its key, its length in words, its words when none is a
# word's start ("model*"), the phrase, and its place among the word's phrases.
_Candidate = tuple[str, int, list[str] | None, _Phrase, int]
# A word's phrases: those of one word; the longer ones by their second word, by the start
# of a second word that is a word's start, and those whose second word is a shorter start.
_Started = tuple[
    tuple[_Candidate, ...], dict[str, list[_Candidate]], dict[str, list[_Candidate]], tuple[_Candidate, ...]
]


class TagMatcher:
    """Scores every tag of a taxonomy on a text in one pass over its words.

    Text and phrases are split into word tokens (letters and digits; case ignored), so a
    phrase matches whole words whatever stands between them: ``score-based`` matches
    "score based" and "Score-Based". Phrases are looked up by their first word; which
    phrases a word can start is worked out once per distinct word, not once per paper.
    A tag's phrases, its context phrases and its exclusions are matched in the same pass,
    under three keys: the slug, ``~slug`` and ``!slug``.
    """

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.order = {tag.slug: index for index, tag in enumerate(taxonomy.tags)}
        self.min_score = {tag.slug: tag.min_score for tag in taxonomy.tags}
        self.implies = {tag.slug: tag.implies for tag in taxonomy.tags if tag.implies}
        self.by_first_word: dict[str, list[tuple[str, _Phrase]]] = defaultdict(list)
        self.by_first_prefix: dict[str, list[tuple[str, _Phrase]]] = defaultdict(list)
        for tag in taxonomy.tags:
            for key, phrases in (
                (tag.slug, tag.phrases),
                (_CONTEXT + tag.slug, tag.context),
                (_EXCLUDE + tag.slug, tag.exclude),
            ):
                for phrase in phrases:
                    words = tuple(_phrase_words(phrase))
                    first = words[0]
                    if first.endswith("*"):
                        self.by_first_prefix[first[:-1]].append((key, _Phrase(words)))
                    else:
                        self.by_first_word[first].append((key, _Phrase(words)))
        self.patterns = [
            (tag.slug, re.compile(pattern, re.IGNORECASE)) for tag in taxonomy.tags for pattern in tag.patterns
        ]
        # Most texts match no pattern: one scan for any of them says whether to count each.
        self.any_pattern = (
            re.compile("|".join(f"(?:{pattern})" for tag in taxonomy.tags for pattern in tag.patterns), re.IGNORECASE)
            if self.patterns
            else None
        )
        self._started_by: dict[str, _Started | tuple[()]] = {}
        # The lengths of the word starts that phrases begin with, shortest first.
        self._prefix_lengths = sorted({len(prefix) for prefix in self.by_first_prefix})

    def paper_tags(self, paper: Paper) -> tuple[str, ...]:
        """The tags of a paper, from its title, abstract and Hugging Face's keywords when
        it has them: see :meth:`tags_of`."""
        return self.tags_of(paper.title, paper.abstract, paper.meta.ai_keywords)

    def tags_of(self, title: str, abstract: str = "", keywords: Sequence[str] = ()) -> tuple[str, ...]:
        """The slugs of the tags that reach their minimum score, best first, each followed
        by the tags it implies.

        At most ``max_tags``; ties keep taxonomy order.
        """
        scores = self.scores(title, abstract, keywords)
        chosen = [slug for slug, score in scores.items() if score >= self.min_score[slug]]
        chosen.sort(key=lambda slug: (-scores[slug], self.order[slug]))
        if self.implies:
            with_implied: dict[str, None] = {}
            for slug in chosen:
                with_implied[slug] = None
                for other in self.implies.get(slug, ()):
                    with_implied.setdefault(other, None)
            chosen = list(with_implied)
        return tuple(chosen[: self.taxonomy.max_tags])

    def scores(self, title: str, abstract: str = "", keywords: Sequence[str] = ()) -> dict[str, int]:
        """``{tag slug: score}`` for every tag with at least one match: title matches
        weighted, context matches only where the tag's own phrases matched and never more
        than they scored, excluded matches left out; ``keywords`` count as one more
        sentence of the abstract."""
        weight = self.taxonomy.title_weight
        title_counts, _ = self._counts([title])
        parts = split_sentences(abstract) if abstract else []
        # Machine-picked keywords (Hugging Face's), when known: one sentence more, read as
        # the abstract is.
        if keywords:
            parts.append("; ".join(keywords))
        # And in how many sentences each tag's phrases or context phrases occur.
        abstract_counts, sentences = self._counts(parts)
        scores: dict[str, int] = defaultdict(int)
        for part, found in ((weight, title_counts), (1, abstract_counts)):
            for key, count in found.items():
                if key[0] not in _MARKS:
                    scores[key] += part * count
        # Context needs a match of the tag's own phrases. In the title it is the paper's
        # subject and counts as one title match; in the abstract it at most doubles what
        # the tag's own phrases found: common words beside one passing mention must not
        # make a topic of it.
        own = dict(scores)
        for key in title_counts:
            if key[0] == _CONTEXT and key[1:] in own:
                scores[key[1:]] += weight
        for key, count in abstract_counts.items():
            if key[0] == _CONTEXT and key[1:] in own:
                scores[key[1:]] += min(count, own[key[1:]])
        # A topic the title does not name, named in one sentence of the abstract, is named
        # in passing (the motivation, a baseline, an application): not the paper's topic,
        # whatever context words the title has.
        for slug in list(scores):
            if sentences.get(slug, 0) < MIN_SENTENCES and slug not in title_counts:
                del scores[slug]
        return dict(scores)

    def _counts(self, sentences: Sequence[str]) -> tuple[dict[str, int], dict[str, int]]:
        """Matches per key in ``sentences``, excluded ones left out (a tag's and its
        context's matches that start inside a match of its exclusions do not count), and
        in how many of the sentences each tag's phrases or context phrases match.

        The sentences are read as one run of words with a separator between them, which
        no phrase matches across: one pass, not one per sentence.
        """
        tokens: list[str] = []
        starts: list[int] = []
        for sentence in sentences:
            starts.append(len(tokens))
            tokens += word_tokens(sentence)
            tokens.append(_BETWEEN_SENTENCES)
        spans = self._spans(tokens)
        counts: dict[str, int] = {}
        found_in: dict[str, set[int]] = defaultdict(set)
        for key, found in spans.items():
            if key[0] == _EXCLUDE:
                continue
            slug = key[1:] if key[0] == _CONTEXT else key
            excluded = spans.get(_EXCLUDE + slug)
            if excluded:
                found = [(start, end) for start, end in found if not any(a <= start < b for a, b in excluded)]
            if found:
                counts[key] = len(found)
                found_in[slug].update(bisect_right(starts, start) - 1 for start, _ in found)
        if self.any_pattern is not None:
            for number, sentence in enumerate(sentences):
                if self.any_pattern.search(sentence):
                    for slug, pattern in self.patterns:
                        matches = len(pattern.findall(sentence))
                        if matches:
                            counts[slug] = counts.get(slug, 0) + matches
                            found_in[slug].add(number)
        return counts, {slug: len(numbers) for slug, numbers in found_in.items()}

    def _spans(self, tokens: list[str]) -> dict[str, list[tuple[int, int]]]:
        """Match spans (token start and end) per key of the phrases in ``tokens``.
        Overlapping phrases of one key count once, so "large language models" is one
        match of a tag listing "large language model*" and "language model*"."""
        spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
        covered_until: dict[str, int] = {}
        # Most words start no phrase: only the places where some phrase starts are visited.
        started_by = looked_up(tokens, self._started_by, self._phrases_started_by)
        end = len(tokens)
        for position in compress(range(end), started_by):
            # compress skips the words that start nothing (an empty tuple).
            singles, by_second, by_second_start, short_second = cast(_Started, started_by[position])
            hits: Sequence[_Candidate] = singles
            if position + 1 < end and (by_second or by_second_start or short_second):
                following = tokens[position + 1]
                longer = [
                    candidate
                    for candidate in (
                        *by_second.get(following, ()),
                        *by_second_start.get(following[:_STEM], ()),
                        *short_second,
                    )
                    # A phrase running past the end: the slice is shorter, or
                    # matches_at says no.
                    if (
                        tokens[position : position + candidate[1]] == candidate[2]
                        if candidate[2] is not None
                        else candidate[3].matches_at(tokens, position)
                    )
                ]
                if longer:
                    # In the taxonomy's order, as every candidate was tried before the
                    # second word sorted them: for one key, the first match sets its end.
                    hits = sorted((*singles, *longer), key=_ORDER)
            for key, length, _, _, _ in hits:
                if covered_until.get(key, 0) > position:
                    # An exclusion reaches as far as its longest overlapping match.
                    if key[0] == _EXCLUDE and position + length > covered_until[key]:
                        spans[key][-1] = (spans[key][-1][0], position + length)
                        covered_until[key] = position + length
                    continue
                spans[key].append((position, position + length))
                covered_until[key] = position + length
        return spans

    def _phrases_started_by(self, token: str) -> _Started | tuple[()]:
        """The phrases ``token`` can start, sorted by their second word (most phrases of a
        common first word are ruled out by one lookup of the next word)."""
        phrases = list(self.by_first_word.get(token, ()))
        for end in self._prefix_lengths:
            if end > len(token):
                break
            phrases.extend(self.by_first_prefix.get(token[:end], ()))
        if not phrases:
            return ()
        singles: list[_Candidate] = []
        by_second: dict[str, list[_Candidate]] = defaultdict(list)
        by_second_start: dict[str, list[_Candidate]] = defaultdict(list)
        short_second: list[_Candidate] = []
        for order, (key, phrase) in enumerate(phrases):
            words = phrase.words
            stars = any(word.endswith("*") for word in words)
            # A phrase of whole words is compared as a list, in C; one with a word's
            # start ("model*") word by word.
            candidate = (key, len(words), None if stars else list(words), phrase, order)
            if len(words) == 1:
                singles.append(candidate)
            elif not words[1].endswith("*"):
                by_second[words[1]].append(candidate)
            elif len(words[1]) > _STEM:
                by_second_start[words[1][:_STEM]].append(candidate)
            else:
                short_second.append(candidate)
        return (tuple(singles), dict(by_second), dict(by_second_start), tuple(short_second))


# How many letters of a phrase's second word sort it, when it is a word's start
# ("model*", which is "model" and a star).
_STEM = 3
_ORDER = itemgetter(4)


# Sentence ends: a stop, question or exclamation mark and white space before a capital,
# digit or bracket ("e.g. the" and "2.5 times" do not end a sentence). The mark is
# captured, not looked behind: a pattern that starts with a look-behind is tried at every
# character, one that starts with a character class is searched for in C.
_SENTENCE_END = re.compile(r"([.!?])\s+(?=[A-Z0-9(\[])")


def split_sentences(text: str) -> list[str]:
    """``text`` cut after each sentence end, the white space there dropped."""
    pieces = _SENTENCE_END.split(text)
    # text, mark, text, mark, ..., text: each mark goes back on the text before it.
    return [pieces[n] + pieces[n + 1] for n in range(0, len(pieces) - 1, 2)] + [pieces[-1]]


# Sentences of the abstract that must name a topic the title does not.
MIN_SENTENCES = 2
# Put between sentences read as one run of words: no phrase word is equal to it or
# starts with it (phrase words are letters, digits and "_").
_BETWEEN_SENTENCES = "."

# Key marks: a tag's context phrases and its exclusions are matched as "~slug" and "!slug".
_CONTEXT = "~"
_EXCLUDE = "!"
_MARKS = frozenset((_CONTEXT, _EXCLUDE))


def _phrase_words(phrase: str) -> list[str]:
    words = []
    for part in re.split(r"\s+", phrase.lower()):
        star = part.endswith("*")
        tokens = WORD.findall(part)
        if tokens and star:
            tokens[-1] += "*"
        words.extend(tokens)
    return words
