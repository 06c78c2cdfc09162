"""Dates of digests: the date line, a date in the file name, and the years accepted.

A digest's date line usually has no year (``Mar 28``); the year then comes from a date in
its file name, from ``--year`` or from ``year:`` in archive.yml, in that order.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import Path

# Years a digest, --year or archive.yml may give: a typo such as 25 or 3025 is an error,
# not a page at /days/0025-03-28/.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200

_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9

_MONTH_FIRST = re.compile(r"(?P<month>[A-Za-z]+)\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?")
_DAY_FIRST = re.compile(r"(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]+)\.?(?:,?\s+(?P<year>\d{4}))?")
_ISO = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})")
_FILE_NAME_DATES = (
    re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)"),
    re.compile(r"(?<![0-9A-Za-z])(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})(?![0-9A-Za-z])"),
)


class DateLineError(ValueError):
    """A date line that cannot be read; the message says why."""


def valid_year(year: int) -> bool:
    return EARLIEST_YEAR <= year <= LATEST_YEAR


def looks_like_date_line(text: str) -> bool:
    """True if ``text`` has the shape of a date line (``Mar 28``, ``2025-03-28``, ...)."""
    return bool(_ISO.fullmatch(text) or _MONTH_FIRST.fullmatch(text) or _DAY_FIRST.fullmatch(text))


def parse_date_line(text: str, source: str, default_year: int | None) -> dt.date:
    """The date of a date line; the year, if the line has none, from ``source``'s file
    name, else ``default_year``. Raises :class:`DateLineError`."""
    match = _ISO.fullmatch(text) or _MONTH_FIRST.fullmatch(text) or _DAY_FIRST.fullmatch(text)
    if match is None:
        raise DateLineError(f"expected the digest's date line (like 'Mar 28' or 'Mar 28, 2025'), found {clip(text)!r}")
    month_text = match.group("month")
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower())
    if month is None:
        raise DateLineError(f"unknown month {month_text!r} in date line")
    day = int(match.group("day"))
    year_text = match.group("year")
    year = int(year_text) if year_text else (year_from_file_name(source) or default_year)
    if year is None:
        raise DateLineError(
            f"the date line {text!r} has no year: write it as 'Mar 28, 2025', put the date in"
            " the file name (2025-03-28.txt), pass --year or set 'year' in archive.yml"
        )
    if not valid_year(year):
        raise DateLineError(f"the year {year} of {text!r} is not between {EARLIEST_YEAR} and {LATEST_YEAR}")
    try:
        return dt.date(year, month, day)
    except ValueError as error:
        raise DateLineError(f"invalid date {text!r} in year {year}: {error}") from None


def year_from_file_name(source: str) -> int | None:
    """Return the year of a ``YYYY-MM-DD`` or ``YYYYMMDD`` date in a file name, if any."""
    name = Path(source).name
    for pattern in _FILE_NAME_DATES:
        for match in pattern.finditer(name):
            try:
                date = dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
            except ValueError:
                continue
            if valid_year(date.year):
                return date.year
    return None


def clip(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for a message, with an ellipsis if cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
