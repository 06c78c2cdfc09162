"""Identity with arXiv ids: structured and text digests side by side."""

from __future__ import annotations

import datetime as dt

from generator.analysis.assemble import build_model
from generator.analysis.identity import build_archive
from generator.analysis.matching import best_match
from generator.analysis.taxonomy import Taxonomy
from generator.model import PaperMeta
from generator.sources.records import Digest, DigestEntry

NO_TAGS = Taxonomy(tags=())
ABSTRACT = "We propose a post-training quantization framework for large vision-language models, with results."


def text(date, *entries):
    return Digest(
        f"{date}.txt", dt.date.fromisoformat(date), tuple(DigestEntry(t, a, n) for n, (t, a) in enumerate(entries))
    )


def structured(date, *entries, fetched=None):
    return Digest(
        f"{date}.json",
        dt.date.fromisoformat(date),
        tuple(
            DigestEntry(t, a, n, PaperMeta(arxiv_id=i, upvotes=v, upvotes_on=fetched))
            for n, (t, a, i, v) in enumerate(entries)
        ),
    )


def test_a_text_listing_joins_the_paper_with_its_id_and_keeps_the_title_key():
    archive = build_archive(
        [
            text("2025-03-10", ("Q-VLM: Post-training Quantization", ABSTRACT)),
            structured("2025-03-11", ("Q-VLM: Post-Training Quantization", ABSTRACT, "2503.07000", 12)),
            text("2025-03-12", ("q-vlm post-training quantization", ABSTRACT)),
        ]
    )
    (paper,) = archive.papers.values()
    assert paper.key == "q vlm post training quantization"  # the URL does not change when an id arrives
    assert paper.meta.arxiv_id == "2503.07000" and len(paper.appearances) == 3


def test_one_day_with_a_text_and_a_structured_digest_lists_each_paper_once():
    archive = build_archive(
        [
            text("2025-03-11", ("Q-VLM", ABSTRACT), ("Other", "Another abstract entirely.")),
            structured("2025-03-11", ("Q-VLM", ABSTRACT, "2503.07000", 1), ("New One", "New.", "2503.07001", 2)),
        ]
    )
    (day,) = archive.days
    assert len(day.paper_keys) == 3 and len(archive.papers) == 3


def test_two_ids_under_one_title_are_two_papers_even_with_the_same_abstract():
    archive = build_archive(
        [
            structured("2025-03-10", ("Same Title", ABSTRACT, "2503.00001", 1)),
            structured("2025-03-11", ("Same Title", ABSTRACT, "2503.00002", 1)),
        ]
    )
    assert len(archive.papers) == 2
    assert {p.meta.arxiv_id for p in archive.papers.values()} == {"2503.00001", "2503.00002"}
    model = build_model(
        [
            structured("2025-03-10", ("Same Title", ABSTRACT, "2503.00001", 1)),
            structured("2025-03-11", ("Same title!", ABSTRACT, "2503.00002", 1)),
        ],
        NO_TAGS,
    )
    assert len(model.archive.papers) == 2  # near-duplicate text, different ids: never merged


def test_versions_of_an_id_and_a_changed_title_are_one_paper_with_the_newest_votes():
    archive = build_archive(
        [
            structured("2025-03-10", ("First Title", ABSTRACT, "2503.00001v1", 3), fetched=dt.date(2025, 3, 10)),
            structured(
                "2025-03-12", ("Renamed Entirely", "New abstract.", "2503.00001v2", 9), fetched=dt.date(2025, 3, 20)
            ),
        ]
    )
    (paper,) = archive.papers.values()
    assert paper.title == "First Title" and paper.title_variants == ("Renamed Entirely",)
    assert paper.meta.upvotes == 9 and paper.meta.upvotes_on == dt.date(2025, 3, 20)


def test_cached_metadata_with_the_id_of_another_paper_merges_them():
    digests = [
        structured("2025-03-10", ("Q-VLM: Post-training Quantization", ABSTRACT, "2503.07000", 5)),
        text("2025-03-11", ("QVLM - Post training quantisation", "Different words in this digest's copy of it.")),
    ]
    separate = build_model(digests, NO_TAGS).archive
    assert len(separate.papers) == 2
    (text_key,) = [k for k, p in separate.papers.items() if not p.meta.arxiv_id]
    merged = build_model(digests, NO_TAGS, cached={text_key: PaperMeta(arxiv_id="2503.07000")}).archive
    (paper,) = merged.papers.values()
    assert len(paper.appearances) == 2 and paper.aliases == (text_key,)


def test_a_search_result_is_accepted_only_on_a_near_exact_title_and_the_abstract_breaks_ties():
    (paper,) = build_archive([text("2025-03-10", ("Q-VLM: Post-training Quantization", ABSTRACT))]).papers.values()

    def result(title, summary, arxiv_id):
        return {"paper": {"id": arxiv_id, "title": title, "summary": summary}}

    assert best_match(paper, [result("Q-VLM 2: Faster Quantization", ABSTRACT, "1")]) is None
    assert (
        best_match(paper, [result("Q-VLM: Post-training Quantization", "A different paper on cooking.", "2")]) is None
    )
    chosen = best_match(
        paper,
        [
            result("Q-VLM: Post-Training Quantization", "We propose something else for models.", "3"),
            result("Q-VLM: Post-training Quantization", ABSTRACT + " Code is online.", "4"),
        ],
    )
    assert chosen["id"] == "4"
