"""Duplicates: one paper per normalised title; same-date digests merged into one day."""

from __future__ import annotations

import datetime as dt
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.analysis.identity import build_archive, title_key
from generator.pipeline import load_digests
from generator.sources.records import Digest, DigestEntry

from .helpers import FIXTURES


def digest(source: str, date: dt.date, *titles: str) -> Digest:
    entries = tuple(
        DigestEntry(title=t, abstract=f"Abstract of {t} on {date}.", line=n) for n, t in enumerate(titles, 1)
    )
    return Digest(source=source, date=date, entries=entries)


def test_title_key_folds_case_punctuation_spacing_and_unicode_forms():
    assert title_key("Q-VLM:  Post-Training Quantization") == "q vlm post training quantization"
    assert title_key("q vlm post training quantization!") == "q vlm post training quantization"
    assert title_key("Ｆｕｌｌｗｉｄｔｈ ＴＩＴＬＥ") == title_key("fullwidth title")  # NFKC
    assert title_key("Straße") == title_key("STRASSE")  # case folding, not just lower()
    assert title_key("Don’t Play Favorites") == title_key("Don't play favorites")
    assert title_key("Sub-gradient Methods") != title_key("Subgradient Methods")
    assert title_key("???") == "???"  # all punctuation still has an identity


def test_same_paper_on_several_days_is_one_paper_with_every_appearance():
    day1, day2, day3 = dt.date(2025, 3, 1), dt.date(2025, 3, 2), dt.date(2025, 3, 5)
    archive = build_archive(
        [
            digest("c.txt", day3, "Other", "Robust Training"),
            digest("a.txt", day1, "Robust training", "Unique"),
            digest("b.txt", day2, "ROBUST TRAINING."),
        ]
    )
    paper = archive.papers[title_key("Robust Training")]
    assert tuple(a.date for a in paper.appearances) == (day1, day2, day3)
    assert [a.rank for a in paper.appearances] == [1, 1, 2]
    assert paper.title == "Robust training"  # the first appearance's text
    assert paper.title_variants == ("ROBUST TRAINING.", "Robust Training")
    assert len(archive.papers) == 3
    assert [d.date for d in archive.days] == [day1, day2, day3]


def test_two_digests_of_one_date_merge_into_one_day_in_file_name_order():
    date = dt.date(2025, 3, 1)
    archive = build_archive([digest("b.txt", date, "B1", "Shared"), digest("a.txt", date, "A1", "Shared", "A2")])
    (day,) = archive.days
    assert [archive.papers[k].title for k in day.paper_keys] == ["A1", "Shared", "A2", "B1"]
    assert [archive.papers[k].appearances[0].source for k in day.paper_keys] == ["a.txt", "a.txt", "a.txt", "b.txt"]
    assert len(archive.papers["shared"].appearances) == 1


def test_fixture_archive_counts():
    loaded = load_digests(FIXTURES / "archive")
    assert loaded.problems == ()
    archive = build_archive(loaded.digests)
    assert len(archive.papers) == 5
    assert [d.date.isoformat() for d in archive.days] == ["2024-12-30", "2025-01-02", "2025-01-05"]
    assert sum(len(p.appearances) for p in archive.papers.values()) == 7
    jan2 = archive.days[1]
    assert len(jan2.paper_keys) == 4
    on_jan2 = [next(a for a in archive.papers[k].appearances if a.date == jan2.date) for k in jan2.paper_keys]
    assert len({listing.source for listing in on_jan2}) == 2


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_title_key_folds_exactly_the_punctuation_symbol_separator_and_control_categories(title):
    text = unicodedata.normalize("NFKC", title).casefold()
    folded = "".join(" " if unicodedata.category(c)[0] in "PSZC" else c for c in text)
    assert title_key(title) == (" ".join(folded.split()) or " ".join(text.split()))


# --- Near-duplicates ----------------------------------------------------------------

ABSTRACT = (
    "We study sparse training of transformers at scale and show that a simple schedule for the "
    "density of each layer matches dense accuracy on language modelling while cutting compute. "
    "Code: https://github.com/example/sparse-schedules."
)
OTHER_ABSTRACT = (
    "Quantized attention kernels for long context inference: we design integer kernels for "
    "attention on commodity accelerators, with error bounds and measured latency wins."
)


def near_duplicate_model(*listings: tuple[dt.date, str, str]):
    from generator.analysis.assemble import build_model
    from generator.analysis.taxonomy import Taxonomy

    digests = [
        Digest(f"{date.isoformat()}.txt", date, (DigestEntry(title, abstract, 1),))
        for date, title, abstract in listings
    ]
    return build_model(digests, Taxonomy(())).archive


def test_a_changed_title_word_over_the_same_abstract_is_one_paper():
    first, second = dt.date(2025, 3, 1), dt.date(2025, 3, 4)
    archive = near_duplicate_model(
        (first, "Simple Density Schedules for Sparse Transformers", ABSTRACT),
        (second, "Simple Density Schedules for Sparse Transformer Training", ABSTRACT + " "),
    )
    assert len(archive.papers) == 1
    paper = archive.papers[title_key("Simple Density Schedules for Sparse Transformers")]
    assert tuple(a.date for a in paper.appearances) == (first, second)
    assert paper.title_variants == ("Simple Density Schedules for Sparse Transformer Training",)
    assert paper.aliases == (title_key("Simple Density Schedules for Sparse Transformer Training"),)
    assert [day.paper_keys for day in archive.days] == [(paper.key,), (paper.key,)]
    [merge] = archive.merges
    assert (merge.kept, merge.merged) == (paper.key, paper.aliases[0])
    assert 80 <= merge.title_score < 100 and merge.abstract_score > 99


def test_the_first_listed_title_is_kept_whichever_sorts_first():
    archive = near_duplicate_model(
        (dt.date(2025, 3, 4), "Alpha Density Schedules for Sparse Transformers", ABSTRACT),
        (dt.date(2025, 3, 1), "Zeta Density Schedules for Sparse Transformers", ABSTRACT),
    )
    [paper] = archive.papers.values()
    assert paper.title == "Zeta Density Schedules for Sparse Transformers"


def test_similar_titles_over_different_abstracts_stay_apart():
    archive = near_duplicate_model(
        (dt.date(2025, 3, 1), "Simple Density Schedules for Sparse Transformers", ABSTRACT),
        (dt.date(2025, 3, 2), "Simple Density Schedules for Quantized Transformers", OTHER_ABSTRACT),
    )
    assert len(archive.papers) == 2 and archive.merges == ()


def test_the_same_abstract_under_a_different_title_stays_apart():
    archive = near_duplicate_model(
        (dt.date(2025, 3, 1), "Simple Density Schedules for Sparse Transformers", ABSTRACT),
        (dt.date(2025, 3, 2), "A Completely Different Paper Name", ABSTRACT),
    )
    assert len(archive.papers) == 2


def test_a_merged_title_keeps_its_url_as_a_redirect_and_the_report_lists_the_merge():
    from generator.analysis.slugs import paper_slug
    from generator.reports import duplicates_report
    from generator.site.plan import render_site

    later_title = "Simple Density Schedules for Sparse Transformer Training"
    alone = near_duplicate_model((dt.date(2025, 3, 4), later_title, ABSTRACT))
    old_url = f"papers/{alone.papers[title_key(later_title)].slug}"
    # An older digest with the other spelling arrives: the paper keeps the first title,
    # and the URL readers already had still leads to it.
    archive = near_duplicate_model(
        (dt.date(2025, 3, 1), "Simple Density Schedules for Sparse Transformers", ABSTRACT),
        (dt.date(2025, 3, 4), later_title, ABSTRACT),
    )
    [paper] = archive.papers.values()
    assert paper.alias_slugs == (paper_slug(title_key(later_title)),)
    files = render_site(archive)
    redirect = files[f"{old_url}/index.html"]
    assert f'<meta http-equiv="refresh" content="0; url=../{paper.slug}/">' in redirect
    assert f'<link rel="canonical" href="../{paper.slug}/">' in redirect
    assert f"papers/{paper.slug}.md" in files
    report = duplicates_report(archive)
    assert "1 near-duplicate(s) merged" in report
    assert f"  kept:   Simple Density Schedules for Sparse Transformers  [papers/{paper.slug}/]" in report
    assert f"  merged: {later_title}" in report
    assert "abstract 100.0" in report


# --- Same title, different papers ------------------------------------------------------

TRANSFORMER = (
    "The dominant sequence transduction models are based on complex recurrent or convolutional neural networks"
    " that include an encoder and a decoder. We propose a new simple network architecture, the Transformer,"
    " based solely on attention mechanisms, dispensing with recurrence and convolutions entirely."
)
UNRELATED = (
    "We study the problem of estimating a sparse covariance matrix from heavy-tailed samples and give a robust"
    " estimator whose error matches the minimax rate up to logarithmic factors, with experiments on finance data."
)


def entries_digest(source: str, date: dt.date, *entries: tuple[str, str]) -> Digest:
    return Digest(source, date, tuple(DigestEntry(t, a, n) for n, (t, a) in enumerate(entries, 1)))


def test_titles_differing_in_case_and_punctuation_on_one_day_with_different_abstracts_are_two_papers():
    day = dt.date(2025, 3, 1)
    archive = build_archive(
        [
            entries_digest(
                "a.txt", day, ("Attention Is All You Need", TRANSFORMER), ("Attention is all you need!", UNRELATED)
            )
        ]
    )
    assert len(archive.papers) == 2 and len(archive.days[0].paper_keys) == 2
    first, second = (archive.papers[key] for key in archive.days[0].paper_keys)
    assert (first.title, first.abstract) == ("Attention Is All You Need", TRANSFORMER)
    assert (second.title, second.abstract) == ("Attention is all you need!", UNRELATED)
    assert first.key == "attention is all you need" and second.key.startswith("attention is all you need\n")
    assert first.homonyms == (second.key,) and second.homonyms == (first.key,)
    (group,) = archive.homonyms
    assert group.keys == (first.key, second.key) and group.abstract_score < 60


def test_same_title_on_other_days_with_an_unrelated_abstract_is_another_paper_and_a_revision_is_not():
    revised = TRANSFORMER.replace("a new simple network architecture", "a simple new architecture") + " Code soon."
    archive = build_archive(
        [
            entries_digest("1.txt", dt.date(2025, 3, 1), ("Attention Is All You Need", TRANSFORMER)),
            entries_digest("2.txt", dt.date(2025, 3, 2), ("Attention is all you need!", UNRELATED)),
            entries_digest("3.txt", dt.date(2025, 3, 3), ("ATTENTION IS ALL YOU NEED", revised)),
            entries_digest("4.txt", dt.date(2025, 3, 4), ("Attention is all you need", TRANSFORMER[:200])),
        ]
    )
    assert len(archive.papers) == 2
    original = archive.papers["attention is all you need"]
    assert [a.date.day for a in original.appearances] == [1, 3, 4]  # the revision and a truncated copy
    (other,) = [p for p in archive.papers.values() if p is not original]
    assert [a.date.day for a in other.appearances] == [2] and other.abstract == UNRELATED


def test_the_second_papers_identity_depends_on_its_own_abstract_only():
    def second_key(*more: Digest) -> str:
        archive = build_archive(
            [
                entries_digest("1.txt", dt.date(2025, 3, 1), ("Attention Is All You Need", TRANSFORMER)),
                entries_digest("2.txt", dt.date(2025, 3, 2), ("Attention is all you need!", UNRELATED)),
                *more,
            ]
        )
        (key,) = [key for key in archive.papers if key.startswith("attention is all you need\n")]
        return key

    later = entries_digest("9.txt", dt.date(2025, 4, 1), ("Unrelated", "Another abstract entirely about graphs."))
    assert second_key() == second_key(later)


def test_same_title_papers_get_pages_slugs_export_and_a_duplicates_report_entry():
    import gzip
    import json

    from generator.analysis.assemble import build_model
    from generator.analysis.taxonomy import Taxonomy
    from generator.reports import duplicates_report
    from generator.site.plan import render_site

    archive = build_model(
        [
            entries_digest("1.txt", dt.date(2025, 3, 1), ("Attention Is All You Need", TRANSFORMER)),
            entries_digest("2.txt", dt.date(2025, 3, 2), ("Attention is all you need!", UNRELATED)),
        ],
        Taxonomy(()),
    ).archive
    slugs = sorted(paper.slug for paper in archive.papers.values())
    assert len(set(slugs)) == 2 and all(slug.startswith("attention-is-all-you-need-") for slug in slugs)
    files = render_site(archive)
    for paper in archive.papers.values():
        page = files[f"papers/{paper.slug}.md"]
        assert "Other papers with this title" in page
        (other,) = [p for p in archive.papers.values() if p is not paper]
        assert f'href="../{other.slug}/"' in page
    exported = json.loads(gzip.decompress(files["archive.json.gz"]))["papers"]
    assert sorted((p["title"], p["abstract"]) for p in exported) == sorted(
        [("Attention Is All You Need", TRANSFORMER), ("Attention is all you need!", UNRELATED)]
    )
    report = duplicates_report(archive)
    assert "1 title(s) listed for different papers, kept apart" in report
    assert all(f"[papers/{slug}/]" in report for slug in slugs)
