"""Stage 1: digest text -> records.

A digest is a boilerplate header, a date line such as ``Mar 28`` and then paragraphs
alternating paper title / abstract. This module turns the bytes of one digest into a
:class:`Digest` record, or raises :class:`DigestError` naming the file and line at fault.
It knows nothing of papers, duplicates or pages.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ArchiveError, DigestError

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

_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9

_MONTH_FIRST = re.compile(
    r"(?P<month>[A-Za-z]+)\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?"
)
_DAY_FIRST = re.compile(r"(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]+)\.?(?:,?\s+(?P<year>\d{4}))?")
_ISO = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})")
_FILE_NAME_DATES = (
    re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)"),
    re.compile(r"(?<![0-9A-Za-z])(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})(?![0-9A-Za-z])"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same characters as bytes: in UTF-8 they never occur inside a multi-byte character,
# so deleting them from the raw bytes tells in one fast pass whether the text has any.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


@dataclass(frozen=True)
class DigestEntry:
    """One title/abstract pair, with the line of its title in the digest file."""

    title: str
    abstract: str
    line: int


@dataclass(frozen=True)
class Digest:
    """One parsed digest file: its date and its entries in digest order."""

    source: str
    date: dt.date
    entries: tuple[DigestEntry, ...]


@dataclass(frozen=True)
class _Paragraph:
    line: int
    text: str


def find_digests(folder: Path) -> list[Path]:
    """Return the digest files (``*.txt``) below ``folder``, sorted by path."""
    if not folder.is_dir():
        raise ArchiveError(f"digest folder not found: {folder}")
    return sorted(path for path in folder.rglob("*.txt") if path.is_file())


def read_digest(path: Path, default_year: int | None = None) -> Digest:
    """Read and parse one digest file; see :func:`parse_digest`."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DigestError(str(path), 1, f"cannot read file: {error.strerror}") from None
    return parse_digest(data, str(path), default_year)


def parse_digest(data: bytes, source: str, default_year: int | None = None) -> Digest:
    """Parse the bytes of a digest.

    ``source`` names the digest in error messages; a date in its file name supplies the
    year when the date line has none, before ``default_year`` (from ``--year`` or the
    configuration). Raises :class:`DigestError` for anything that is not a digest.
    """
    text = _decode(data, source)
    paragraphs = _paragraphs(text)
    if not paragraphs:
        raise DigestError(source, 1, "empty digest: no date line and no papers")

    index = 0
    while index < len(paragraphs) and paragraphs[index].text.lower() in BOILERPLATE:
        index += 1
    if index == len(paragraphs):
        raise DigestError(source, paragraphs[-1].line + 1, "no date line after the header")
    date_paragraph = paragraphs[index]
    date = _parse_date_line(date_paragraph, source, default_year)
    entries = _pair_entries(paragraphs[index + 1 :], source)
    if not entries:
        raise DigestError(source, date_paragraph.line, "no papers after the date line")
    return Digest(source=source, date=date, entries=tuple(entries))


def _decode(data: bytes, source: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise DigestError(
            source,
            line,
            f"not valid UTF-8: byte 0x{data[error.start]:02x} at column {column}"
            " (save the digest as UTF-8)",
        ) from None
    control = _CONTROL.search(text) if len(data.translate(None, _CONTROL_BYTES)) != len(data) else None
    if control:
        line = text.count("\n", 0, control.start()) + 1
        raise DigestError(
            source, line, f"control character U+{ord(control.group()):04X} in text"
        )
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


def _parse_date_line(paragraph: _Paragraph, source: str, default_year: int | None) -> dt.date:
    text = paragraph.text
    match = _ISO.fullmatch(text) or _MONTH_FIRST.fullmatch(text) or _DAY_FIRST.fullmatch(text)
    if match is None:
        raise DigestError(
            source,
            paragraph.line,
            f"expected the digest's date line (like 'Mar 28' or 'Mar 28, 2025'), found {_clip(text)!r}",
        )
    month_text = match.group("month")
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower())
    if month is None:
        raise DigestError(source, paragraph.line, f"unknown month {month_text!r} in date line")
    day = int(match.group("day"))
    year_text = match.group("year")
    year = int(year_text) if year_text else (year_from_file_name(source) or default_year)
    if year is None:
        raise DigestError(
            source,
            paragraph.line,
            f"the date line {text!r} has no year: write it as 'Mar 28, 2025', put the date in"
            " the file name (2025-03-28.txt), pass --year or set 'year' in archive.yml",
        )
    try:
        return dt.date(year, month, day)
    except ValueError as error:
        raise DigestError(
            source, paragraph.line, f"invalid date {text!r} in year {year}: {error}"
        ) from None


def year_from_file_name(source: str) -> int | None:
    """Return the year of a ``YYYY-MM-DD`` or ``YYYYMMDD`` date in a file name, if any."""
    name = Path(source).name
    for pattern in _FILE_NAME_DATES:
        for match in pattern.finditer(name):
            try:
                date = dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
            except ValueError:
                continue
            if 1900 <= date.year <= 2200:
                return date.year
    return None


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
            raise DigestError(
                source, title.line, f"the title {_clip(title.text)!r} has no abstract"
            )
        abstract = paragraphs[index + 1]
        following = paragraphs[index + 2] if index + 2 < len(paragraphs) else None
        if _looks_like_title(abstract) and following and not _looks_like_title(following):
            raise DigestError(
                source,
                title.line,
                f"the title {_clip(title.text)!r} has no abstract: line {abstract.line}"
                " looks like the next title",
            )
        entries.append(DigestEntry(title=title.text, abstract=abstract.text, line=title.line))
        index += 2
    return entries


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
