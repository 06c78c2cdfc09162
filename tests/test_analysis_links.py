"""Links in abstracts: found, classified, trailing punctuation stripped."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.analysis.links import _URL, _strip_trailing, extract_links, find_urls

from .helpers import SHARED_DIGESTS


@pytest.mark.parametrize(
    "text, url",
    [
        ("Code is at https://github.com/a/b.", "https://github.com/a/b"),
        ("(see https://github.com/a/b).", "https://github.com/a/b"),
        ("at http://github.com/czg1225/SlimSAM}.", "http://github.com/czg1225/SlimSAM"),
        ('code "https://github.com/a/TSM-PDE".', "https://github.com/a/TSM-PDE"),
        ("https://github.com/a/b.git.", "https://github.com/a/b.git"),
        ("https://en.wikipedia.org/wiki/Foo_(bar).", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("repo: github.com/a/b; weights", "https://github.com/a/b"),
        ("https://github.com/a/b/tree/main/x, and more", "https://github.com/a/b/tree/main/x"),
    ],
)
def test_trailing_punctuation_is_not_part_of_the_url(text, url):
    assert [link.url for link in extract_links(text)] == [url]


def test_links_are_classified_by_host():
    links = extract_links(
        "Code: https://github.com/a/b. Model: https://huggingface.co/org/m and hf.co/x/y."
        " Project: https://lab.github.io/page/. Data: https://www.gitlab.com/g/r"
    )
    assert [(link.kind, link.url) for link in links] == [
        ("code", "https://github.com/a/b"),
        ("huggingface", "https://huggingface.co/org/m"),
        ("huggingface", "https://hf.co/x/y"),
        ("project", "https://lab.github.io/page/"),
        ("code", "https://www.gitlab.com/g/r"),
    ]


def test_duplicates_are_listed_once_and_non_urls_ignored():
    assert len(extract_links("https://github.com/a/b and again https://github.com/a/b.")) == 1
    assert extract_links("user@github.com/x, http://localhost, e.g. 1.5x faster") == ()


def test_find_urls_spans_cover_exactly_the_written_url():
    text = "See github.com/a/b}."
    ((start, end, url),) = find_urls(text)
    assert text[start:end] == "github.com/a/b"
    assert url == "https://github.com/a/b"


def test_every_github_link_in_the_real_digests_is_clean():
    if not SHARED_DIGESTS.is_dir():
        pytest.skip("shared digests not present")
    text = "\n".join(p.read_text(encoding="utf-8") for p in SHARED_DIGESTS.glob("*.txt"))
    urls = [link.url for link in extract_links(text)]
    assert len(urls) > 50
    assert not [u for u in urls if u[-1] in ".,;:)}\"'"]


def _reference_find_urls(text: str) -> list[tuple[int, int, str]]:
    """The plain definition: every match of the URL pattern, scanned left to right."""
    found = []
    for match in _URL.finditer(text):
        written = _strip_trailing(match.group())
        url = written if written[:8].lower().startswith(("http://", "https://")) else "https://" + written
        try:
            host = urlsplit(url).netloc
        except ValueError:  # not a URL: https://]x
            continue
        if "." in host:
            found.append((match.start(), match.start() + len(written), url))
    return found


URL_PIECES = st.sampled_from(
    [
        "https://",
        "HTTP://",
        "http://",
        "h",
        "s://",
        "w",
        "hf.",
        "co/",
        "www.",
        "WWW.",
        "github.com/",
        "GitHub.com/",
        "hf.co/",
        "huggingface.co/",
        "a",
        "b.c",
        "x/y",
        ".",
        ",",
        ")",
        "(",
        "]",
        "}",
        " ",
        "\n",
        "-",
        "@",
        "é",
        "/",
        ":",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(URL_PIECES, max_size=25).map("".join))
def test_find_urls_finds_what_the_url_pattern_scan_finds(text):
    assert list(find_urls(text)) == _reference_find_urls(text)
