"""Stable, unique URL slugs for papers.

A paper's slug depends on its identity key alone, never on the other papers in the
archive, so adding digests (even older ones) never changes an existing paper's URL. The
slug is the key's words, cut at a word boundary, plus a short hash of the whole key: two
titles that share their first words still get different URLs.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from slugify import slugify, smart_truncate

from ..errors import ArchiveError
from .identity import title_of_key

SLUG_WORDS_MAX_CHARS = 60
HASH_CHARS = 8
COLLISION_HASH_CHARS = 16


def paper_slug(key: str, hash_chars: int = HASH_CHARS) -> str:
    """Return the slug of a paper with identity ``key``: ``words-of-title-1a2b3c4d``.

    Only ``a-z``, ``0-9`` and ``-``, at most 69 characters: a valid file name on Linux,
    macOS and Windows.
    """
    # The words of the title; the hash is of the whole key, so a second paper under the
    # same title (its key holds its abstract's fingerprint) gets a URL of its own.
    words = slug(title_of_key(key), max_length=SLUG_WORDS_MAX_CHARS)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:hash_chars]
    return f"{words or 'paper'}-{digest}"


def slug(text: str, separator: str = "-", max_length: int = 0) -> str:
    """``slugify(text, separator=separator, max_length=max_length, word_boundary=True,
    save_order=True)``: cut at a word boundary when ``max_length`` is given."""
    if text.isascii() and "&" not in text:
        # What slugify does to ASCII without "&" (which can start an HTML entity it
        # decodes), in two regular expressions, not its ten steps: 20 to 26 us a call,
        # made for every paper of a first run (its URL, its BibTeX key). Held to slugify
        # by a property test.
        words = _NOT_SLUG_CHARACTERS.sub("-", _COMMA_IN_NUMBER.sub("", text.lower())).strip("-")
        if max_length:
            words = smart_truncate(words, max_length, word_boundary=True, separator="-", save_order=True)
        return words if separator == "-" else words.replace("-", separator)
    return slugify(text, separator=separator, max_length=max_length, word_boundary=True, save_order=True)


# slugify drops a comma between digits ("1,000" is 1000) and makes a dash of every other
# run of characters but letters and digits; an apostrophe too.
_COMMA_IN_NUMBER = re.compile(r"(?<=\d),(?=\d)")
_NOT_SLUG_CHARACTERS = re.compile(r"[^a-z0-9]+")


def unique_slugs(short_slugs: dict[str, str]) -> dict[str, str]:
    """``{key: slug}`` from ``{key: paper_slug(key)}``, with every slug unique.

    Should two keys ever share a short slug, both take a longer hash; that depends only on
    the two keys, so it is as stable as the short form.
    """
    by_slug: dict[str, list[str]] = defaultdict(list)
    for key, slug in short_slugs.items():
        by_slug[slug].append(key)
    slugs: dict[str, str] = {}
    for slug, keys in by_slug.items():
        for key in keys:
            slugs[key] = slug if len(keys) == 1 else paper_slug(key, COLLISION_HASH_CHARS)
    if len(set(slugs.values())) != len(slugs):
        raise ArchiveError("two papers share a URL slug even with a long hash; please report this")
    return slugs
