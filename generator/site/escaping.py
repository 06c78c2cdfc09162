"""What pages write from data: digest text escaped, dates and excerpts, front matter,
XML text and URL queries.

Every piece of digest text goes into a page inside block-level HTML, escaped by Jinja's
autoescape (or by :func:`linkify`), so Markdown, HTML and Jinja never interpret it:
``50\\%``, ``[m]times [n]``, ``|Omega|`` or ``<script>`` show exactly as written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import string
from urllib.parse import quote_plus

from markupsafe import Markup, escape

from ..analysis.links import find_urls

# Fixed, not the locale's: the same site whatever machine builds it.
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Front-matter key marking a page whose body is finished HTML: the digest-archive MkDocs
# plugin then skips the Markdown conversion.
HTML_BODY_KEY = "html_body"
EXCERPT_CHARS = 280


def format_date(date: dt.date) -> str:
    """``Mar 28, 2025``, the same in every locale."""
    return f"{MONTH_ABBR[date.month - 1]} {date.day}, {date.year}"


def month_name(month: tuple[int, int]) -> str:
    """``March 2025`` for (2025, 3)."""
    return f"{MONTH_NAMES[month[1] - 1]} {month[0]}"


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``1 paper``, ``2 papers``: a number with its noun in agreement."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


# Characters XML 1.0 does not allow (the parser already rejects the other controls).
_NOT_XML = re.compile("[\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters an XML document cannot hold (U+FFFE, U+FFFF)."""
    return _NOT_XML.sub("", text)


def atom_date(date: dt.date) -> str:
    """An RFC 3339 time stamp for a digest's date: the start of the day, UTC."""
    return f"{date.isoformat()}T00:00:00Z"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of ``text``, cut at a word boundary, with an ellipsis if shortened."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip() + " …"


def linkify(text: str) -> Markup:
    """Escape ``text`` and make its URLs clickable without changing the visible text."""
    parts = []
    position = 0
    for start, end, url in find_urls(text):
        parts.append(escape(text[position:start]))
        parts.append(Markup('<a href="{}" rel="nofollow">{}</a>').format(url, text[start:end]))
        position = end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


# Each ASCII character as quote_plus writes it: unreserved ones as they are, a space as
# "+", the rest as %XX. str.translate with it is several times faster than quote_plus.
_QUERY_SAFE = frozenset(string.ascii_letters + string.digits + "_.-~")
_ASCII_QUERY = str.maketrans(
    {chr(c): chr(c) if chr(c) in _QUERY_SAFE else "+" if c == 32 else f"%{c:02X}" for c in range(128)}
)


def query_value(text: str) -> str:
    """``text`` encoded for a URL query string, exactly as ``urllib.parse.quote_plus`` does."""
    if text.isascii():
        return text.translate(_ASCII_QUERY)
    return quote_plus(text)


# Characters PyYAML refuses to read inside a quoted string, or reads as line breaks
# (NEL, U+2028, U+2029), written as escapes.
_YAML_UNREADABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


# json.dumps(value, ensure_ascii=False), without making an encoder per call (which json.dumps
# does for any argument but the defaults): four strings a page.
_json_string = json.JSONEncoder(ensure_ascii=False).encode


def yaml_string(value: str) -> str:
    """``value`` as a YAML double-quoted scalar that loads back to exactly ``value``.

    JSON strings are YAML double-quoted scalars; characters PyYAML will not read are
    escaped on top. (``yaml.safe_dump`` does the same but costs a millisecond a page.)
    """
    quoted = _json_string(value)
    return _YAML_UNREADABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def front_matter(values: dict[str, str | Markup]) -> Markup:
    """YAML front matter for ``title``, ``description`` and the like.

    Material prints these values into the page unescaped (``<title>``, the header, the
    description meta tag), so each string is HTML-escaped here: the reader sees the text.
    A :class:`Markup` value (finished HTML such as ``citation_tags``) is kept as it is.
    """
    lines = "".join(f"{key}: {yaml_string(str(escape(value)))}\n" for key, value in sorted(values.items()))
    # The body is finished HTML: the digest-archive MkDocs plugin skips Markdown for it.
    return Markup(f"---\n{HTML_BODY_KEY}: true\n{lines}---\n")
