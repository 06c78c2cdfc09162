"""The site's sitemap, written by the ``digest-archive`` plugin instead of MkDocs'.

MkDocs writes one ``sitemap.xml`` (and a gzip copy) with every page and the build date
as each page's last change, indented: 130 bytes a page, 7 MB at 50,000 pages, and past
the 50,000 URLs the sitemap protocol allows in one file. This one lists each page's
address once, without the misleading date, in files of at most 50,000 URLs, with
``sitemap.xml`` the index of those files when there are several.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from ..site.urls import url
from .incremental import write_new

URLS_PER_FILE = 50_000  # the protocol's limit per file
_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def write_sitemaps(
    site_dir: Path, site_url: str, page_urls: Iterable[str], urls_per_file: int = URLS_PER_FILE
) -> list[str]:
    """Write the sitemap of ``page_urls`` (absolute, sorted here) into ``site_dir``.

    Returns the names of the files written, the sitemap (or sitemap index) first.
    """
    urls = sorted(set(page_urls))
    chunks = [urls[start : start + urls_per_file] for start in range(0, len(urls), urls_per_file)] or [[]]
    if len(chunks) == 1:
        _write(site_dir / url("sitemap"), _urlset(chunks[0]))
        return [url("sitemap")]
    names = [url("sitemap_part", number=number) for number in range(1, len(chunks) + 1)]
    for name, chunk in zip(names, chunks, strict=True):
        _write(site_dir / name, _urlset(chunk))
    index = "".join(f"<sitemap><loc>{escape(site_url + name)}</loc></sitemap>\n" for name in names)
    _write(
        site_dir / url("sitemap"),
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{_NAMESPACE}">\n{index}</sitemapindex>\n',
    )
    return [url("sitemap"), *names]


def _urlset(urls: list[str]) -> str:
    entries = "".join(f"<url><loc>{escape(url)}</loc></url>\n" for url in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{_NAMESPACE}">\n{entries}</urlset>\n'


def _write(path: Path, text: str) -> None:
    write_new(path, text)  # never through a link into the last site (incremental builds)
