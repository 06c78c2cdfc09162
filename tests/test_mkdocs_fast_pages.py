"""fast_pages: the values MkDocs' own Page.__init__ would give, without its per-page costs."""

from __future__ import annotations

import inspect
import types

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.structure import pages
from mkdocs.utils import get_build_date

from generator.mkdocs import fast_pages

BASES = [
    "https://example.github.io/archive/",
    "https://example.github.io/archive",
    "https://papers.example.org",
    "http://127.0.0.1:8000/",
    "https://example.org/a/./b/",
    "https://example.org/a/../b/",
    "https://example.org//double/",
    "https://example.org/q/?x=1",
    "https://example.org/f/#top",
    "https://example.org/%7Euser/",
    "/relative/base/",
    "no-scheme/",
]
URL_TEXT = st.text(alphabet="abcXYZ019-_.~/%?#:@ ", max_size=30)


def canonical(set_url, base: str, url: str) -> tuple[object, object]:
    page = types.SimpleNamespace(url=url)
    set_url(page, base)
    return page.canonical_url, page.abs_url


@settings(max_examples=500, deadline=None)
@given(base=st.sampled_from(BASES), url=st.one_of(URL_TEXT, st.sampled_from(["", "papers/x/", "index.html", "a/b.c/"])))
def test_canonical_and_absolute_urls_are_mkdocs_own(base, url):
    assert canonical(fast_pages._set_canonical_url, base, url) == canonical(
        fast_pages._mkdocs_set_canonical_url, base, url
    )


def test_a_plain_url_on_a_plain_site_url_is_joined_without_mkdocs_method(monkeypatch):
    def refuse(page, base):
        raise AssertionError("MkDocs' own method was called")

    monkeypatch.setattr(fast_pages, "_mkdocs_set_canonical_url", refuse)
    assert canonical(fast_pages._set_canonical_url, "https://example.github.io/archive", "papers/a-paper-1a2b/") == (
        "https://example.github.io/archive/papers/a-paper-1a2b/",
        "/archive/papers/a-paper-1a2b/",
    )
    with pytest.raises(AssertionError):  # anything else goes through MkDocs
        canonical(fast_pages._set_canonical_url, "https://example.org/a/../b/", "papers/x/")


def test_the_build_date_is_worked_out_once_and_mkdocs_own_afterwards(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    with fast_pages.installed():
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
        assert pages.get_build_date() == "2023-11-14"  # the date when the build started
        assert pages.Page._set_canonical_url is fast_pages._set_canonical_url
    assert pages.get_build_date is get_build_date and pages.get_build_date() == "2027-01-15"
    assert pages.Page._set_canonical_url is fast_pages._mkdocs_set_canonical_url


def test_mkdocs_pages_get_their_date_and_canonical_url_as_the_trick_expects():
    """The guard: what fast_pages replaces is what MkDocs' Page.__init__ calls."""
    init = inspect.getsource(pages.Page.__init__)
    assert "self.update_date: str = get_build_date()" in init
    assert "self._set_canonical_url(config.get('site_url', None))" in init
    assert pages.get_build_date is get_build_date  # a global of mkdocs.structure.pages
    method = inspect.getsource(pages.Page._set_canonical_url)
    assert "self.canonical_url = canonical_url = urljoin(base, self.url)" in method
    assert "self.abs_url = urlsplit(canonical_url).path" in method
    assert "self.canonical_url = None" in method and "self.abs_url = None" in method
