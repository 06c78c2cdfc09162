"""The structured digest reader: one day of the Hugging Face Daily Papers API, saved as
JSON by ``digest-archive fetch``, -> a :class:`Digest` whose entries carry metadata.

A structured digest is ``YYYY-MM-DD.json`` holding either what ``fetch`` writes::

    {"source": "...", "date": "2025-03-11", "fetched": "2025-03-12T06:00:00Z", "items": [...]}

or the bare list of items the API returned (the date then comes from the file name).
Each item is ``{"paper": {"id", "authors", "title", "summary", "upvotes", ...}, "title",
"summary", ...}``, any field of which may be missing. The items are kept as the API gave
them; this module reads from them the fields the pages show, each exactly as written
(never interpreted), and only when it has the expected type. An item without a title is
left out and named in ``Digest.problems``; the rest of the day is kept.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import DigestError
from ..model import PaperMeta
from .dates import valid_year
from .records import Digest, DigestEntry
from .text import CONTROL_CHARACTERS

JSON_SUFFIX = ".json"
# arXiv identifiers: 2503.07000 (since 2007, with an optional version) and hep-th/9901001.
ARXIV_ID = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")
_DATE_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})\.json$")


def read_json_digest(path: Path) -> Digest:
    """Read and parse one structured digest file; see :func:`parse_json_digest`."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DigestError(str(path), None, f"cannot read file: {error.strerror}") from None
    return parse_json_digest(data, str(path))


def parse_json_digest(data: bytes, source: str) -> Digest:
    """Parse the bytes of a structured digest named ``source``.

    Raises :class:`DigestError` naming the file (and line, for bad JSON) when it is not
    a structured digest; an unusable item is skipped and named in ``problems``.
    """
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise DigestError(source, None, f"not valid UTF-8 at byte {error.start}") from None
    except json.JSONDecodeError as error:
        raise DigestError(source, error.lineno, f"not valid JSON: {error.msg} (column {error.colno})") from None
    fetched: dt.date | None = None
    if isinstance(document, list):
        items: object = document
        date = _date_from_name(source)
        if date is None:
            raise DigestError(source, None, "a list of items needs its date in the file name, such as 2025-03-11.json")
    elif isinstance(document, dict):
        items = document.get("items")
        date = _iso_date(document.get("date"))
        if date is None:
            raise DigestError(
                source, None, f"'date' must be a date such as \"2025-03-11\", not {document.get('date')!r}"
            )
        named = _date_from_name(source)
        if named is not None and named != date:
            raise DigestError(source, None, f"the file name says {named.isoformat()} but 'date' is {date.isoformat()}")
        fetched = _iso_date(document.get("fetched"))
    else:
        raise DigestError(source, None, "expected a JSON object with 'date' and 'items', or a list of items")
    if not isinstance(items, list):
        raise DigestError(source, None, "'items' must be a list of papers")
    entries: list[DigestEntry] = []
    problems: list[str] = []
    for number, item in enumerate(items, start=1):
        entry = item_entry(item, number, fetched)
        if isinstance(entry, str):
            problems.append(f"{source}: item {number}: {entry}; left out")
        else:
            entries.append(entry)
    if not entries and not problems:
        raise DigestError(source, None, "no papers in this structured digest")
    return Digest(source=source, date=date, entries=tuple(entries), problems=tuple(problems))


def item_entry(item: object, number: int, fetched: dt.date | None) -> DigestEntry | str:
    """The entry of one API item (``{"paper": {...}, ...}`` or a bare paper), or why not."""
    if not isinstance(item, dict):
        return "not a JSON object"
    nested = item.get("paper")
    paper: dict[str, Any] = nested if isinstance(nested, dict) else item
    title = _text(paper.get("title")) or _text(item.get("title"))
    abstract = _text(paper.get("summary")) or _text(item.get("summary"))
    if not title.strip():
        return "no title"
    for field, value in (("title", title), ("summary", abstract)):
        control = CONTROL_CHARACTERS.search(value)
        if control:
            return f"control character U+{ord(control.group()):04X} in its {field}"
    return DigestEntry(title=title, abstract=abstract, line=number, meta=paper_meta(paper, fetched))


def paper_meta(paper: Mapping[str, Any], counted_on: dt.date | None) -> PaperMeta:
    """The metadata of one API paper object, read as of ``counted_on`` (the fetch day).

    A field of the wrong type, an id that is not an arXiv id, a link that is not http(s)
    and a string with control characters are left out as unknown.
    """
    arxiv_id = _text(paper.get("id"))
    authors = paper.get("authors")
    upvotes = _count(paper.get("upvotes"))
    stars = _count(paper.get("githubStars"))
    keywords = paper.get("ai_keywords")
    return PaperMeta(
        arxiv_id=arxiv_id if ARXIV_ID.fullmatch(arxiv_id) else "",
        authors=tuple(
            name
            for author in (authors if isinstance(authors, list) else ())
            if isinstance(author, dict) and (name := _clean(author.get("name"))).strip()
        ),
        published=_iso_date(paper.get("publishedAt")),
        upvotes=upvotes,
        upvotes_on=counted_on if upvotes is not None else None,
        github_repo=_web_link(paper.get("githubRepo")),
        github_stars=stars,
        stars_on=counted_on if stars is not None else None,
        project_page=_web_link(paper.get("projectPage")),
        ai_summary=_clean(paper.get("ai_summary")),
        ai_keywords=tuple(
            clean for word in (keywords if isinstance(keywords, list) else ()) if (clean := _clean(word)).strip()
        ),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _clean(value: object) -> str:
    text = _text(value)
    return "" if CONTROL_CHARACTERS.search(text) else text


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _web_link(value: object) -> str:
    url = _clean(value).strip()
    if not url or any(char.isspace() for char in url):
        return ""
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else ""


def _iso_date(value: object) -> dt.date | None:
    """The date of an ISO 8601 date or time stamp such as ``2025-03-10T17:59:58.000Z``."""
    text = _text(value)
    try:
        date = dt.date.fromisoformat(text[:10])
    except ValueError:
        return None
    return date if valid_year(date.year) else None


def _date_from_name(source: str) -> dt.date | None:
    match = _DATE_NAME.search(source)
    return _iso_date(match.group(1)) if match else None
