"""The benchmark's synthetic archive has the shape the benchmark README promises."""

from __future__ import annotations

import sys

from generator.analysis.assemble import build_model
from generator.analysis.taxonomy import load_taxonomy
from generator.pipeline import load_digests

from .helpers import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from synth import write_archive  # noqa: E402


def test_synthetic_archive_is_realistic_and_parses_strictly(tmp_path):
    counts = write_archive(1500, tmp_path)
    loaded = load_digests(tmp_path)
    assert loaded.problems == ()
    archive = build_model(loaded.digests, load_taxonomy(REPO / "taxonomy.yml")).archive
    # Some repeats come back with a changed title word; near-duplicate merging folds
    # them back into the 1,500 papers written.
    assert len(archive.papers) == 1500
    assert archive.merges
    sizes = [len(day.paper_keys) for day in archive.days[:-1]]  # the last day may be cut short
    assert min(sizes) >= 40 and max(sizes) <= 60
    repeats = sum(len(p.appearances) - 1 for p in archive.papers.values())
    assert 0.10 <= repeats / counts["appearances"] <= 0.17
    for paper in archive.papers.values():
        assert 1300 <= len(paper.abstract) <= 1900
        gaps = [
            (b - a).days
            for a, b in zip(tuple(a.date for a in paper.appearances), tuple(a.date for a in paper.appearances)[1:])
        ]
        assert all(gap <= 30 for gap in gaps)
    # Abstracts name a topic or two: most papers get tags, none more than the taxonomy's cap.
    assert sum(1 for p in archive.papers.values() if p.tags) > 0.9 * len(archive.papers)
    # Papers on the same made-up subjects: most lists are full, none longer than five.
    # Related lists as long as real ones: the labelled real digests list 1.5 a paper with
    # the mutual-neighbour rule (evaluation/README.md); most papers list some, a few five.
    listed = [len(p.related) for p in archive.papers.values()]
    assert 1.2 <= sum(listed) / len(listed) <= 3.0
    assert sum(1 for n in listed if n) > 0.7 * len(listed)
    assert sum(1 for n in listed if n == 5) > 0.05 * len(listed)
    assert all(len(p.related) <= 5 for p in archive.papers.values())
    assert all(digest.source.endswith(f"{digest.date.isoformat()}.txt") for digest in loaded.digests)
