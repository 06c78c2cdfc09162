"""Tags from the keyword taxonomy: loading, validation and matching."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.dedupe import build_archive
from generator.errors import ArchiveError
from generator.parse import Digest, DigestEntry
from generator.tags import assign_tags, load_taxonomy, parse_taxonomy, phrase_pattern

from .helpers import REPO


def test_phrases_match_whole_words_case_and_hyphen_insensitively():
    pattern = phrase_pattern(("score-based", "prun*", "LLM"))
    assert pattern.search("A Score Based model")
    assert pattern.search("structured pruning of nets")
    assert pattern.search("we PRUNE weights")
    assert pattern.search("LLM agents")
    assert not pattern.search("LLMs")  # whole words only: plural must be listed
    assert not pattern.search("unpruned")  # a * extends the end of a word, not the start
    assert not pattern.search("scorebased")


def test_assign_tags_uses_title_and_abstract_in_taxonomy_order():
    taxonomy = parse_taxonomy(
        {
            "tags": {
                "speech": {"name": "Speech", "description": "d", "phrases": ["speech"]},
                "graphs": {"name": "Graphs", "description": "d", "phrases": ["graph neural network*"]},
                "rl": {"name": "RL", "description": "d", "phrases": ["reinforcement learning"]},
            }
        }
    )
    entries = (
        DigestEntry("Graph Neural Networks for Speech", "Nothing else.", 1),
        DigestEntry("Untitled", "We use reinforcement learning.", 3),
        DigestEntry("Nothing", "Matches here.", 5),
    )
    archive = assign_tags(build_archive([Digest("a.txt", dt.date(2025, 1, 1), entries)]), taxonomy)
    assert {p.title: p.tags for p in archive.papers.values()} == {
        "Graph Neural Networks for Speech": ("speech", "graphs"),
        "Untitled": ("rl",),
        "Nothing": (),
    }
    assert [t.slug for t in archive.tags] == ["speech", "graphs", "rl"]


@pytest.mark.parametrize(
    "document, message",
    [
        ([], "expected a mapping"),
        ({"tags": {"Bad Slug": {"name": "x", "phrases": ["x"]}}}, "lower-case words"),
        ({"tags": {"ok": {"phrases": ["x"]}}}, "'name'"),
        ({"tags": {"ok": {"name": "x", "phrases": []}}}, "'phrases'"),
        ({"tags": {"ok": {"name": "x", "phrases": ["*"]}}}, "'phrases'"),
        ({"tags": {"ok": {"name": "x", "phrases": ["x"], "description": 3}}}, "'description'"),
    ],
)
def test_bad_taxonomy_is_a_clear_error(document, message):
    with pytest.raises(ArchiveError, match=message):
        parse_taxonomy(document, "t.yml")


def test_invalid_yaml_names_the_file(tmp_path):
    bad = tmp_path / "taxonomy.yml"
    bad.write_text("tags:\n  x: [unclosed\n")
    with pytest.raises(ArchiveError, match="taxonomy.yml is not valid YAML"):
        load_taxonomy(bad)


def test_shipped_taxonomy_loads_with_descriptions():
    tags = load_taxonomy(REPO / "taxonomy.yml")
    assert len(tags) >= 20
    assert all(tag.description for tag in tags)
    assert len({tag.slug for tag in tags}) == len(tags)
