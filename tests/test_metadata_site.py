"""End to end: a build from text and structured digests, the same paper in both, read
back from the HTML of a real ``mkdocs build --strict``."""

from __future__ import annotations

import gzip
import json

import pytest
from bs4 import BeautifulSoup

from .helpers import FIXTURES, build_project, pagefind_documents

MIXED = FIXTURES / "mixed"
HOSTILE_NAMES = ["<script>alert('x')</script>", '{Brace "Quote"', "נעמה לוי"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_project(tmp_path_factory.mktemp("mixed"), MIXED)


def page(site, path):
    return BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "html.parser")


def paper_folder(site, prefix):
    (folder,) = [p for p in (site / "papers").iterdir() if p.is_dir() and p.name.startswith(prefix)]
    return folder


def test_a_paper_in_a_text_and_a_json_digest_is_one_page_listing_both_days(site):
    folders = [p for p in (site / "papers").iterdir() if p.is_dir() and p.name.startswith("q-vlm")]
    assert len(folders) == 1
    soup = page(site, folders[0].relative_to(site))
    days = [a.get_text() for a in soup.select(".da-appearances a")]
    assert days == ["Mar 10, 2025", "Mar 11, 2025"]
    # Each day lists it once.
    day = page(site, "days/2025-03-11")
    assert len([e for e in day.select("li.da-entry") if "Q-VLM" in e.h2.get_text()]) == 1


def test_paper_page_shows_metadata_links_and_the_machine_summary_apart(site):
    soup = page(site, paper_folder(site, "q-vlm").relative_to(site))
    assert [b.get_text() for b in soup.select(".da-authors bdi")] == [f"Given{n} Family{chr(65 + n)}" for n in range(9)]
    links = {a["href"] for a in soup.select(".da-paper-links a")}
    assert [a.get_text() for a in soup.select(".da-paper-links a")] == [
        "arXiv",
        "PDF",
        "Hugging Face",
        "GitHub",
        "Cite",
    ]
    assert {
        "https://arxiv.org/abs/2503.07000",
        "https://arxiv.org/pdf/2503.07000",
        "https://huggingface.co/papers/2503.07000",
        "https://github.com/example/qvlm",
    } <= links
    facts = soup.select_one(".da-facts").get_text(" ", strip=True)
    assert soup.select_one(".da-arxiv").get_text() == "arXiv:2503.07000" and "Published Mar 10, 2025" in facts
    assert "12 upvotes on Hugging Face as of Mar 18, 2025" in facts
    assert "GitHub 57 stars as of Mar 18, 2025" in soup.select_one(".da-paper-links").get_text()
    summary = soup.select_one("aside.da-ai-summary")
    assert summary.h2.get_text() == "Machine-written summary"
    assert "A machine wrote this one sentence." in summary.get_text()
    assert "A machine wrote" not in soup.select_one(".da-abstract").get_text()
    # The abstract as the first listing gave it (the text digest's), exactly.
    assert soup.select_one(".da-abstract").get_text().endswith("with 50\\% less memory.")


def test_citation_tags_bibtex_and_bib_files(site):
    folder = paper_folder(site, "q-vlm")
    soup = page(site, folder.relative_to(site))
    tags = [(m["name"], m["content"]) for m in soup.find_all("meta") if m.get("name", "").startswith("citation_")]
    assert ("citation_title", "Q-VLM: Post-training Quantization for Large Vision-Language Models") in tags
    assert [value for name, value in tags if name == "citation_author"] == [
        f"Given{n} Family{chr(65 + n)}" for n in range(9)
    ]
    assert ("citation_arxiv_id", "2503.07000") in tags
    assert ("citation_pdf_url", "https://arxiv.org/pdf/2503.07000") in tags
    assert ("citation_publication_date", "2025/03/10") in tags
    bib = soup.select_one("pre.da-bibtex code").get_text()
    assert bib.startswith("@misc{familya2025qvlm-") and "eprint = {2503.07000}" in bib
    assert "archivePrefix = {arXiv}" in bib and "author = {Given0 FamilyA and Given1 FamilyB" in bib
    # The .bib file is the entry on the page; the day's and the archive's hold it too.
    assert (folder.parent / f"{folder.name}.bib").read_text(encoding="utf-8") == bib
    assert bib in (site / "days" / "2025-03-11.bib").read_text(encoding="utf-8")
    archive_bib = (site / "archive.bib").read_text(encoding="utf-8")
    assert archive_bib.count("@misc{") == 4 and bib in archive_bib
    keys = [line.split("{", 1)[1].rstrip(",") for line in archive_bib.splitlines() if line.startswith("@misc{")]
    assert len(set(keys)) == 4


def test_hostile_author_names_are_shown_exactly_everywhere(site):
    folder = paper_folder(site, "hostile-authors")
    soup = page(site, folder.relative_to(site))
    assert [b.get_text() for b in soup.select(".da-authors bdi")] == HOSTILE_NAMES
    assert [m["content"] for m in soup.find_all("meta", attrs={"name": "citation_author"})] == HOSTILE_NAMES
    assert not soup.select("article script")
    day = page(site, "days/2025-03-11")
    entry = [e for e in day.select("li.da-entry") if "Hostile" in e.h2.get_text()][0]
    assert [b.get_text() for b in entry.select(".da-entry-authors bdi")] == HOSTILE_NAMES
    # In BibTeX, the unbalanced brace is written so that the entry still parses.
    bib = (folder.parent / f"{folder.name}.bib").read_text(encoding="utf-8")
    assert "\\textbraceleft{}Brace" in bib and "<script>alert('x')</script>" in bib


def test_listings_fold_long_author_lists_and_carry_votes(site):
    day = page(site, "days/2025-03-11")
    entries = day.select("li.da-entry")
    qvlm = [e for e in entries if "Q-VLM" in e.h2.get_text()][0]
    assert (
        qvlm.select_one(".da-entry-authors").get_text()
        == "Given0 FamilyA, Given1 FamilyB, Given2 FamilyC and 6 more authors"
    )
    assert [e.get("data-votes") for e in entries] == ["12", "41", "1"]
    assert day.select_one(".da-sort").has_attr("hidden")  # shown by the script only
    earlier = page(site, "days/2025-03-10").select("li.da-entry")
    assert [e.get("data-votes") for e in earlier] == ["12", None]  # the paper's votes, wherever it is listed


def test_most_voted_pages_rank_by_votes_with_their_date(site):
    week = page(site, "top/2025-W11")
    titles = [a.get_text() for a in week.select("ol.da-voted > li > a")]
    assert titles[:3] == [
        "Hostile Authors in a Listing",
        "Q-VLM: Post-training Quantization for Large Vision-Language Models",
        "A Paper With Few Votes",
    ]
    assert "as of Mar 18, 2025" in week.select_one("ol.da-voted").get_text()
    index = page(site, "top")
    assert index.find("a", string="March 2025")


def test_a_topics_bibtex_holds_the_papers_its_page_lists(site):
    bibs = list((site / "tags").glob("*/*.bib"))
    assert bibs
    for bib in bibs:
        topic = BeautifulSoup((bib.parent / "index.html").read_text(encoding="utf-8"), "html.parser")
        listed = len(topic.select("#latest ~ ol.da-entries > li"))
        assert bib.read_text(encoding="utf-8").count("@misc{") == listed > 0
        assert topic.find("a", href=lambda h: h and h.endswith(f"/{bib.name}"), download=True)


def test_archive_json_carries_the_metadata(site):
    data = json.loads(gzip.decompress((site / "archive.json.gz").read_bytes()))
    paper = [p for p in data["papers"] if p["title"].startswith("Q-VLM")][0]
    assert paper["arxiv_id"] == "2503.07000" and paper["authors"][0] == "Given0 FamilyA"
    assert paper["upvotes"] == {"count": 12, "as_of": "2025-03-18"}
    assert paper["github_stars"] == {"count": 57, "as_of": "2025-03-18"}
    text_only = [p for p in data["papers"] if p["title"].startswith("A Text-Only")][0]
    assert "arxiv_id" not in text_only and "authors" not in text_only


def test_search_indexes_authors_and_arxiv_ids(site):
    documents = pagefind_documents(site)
    (qvlm,) = [doc for url, doc in documents.items() if "q-vlm" in url]
    assert "2503.07000" in qvlm["content"] and "Given8 FamilyI" in qvlm["content"]


def test_the_demo_archive_shows_authors_links_and_bibtex(tmp_path):
    from .helpers import REPO

    assert sorted(p.suffix for p in (REPO / "digests").iterdir()).count(".json") >= 1
    site = build_project(tmp_path / "demo", REPO / "digests")
    with_authors = [
        p
        for p in (site / "papers").iterdir()
        if p.is_dir() and p.name != "az" and "da-authors" in (p / "index.html").read_text()
    ]
    assert len(with_authors) >= 3
    soup = BeautifulSoup((with_authors[0] / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.select_one("pre.da-bibtex") and soup.find("a", href=lambda h: h and h.startswith("https://arxiv.org/"))
    assert (site / "top" / "index.html").is_file() and (site / "archive.bib").is_file()
    # Every title, abstract and author of the structured digest, shown exactly (the demo's
    # hostile item carries markup, LaTeX, Markdown and template syntax).
    shown = {}
    for folder in (site / "papers").iterdir():
        if folder.is_dir() and folder.name != "az":
            paper = BeautifulSoup((folder / "index.html").read_text(encoding="utf-8"), "html.parser")
            abstract = paper.select_one(".da-abstract")
            authors = tuple(b.get_text() for b in paper.select(".da-authors bdi"))
            shown[paper.h1.get_text()] = (abstract.get_text() if abstract else "", authors)
    for item in json.loads((REPO / "digests" / "2025-03-11.json").read_text(encoding="utf-8"))["items"]:
        listed = item["paper"]
        assert shown[listed["title"]] == (listed["summary"], tuple(a["name"] for a in listed["authors"]))


def test_title_searches_are_offered_only_for_papers_without_an_arxiv_id(site):
    with_id = page(site, paper_folder(site, "q-vlm").relative_to(site))
    without = page(site, paper_folder(site, "a-text-only").relative_to(site))

    def searches(html):
        return [a["href"] for a in html.select(".da-paper-links a") if "search" in a["href"]]

    assert searches(with_id) == []
    assert searches(without)[0].startswith("https://arxiv.org/search/?query=")


def test_a_broken_structured_digest_is_named_and_skipped_or_refused_under_strict(tmp_path):
    from .helpers import make_project, run_cli

    digests = tmp_path / "digests"
    digests.mkdir()
    (digests / "2025-03-10.txt").write_text((MIXED / "2025-03-10.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (digests / "2025-03-11.json").write_text(
        '{"date": "2025-03-11", "items": [{"paper": {"title": "Cut', encoding="utf-8"
    )
    (digests / "2025-03-12.json").write_text(
        json.dumps({"date": "2025-03-12", "items": [{"paper": {"id": "2503.1"}}, {"title": "Kept", "summary": "S."}]}),
        encoding="utf-8",
    )
    project = make_project(tmp_path / "project")
    lenient = run_cli("build", "--digests", str(digests), cwd=project)
    assert lenient.returncode == 0, lenient.stderr
    assert "2025-03-11.json:1: not valid JSON" in lenient.stderr
    assert "2025-03-12.json: item 1: no title; left out" in lenient.stderr
    strict = run_cli("build", "--digests", str(digests), "--strict", cwd=project)
    assert strict.returncode == 1 and "Traceback" not in strict.stderr
    assert "1 bad digest and 1 unreadable listing; nothing was written (--strict)" in strict.stderr


def test_topic_feeds_name_each_papers_authors(site):
    import feedparser

    authors = {}
    for feed_file in (site / "feeds" / "tags").glob("*.xml"):
        for entry in feedparser.parse(feed_file.read_bytes()).entries:
            authors[entry.title] = [author.get("name") for author in entry.get("authors", [])]
    assert authors["Q-VLM: Post-training Quantization for Large Vision-Language Models"] == [
        f"Given{n} Family{chr(65 + n)}" for n in range(9)
    ]
    assert authors["A Text-Only Paper About Graph Neural Networks"] == []  # no authors known: the feed's own applies
