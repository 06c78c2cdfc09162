"""The compact paper index of the reading list and /for-you/ (generator/site/reader_index.py)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.analysis.assemble import build_model
from generator.analysis.taxonomy import load_taxonomy
from generator.pipeline import load_digests
from generator.site import reader_index
from generator.site.plan import render_site
from generator.site.urls import url

from .helpers import FIXTURES, REPO

READER_SCRIPT = REPO / "theme_overrides" / "assets" / "javascripts" / "archive-reader.js"


def fixture_archive():
    return build_model(load_digests(FIXTURES / "archive").digests, load_taxonomy(REPO / "taxonomy.yml")).archive


def test_shard_count_is_a_power_of_two_growing_with_the_archive():
    assert reader_index.shard_count(0) == 1
    assert reader_index.shard_count(reader_index.PAPERS_PER_SHARD) == 1
    assert reader_index.shard_count(reader_index.PAPERS_PER_SHARD + 1) == 2
    assert reader_index.shard_count(50_000) == 256
    # Adding a day of papers changes the count only when the archive doubles.
    assert reader_index.shard_count(40_000) == reader_index.shard_count(50_000)


def test_fnv1a_matches_the_reference_values():
    # FNV-1a 32-bit test vectors (Fowler, Noll, Vo).
    assert reader_index.fnv1a("") == 0x811C9DC5
    assert reader_index.fnv1a("a") == 0xE40C292C
    assert reader_index.fnv1a("foobar") == 0xBF9CF968


@given(st.lists(st.text(max_size=40), max_size=40))
def test_the_hashes_worked_out_together_are_each_texts_own(texts):
    """fnv1a_all (shard_members' hash of every slug at once) gives fnv1a of each text:
    any Unicode, empty texts, texts of every length side by side."""
    assert reader_index.fnv1a_all(texts) == [reader_index.fnv1a(text) for text in texts]
    assert reader_index.fnv1a_all(["", "a", "foobar"]) == [0x811C9DC5, 0xE40C292C, 0xBF9CF968]


@pytest.mark.skipif(not shutil.which("node"), reason="node not installed")
@settings(max_examples=20, deadline=None)
@given(st.lists(st.from_regex(r"[a-z0-9][a-z0-9-]{0,68}", fullmatch=True), min_size=1, max_size=30))
def test_the_reader_script_finds_each_paper_in_the_shard_the_generator_put_it_in(slugs):
    # The script's own fnv1a, cut out of archive-reader.js and run by node.
    source = READER_SCRIPT.read_text()
    start = source.index("  function fnv1a(text)")
    end = source.index("\n  }\n", start) + 4
    program = source[start:end] + f"\nconsole.log(JSON.stringify({json.dumps(slugs)}.map(fnv1a)));"
    result = subprocess.run(["node", "-e", program], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == [reader_index.fnv1a(slug) for slug in slugs]


def test_every_paper_is_in_exactly_one_shard_with_its_fields_exactly_as_listed():
    archive = fixture_archive()
    files = render_site(archive)
    shards = reader_index.shard_count(len(archive.papers))
    found = {}
    for number in range(shards):
        document = json.loads(files[url("reader_shard", number=number)])
        assert document["fields"] == list(reader_index.FIELDS)
        assert document["shards"] == shards
        for record in document["papers"]:
            paper = dict(zip(document["fields"], record, strict=True))
            # Topics are numbers into the file's own list of slugs.
            paper["topics"] = [document["topics"][number] for number in paper["topics"]]
            assert reader_index.shard_of(paper["slug"], shards) == number
            assert paper["slug"] not in found
            found[paper["slug"]] = paper
    by_slug = {paper.slug: paper for paper in archive.papers.values()}
    assert set(found) == set(by_slug)
    for slug, record in found.items():
        paper = by_slug[slug]
        assert record["title"] == paper.title
        assert record["first"] == paper.first_seen.isoformat()
        assert record["last"] == paper.last_seen.isoformat()
        assert record["topics"] == list(paper.tags)
        assert "related" not in record
    # The hazard title is in the index as the digest wrote it.
    assert any("``golden'' Seeds, [m]times [n] Grids and |Omega| Sets" in r["title"] for r in found.values())


def test_recent_papers_are_those_of_the_latest_days_newest_first():
    archive = fixture_archive()
    latest = archive.days[-1:]
    keys = reader_index.recent_keys(archive, days=1)
    assert keys and {archive.papers[key].slug for key in keys} == {p.slug for p in archive.papers_on(latest[0])}
    everything = reader_index.recent_keys(archive, days=len(archive.days))
    assert len(everything) == len(archive.papers)
    lasts = [archive.papers[key].last_seen for key in everything]
    assert lasts == sorted(lasts, reverse=True)
    document = json.loads(render_site(archive)[url("reader_recent")])
    assert document["days"] == [day.date.isoformat() for day in archive.days[-reader_index.RECENT_DAYS :]]
    assert [record[0] for record in document["papers"]] == [
        archive.papers[key].slug for key in reader_index.recent_keys(archive)
    ]
    # The recent papers carry their related papers, for /for-you/.
    related = document["fields"].index("related")
    for record in document["papers"]:
        paper = next(p for p in archive.papers.values() if p.slug == record[0])
        assert record[related] == [archive.papers[key].slug for key in paper.related]


def test_search_filter_choices_name_every_topic_and_year():
    archive = fixture_archive()
    choices = json.loads(render_site(archive)[url("search_filters")])
    assert sorted(choices["topics"]) == sorted(tag.name for tag in archive.tags)
    assert choices["years"] == sorted({p.first_seen.year for p in archive.papers.values()}, reverse=True)
    assert choices["authors"] is False
