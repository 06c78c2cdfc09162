"""map_in_chunks: the same results as a plain loop, in order, from several processes;
in_background: work beside the block, waited for and its errors raised."""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import ArchiveError
from generator.parallel import (
    TAIL_FLOOR,
    TAIL_SHARE,
    chunk_bounds,
    collections_paused,
    in_background,
    map_in_chunks,
)
from generator.site.write import write_site


def square_with_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_results_are_in_order_and_come_from_worker_processes():
    done = []
    results = map_in_chunks(square_with_pid, range(5000), on_chunk=done.append, workers=2)
    assert [square for square, _ in results] == [n * n for n in range(5000)]
    assert os.getpid() not in {pid for _, pid in results}
    assert sum(done) == 5000


def test_solo_items_go_one_at_a_time_then_chunks_in_order():
    done = []
    results = map_in_chunks(square_with_pid, range(3000), on_chunk=done.append, workers=2, chunk_size=500, solo=7)
    assert [square for square, _ in results] == [n * n for n in range(3000)]
    assert done[:7] == [1] * 7
    assert sum(done) == 3000


@settings(max_examples=300, deadline=None)
@given(
    count=st.integers(0, 20_000),
    chunk_size=st.integers(1, 1000),
    workers=st.integers(1, 8),
    solo=st.integers(0, 50),
)
def test_chunks_cover_the_items_in_order_and_shrink_towards_the_end(count, chunk_size, workers, solo):
    bounds = chunk_bounds(count, chunk_size, workers, solo)
    starts = [start for start, _ in bounds]
    ends = [end for _, end in bounds]
    assert starts == [0, *ends[:-1]][: len(starts)]  # each chunk starts where the last ended
    assert (ends[-1] if ends else 0) == count
    sizes = [end - start for start, end in bounds]
    first = min(solo, count)
    assert sizes[:first] == [1] * first
    rest = sizes[first:]
    assert all(0 < size <= chunk_size for size in rest)
    assert rest == sorted(rest, reverse=True)  # never a big chunk after a small one
    smallest = max(1, chunk_size // TAIL_FLOOR)
    for (start, end), size in zip(bounds[first:], rest, strict=True):
        # A quarter of each worker's share of what is left, but never below the floor.
        left = count - start
        assert size <= max(smallest, -(-left // (TAIL_SHARE * workers))) or size == left


def test_the_heavy_items_at_the_end_are_shared_out():
    # The site's heaviest pages sort last: 40 items of 10 units of work after 5,000 of one.
    bounds = chunk_bounds(5040, 500, 2)
    assert max(min(end, 5040) - max(start, 5000) for start, end in bounds) <= 10


def test_meanwhile_runs_here_once_while_the_workers_work():
    for items, workers in ((range(5000), 2), (range(10), 2)):
        done: list[int] = []
        seen: list[tuple[int, int]] = []
        results = map_in_chunks(
            square_with_pid,
            items,
            on_chunk=done.append,
            workers=workers,
            meanwhile=lambda: seen.append((os.getpid(), sum(done))),
        )
        assert seen == [(os.getpid(), 0)]  # in this process, before any result was taken
        assert [square for square, _ in results] == [n * n for n in items]


def test_small_work_stays_in_this_process():
    results = map_in_chunks(square_with_pid, range(10), workers=2)
    assert {pid for _, pid in results} == {os.getpid()}


def fail_on_1234(n: int) -> int:
    if n == 1234:
        raise ValueError("bad item 1234")
    return n


def test_an_error_in_a_worker_is_raised_here():
    with pytest.raises(ValueError, match="bad item 1234"):
        map_in_chunks(fail_on_1234, range(3000), workers=2)


def test_parallel_write_writes_every_file_exactly(tmp_path):
    files = {f"papers/p{n:05d}.md": f"paper {n}\n" * (n % 7 + 1) for n in range(3000)}
    report = write_site(tmp_path, files)
    assert len(report.written) == 3000
    assert {p: (tmp_path / p).read_text() for p in files} == files
    assert write_site(tmp_path, files).written == ()


def test_background_work_runs_in_another_process_beside_the_block_and_is_waited_for(tmp_path):
    marker = tmp_path / "done"

    def work() -> None:
        time.sleep(0.5)
        marker.write_text(str(os.getpid()))

    started = time.monotonic()
    with in_background(work):
        assert not marker.exists()  # the block does not wait for it
        time.sleep(0.5)
    assert marker.read_text() != str(os.getpid())
    assert time.monotonic() - started < 0.95  # the two half seconds overlapped


def test_an_error_in_background_work_is_raised_after_the_block():
    def work() -> None:
        raise ArchiveError("cannot clear .site_src.previous")

    ran = []
    with pytest.raises(ArchiveError, match="cannot clear .site_src.previous"), in_background(work):
        ran.append(True)
    assert ran == [True]


def test_an_unexpected_error_in_background_work_is_an_archive_error_not_a_traceback():
    def work() -> None:
        raise PermissionError(13, "Permission denied")

    with pytest.raises(ArchiveError, match="PermissionError"), in_background(work):
        pass


def test_the_blocks_own_error_comes_first(tmp_path):
    def work() -> None:
        raise ArchiveError("background")

    with pytest.raises(ValueError, match="block"), in_background(work):
        raise ValueError("block")


def test_collections_are_paused_in_the_block_and_as_before_after_it():
    import gc

    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with collections_paused():
            assert not gc.isenabled()
            raise RuntimeError("out of the block")
    assert gc.isenabled()
    gc.disable()
    try:
        with collections_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_what_a_paused_block_makes_inside_a_frozen_heap_joins_it():
    """Inside frozen_heap, the objects a collections_paused block made are frozen when it
    ends, so no later collection walks them (at 50,000 papers the page plan's cost 0.9 s
    of collections); the outer block's end unfreezes them. Outside, nothing is frozen."""
    import gc

    from generator.parallel import frozen_heap

    assert gc.get_freeze_count() == 0
    with collections_paused():
        outside = [[n] for n in range(10_000)]
    assert gc.get_freeze_count() == 0
    with frozen_heap():
        before = gc.get_freeze_count()
        with collections_paused():
            inside = [[n] for n in range(10_000)]
        assert gc.get_freeze_count() >= before + len(inside)
        assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert len(outside) == len(inside)
