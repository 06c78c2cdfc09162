"""Stage 3b: code, model and project links found in abstracts.

Abstracts often end with a link followed by a full stop or a closing brace left over from
LaTeX (``https://github.com/x/y}.``); that trailing punctuation is not part of the URL.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from .model import Archive, Link
from .parallel import map_in_chunks

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
    if not any(marker in lowered for marker in _URL_MARKERS):
        return  # most abstracts have no link: skip the regex scan
    for match in _URL.finditer(text):
        written = _strip_trailing(match.group())
        if "." not in urlsplit(_with_scheme(written)).netloc:
            continue
        start = match.start()
        yield start, start + len(written), _with_scheme(written)


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


def attach_links(archive: Archive) -> Archive:
    """Return the archive with each paper's links taken from all versions of its abstract."""
    texts = ["\n".join((paper.abstract, *paper.abstract_variants)) for paper in archive.papers.values()]
    links = map_in_chunks(extract_links, texts)
    papers = {
        key: dataclasses.replace(paper, links=paper_links)
        for (key, paper), paper_links in zip(archive.papers.items(), links)
    }
    return dataclasses.replace(archive, papers=papers)


def _strip_trailing(url: str) -> str:
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last]):
            url = url[:-1]
        else:
            break
    return url


def _with_scheme(url: str) -> str:
    return url if re.match(r"https?://", url, re.IGNORECASE) else "https://" + url
