"""The benchmark's synthetic archive has the shape the benchmark README promises."""

from __future__ import annotations

import sys

from generator.dedupe import build_archive
from generator.pipeline import load_digests

from .helpers import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from synth import write_archive  # noqa: E402


def test_synthetic_archive_is_realistic_and_parses_strictly(tmp_path):
    counts = write_archive(1500, tmp_path)
    loaded = load_digests(tmp_path)
    assert loaded.problems == ()
    archive = build_archive(loaded.digests)
    assert len(archive.papers) == 1500
    sizes = [len(day.paper_keys) for day in archive.days[:-1]]  # the last day may be cut short
    assert min(sizes) >= 40 and max(sizes) <= 60
    repeats = sum(len(p.appearances) - 1 for p in archive.papers.values())
    assert 0.10 <= repeats / counts["appearances"] <= 0.17
    for paper in archive.papers.values():
        assert 1300 <= len(paper.abstract) <= 1900
        gaps = [(b - a).days for a, b in zip(paper.dates, paper.dates[1:])]
        assert all(gap <= 30 for gap in gaps)
    assert all(digest.source.endswith(f"{digest.date.isoformat()}.txt") for digest in loaded.digests)
