"""Code, model and project links found in abstracts.

Abstracts often end with a link followed by a full stop or a closing brace left over from
LaTeX (``https://github.com/x/y}.``); that trailing punctuation is not part of the URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from ..model import Link, Paper

_URL = re.compile(
    r"(?:https?://|(?<![\w./@-])(?:www\.|github\.com/|huggingface\.co/|hf\.co/))"
    r"[^\s<>\"'`{}|\\^]+",
    re.IGNORECASE,
)
_URL_MARKERS = ("http://", "https://", "www.", "github.com/", "huggingface.co/", "hf.co/")
_TRAILING = ".,;:!?*"
_CLOSERS = {")": "(", "]": "["}
CODE_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org", "codeberg.org"})
MODEL_HOSTS = frozenset({"huggingface.co", "hf.co"})


def find_urls(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, url)`` for each URL in ``text``.

    ``text[start:end]`` is the URL as written, without trailing punctuation; ``url`` is
    the address to link to (``https://`` added where the text has no scheme).
    """
    lowered = text.lower()
    # The full pattern is tried only where a URL can start: where a marker is in the
    # lower-cased text, found with str.find (no marker can start inside another, so
    # these are the places a scan for any of them finds). The same matches as
    # _URL.finditer, several times faster.
    end = 0
    for start in _marker_places(lowered):
        if start < end:
            continue
        match = _URL.match(text, start)
        if match is None:
            continue
        end = match.end()
        written = _strip_trailing(match.group())
        url = _with_scheme(written)
        if "." in _host_part(url):
            yield match.start(), match.start() + len(written), url


def _marker_places(lowered: str) -> list[int]:
    places = []
    for marker in _URL_MARKERS:
        place = lowered.find(marker)
        while place >= 0:
            places.append(place)
            place = lowered.find(marker, place + len(marker))
    places.sort()
    return places


def extract_links(text: str) -> tuple[Link, ...]:
    """Return the distinct links of ``text`` in order, each classified by host."""
    urls = dict.fromkeys(url for _, _, url in find_urls(text))
    return tuple(Link(url=url, kind=link_kind(url)) for url in urls)


def link_kind(url: str) -> str:
    """``code`` for source hosts, ``huggingface`` for the Hub, ``project`` for the rest."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if host in CODE_HOSTS:
        return "code"
    if host in MODEL_HOSTS:
        return "huggingface"
    return "project"


def paper_links(paper: Paper) -> tuple[Link, ...]:
    """The links of a paper, taken from every version of its abstract."""
    return extract_links("\n".join((paper.abstract, *paper.abstract_variants)))


def _host_part(url: str) -> str:
    """The network location of ``url``; empty if it cannot be one (``https://]x``)."""
    try:
        return urlsplit(url).netloc
    except ValueError:
        return ""


def _strip_trailing(url: str) -> str:
    while url:
        last = url[-1]
        if last in _TRAILING or last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last]):
            url = url[:-1]
        else:
            break
    return url


def _with_scheme(url: str) -> str:
    return url if url[:8].lower().startswith(("http://", "https://")) else "https://" + url
