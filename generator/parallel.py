"""Spread per-item work over the machine's cores, keeping results in order.

Rendering and writing 50,000 pages, or tagging 50,000 abstracts, is independent work per
item. Worker processes are forked once the model is built, so they read the model and the
work function from the parent's memory instead of receiving them pickled; only the small
results travel back. Where fork is unavailable, or the work is too small to pay for
starting processes, everything runs in this process.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import multiprocessing.connection
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Generic, NoReturn, TypeVar

from .errors import ArchiveError

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS_PER_WORKER = 1000
CHUNK_SIZE = 500

# The job of the current map_in_chunks call, inherited by forked workers.
_job: tuple[Callable, Sequence] | None = None
# How many frozen_heap blocks are open (gc.unfreeze would end the outermost's too).
_frozen = 0


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Leave every object that exists now out of the garbage collector's work until the
    block ends (``gc.freeze``); blocks may nest.

    Once the model is built, the process holds millions of objects, none of them in a
    reference cycle (frozen dataclasses, strings, tuples). Without this, every full
    collection triggered by later work (parsing a 24 MB manifest, rendering pages)
    walks all of them again; and a forked worker's collections would touch, and so
    copy, every page of the parent's memory.
    """
    global _frozen
    gc.freeze()
    _frozen += 1
    try:
        yield
    finally:
        _frozen -= 1
        if not _frozen:
            gc.unfreeze()


@contextmanager
def collections_paused() -> Iterator[None]:
    """No automatic garbage collection while the block runs (``gc.disable``), as before
    it afterwards.

    For blocks that build millions of objects in no reference cycle (the model, the
    page plan): each full collection would walk every object made so far, and they come
    more often as the heap grows (at 50,000 papers, about a second of the model's
    build). What cyclic garbage the block leaves is collected once it ends, except
    inside a :func:`frozen_heap` block: there what the block made joins the frozen heap
    (the outer block's end unfreezes it). Left to the collector, the first collections
    after the page plan walked its millions of objects again: 0.9 s at 50,000 papers.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _frozen:
            gc.freeze()
        if was_enabled:
            gc.enable()


def worker_count() -> int:
    """Cores this process may use (its CPU affinity where the OS reports one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def map_in_chunks(
    function: Callable[[T], R],
    items: Sequence[T],
    on_chunk: Callable[[int], None] | None = None,
    workers: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    min_items_per_worker: int = MIN_ITEMS_PER_WORKER,
    solo: int = 0,
    meanwhile: Callable[[], None] | None = None,
) -> list[R]:
    """``[function(item) for item in items]``, computed in parallel where it pays.

    Items go to workers ``chunk_size`` at a time; a worker is started only for each
    ``min_items_per_worker`` items (large items, such as whole files, want both lower).
    The first ``solo`` items go one at a time: put there the items that may take long,
    so that one of them does not hold up a chunk of others while the other workers run
    out of work. ``on_chunk(n)`` is called in this process each time ``n`` more items
    are done, for progress reports. ``meanwhile()``, if given, runs in this process while
    the workers work (or before the items, without workers): this process only waits
    for them otherwise. An exception raised by ``function`` is raised here.
    """
    global _job
    workers = min(workers or worker_count(), max(1, len(items) // min_items_per_worker))
    if workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
        if meanwhile is not None:
            meanwhile()
        results: list[R] = []
        for start in range(0, len(items), chunk_size):
            results.extend(function(item) for item in items[start : start + chunk_size])
            if on_chunk:
                on_chunk(min(chunk_size, len(items) - start))
        return results
    chunks = chunk_bounds(len(items), chunk_size, workers, solo)
    _job = (function, items)
    try:
        with frozen_heap():
            context = multiprocessing.get_context("fork")
            with context.Pool(workers) as pool:
                results = []
                done = pool.imap(_run_chunk, chunks)
                if meanwhile is not None:
                    meanwhile()
                for chunk in done:
                    results.extend(chunk)
                    if on_chunk:
                        on_chunk(len(chunk))
                return results
    finally:
        _job = None


# Near the end, a chunk holds at most 1/TAIL_SHARE of each worker's share of the items
# left, and no fewer than 1/TAIL_FLOOR of chunk_size items (each chunk costs a message).
TAIL_SHARE = 4
TAIL_FLOOR = 50


def chunk_bounds(count: int, chunk_size: int, workers: int, solo: int = 0) -> list[tuple[int, int]]:
    """``(start, end)`` of each chunk of ``count`` items: the first ``solo`` items one at a
    time, then ``chunk_size`` at a time, then, once fewer than ``TAIL_SHARE * workers``
    chunks are left, smaller and smaller chunks (guided scheduling), down to
    ``chunk_size / TAIL_FLOOR``.

    Items are not all alike: the files of a site are sorted by path, so its heaviest pages
    (weeks, topics) come last. With chunks of one size the last chunk taken could hold
    seconds of work while every other worker had finished; each chunk of the tail is at
    most a quarter of what each worker has left, so the workers finish close together.
    """
    solo = min(solo, count)
    bounds = [(start, start + 1) for start in range(solo)]
    smallest = max(1, chunk_size // TAIL_FLOOR)
    start = solo
    while start < count:
        left = count - start
        size = min(left, max(smallest, min(chunk_size, -(-left // (TAIL_SHARE * workers)))))
        bounds.append((start, start + size))
        start += size
    return bounds


def _run_chunk(bounds: tuple[int, int]) -> list:
    assert _job is not None, "a worker runs only inside map_in_chunks"
    function, items = _job
    return [function(item) for item in items[bounds[0] : bounds[1]]]


class Background(Generic[R]):
    """``function()`` running in a forked process (see :func:`in_background`)."""

    def __init__(self, function: Callable[[], R]) -> None:
        self._function = function
        self._outcome: tuple[bool, object] | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        if "fork" not in multiprocessing.get_all_start_methods():
            return  # run by result(), in this process
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        with frozen_heap():  # the child's collections do not copy the parent's pages
            self._process = context.Process(target=_run_in_background, args=(function, sender), daemon=True)
            self._process.start()
        sender.close()

    def result(self) -> R:
        """Wait for the function; return its value, or raise what it raised as an
        :class:`~generator.errors.ArchiveError` (never a traceback)."""
        if self._outcome is None:
            if self._process is None:
                self._outcome = _outcome_of(self._function)
            else:
                try:
                    # Before join: a large value fills the pipe until it is read.
                    self._outcome = self._receiver.recv()
                except EOFError:
                    self._outcome = (False, "the background process stopped before it finished")
                self._process.join()
                self._receiver.close()
        succeeded, value = self._outcome
        if not succeeded:
            raise ArchiveError(str(value))
        return value  # type: ignore[return-value]


@contextmanager
def in_background(function: Callable[[], R]) -> Iterator[Background[R]]:
    """Run ``function`` in a forked process while the block runs; the block may wait for
    its value (``.result()``), and the end of the block waits for it in any case. An
    :class:`~generator.errors.ArchiveError` it raises (or any other exception, as one)
    is raised by ``result()``, or at the end of the block unless the block raised its
    own. Without fork, ``function`` runs when its result is first needed.

    For work that would otherwise wait for the main work, or hold it up: the main work
    is single-threaded Python, so a thread would only share its core.
    """
    background = Background(function)
    try:
        yield background
    except BaseException:
        with contextlib.suppress(ArchiveError):
            background.result()
        raise
    background.result()


def _outcome_of(function: Callable[[], R]) -> tuple[bool, object]:
    try:
        return True, function()
    except ArchiveError as error:
        return False, str(error)
    except Exception as error:  # noqa: BLE001 - reported by the parent, never a traceback
        return False, f"{type(error).__name__}: {error}"


def _run_in_background(function: Callable[[], object], sender: multiprocessing.connection.Connection) -> None:
    sender.send(_outcome_of(function))


def end_process(status: int) -> NoReturn:
    """End this process now with ``status``, its log handlers and output flushed, without
    Python freeing its heap object by object (a second or more once a model or a site's
    pages are in memory). Only for a process whose work is done: its files written and
    closed, its locks released, its child processes joined."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
