"""The text digest reader: the bytes of one digest e-mail -> a :class:`Digest` record.

A text digest is a boilerplate header, a date line such as ``Mar 28`` and then
paragraphs alternating paper title / abstract. :func:`parse_digest` turns its bytes into
a :class:`~generator.sources.records.Digest`, or raises :class:`DigestError` naming the
file and line at fault. It knows nothing of papers, duplicates or pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import DigestError
from .dates import DateLineError, clip, looks_like_date_line, parse_date_line
from .records import Digest, DigestEntry

# Lines the digest service puts above the date; compared case-insensitively.
BOILERPLATE = frozenset(
    {
        "new",
        "get trending papers in your email inbox!",
        "subscribe",
        "byak and the research community",
    }
)

# An abstract can be short, but a paragraph longer than this is never a title. Real
# titles reach a few hundred characters; real abstracts are 1 to 2 KB.
TITLE_MAX_CHARS = 600

# Characters a page or a feed cannot carry (XML 1.0 forbids them); tabs and line breaks
# pass. Also what the structured digest reader refuses (hf_json.py).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same characters as bytes: in UTF-8 they never occur inside a multi-byte character,
# so deleting them from the raw bytes tells in one fast pass whether the text has any.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


@dataclass(frozen=True)
class _Paragraph:
    line: int
    text: str


def read_digest(path: Path, default_year: int | None = None) -> Digest:
    """Read and parse one digest file; see :func:`parse_digest`."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DigestError(str(path), None, f"cannot read file: {error.strerror}") from None
    return parse_digest(data, str(path), default_year)


def parse_digest(data: bytes, source: str, default_year: int | None = None) -> Digest:
    """Parse the bytes of a digest.

    ``source`` names the digest in error messages; a date in its file name supplies the
    year when the date line has none, before ``default_year`` (from ``--year`` or the
    configuration). Raises :class:`DigestError` for anything that is not a digest; the
    error counts the papers the digest lists (``listed``), which skipping it leaves out.
    """
    try:
        return _parse(data, source, default_year)
    except DigestError as error:
        error.listed = count_listed(data)
        raise


def _parse(data: bytes, source: str, default_year: int | None) -> Digest:
    text = _decode(data, source)
    paragraphs = _paragraphs(text)
    if not paragraphs:
        raise DigestError(source, 1, "empty digest: no date line and no papers")
    index = _after_header(paragraphs)
    if index == len(paragraphs):
        raise DigestError(source, paragraphs[-1].line + 1, "no date line after the header")
    date_paragraph = paragraphs[index]
    try:
        date = parse_date_line(date_paragraph.text, source, default_year)
    except DateLineError as error:
        raise DigestError(source, date_paragraph.line, str(error)) from None
    entries = _pair_entries(paragraphs[index + 1 :], source)
    if not entries:
        raise DigestError(source, date_paragraph.line, "no papers after the date line")
    return Digest(source=source, date=date, entries=tuple(entries))


def count_listed(data: bytes) -> int:
    """How many papers a digest lists, counted however broken it is: its paragraphs after
    the header and date line, two to a paper (a last title without abstract counts)."""
    paragraphs = _paragraphs(data.decode("utf-8-sig", errors="replace"))
    index = _after_header(paragraphs)
    if index < len(paragraphs) and looks_like_date_line(paragraphs[index].text):
        index += 1
    return (len(paragraphs) - index + 1) // 2


def _after_header(paragraphs: list[_Paragraph]) -> int:
    index = 0
    while index < len(paragraphs) and paragraphs[index].text.lower() in BOILERPLATE:
        index += 1
    return index


def _decode(data: bytes, source: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise DigestError(
            source,
            line,
            f"not valid UTF-8: byte 0x{data[error.start]:02x} at column {column} (save the digest as UTF-8)",
        ) from None
    control = CONTROL_CHARACTERS.search(text) if len(data.translate(None, _CONTROL_BYTES)) != len(data) else None
    if control:
        line = text.count("\n", 0, control.start()) + 1
        raise DigestError(source, line, f"control character U+{ord(control.group()):04X} in text")
    return text


def _paragraphs(text: str) -> list[_Paragraph]:
    """Group non-blank lines into paragraphs, keeping the line number of each start."""
    paragraphs: list[_Paragraph] = []
    current: list[str] = []
    start = 0
    # Split on line endings only: str.splitlines() would also split on U+2028, form feeds
    # and other characters that belong to the text.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            paragraphs.append(_Paragraph(start, "\n".join(current)))
            current = []
    if current:
        paragraphs.append(_Paragraph(start, "\n".join(current)))
    return paragraphs


def _looks_like_title(paragraph: _Paragraph) -> bool:
    return "\n" not in paragraph.text and len(paragraph.text) <= TITLE_MAX_CHARS


def _pair_entries(paragraphs: list[_Paragraph], source: str) -> list[DigestEntry]:
    entries: list[DigestEntry] = []
    index = 0
    while index < len(paragraphs):
        title = paragraphs[index]
        if "\n" in title.text:
            raise DigestError(
                source,
                title.line,
                "expected a one-line paper title, found a paragraph of several lines"
                " (is a blank line missing between a title and its abstract?)",
            )
        if index + 1 == len(paragraphs):
            raise DigestError(source, title.line, f"the title {clip(title.text)!r} has no abstract")
        abstract = paragraphs[index + 1]
        following = paragraphs[index + 2] if index + 2 < len(paragraphs) else None
        if _looks_like_title(abstract) and following and not _looks_like_title(following):
            raise DigestError(
                source,
                title.line,
                f"the title {clip(title.text)!r} has no abstract: line {abstract.line} looks like the next title",
            )
        entries.append(DigestEntry(title=title.text, abstract=abstract.text, line=title.line))
        index += 2
    return entries
