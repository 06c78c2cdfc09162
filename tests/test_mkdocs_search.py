"""Pagefind runs: one for a small site, parts of bounded size for a large one."""

from __future__ import annotations

import fnmatch

from generator.mkdocs.search import index_parts


def make_site(root, slugs, days=3):
    for slug in [*slugs, "az", "az/b"]:
        (root / "papers" / slug).mkdir(parents=True)
        (root / "papers" / slug / "index.html").write_text("<html></html>")
    for day in range(days):
        (root / "days" / f"2025-01-0{day + 1}").mkdir(parents=True)
        (root / "days" / f"2025-01-0{day + 1}" / "index.html").write_text("<html></html>")
    return root


def test_a_small_site_is_one_index(tmp_path):
    site = make_site(tmp_path, ["alpha-1", "beta-2"])
    assert index_parts(site, pages_per_index=100) == [("pagefind/", None)]


def test_a_large_site_is_split_by_first_character_into_bounded_parts(tmp_path):
    slugs = [f"{c}{n}-paper" for c in "abcdefgh" for n in range(10)]
    site = make_site(tmp_path, slugs)
    parts = index_parts(site, pages_per_index=30)
    assert [folder for folder, _ in parts] == ["pagefind/", "pagefind-2/", "pagefind-3/"]

    def part_of(path: str) -> list[str]:
        return [
            folder
            for folder, glob in parts
            if any(fnmatch.fnmatch(path, option) for option in glob.strip("{}").split(","))
        ]

    for slug in slugs:
        assert len(part_of(f"papers/{slug}/index.html")) == 1, slug
    assert part_of("days/2025-01-01/index.html") == ["pagefind/"]
    sizes = [sum(1 for slug in slugs if part_of(f"papers/{slug}/index.html") == [folder]) for folder, _ in parts]
    assert max(sizes) <= 30 and sum(sizes) == len(slugs)
