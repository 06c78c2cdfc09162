"""Render: templates give Markdown whose text is inert, links relative, output stable."""

from __future__ import annotations

import datetime as dt
import json

import markdown
import yaml
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape
from mkdocs.utils.meta import get_data

from generator.parse import Digest, DigestEntry
from generator.pipeline import build_model, load_digests
from generator.render import excerpt, front_matter, linkify, render_site, root_prefix, source_path
from generator.tags import load_taxonomy

from .helpers import FIXTURES, REPO

HAZARDS = (
    "``golden'' [m]times [n] |Omega| 50\\% QuIP# <! p!leq!1 x^*|_infty <script>alert(1)</script>"
    " *a* _b_ `c` [d](javascript:e) {{ f }} {% g %} <!-- material/tags --> & &amp; # h"
)


def fixture_files() -> dict[str, str]:
    archive = build_model(load_digests(FIXTURES / "archive").digests, load_taxonomy(REPO / "taxonomy.yml"))
    return render_site(archive)


def split_front_matter(text: str) -> tuple[dict, str]:
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def test_root_prefix_and_source_paths():
    assert root_prefix("") == ""
    assert root_prefix("days/") == "../"
    assert root_prefix("papers/x/") == "../../"
    assert root_prefix("papers/az/a/2/") == "../../../../"
    assert source_path("") == "index.md"
    assert source_path("days/", index=True) == "days/index.md"
    assert source_path("papers/slug/") == "papers/slug.md"


def test_excerpt_cuts_at_a_word_and_keeps_a_prefix():
    text = "word " * 100
    cut = excerpt(text, 50)
    assert cut.endswith(" …") and text.startswith(cut[:-2]) and len(cut) <= 52
    assert excerpt("short", 50) == "short"


def test_linkify_keeps_visible_text_and_escapes_the_rest():
    text = "See <b> https://github.com/a/b}. & more"
    html = str(linkify(text))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.get_text() == text
    assert soup.a["href"] == "https://github.com/a/b"


def test_hazard_text_survives_python_markdown_exactly():
    entries = (DigestEntry(HAZARDS, HAZARDS, 1),)
    archive = build_model([Digest("h.txt", dt.date(2025, 1, 1), entries)], ())
    files = render_site(archive)
    (paper_path,) = [p for p in files if p.startswith("papers/") and "/az/" not in p and p != "papers/index.md"]
    meta, body = split_front_matter(files[paper_path])
    html = markdown.markdown(body)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h1.get_text() == HAZARDS
    assert soup.select_one(".da-abstract").get_text() == HAZARDS
    assert not soup.find("script") and not soup.find("em") and not soup.find("code")
    # Material prints the title as HTML; the escaped form shows the text exactly.
    assert BeautifulSoup(meta["title"], "html.parser").get_text() == HAZARDS


def test_pages_exist_for_every_paper_day_tag_and_index():
    files = fixture_files()
    assert {"index.md", "days/index.md", "papers/index.md", "tags/index.md", "archive.json"} <= set(files)
    assert {p for p in files if p.startswith("days/2")} == {
        "days/2024-12-30.md", "days/2025-01-02.md", "days/2025-01-05.md",
    }
    paper_pages = [p for p in files if p.startswith("papers/") and "/az/" not in p and p != "papers/index.md"]
    assert len(paper_pages) == 5


def test_day_page_marks_repeats_and_links_their_other_days():
    body = split_front_matter(fixture_files()["days/2025-01-02.md"])[1]
    soup = BeautifulSoup(markdown.markdown(body), "html.parser")
    entries = soup.select("li.da-entry")
    assert [e.h2.get_text() for e in entries] == [
        "Graph Transformers Without Positional Encodings",
        "Escaping Hazards: ``golden'' Seeds, [m]times [n] Grids and |Omega| Sets",
        "Sparse autoencoders find monosemantic features in small transformers!",
        "Robust Reward Models Resist Reward Hacking",
    ]
    seen = [e for e in entries if e.select_one(".da-badge-seen")]
    assert len(seen) == 2
    for entry in seen:
        assert entry.find("a", string="Dec 30, 2024")["href"].startswith("../../days/2024-12-30/#")
    assert soup.find("a", rel="prev")["href"] == "../../days/2024-12-30/"
    assert soup.find("a", rel="next")["href"] == "../../days/2025-01-05/"


def test_archive_json_lists_every_paper_with_appearances():
    document = json.loads(fixture_files()["archive.json"])
    assert len(document["papers"]) == 5
    sparse = next(p for p in document["papers"] if p["title"].startswith("Sparse Autoencoders"))
    assert [a["date"] for a in sparse["appearances"]] == ["2024-12-30", "2025-01-02"]
    assert sparse["links"] == [{"kind": "code", "url": "https://github.com/fixture-lab/sae-mono"}]
    assert set(sparse) >= {"slug", "title", "abstract", "tags", "links", "appearances"}


def test_rendering_twice_gives_identical_output():
    assert fixture_files() == fixture_files()


def test_long_listings_are_split_into_pages():
    entries = tuple(DigestEntry(f"Paper number {n:04d}", "Abstract.", 1) for n in range(650))
    archive = build_model([Digest("a.txt", dt.date(2025, 1, 1), entries)], ())
    files = render_site(archive)
    assert {"papers/az/p.md", "papers/az/p/2.md", "papers/az/p/3.md"} <= set(files)
    assert "papers/az/p/4.md" not in files


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_property_front_matter_loads_back_in_mkdocs(title):
    """MkDocs reads front matter with its own loader; the title must come back exactly."""
    document = f"{front_matter({'title': title})}\nbody\n"
    _, meta = get_data(document)
    assert meta["title"] == str(escape(title))
