"""BibTeX entries and keys, and the highwire citation tags."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.model import Appearance, Paper, PaperMeta
from generator.site.citations import bibtex, bibtex_key, citation, highwire_tags


def paper(title="Q-VLM: Post-training Quantization", authors=("Mei Chen", "Jonas Åberg"), arxiv_id="2503.07000"):
    listing = Appearance(dt.date(2025, 3, 11), 1, title, "Abstract.", "x.json", 1)
    return Paper(
        key=title.lower(),
        title=title,
        abstract="Abstract.",
        appearances=(listing,),
        slug="q-vlm-1a2b3c4d",
        meta=PaperMeta(arxiv_id=arxiv_id, authors=authors, published=dt.date(2025, 3, 10)),
    )


def balanced(text):
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def test_an_arxiv_entry_in_arxivs_style():
    entry = bibtex(citation(paper(), "https://example.org/papers/q-vlm-1a2b3c4d/"))
    assert entry == (
        "@misc{chen2025qvlm-1a2b3c4d,\n"
        "  title = {Q-VLM: Post-training Quantization},\n"
        "  author = {Mei Chen and Jonas Åberg},\n"
        "  year = {2025},\n"
        "  eprint = {2503.07000},\n"
        "  archivePrefix = {arXiv},\n"
        "  url = {https://arxiv.org/abs/2503.07000}\n"
        "}\n"
    )


def test_a_paper_without_metadata_cites_its_page():
    plain = paper(authors=(), arxiv_id="")
    plain = dataclasses.replace(plain, meta=PaperMeta())
    entry = bibtex(citation(plain, "https://example.org/papers/q-vlm-1a2b3c4d/"))
    assert "author" not in entry and "eprint" not in entry and "url = {https://example.org/papers/" in entry
    assert entry.startswith("@misc{2025qvlm-1a2b3c4d,") and "year = {2025}" in entry


def test_the_key_depends_on_the_paper_alone_and_ends_with_its_slug_hash():
    assert bibtex_key(paper(), 2025) == "chen2025qvlm-1a2b3c4d"
    assert bibtex_key(paper(title="The Art of Seeds"), 2025) == "chen2025art-1a2b3c4d"  # minor words skipped


def test_an_author_named_with_and_stays_one_author():
    entry = bibtex(citation(paper(authors=("Smith and Sons Lab", "Mei Chen")), "u"))
    assert "author = {{Smith and Sons Lab} and Mei Chen}" in entry


@given(st.text(min_size=1), st.lists(st.text(min_size=1), max_size=3))
def test_property_every_entry_has_balanced_braces_and_one_line_per_field(title, authors):
    entry = bibtex(citation(paper(title=title, authors=tuple(authors)), "u"))
    body = entry[entry.index(",\n") + 2 : -2]
    assert balanced(body)
    assert all(re.match(r"  \w+ = \{", line) for line in body.splitlines())


def test_highwire_tags_are_escaped_and_complete():
    tags = str(highwire_tags(citation(paper(authors=('<b>"A"</b>',)), "u")))
    assert '<meta name="citation_author" content="&lt;b&gt;&#34;A&#34;&lt;/b&gt;">' in tags
    assert '<meta name="citation_publication_date" content="2025/03/10">' in tags
    assert '<meta name="citation_pdf_url" content="https://arxiv.org/pdf/2503.07000">' in tags


@given(
    st.one_of(
        st.text(alphabet="aZ09-_'\"&#; .,:éß"),
        st.text(),
        st.text(alphabet=st.characters(max_codepoint=127)),
        st.from_regex(r"[A-Za-z0-9]+", fullmatch=True),
    )
)
@example("AT&amp;T")
@example("&#65;b")
@example("x&#x41;")
@example("1,000")
@example("Q-VLM:")
@example("don't")
@settings(max_examples=500)
def test_a_words_ascii_form_is_its_slug_with_no_separator(word):
    # The fast path for plain ASCII words must give what slugify gives every word.
    from slugify import slugify

    from generator.site import citations

    assert citations._ascii_word(word) == slugify(word, separator="")
