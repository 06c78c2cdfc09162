"""Words of a text, as tag matching and text similarity both compare them."""

from __future__ import annotations

import re

# A word: a run of letters, digits and "_".
WORD = re.compile(r"\w+")

# ASCII characters that are not word characters (``\w``), each to a space: on ASCII text,
# translate + split gives the tokens of ``\w+`` several times faster than the regex.
_ASCII_NON_WORD = str.maketrans({chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")})


def word_tokens(text: str) -> list[str]:
    """The lower-case words (runs of letters, digits and ``_``) of ``text``, in order."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered.translate(_ASCII_NON_WORD).split()
    return WORD.findall(lowered)
