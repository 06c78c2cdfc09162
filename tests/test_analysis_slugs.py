"""Slugs: bounded, file-name safe, unique, and independent of the rest of the archive."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.analysis.assemble import build_model
from generator.analysis.identity import title_key
from generator.analysis.slugs import SLUG_WORDS_MAX_CHARS, paper_slug, slug, unique_slugs
from generator.analysis.taxonomy import Taxonomy
from generator.sources.records import Digest, DigestEntry

from .helpers import unrelated_abstract

NO_TAGS = Taxonomy(())

SAFE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def archive_of(*titles_by_day: tuple[str, ...]):
    digests = [
        Digest(f"{n}.txt", dt.date(2025, 1, n + 1), tuple(DigestEntry(t, unrelated_abstract(t), 1) for t in titles))
        for n, titles in enumerate(titles_by_day)
    ]
    return build_model(digests, NO_TAGS).archive


def slugs(archive) -> dict[str, str]:
    return {paper.key: paper.slug for paper in archive.papers.values()}


def test_slug_reads_like_the_title_and_ends_in_a_hash():
    slug = paper_slug(title_key("Q-VLM: Post-training Quantization for Large Vision-Language Models"))
    assert re.fullmatch(r"q-vlm-post-training-quantization-for-large-vision-language-[0-9a-f]{8}", slug)


def test_adding_digests_never_changes_an_existing_slug():
    before = slugs(archive_of(("Shared Prefix Title About Robust Training Of Very Deep Networks Part One", "Alpha")))
    after = slugs(
        archive_of(
            ("Older Paper",),  # an older digest added before the others
            ("Shared Prefix Title About Robust Training Of Very Deep Networks Part One", "Alpha"),
            ("Shared Prefix Title About Robust Training Of Very Deep Networks Part Two", "alpha!"),
        )
    )
    assert all(after[key] == slug for key, slug in before.items())


def test_titles_sharing_their_first_words_get_different_urls():
    result = slugs(
        archive_of(("A" * 3 + " long shared beginning " * 5 + "one", "A" * 3 + " long shared beginning " * 5 + "two"))
    )
    assert len(set(result.values())) == 2


def test_hash_collisions_fall_back_to_longer_hashes():
    # Titles longer than the slug's word part differ only in the hash; one hex digit of
    # hash for 40 titles forces collisions.
    titles = tuple("word " * 15 + str(n) for n in range(40))
    keys = [title_key(t) for t in titles]
    result = list(unique_slugs({key: paper_slug(key, hash_chars=1) for key in keys}).values())
    assert len(set(result)) == 40
    assert any(len(s.rsplit("-", 1)[1]) == 16 for s in result)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=600))
def test_property_any_title_gives_a_short_portable_slug(title):
    slug = paper_slug(title_key(title))
    assert SAFE_SLUG.fullmatch(slug)
    assert len(slug) <= 69


# ASCII pieces that exercise each of slugify's steps: numbers with commas, apostrophes,
# dashes, runs of punctuation and white space, an entity without "&" and long words
# (cut at the 60-character boundary).
SLUG_PIECES = [
    "1,000",
    "2,5",
    ",",
    "'",
    "don't",
    "-",
    "--",
    " ",
    "  ",
    "Q-VLM:",
    "x",
    "amp;",
    "#39;",
    "a" * 25,
    "é",
    "&amp;",
]


@pytest.mark.parametrize(("separator", "max_length"), [("-", SLUG_WORDS_MAX_CHARS), ("-", 0), ("", 0)])
@settings(max_examples=500, deadline=None)
@given(
    title=st.one_of(
        st.lists(st.sampled_from(SLUG_PIECES), max_size=14).map("".join),
        st.text(alphabet=st.characters(max_codepoint=127), max_size=120),
        st.text(max_size=80),
    )
)
def test_slugs_are_slugifys(title, separator, max_length):
    # slug makes ASCII slugs without slugify's ten steps; they must be its slugs, for a
    # paper's URL (cut to 60 characters) and a BibTeX key's words (no separator).
    from slugify import slugify

    expected = slugify(title, separator=separator, max_length=max_length, word_boundary=True, save_order=True)
    assert slug(title, separator=separator, max_length=max_length) == expected
