"""Tags from the keyword taxonomy: loading, validation and matching."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import ArchiveError
from generator.parse import Digest, DigestEntry
from generator.model import Tag
from generator.pipeline import build_model
from generator.tags import TagMatcher, load_taxonomy, parse_taxonomy, word_tokens

from .helpers import REPO


def matcher(*phrases: str) -> TagMatcher:
    return TagMatcher((Tag(slug="t", name="T", description="", phrases=phrases),))


def test_phrases_match_whole_words_case_and_punctuation_insensitively():
    tags = matcher("score-based", "prun*", "LLM", "N:M sparsity", "Schr\"odinger bridge*").tags_of
    assert tags("A Score Based model") == ("t",)
    assert tags("a score-based, model") == ("t",)
    assert tags("structured pruning of nets") == ("t",)
    assert tags("we PRUNE weights") == ("t",)
    assert tags("LLM agents") == ("t",)
    assert tags("robust N:M sparsity training") == ("t",)
    assert tags("computational Schr\"odinger Bridges (SB)") == ("t",)
    assert tags("LLMs") == ()  # whole words only: plural must be listed
    assert tags("unpruned") == ()  # a * extends the end of a word, not the start
    assert tags("scorebased") == ()
    assert tags("N:M") == ()  # every word of a phrase must be there, in order
    assert tags("sparsity N:M") == ()


def test_matcher_agrees_with_a_plain_regex_reference_on_random_texts():
    words = ["score", "based", "pruning", "pruned", "llm", "llms", "n", "m", "sparsity", "x", "-", ",", " "]
    phrases = ("score-based", "prun*", "LLM", "N:M sparsity")
    reference = re.compile(
        r"(?<!\w)(?:score\W+based|prun\w*|llm|n\W+m\W+sparsity)(?!\w)", re.IGNORECASE
    )
    match = matcher(*phrases).tags_of
    rng = random.Random(7)
    for _ in range(2000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 8)))
        assert bool(match(text)) == bool(reference.search(text)), text


def test_tags_come_from_title_and_abstract_in_taxonomy_order():
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
    archive = build_model([Digest("a.txt", dt.date(2025, 1, 1), entries)], taxonomy)
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


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(max_codepoint=127)), st.text()))
def test_word_tokens_are_the_words_of_the_regex(text):
    # The ASCII fast path must split exactly as \w+ does on the lower-cased text.
    assert word_tokens(text) == re.findall(r"\w+", text.lower())
