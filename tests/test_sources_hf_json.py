"""Structured digests: the JSON the Daily Papers API gives, read into records."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.errors import DigestError
from generator.sources.hf_json import parse_json_digest

from .helpers import REPO

SHARED_API = REPO.parent / "shared" / "api" / "daily_papers_example.json"


def document(items, date="2025-03-11", fetched="2025-03-12T06:00:00Z"):
    return json.dumps({"date": date, "fetched": fetched, "items": items}).encode()


def test_the_shape_of_the_real_api_is_read_with_every_field():
    example = json.loads(SHARED_API.read_bytes()) if SHARED_API.exists() else None
    if example is None:
        pytest.skip("../shared/api is not beside this checkout")
    digest = parse_json_digest(json.dumps(example).encode(), "2025-03-11.json")
    assert digest.date == dt.date(2025, 3, 11) and len(digest.entries) == len(example)
    first = digest.entries[0]
    assert first.title == example[0]["paper"]["title"] and first.abstract == example[0]["paper"]["summary"]
    meta = first.meta
    assert meta.arxiv_id == example[0]["paper"]["id"]
    assert meta.authors == tuple(a["name"] for a in example[0]["paper"]["authors"])
    assert meta.upvotes == example[0]["paper"]["upvotes"] and meta.upvotes_on is None  # a bare list: no fetch date
    assert meta.published == dt.date(2025, 3, 10)


def test_counts_are_dated_by_the_fetch_and_bad_fields_are_unknown():
    items = [
        {
            "paper": {
                "id": "2503.07000",
                "title": "T",
                "summary": "S",
                "upvotes": 5,
                "githubStars": 9,
                "githubRepo": "https://github.com/a/b",
                "projectPage": "javascript:alert(1)",
            }
        },
        {"paper": {"id": "../../etc/passwd", "title": "U", "summary": "S", "upvotes": True, "publishedAt": "soon"}},
    ]
    first, second = parse_json_digest(document(items), "x.json").entries
    assert first.meta.upvotes_on == dt.date(2025, 3, 12) and first.meta.stars_on == dt.date(2025, 3, 12)
    assert first.meta.project_page == ""  # not an http(s) link: not linked
    assert second.meta.arxiv_id == "" and second.meta.upvotes is None and second.meta.published is None


@pytest.mark.parametrize(
    ("data", "source", "message"),
    [
        (b'{"date": "2025-03-11", "items": [', "2025-03-11.json", "2025-03-11.json:1: not valid JSON"),
        (b'[{"paper": {"title": "T"}}]', "listing.json", "needs its date in the file name"),
        (document([{"title": "T"}], date="2025-03-12"), "2025-03-11.json", "file name says 2025-03-11"),
        (document([]), "2025-03-11.json", "no papers"),
        (b'"just a string"', "2025-03-11.json", "expected a JSON object"),
        (b"\xff\xfe", "2025-03-11.json", "not valid UTF-8"),
    ],
)
def test_a_broken_structured_digest_is_an_error_naming_the_file(data, source, message):
    with pytest.raises(DigestError) as caught:
        parse_json_digest(data, source)
    assert source in str(caught.value) and message in str(caught.value)


def test_an_item_without_a_title_or_with_control_characters_is_left_out_and_named():
    items = [{"paper": {"id": "2503.1"}}, {"paper": {"title": "Bell\u0007", "summary": "S"}}, {"title": "Kept"}]
    digest = parse_json_digest(document(items), "2025-03-11.json")
    assert [e.title for e in digest.entries] == ["Kept"]
    assert digest.problems == (
        "2025-03-11.json: item 1: no title; left out",
        "2025-03-11.json: item 2: control character U+0007 in its title; left out",
    )


@given(st.lists(st.text(min_size=1).filter(lambda t: t.strip()), min_size=1, max_size=5))
def test_property_author_names_and_titles_are_read_exactly(names):
    clean = [n for n in names if not any(ord(c) < 32 and c not in "\t\n\r" or ord(c) == 127 for c in n)]
    items = [{"paper": {"title": name, "summary": name, "authors": [{"name": n} for n in clean]}} for name in clean]
    if not clean:
        return
    digest = parse_json_digest(document(items), "2025-03-11.json")
    assert [e.title for e in digest.entries] == clean
    assert all(e.meta.authors == tuple(clean) for e in digest.entries)
