"""Words of a text, as tag matching and text similarity both compare them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar, cast

# A word: a run of letters, digits and "_".
WORD = re.compile(r"\w+")

# Each ASCII byte that is not a word character (``\w``) to a space: on ASCII text,
# translate + split gives the tokens of ``\w+`` several times faster than the regex, and
# bytes.translate (a table of 256 bytes) is faster than str.translate (a dict per character).
_ASCII_NON_WORD = bytes(c if chr(c).isalnum() or chr(c) == "_" else ord(" ") for c in range(128)) + bytes(
    range(128, 256)
)


def word_tokens(text: str) -> list[str]:
    """The lower-case words (runs of letters, digits and ``_``) of ``text``, in order."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered.encode("ascii").translate(_ASCII_NON_WORD).decode("ascii").split()
    return WORD.findall(lowered)


T = TypeVar("T")


def looked_up(words: list[str], known: dict[str, T], work_out: Callable[[str], T]) -> list[T]:
    """``known[word]`` for each of ``words``; a word not known yet is worked out once and
    kept in ``known``. The values must not be None.

    For per-process tables of what a word gives (tag matching's phrases, word counts'
    columns): words are looked up in C, and the few new ones found by ``list.index``, in
    C too, not by a Python loop over every word.
    """
    found: list[T | None] = list(map(known.get, words))
    if None in found:
        missing = found.index(None)
        while True:
            word = words[missing]
            value = known.get(word)  # a word met earlier in these words
            if value is None:
                value = known[word] = work_out(word)
            found[missing] = value
            try:
                missing = found.index(None, missing + 1)
            except ValueError:
                break
    return cast("list[T]", found)  # no None is left
