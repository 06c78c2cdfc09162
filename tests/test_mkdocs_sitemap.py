"""The sitemap: every page once, at most 50,000 addresses a file, an index above them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from generator.mkdocs.sitemap import write_sitemaps

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def locations(path) -> list[str]:
    return [loc.text for loc in ET.parse(path).getroot().iterfind(".//s:loc", NS)]


def test_a_small_site_has_one_sitemap_of_its_pages_sorted_and_escaped(tmp_path):
    urls = ["https://u.github.io/a/papers/x/", "https://u.github.io/a/", "https://u.github.io/a/q?a=1&b=2"]
    assert write_sitemaps(tmp_path, "https://u.github.io/a/", urls + urls[:1]) == ["sitemap.xml"]
    assert locations(tmp_path / "sitemap.xml") == sorted(urls)
    assert ET.parse(tmp_path / "sitemap.xml").getroot().tag == f"{{{NS['s']}}}urlset"


def test_a_large_site_has_a_sitemap_index_of_files_within_the_limit(tmp_path):
    urls = [f"https://u.github.io/a/papers/{n:03d}/" for n in range(7)]
    names = write_sitemaps(tmp_path, "https://u.github.io/a/", urls, urls_per_file=3)
    assert names == ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]
    assert ET.parse(tmp_path / "sitemap.xml").getroot().tag == f"{{{NS['s']}}}sitemapindex"
    assert locations(tmp_path / "sitemap.xml") == [f"https://u.github.io/a/{name}" for name in names[1:]]
    parts = [locations(tmp_path / name) for name in names[1:]]
    assert [len(part) for part in parts] == [3, 3, 1] and sum(parts, []) == urls
