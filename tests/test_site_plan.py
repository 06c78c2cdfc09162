"""Render: templates give Markdown whose text is inert, links relative, output stable."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from urllib.parse import quote_plus

import markdown
import yaml
from bs4 import BeautifulSoup
from hypothesis import event, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from mkdocs.utils.meta import get_data

from generator.analysis.assemble import build_model
from generator.analysis.taxonomy import Taxonomy, load_taxonomy
from generator.errors import DigestError
from generator.model import Tag
from generator.pipeline import load_digests
from generator.site.az import az_sections, walk_sections
from generator.site.escaping import excerpt, front_matter, linkify, query_value
from generator.site.plan import _environment, plan_site, render_site
from generator.site.urls import root_prefix, source_path
from generator.sources.records import Digest, DigestEntry
from generator.sources.text import parse_digest

from .helpers import FIXTURES, REPO, unrelated_abstract

NO_TAGS = Taxonomy(())

HAZARDS = (
    "``golden'' [m]times [n] |Omega| 50\\% QuIP# <! p!leq!1 x^*|_infty <script>alert(1)</script>"
    " *a* _b_ `c` [d](javascript:e) {{ f }} {% g %} <!-- material/tags --> & &amp; # h"
)


def fixture_files() -> dict[str, str]:
    archive = build_model(load_digests(FIXTURES / "archive").digests, load_taxonomy(REPO / "taxonomy.yml")).archive
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
    archive = build_model([Digest("h.txt", dt.date(2025, 1, 1), entries)], NO_TAGS).archive
    files = render_site(archive)
    (paper_path,) = [
        p for p in files if p.startswith("papers/") and p.endswith(".md") and "/az/" not in p and p != "papers/index.md"
    ]
    meta, body = split_front_matter(files[paper_path])
    html = markdown.markdown(body)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h1.get_text() == HAZARDS
    assert soup.select_one(".da-abstract").get_text() == HAZARDS
    # The page's own <code> is the BibTeX entry; the digest's text adds no element.
    assert not soup.find("script") and not soup.find("em")
    assert [code.get("id") for code in soup.find_all("code")] == ["bibtex"]
    # Material prints the title as HTML; the escaped form shows the text exactly.
    assert BeautifulSoup(meta["title"], "html.parser").get_text() == HAZARDS


def test_pages_exist_for_every_paper_day_tag_and_index():
    files = fixture_files()
    assert {"index.md", "days/index.md", "papers/index.md", "tags/index.md", "archive.json.gz"} <= set(files)
    assert {p for p in files if p.startswith("days/2") and p.endswith(".md")} == {
        "days/2024-12-30.md",
        "days/2025-01-02.md",
        "days/2025-01-05.md",
    }
    paper_pages = [
        p for p in files if p.startswith("papers/") and p.endswith(".md") and "/az/" not in p and p != "papers/index.md"
    ]
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
    document = json.loads(gzip.decompress(fixture_files()["archive.json.gz"]))
    assert len(document["papers"]) == 5
    sparse = next(p for p in document["papers"] if p["title"].startswith("Sparse Autoencoders"))
    assert [a["date"] for a in sparse["appearances"]] == ["2024-12-30", "2025-01-02"]
    assert sparse["links"] == [{"kind": "code", "url": "https://github.com/fixture-lab/sae-mono"}]
    assert set(sparse) >= {"slug", "title", "abstract", "tags", "links", "appearances"}


def test_rendering_twice_gives_identical_output():
    assert fixture_files() == fixture_files()


def test_a_long_letter_is_split_into_sections_that_share_their_opening_words():
    titles = [f"Paper number {n:04d}" for n in range(650)] + ["Quick note"]
    archive = build_model(
        [Digest("a.txt", dt.date(2025, 1, 1), tuple(DigestEntry(t, unrelated_abstract(t), 1) for t in titles))], NO_TAGS
    ).archive
    files = render_site(archive)
    sections = sorted(path for path in files if path.startswith("papers/az/"))
    assert sections == [
        "papers/az/p/index.md",
        "papers/az/paper-number-00/index.md",
        "papers/az/paper-number-01/index.md",
        "papers/az/paper-number-02/index.md",
        "papers/az/paper-number-03/index.md",
        "papers/az/paper-number-04/index.md",
        "papers/az/paper-number-05/index.md",
        "papers/az/paper-number-06/index.md",
        "papers/az/q/index.md",
    ]
    letter = BeautifulSoup(markdown.markdown(split_front_matter(files["papers/az/p/index.md"])[1]), "html.parser")
    assert [a.get_text() for a in letter.select(".da-sections a")][:2] == ["Paper number 00…", "Paper number 01…"]
    assert "100 papers: Paper number 0000 … Paper number 0099" in letter.select_one(".da-sections li").get_text()
    leaf = BeautifulSoup(
        markdown.markdown(split_front_matter(files["papers/az/paper-number-06/index.md"])[1]), "html.parser"
    )
    assert len(leaf.select(".da-list li")) == 50
    assert leaf.select_one(".da-trail").get_text() == "All papers › P › Paper number 06…"


class _Slugged:
    def __init__(self, slug: str) -> None:
        self.slug = slug
        self.key = slug


@settings(max_examples=200, deadline=None)
@given(
    st.sets(st.text(alphabet="abc-", min_size=1, max_size=12), min_size=1, max_size=120),
    st.integers(min_value=2, max_value=10),
)
def test_property_az_sections_partition_papers_in_order(slugs, limit):
    root = az_sections([_Slugged(s) for s in slugs], limit)
    urls, leaves = set(), []
    for section, parents in walk_sections(root):
        assert section.url not in urls
        urls.add(section.url)
        assert all(p.slug.startswith(section.prefix.rstrip("~")) for p in section.papers)
        assert [p.slug for p in section.papers] == sorted(p.slug for p in section.papers)
        if section.children:
            assert len(section.children) > 1 or section is root
            assert [p for child in section.children for p in child.papers] == list(section.papers)
        else:
            leaves.append(section)
            assert len(section.papers) <= limit or not parents
    assert sorted(p.slug for leaf in leaves for p in leaf.papers) == sorted(slugs)
    for letter in root.children:
        assert len(letter.prefix) == 1


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_property_front_matter_loads_back_in_mkdocs(title):
    """MkDocs reads front matter with its own loader; the title must come back exactly."""
    document = f"{front_matter({'title': title})}\nbody\n"
    _, meta = get_data(document)
    assert meta["title"] == str(escape(title))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_a_yaml_string_is_the_json_string_with_what_yaml_cannot_read_escaped(value):
    from generator.site.escaping import _YAML_UNREADABLE, yaml_string

    reference = _YAML_UNREADABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))
    assert yaml_string(value) == reference


def test_topic_pages_show_description_latest_listings_and_counts_per_month():
    archive = build_model(load_digests(FIXTURES / "archive").digests, load_taxonomy(REPO / "taxonomy.yml")).archive
    files = render_site(archive)
    tagged = [tag for tag in archive.tags if any(tag.slug in p.tags for p in archive.papers.values())]
    assert tagged
    for tag in tagged:
        members = [p for p in archive.papers.values() if tag.slug in p.tags]
        main = BeautifulSoup(
            markdown.markdown(split_front_matter(files[f"tags/{tag.slug}/index.md"])[1]), "html.parser"
        )
        assert main.select_one(".da-tag-description").get_text() == tag.description
        # Latest listings: sorted by latest appearance, newest first.
        latest = [a.get_text() for a in main.select(".da-entry-title a")]
        expected = sorted(members, key=lambda p: (-p.last_seen.toordinal(), p.key))[:50]
        assert latest == [p.title for p in expected]
        # Counts per month: every month any member was listed, newest first, with its count.
        months: dict[str, set[str]] = {}
        for paper in members:
            for date in tuple(a.date for a in paper.appearances):
                months.setdefault(date.strftime("%Y-%m"), set()).add(paper.key)
        rows = main.select(".da-month-counts tbody tr")
        assert [row.a["href"] for row in rows] == [f"../../tags/{tag.slug}/{m}/" for m in sorted(months, reverse=True)]
        assert [int(row.select("td")[1].get_text()) for row in rows] == [
            len(months[m]) for m in sorted(months, reverse=True)
        ]
        busiest = max(len(keys) for keys in months.values())
        assert [row.select_one(".da-bar")["style"] for row in rows] == [
            f"width:{round(100 * len(months[m]) / busiest, 1)}%" for m in sorted(months, reverse=True)
        ]
        for month, keys in months.items():
            page = files[f"tags/{tag.slug}/{month}.md"]
            listed = BeautifulSoup(markdown.markdown(split_front_matter(page)[1]), "html.parser").select(
                "ol.da-entries li > a"
            )
            # Each paper listed that month, by its last listing in the month, newest first.
            last_in_month = {
                p.key: max(d for d in (a.date for a in p.appearances) if d.strftime("%Y-%m") == month)
                for p in members
                if p.key in keys
            }
            order = sorted(keys, key=lambda k: (-last_in_month[k].toordinal(), k))
            assert [a.get_text() for a in listed] == [archive.papers[k].title for k in order]
    index = BeautifulSoup(markdown.markdown(split_front_matter(files["tags/index.md"])[1]), "html.parser")
    counts = {row.a.get_text(): row.select("td")[1].get_text() for row in index.select("tbody tr")}
    for tag in archive.tags:
        size = sum(1 for p in archive.papers.values() if tag.slug in p.tags)
        assert counts[tag.name] == f"{size} {round(100 * size / len(archive.papers), 1)}%"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(max_codepoint=127)), st.text()))
def test_query_value_equals_quote_plus(text):
    assert query_value(text) == quote_plus(text)


# One line of a digest: any printable text, with Markdown and HTML hazards well represented.
digest_line = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff")
        | st.sampled_from(list("`*_[]()#<>!|\\{}%&;'\"^~-=:")),
        min_size=1,
        max_size=120,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=150, deadline=None)
@given(title=digest_line, abstract_lines=st.lists(digest_line, min_size=1, max_size=4))
def test_property_digest_text_renders_back_exactly(title, abstract_lines):
    """Any title and abstract, written into a digest, parsed and rendered, reads back as
    typed: in the page heading, the abstract, the page title and the day listing."""
    abstract = "\n".join(abstract_lines)
    data = f"Mar 3, 2025\n\n{title}\n\n{abstract}\n".encode()
    digest = parse_digest(data, "property.txt")
    assert [(e.title, e.abstract) for e in digest.entries] == [(title, abstract)]
    files = render_site(build_model([digest], NO_TAGS).archive)
    (paper_path,) = [
        p for p in files if p.startswith("papers/") and p.endswith(".md") and "/az/" not in p and p != "papers/index.md"
    ]
    meta, body = split_front_matter(files[paper_path])
    page = BeautifulSoup(body, "html.parser")
    assert page.h1.get_text() == title
    assert page.select_one(".da-abstract").get_text() == abstract
    assert BeautifulSoup(meta["title"], "html.parser").get_text() == title
    assert not page.find(["script", "img", "iframe", "style"])
    _, day_body = split_front_matter(files["days/2025-03-03.md"])
    assert title in {link.get_text() for link in BeautifulSoup(day_body, "html.parser").find_all("a")}


# Lines a digest-like file is made of: header and date lines, valid and not, and text.
digest_like_line = st.one_of(
    st.sampled_from(
        [
            b"new",
            b"Subscribe",
            b"byAK and the research community",
            b"Mar 28",
            b"Mar 28, 2025",
            b"28 March 2025",
            b"2025-13-01",
            b"Feb 30",
            b"Sept 3",
            b"",
            b"   ",
            b"\r",
            b"\xe2\x80\xa8",
            b"<script>alert(1)</script>",
            b"{{ x }}",
            b"---",
            b"# h",
            b"| a | b |",
        ]
    ),
    digest_line.map(str.encode),
    digest_line.map(str.encode),
)
# Bytes that may spoil a file: a byte-order mark, invalid UTF-8, NUL, any short run.
spoiler = st.one_of(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\x1b[31m"]), st.binary(max_size=8))


@st.composite
def digest_like_bytes(draw):
    start = draw(st.sampled_from([b"", b"new\n\nSubscribe\n\nMar 28\n\n", b"Mar 28, 2024\n\n"]))
    separator = draw(st.sampled_from([b"\n", b"\n\n", b"\r\n\r\n"]))
    lines = draw(st.lists(digest_like_line, max_size=30))
    if lines and draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(spoiler))
    return start + separator.join(lines)


@settings(max_examples=500, deadline=None)
@given(digest_like_bytes())
def test_property_digest_like_bytes_parse_and_render_or_give_a_clear_error(data):
    """Any such bytes give a DigestError naming a line of the file, or papers whose pages
    show each title and abstract exactly as in the file."""
    try:
        digest = parse_digest(data, "fuzz.txt", default_year=2025)
    except DigestError as error:
        assert str(error).startswith(f"fuzz.txt:{error.line}: ")
        line_breaks = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n")
        assert 1 <= error.line <= line_breaks + 2  # at most one past the last line
        event("digest error")
        return
    event("parsed")
    archive = build_model([digest], NO_TAGS).archive
    files = render_site(archive)
    listed = {(entry.title, entry.abstract) for entry in digest.entries}
    shown = set()
    for path in files:
        if path.startswith("papers/") and path.endswith(".md") and "/az/" not in path and path != "papers/index.md":
            page = BeautifulSoup(split_front_matter(files[path])[1], "html.parser")
            shown.add((page.h1.get_text(), page.select_one(".da-abstract").get_text()))
    assert shown <= listed and len(shown) == len(archive.papers)


def test_counts_of_one_read_in_the_singular():
    archive = build_model(
        [Digest("2025-03-28.txt", dt.date(2025, 3, 28), (DigestEntry("Alone", "Just one.", 1),))], NO_TAGS
    ).archive
    files = render_site(archive)
    assert '<p class="da-counts" data-pagefind-ignore="all">1 paper. <a' in files["days/2025-03-28.md"]
    assert "1 paper, 1 day, 1 listing, 0 topics." in files["index.md"]
    assert (
        "1 day, 1 listing" in files["days/index.md"]
        and '28<span class="da-n"> 1<span class="da-visually-hidden"> paper</span>' in files["days/index.md"]
    )
    assert "Listed on 1 day" in files[f"papers/{archive.papers['alone'].slug}.md"]
    pages = "".join(v for v in files.values() if isinstance(v, str))
    assert not re.search(r"\b1 (papers|days|listings|topics)\b", pages)


def test_a_paper_pages_render_key_changes_with_everything_the_page_shows(tmp_path):
    """The writer keeps a paper page whose render key is unchanged without rendering it:
    the key must change with each thing the page shows from beyond the paper itself."""
    import dataclasses
    import sys

    from generator.site.plan import plan_site
    from generator.site.urls import paper_url

    sys.path.insert(0, str(REPO / "benchmarks"))
    from synth import write_archive

    write_archive(300, tmp_path)
    digests = load_digests(tmp_path).digests
    archive = build_model(digests, load_taxonomy(REPO / "taxonomy.yml")).archive
    paper = next(p for p in archive.papers.values() if p.related and p.tags)
    page = source_path(paper_url(paper.slug))
    key = plan_site(archive).render_key(page)
    assert key is not None and key == plan_site(archive).render_key(page)

    def changed(archive_after, **plan_settings) -> bool:
        return plan_site(archive_after, **plan_settings).render_key(page) != key

    papers = dict(archive.papers)
    other = papers[paper.related[0]]
    unrelated = next(p for p in papers.values() if p.key != paper.key and p.key not in paper.related)

    def with_paper(replaced):
        return dataclasses.replace(archive, papers={**papers, replaced.key: replaced})

    assert changed(with_paper(dataclasses.replace(other, title="Retitled")))
    assert changed(with_paper(dataclasses.replace(paper, abstract="New.")))
    assert changed(archive, site_url="https://example.org/archive/")
    assert changed(archive, site_name="Another archive")
    tags = tuple(dataclasses.replace(t, name=t.name + "!") if t.slug == paper.tags[0] else t for t in archive.tags)
    assert changed(dataclasses.replace(archive, tags=tags))
    first_day = paper.appearances[0].date
    days = tuple(
        dataclasses.replace(d, paper_keys=(*d.paper_keys, unrelated.key)) if d.date == first_day else d
        for d in archive.days
    )
    assert changed(dataclasses.replace(archive, days=days))  # "#3 of N": the day's size
    # What the page does not show leaves the key as it is.
    edited = dataclasses.replace(unrelated, abstract=unrelated.abstract + " More.")
    assert not changed(with_paper(edited))
    # Whole-archive files have no key: they are rendered every time.
    assert plan_site(archive).render_key("index.md") is None


def test_day_week_and_topic_month_keys_change_with_their_context_and_the_taxonomy(tmp_path):
    import dataclasses
    import sys

    from generator.site.plan import plan_site
    from generator.site.urls import day_bib_url, day_url, tag_month_url, week_url

    sys.path.insert(0, str(REPO / "benchmarks"))
    from synth import write_archive

    write_archive(600, tmp_path)
    archive = build_model(load_digests(tmp_path).digests, load_taxonomy(REPO / "taxonomy.yml")).archive
    day = archive.days[3]
    paper = archive.papers_on(day)[0]
    tag = paper.tags[0]
    iso = day.date.isocalendar()
    pages = [
        source_path(day_url(day.date)),
        source_path(week_url((iso[0], iso[1]))),
        source_path(tag_month_url(tag, (paper.first_seen.year, paper.first_seen.month))),
        day_bib_url(day.date),
    ]
    plan = plan_site(archive)
    keys = {page: plan.render_key(page) for page in pages}
    assert None not in keys.values() and len(set(keys.values())) == len(pages)

    def changed(archive_after) -> set[str]:
        after = plan_site(archive_after)
        return {page for page in pages if after.render_key(page) != keys[page]}

    papers = dict(archive.papers)
    retitled = dataclasses.replace(paper, title=paper.title + " (v2)")
    assert changed(dataclasses.replace(archive, papers={**papers, paper.key: retitled})) == set(pages)
    tags = tuple(dataclasses.replace(t, name=t.name + "!") if t.slug == tag else t for t in archive.tags)
    assert changed(dataclasses.replace(archive, tags=tags)) == set(pages[:3])  # the tag chips
    far = next(
        p
        for p in papers.values()
        if tag not in p.tags and all(a.date.isocalendar()[:2] != iso[:2] for a in p.appearances)
    )
    edited = dataclasses.replace(far, title=far.title + " (v2)")
    assert changed(dataclasses.replace(archive, papers={**papers, far.key: edited})) == set()


def test_an_a_to_z_page_whose_key_stays_stays_the_same(tmp_path):
    """A-Z section pages are keyed by what they show (_section_text): papers added under
    one letter leave the other letters' pages, keys and bytes; a page whose key stays
    must not change (a template showing more of the letters or sub-sections fails here)."""
    import dataclasses
    import sys

    from generator.site.plan import plan_site

    sys.path.insert(0, str(REPO / "benchmarks"))
    from synth import write_archive

    write_archive(1500, tmp_path)
    archive = build_model(load_digests(tmp_path).digests, load_taxonomy(REPO / "taxonomy.yml")).archive
    model = next(p for p in archive.papers.values() if p.slug.startswith("s"))
    added = {
        f"stochastic {n}": dataclasses.replace(
            model, key=f"stochastic {n}", title=f"Stochastic {n}", slug=f"stochastic-{n}"
        )
        for n in range(40)
    }
    before = plan_site(archive)
    after = plan_site(dataclasses.replace(archive, papers={**archive.papers, **added}))
    pages = [path for path in before if before._jobs[path][0] == "papers_section.html.j2" and path in after._jobs]
    assert len(pages) > 10
    kept = [path for path in pages if before.render_key(path) == after.render_key(path)]
    assert None not in (before.render_key(path) for path in pages)
    assert 0 < len(kept) < len(pages)  # the other letters' pages keep their keys; the S pages do not
    assert not any(path.startswith("papers/az/s") for path in kept)
    for path in kept:
        assert before[path] == after[path], path


def test_a_papers_digest_covers_every_field_listed_or_not():
    """A paper page's key names the paper by a hash of its listing fields and the others:
    together they must be every field of Paper, or a new field would change pages whose
    keys stay the same."""
    import dataclasses

    from generator.model import Paper
    from generator.site.plan import LISTED_FIELDS, UNLISTED_FIELDS

    assert sorted(LISTED_FIELDS + UNLISTED_FIELDS) == sorted(field.name for field in dataclasses.fields(Paper))


def test_a_listing_hash_changes_with_every_field_a_listing_shows_and_only_those():
    """The listing and appearance hashes are made of the fields' own text: each listed
    field of a paper (LISTED_FIELDS and the code link) and each field of an appearance
    changes them; the fields a listing cannot show do not."""
    import dataclasses
    import datetime as dt

    from generator.model import Appearance, Link, Paper, PaperMeta
    from generator.site import plan as plan_module
    from generator.site.plan import LISTED_FIELDS, UNLISTED_FIELDS

    day = Appearance(dt.date(2025, 3, 1), 1, "T", "A", "2025-03-01.txt", 3)
    paper = Paper("t", "T", "A", (day,), slug="t", tags=("x",), links=(Link("https://github.com/a/b", "code"),))
    changed = {
        "key": "t2",
        "title": "T2",
        "abstract": "A2",
        "slug": "t-2",
        "appearances": (day, dataclasses.replace(day, date=dt.date(2025, 3, 2))),
        "tags": ("x", "y"),
        "meta": PaperMeta(arxiv_id="2503.00001"),
    }
    assert set(changed) == set(LISTED_FIELDS)
    base = plan_module._listing_hash(paper)
    for name, value in changed.items():
        assert plan_module._listing_hash(dataclasses.replace(paper, **{name: value})) != base, name
    assert plan_module._listing_hash(dataclasses.replace(paper, links=())) != base  # the code link
    unlisted = {"related": ("u",), "homonyms": ("h",), "aliases": ("a",), "alias_slugs": ("a",)}
    assert set(unlisted) | {"links"} == set(UNLISTED_FIELDS)
    for name, value in unlisted.items():
        assert plan_module._listing_hash(dataclasses.replace(paper, **{name: value})) == base, name
    other = {"date": dt.date(2025, 3, 2), "rank": 2, "title": "U", "abstract": "B"}
    where_read = {"source": "/elsewhere/2025-03-01.txt", "line": 4}  # for messages only
    assert set(other) | set(where_read) == {field.name for field in dataclasses.fields(Appearance)}
    for name, value in other.items():
        assert plan_module._appearance_hash(dataclasses.replace(day, **{name: value})) != plan_module._appearance_hash(
            day
        )
    for name, value in where_read.items():
        assert plan_module._appearance_hash(dataclasses.replace(day, **{name: value})) == plan_module._appearance_hash(
            day
        )


def test_every_file_keeps_its_key_and_content_when_the_digests_are_read_through_another_path(tmp_path):
    """Where a listing was read from (the digest's path as given, and its line) is for
    messages only: the same digests read through another path, or with lines added to
    a header, leave every file's render key and content as they are. A template that
    starts to show either fails here."""
    import dataclasses
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    from synth import write_archive

    write_archive(150, tmp_path)
    archive = build_model(load_digests(tmp_path).digests, load_taxonomy(REPO / "taxonomy.yml")).archive
    plan = plan_site(archive)

    def moved(paper):
        appearances = tuple(
            dataclasses.replace(a, source="/elsewhere/" + a.source.rpartition("/")[2], line=a.line + 7)
            for a in paper.appearances
        )
        return dataclasses.replace(paper, appearances=appearances)

    elsewhere = plan_site(dataclasses.replace(archive, papers={k: moved(p) for k, p in archive.papers.items()}))
    assert next(iter(elsewhere._archive.papers.values())).appearances[0].source.startswith("/elsewhere/")
    keyed = [path for path in plan if plan.render_key(path) is not None]
    assert len(keyed) > 300
    assert [elsewhere.render_key(path) for path in keyed] == [plan.render_key(path) for path in keyed]
    for path in plan:
        assert elsewhere[path] == plan[path], path


def test_listing_pages_keep_their_key_and_content_when_what_they_cannot_show_changes(tmp_path):
    """Day, week and topic-month pages, BibTeX files and the shards of the reader's index
    name each paper by a hash of what a listing can show (every field but related
    papers, namesakes, aliases and links other than the code link): a new day changes
    many related lists, which must not render those files again. The key stays, so the
    file must stay too, byte for byte: a template that starts to show one of those
    fields fails here."""
    import dataclasses
    import sys

    from generator.model import Link
    from generator.site.plan import CONTEXT_KEYED_TEMPLATES, plan_site

    sys.path.insert(0, str(REPO / "benchmarks"))
    from synth import write_archive

    write_archive(400, tmp_path)
    archive = build_model(load_digests(tmp_path).digests, load_taxonomy(REPO / "taxonomy.yml")).archive
    plan = plan_site(archive)

    def by_listing(path: str) -> bool:
        # Listing pages, BibTeX files and the shards of the reader's index.
        template, context = plan._jobs[path]
        if template is not None:
            return template in CONTEXT_KEYED_TEMPLATES
        return bool(context) and ("bib" in context or ("index" in context and not context.get("related")))

    pages = [path for path in plan if by_listing(path)]
    kinds = {path.rsplit(".", 1)[-1] for path in pages}
    assert len(pages) > 400 and kinds == {"md", "bib", "json"}, kinds
    keys = [plan.render_key(path) for path in pages]
    assert None not in keys
    contents = [plan[path] for path in pages]

    keys_list = list(archive.papers)
    edited = {
        key: dataclasses.replace(
            paper,
            related=tuple(reversed(keys_list[n + 1 : n + 4])),
            homonyms=(keys_list[n - 1],),
            aliases=(paper.key + " (old title)",),
            alias_slugs=(paper.slug + "-old",),
            links=(*paper.links, Link(f"https://example.org/{n}", "project")),
        )
        for n, (key, paper) in enumerate(archive.papers.items())
    }
    after = plan_site(dataclasses.replace(archive, papers=edited))
    assert [after.render_key(path) for path in pages] == keys
    assert [after[path] for path in pages] == contents
    # What a listing shows does change the key (here: the first paper's topics).
    first = next(iter(archive.papers.values()))
    shown = dataclasses.replace(first, tags=first.tags[1:] if first.tags else ("diffusion-models",))
    changed = plan_site(dataclasses.replace(archive, papers={**archive.papers, first.key: shown}))
    assert [changed.render_key(path) for path in pages] != keys


def test_context_keyed_templates_read_nothing_of_the_archive_beyond_their_context():
    """Their render key is their context and the taxonomy: a template (or a macro it
    imports) reading the whole archive, or the day sizes, would show what the key does
    not cover."""
    from jinja2 import meta, nodes

    from generator.site.plan import CONTEXT_KEYED_TEMPLATES, _environment

    one_day = [Digest("2025-03-28.txt", dt.date(2025, 3, 28), (DigestEntry("Alone", "Just one.", 1),))]
    env = _environment(build_model(one_day, NO_TAGS).archive, "Archive", "http://127.0.0.1:8000/")
    templates = REPO / "generator" / "site" / "templates"
    for name in (*CONTEXT_KEYED_TEMPLATES, "papers_section.html.j2", "_macros.html.j2"):
        # Every name read, globals included (find_undeclared_variables leaves those out).
        names = {node.name for node in env.parse((templates / name).read_text()).find_all(nodes.Name)}
        changing = {"archive", "day_sizes"}
        assert not names & changing, (name, names & changing)
        referenced = set(meta.find_referenced_templates(env.parse((templates / name).read_text())))
        assert referenced <= {"_macros.html.j2"}, (name, referenced)


def test_the_code_hash_follows_the_libraries_that_render_the_pages(monkeypatch):
    # It keys every render and the check that skips an unchanged generate: an upgraded
    # Jinja2 (or Python, MarkupSafe, python-slugify) must render the pages again.
    from generator.site import plan

    before = plan.generator_code_hash()
    monkeypatch.setattr(
        plan, "_LIBRARY_VERSIONS", (*plan._LIBRARY_VERSIONS[:1], "jinja2 99", *plan._LIBRARY_VERSIONS[2:])
    )
    assert plan.generator_code_hash() != before


def test_hashes_worked_out_elsewhere_give_the_same_keys_and_are_used(tmp_path, monkeypatch):
    """The pipeline works out the listing hashes beside the page plan (listing_hashes)
    and hands them over: every key must be the one the plan works out itself, and the
    plan must not work them out again."""
    import sys

    from generator.site import plan as plan_module
    from generator.site.plan import listing_hashes, plan_site

    sys.path.insert(0, str(REPO / "benchmarks"))
    from synth import write_archive

    write_archive(300, tmp_path)
    archive = build_model(load_digests(tmp_path).digests, load_taxonomy(REPO / "taxonomy.yml")).archive
    expected = {path: plan_site(archive).render_key(path) for path in plan_site(archive)}
    hashes = listing_hashes(archive)
    calls: list[str] = []
    real_hash = plan_module._short_hash
    monkeypatch.setattr(plan_module, "_short_hash", lambda text: calls.append(text) or real_hash(text))
    known = plan_site(archive)
    known.know(hashes)
    assert {path: known.render_key(path) for path in known} == expected
    listed_texts = {plan_module._listing_text(paper) for paper in archive.papers.values()}
    assert not listed_texts & set(calls)  # no paper's listing hashed again
    appearances = {plan_module._appearance_text(a) for paper in archive.papers.values() for a in paper.appearances}
    assert not appearances & set(calls)


@settings(max_examples=200, deadline=None)
@given(
    names=st.lists(st.text(alphabet="ab<>&\"' é", min_size=1, max_size=8), min_size=1, max_size=4),
    picks=st.lists(st.lists(st.integers(0, 3), max_size=4), min_size=1, max_size=6),
    root=st.sampled_from(["", "../", "../../", "a&b/"]),
    filter=st.booleans(),
)
def test_tag_chips_are_the_escaped_links_markup_format_makes(names, picks, root, filter):
    # The chips are made with escape() and f-strings, each chip once; they must be what
    # Markup.format made, for any tag name (the taxonomy is the user's) and any root.
    from markupsafe import Markup

    from generator.model import Tag
    from generator.site import urls
    from generator.site.plan import _tag_chips_helper

    tags = {f"t{n}": Tag(slug=f"t{n}", name=name, description="") for n, name in enumerate(names)}
    chips = _tag_chips_helper(tags)
    template = Markup('<a href="{}{}" data-pagefind-filter="topic">{}</a>' if filter else '<a href="{}{}">{}</a>')
    for pick in picks:
        slugs = tuple(dict.fromkeys(f"t{n % len(names)}" for n in pick))
        links = Markup("").join(template.format(root, urls.tag_url(slug), tags[slug].name) for slug in slugs)
        expected = Markup('<span class="da-tags">{}</span>').format(links) if slugs else Markup("")
        made = chips(slugs, root, filter)
        assert made == expected and isinstance(made, Markup)
        assert chips(slugs, root, filter) is made  # memoised


def test_each_template_renders_with_every_global_the_environment_has():
    # A page's template keeps a copy of the globals as a plain dict (Jinja copies them
    # into every page's context; from its ChainMap that took a lookup per name in
    # Python). The copy stays right only if no global is set once pages are rendered.
    archive = build_model(load_digests(FIXTURES / "archive").digests, load_taxonomy(REPO / "taxonomy.yml")).archive
    plan = plan_site(archive, "Digest Archive", "https://example.org/archive/")
    assert {path: plan[path] for path in plan} == fixture_files_at("https://example.org/archive/")
    assert len(plan._templates) >= 10
    for template in plan._templates.values():
        assert type(template.globals) is dict
        assert template.globals == dict(plan._env.globals)


def fixture_files_at(site_url: str) -> dict[str, str | bytes]:
    # The same files rendered by templates that read their globals through Jinja's own
    # ChainMap, loaded from an environment of their own.
    archive = build_model(load_digests(FIXTURES / "archive").digests, load_taxonomy(REPO / "taxonomy.yml")).archive
    plan = plan_site(archive, "Digest Archive", site_url)
    plan._env = _environment(archive, "Digest Archive", site_url)
    plan._template = lambda name: plan._env.get_template(name)  # type: ignore[method-assign]
    return {path: plan[path] for path in plan}


def search_months_of(dates: list[dt.date]) -> dict:
    """The generator's list of indexed pages by month for an archive of two new papers
    on each of ``dates`` (one about speech, one untagged), as the search plugin reads it."""
    taxonomy = Taxonomy((Tag(slug="speech", name="Speech", description="d", phrases=("speech",)),))
    digests = [
        Digest(
            f"{date}.txt",
            date,
            (
                DigestEntry(f"Speech recognition of {date}", unrelated_abstract(f"speech {date}"), 1),
                DigestEntry(f"Untagged paper of {date}", unrelated_abstract(f"other {date}"), 3),
            ),
        )
        for date in dates
    ]
    files = render_site(build_model(digests, taxonomy).archive)
    return json.loads(files[".digest-archive-search-months.json"])


def test_the_newest_week_lists_the_pages_a_day_of_it_can_change():
    # Thursday 1 May 2025 starts a month mid-week; Monday 5 May starts the newest week.
    dates = [dt.date(2025, 4, 29), dt.date(2025, 4, 30), dt.date(2025, 5, 1), dt.date(2025, 5, 5), dt.date(2025, 5, 6)]
    listed = search_months_of(dates)
    months = dict(listed["months"])
    assert sorted(months) == ["2025-04", "2025-05"]
    week = listed["newest_week"]
    # Papers first listed and days from Monday, the topic page and the newest month's
    # topic month; nothing from the days of the month before Monday.
    assert {page.split("/")[0] for page in week} == {"days", "papers", "tags"}
    assert [p for p in week if p.startswith("days/")] == ["days/2025-05-05/index.html", "days/2025-05-06/index.html"]
    assert len([p for p in week if p.startswith("papers/")]) == 4
    assert [p for p in week if p.startswith("tags/")] == ["tags/speech/2025-05/index.html", "tags/speech/index.html"]
    assert set(week) < set(months["2025-05"])
    assert {p for p in months["2025-05"] if p not in week} == {
        "days/2025-05-01/index.html",
        *[p for p in months["2025-05"] if p.startswith("papers/") and p not in week],
    }
    assert len(months["2025-05"]) - len(week) == 3  # 1 May: its day and two papers

    # The week of 1 May began in April: only May's pages are in it.
    listed = search_months_of(dates[:3])
    assert sorted(listed["newest_week"]) == sorted(dict(listed["months"])["2025-05"])
    assert "days/2025-04-30/index.html" not in listed["newest_week"]
