"""Citations: a BibTeX entry per paper and the highwire ``citation_*`` values that
Zotero and Google Scholar read from a paper page.

Entries follow arXiv's own export (``@misc`` with ``eprint``, ``archivePrefix`` and,
when known, ``primaryClass``). Text is kept as the digest or the API gave it: titles
often carry LaTeX (``$\\alpha$``), which BibTeX users expect to pass through. The only
changes are those BibTeX needs to read the entry at all: line breaks become spaces, and
in a value whose braces do not balance each brace is written as ``\\textbraceleft{}``
or ``\\textbraceright{}`` (BibTeX counts braces, escaped or not).

A key (``chen2025qvlm-1a2b3c4d``) is the first author's family name, the year, the
first significant word of the title, and the hash that ends the paper's URL slug: it
depends on the paper alone, so it never changes as the archive grows, and it is unique
because slugs are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..analysis.slugs import slug
from ..model import Paper

ARXIV_ABS = "https://arxiv.org/abs/{id}"
ARXIV_PDF = "https://arxiv.org/pdf/{id}"
HF_PAPER = "https://huggingface.co/papers/{id}"
# Words skipped when a key takes the first word of the title.
_MINOR_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "towards",
        "toward",
        "via",
        "with",
    ]
)


@dataclass(frozen=True)
class Citation:
    """What a citation of one paper says, worked out once for its entry and meta tags."""

    key: str
    title: str
    authors: tuple[str, ...]
    year: int
    date: str  # YYYY/MM/DD, as highwire tags write it
    arxiv_id: str
    url: str
    pdf_url: str


def citation(paper: Paper, page_url: str) -> Citation:
    """The citation of ``paper``, whose page is at the absolute ``page_url``."""
    meta = paper.meta
    date = meta.published or paper.first_seen
    arxiv_id = meta.arxiv_id
    return Citation(
        key=bibtex_key(paper, date.year),
        title=paper.title,
        authors=meta.authors,
        year=date.year,
        date=f"{date.year:04d}/{date.month:02d}/{date.day:02d}",
        arxiv_id=arxiv_id,
        url=ARXIV_ABS.format(id=arxiv_id) if arxiv_id else page_url,
        pdf_url=ARXIV_PDF.format(id=arxiv_id) if arxiv_id else "",
    )


def highwire_tags(entry: Citation) -> Markup:
    """The ``citation_*`` meta tags of a paper page (Google Scholar's inclusion guidelines,
    which Zotero also reads), escaped; one per line."""
    tags = [("citation_title", entry.title)]
    tags += [("citation_author", name) for name in entry.authors]
    tags.append(("citation_publication_date", entry.date))
    if entry.arxiv_id:
        tags += [
            ("citation_arxiv_id", entry.arxiv_id),
            ("citation_pdf_url", entry.pdf_url),
            ("citation_abstract_html_url", entry.url),
        ]
    # escape() and an f-string: Markup.format goes through string.Formatter in Python,
    # 3 s at 50,000 papers; escape is markupsafe's C function.
    return Markup("".join(f'<meta name="{name}" content="{escape(value)}">' for name, value in tags))


def arxiv_search_word(arxiv_id: str) -> str:
    """The id as one search word, ``arxiv250307000``: Pagefind splits words at the dot, so
    paper pages index this form and the search worker turns an id query into it."""
    unversioned = re.sub(r"v\d+$", "", arxiv_id.lower())
    return "arxiv" + re.sub(r"[^0-9a-z]", "", unversioned)


def bibtex_key(paper: Paper, year: int) -> str:
    """``chen2025qvlm-1a2b3c4d``: see the module's description."""
    family = _ascii_word(_family_name(paper.meta.authors[0])) if paper.meta.authors else ""
    # The first word as written ("Q-VLM:" is one word, qvlm), minor ones skipped; found
    # lazily: slugify costs 20 us a word, on every paper of the archive.
    words = (word for word in map(_ascii_word, paper.title.split()) if word and word not in _MINOR_WORDS)
    first_word = next(words, "")
    slug_hash = paper.slug.rsplit("-", 1)[-1]
    return f"{family}{year}{first_word[:20]}-{slug_hash}"


def bibtex(entry: Citation) -> str:
    """The BibTeX entry of a citation, ending with a line break."""
    fields = [("title", entry.title)]
    if entry.authors:
        fields.append(("author", " and ".join(_bib_author(name) for name in entry.authors)))
    fields.append(("year", str(entry.year)))
    if entry.arxiv_id:
        fields += [("eprint", entry.arxiv_id), ("archivePrefix", "arXiv")]
    fields.append(("url", entry.url))
    body = ",\n".join(f"  {name} = {{{_bib_value(value)}}}" for name, value in fields)
    return f"@misc{{{entry.key},\n{body}\n}}\n"


def _family_name(name: str) -> str:
    parts = name.split()
    return parts[-1] if parts else ""


def _ascii_word(text: str) -> str:
    return slug(text, separator="")


def _bib_author(name: str) -> str:
    # A name that itself holds " and " would be read as two authors: keep it whole.
    name = " ".join(name.split())
    return f"{{{name}}}" if re.search(r"\band\b", name, flags=re.IGNORECASE) else name


def _bib_value(text: str) -> str:
    text = " ".join(text.split())
    if _balanced(text):
        return text
    return text.replace("{", "\0").replace("}", "\\textbraceright{}").replace("\0", "\\textbraceleft{}")


def _balanced(text: str) -> bool:
    if "{" not in text and "}" not in text:
        return True  # most texts: found in C, not read a character at a time
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0
