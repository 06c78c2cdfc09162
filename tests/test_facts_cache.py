"""Each paper's links, tags and slug kept between runs (the facts file beside site_src):
used only for papers whose text, taxonomy and code are those they were worked out with."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from generator.analysis.assemble import build_model, facts_key
from generator.analysis.taxonomy import load_taxonomy
from generator.config import load_config
from generator.model import NO_META, Appearance, Link, Paper, PaperMeta
from generator.pipeline import FACTS_FORMAT, facts_file, load_digests, read_facts, write_facts

from .helpers import FIXTURES, REPO, make_project, run_cli


def fixture_model(**options):
    digests = load_digests(FIXTURES / "archive").digests
    return build_model(digests, load_taxonomy(REPO / "taxonomy.yml"), **options)


def test_known_facts_are_used_and_the_others_worked_out():
    fresh = fixture_model()
    papers = list(fresh.archive.papers.values())
    assert set(fresh.facts) == {facts_key(p) for p in papers}
    chosen = papers[0]
    planted = ((Link("https://example.org/planted", "code"),), ("planted-topic",), ((chosen.key, "planted-slug"),))
    model = fixture_model(known_facts={facts_key(chosen): planted})
    paper = model.archive.papers[chosen.key]
    assert paper.tags == ("planted-topic",) and paper.slug == "planted-slug"
    assert paper.links == planted[0]
    # Every other paper is as a run without known facts makes it.
    for key, other in fresh.archive.papers.items():
        if key != chosen.key:
            assert model.archive.papers[key].tags == other.tags
            assert model.archive.papers[key].slug == other.slug


def test_any_change_to_what_the_facts_are_made_from_changes_the_key():
    paper = next(p for p in fixture_model().archive.papers.values() if not p.abstract_variants)
    key = facts_key(paper)
    changes = [
        {"title": paper.title + "!"},
        {"abstract": paper.abstract + " "},
        {"appearances": (*paper.appearances, dataclasses.replace(paper.appearances[0], abstract="another wording"))},
        {"aliases": (*paper.aliases, "another key")},
        {"meta": dataclasses.replace(paper.meta, ai_keywords=("diffusion",))},
    ]
    for change in changes:
        assert facts_key(dataclasses.replace(paper, **change)) != key, change
    # Not what other papers or other days bring: being listed again keeps the facts.
    again = dataclasses.replace(paper.appearances[0], date=paper.appearances[0].date.replace(year=2030))
    assert facts_key(dataclasses.replace(paper, appearances=(*paper.appearances, again), related=())) == key


def test_the_facts_file_round_trips_and_is_ignored_when_stale_or_damaged(tmp_path):
    model = fixture_model()
    facts, counts = dict(model.facts), dict(model.word_counts)
    assert counts
    path = tmp_path / ".site_src.facts.pickle"
    write_facts(path, "fingerprint-1", facts, counts)
    assert read_facts(path, "fingerprint-1") == (facts, counts)
    assert read_facts(path, "another taxonomy or code") == ({}, {})
    header = pickle.dumps((FACTS_FORMAT, "fingerprint-1"))
    damaged = (b"", b"{not a pickle", path.read_bytes()[:50], header, header + pickle.dumps([1, 2]))
    for damage in (*damaged, header + pickle.dumps(([1], {})), header + pickle.dumps(({}, [2]))):
        path.write_bytes(damage)
        assert read_facts(path, "fingerprint-1") == ({}, {})
    assert read_facts(tmp_path / "missing.json", "fingerprint-1") == ({}, {})
    # An unwritable place costs nothing but the next run's work.
    write_facts(tmp_path / "no-such-folder" / "facts.pickle", "fingerprint-1", facts, counts)


def test_known_word_counts_are_used_and_give_the_same_vectors_as_counting_again():
    from generator.analysis.related import count_words, text_key, weigh

    texts = ["diffusion models for audio", "graph networks", "diffusion models for audio", "sparse attention"]
    counts, rows = count_words(texts)
    assert set(rows) == {text_key(text) for text in texts}
    # A planted row is taken as it is, not counted again.
    planted = {**rows, text_key("graph networks"): rows[text_key("sparse attention")]}
    again, _ = count_words(texts, planted)
    assert (again[1] != counts[1]).nnz and (again[1] != counts[3]).nnz == 0
    # Known rows give exactly the matrix, and so the vectors, that counting gives.
    known, _ = count_words(texts, rows)
    assert (known != counts).nnz == 0 and known.dtype == counts.dtype
    assert (weigh(known) != weigh(counts)).nnz == 0


def test_generate_keeps_the_facts_beside_site_src_for_one_taxonomy_and_analysis_code(tmp_path, monkeypatch):
    from generator import pipeline

    project = make_project(tmp_path / "project")
    (project / "archive.yml").write_text("{}\n")
    result = run_cli("generate", "--digests", str(FIXTURES / "archive"), cwd=project)
    assert result.returncode == 0, result.stderr
    path = project / ".site_src.facts.pickle"
    assert path.is_file() and facts_file(load_config(project / "archive.yml")) == path
    assert not (project / "site_src" / path.name).exists()  # never published
    taxonomy = load_taxonomy(project / "taxonomy.yml")
    fingerprint = pipeline._facts_fingerprint(taxonomy)
    kept, counts = read_facts(path, fingerprint)
    assert (
        counts
        and kept
        and all(isinstance(links, tuple) and isinstance(tags, tuple) for links, tags, _ in kept.values())
    )
    # Another taxonomy, or other analysis code, is another fingerprint: the facts are not used.
    renamed = dataclasses.replace(taxonomy, tags=taxonomy.tags[1:])
    assert pipeline._facts_fingerprint(renamed) != fingerprint
    monkeypatch.setattr(pipeline, "facts_code_hash", lambda: "edited analysis code")
    assert pipeline._facts_fingerprint(taxonomy) != fingerprint


DAILY_MODEL = """
import pickle, sys
from generator.analysis.assemble import build_model
from generator.analysis.taxonomy import load_taxonomy
from generator.pipeline import load_digests
from tests.helpers import FIXTURES, REPO

with open(sys.argv[1], "rb") as stream:
    facts, counts = pickle.load(stream)
digests = load_digests(FIXTURES / "archive").digests
daily = build_model(digests, load_taxonomy(REPO / "taxonomy.yml"), known_facts=facts, known_counts=counts)
with open(sys.argv[1], "wb") as stream:
    pickle.dump(daily, stream)
print("sklearn" in sys.modules)
"""


def test_a_daily_run_counts_only_the_new_listings_and_never_imports_scikit_learn(tmp_path):
    """The new day's texts are counted in the run's own process without importing
    scikit-learn (a second and a half), and the model is the one a run without known
    counts makes."""
    digests = load_digests(FIXTURES / "archive").digests
    earlier = build_model(digests[:-1], load_taxonomy(REPO / "taxonomy.yml"))
    state = tmp_path / "state.pickle"
    state.write_bytes(pickle.dumps((earlier.facts, earlier.word_counts)))
    result = subprocess.run(
        [sys.executable, "-c", DAILY_MODEL, str(state)], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False"]
    daily, full = pickle.loads(state.read_bytes()), fixture_model()
    assert daily.archive == full.archive and daily.word_counts == full.word_counts
    assert set(daily.word_counts) > set(earlier.word_counts)


def test_texts_counted_on_every_core_give_the_model_counted_in_one_process(monkeypatch):
    from generator.analysis import related

    expected = fixture_model()
    monkeypatch.setattr(related, "ROWS_PER_CHUNK", 3)  # a first run's many texts: workers
    model = fixture_model()
    assert model.archive == expected.archive and model.word_counts == expected.word_counts


_part = st.text(alphabet=st.sampled_from(["a", "b", ",", ";", "\n", "\0", "\ud800", "é"]), max_size=6)


def _paper_of(key, aliases, title, abstract, variants, with_meta):
    day = dt.date(2025, 3, 1)
    appearances = (Appearance(day, 1, title, abstract, "d.txt", 1),) + tuple(
        Appearance(day + dt.timedelta(days=n + 1), 1, title, variant, "d.txt", 1) for n, variant in enumerate(variants)
    )
    meta = PaperMeta(arxiv_id="2501.00001") if with_meta else NO_META
    return Paper(key, title, abstract, appearances, aliases=tuple(aliases), meta=meta)


def _facts_of(paper):
    return (paper.key, paper.aliases, paper.title, paper.abstract, paper.abstract_variants, paper.meta)


@given(st.data(), st.integers(0, 2), st.integers(0, 2), st.booleans(), st.booleans())
def test_two_papers_made_of_different_parts_never_share_a_key(data, aliases, variants, meta_a, meta_b):
    """The key's text is unambiguous: the same characters cut into parts another way
    (text moved from the key to an alias, an alias to the title, an abstract to a later
    variant, ...) give another key, and no text (lone surrogates from a JSON digest
    included) makes it fail."""
    count = 3 + aliases + variants

    def cut(whole, cuts):
        bounds = [0, *sorted(cuts), len(whole)]
        return [whole[start:end] for start, end in zip(bounds, bounds[1:])]

    def paper(parts, alias_count, with_meta):
        return _paper_of(
            parts[0],
            parts[1 : 1 + alias_count],
            parts[1 + alias_count],
            parts[2 + alias_count],
            parts[3 + alias_count :],
            with_meta,
        )

    whole = data.draw(st.lists(_part, min_size=2, max_size=4).map("".join))
    positions = st.lists(st.integers(0, len(whole)), min_size=count - 1, max_size=count - 1)
    first = paper(cut(whole, data.draw(positions)), aliases, meta_a)
    other_aliases = data.draw(st.integers(0, 2))
    other_count = 3 + other_aliases + data.draw(st.integers(0, 2))
    second_cuts = data.draw(st.lists(st.integers(0, len(whole)), min_size=other_count - 1, max_size=other_count - 1))
    second = paper(cut(whole, second_cuts), other_aliases, meta_b)
    assert (facts_key(first) == facts_key(second)) == (_facts_of(first) == _facts_of(second))
