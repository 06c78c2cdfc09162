"""Words of a text, as tag matching and text similarity both compare them."""

from __future__ import annotations

import re

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
