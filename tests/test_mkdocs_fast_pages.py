"""fast_pages: the values MkDocs' own Page.__init__ would give, without its per-page costs."""

from __future__ import annotations

import inspect
import types

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.structure import files, pages
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


def src_uri(setter, path: str) -> str:
    file = object.__new__(files.File)
    setter(file, path)
    return file.src_uri


PATH_TEXT = st.text(alphabet="ab./\\é -_", max_size=16)


@settings(max_examples=800, deadline=None)
@given(
    path=st.one_of(PATH_TEXT, st.sampled_from(["./index.md", "papers/x/index.md", ".", "./", "a//b", "a/./b", "/a"]))
)
def test_a_files_source_uri_is_mkdocs_own(path):
    assert src_uri(fast_pages._set_src_path, path) == src_uri(fast_pages._mkdocs_src_path.fset, path)


def test_the_paths_get_files_gives_are_taken_without_a_purepath(monkeypatch):
    def refuse(*args):
        raise AssertionError("PurePath was made")

    monkeypatch.setattr(files, "PurePath", refuse)
    assert src_uri(fast_pages._set_src_path, "./index.md") == "index.md"
    assert src_uri(fast_pages._set_src_path, "papers/a-paper-1a2b/index.md") == "papers/a-paper-1a2b/index.md"
    assert src_uri(fast_pages._set_src_path, "./.digest-archive-manifest.json") == ".digest-archive-manifest.json"
    with pytest.raises(AssertionError):  # anything else goes through MkDocs
        src_uri(fast_pages._set_src_path, "a/./b.md")


def test_files_get_mkdocs_own_setter_back_after_the_build():
    with fast_pages.installed():
        assert files.File.__dict__["src_path"] is fast_pages._src_path
        assert files.File("./index.md", "docs", "site", True).src_uri == "index.md"
    assert files.File.__dict__["src_path"] is fast_pages._mkdocs_src_path


def test_mkdocs_files_set_their_source_uri_as_the_trick_expects():
    """The guard: MkDocs' File.src_path setter is a PurePath round trip, which
    get_files calls with os.path.join of the folder relative to docs_dir and the name."""
    setter = inspect.getsource(fast_pages._mkdocs_src_path.fset)
    assert "self.src_uri = PurePath(value).as_posix()" in setter
    assert "os.path.join(relative_dir, filename)" in inspect.getsource(files.get_files)
