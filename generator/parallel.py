"""Spread per-item work over the machine's cores, keeping results in order.

Rendering and writing 50,000 pages, or tagging 50,000 abstracts, is independent work per
item. Worker processes are forked once the model is built, so they read the model and the
work function from the parent's memory instead of receiving them pickled; only the small
results travel back. Where fork is unavailable, or the work is too small to pay for
starting processes, everything runs in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from .errors import ArchiveError

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS_PER_WORKER = 1000
CHUNK_SIZE = 500

# The job of the current map_in_chunks call, inherited by forked workers.
_job: tuple[Callable, Sequence, int] | None = None


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
) -> list[R]:
    """``[function(item) for item in items]``, computed in parallel where it pays.

    Items go to workers ``chunk_size`` at a time; a worker is started only for each
    ``min_items_per_worker`` items (large items, such as whole files, want both lower).
    ``on_chunk(n)`` is called in this process each time ``n`` more items are done, for
    progress reports. An exception raised by ``function`` is raised here.
    """
    global _job
    workers = min(workers or worker_count(), max(1, len(items) // min_items_per_worker))
    if workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
        results: list[R] = []
        for start in range(0, len(items), chunk_size):
            results.extend(function(item) for item in items[start : start + chunk_size])
            if on_chunk:
                on_chunk(min(chunk_size, len(items) - start))
        return results
    _job = (function, items, chunk_size)
    # Objects that exist at the fork are left out of the workers' garbage collections,
    # which would otherwise touch, and so copy, every page of the parent's memory.
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            results = []
            for chunk in pool.imap(_run_chunk, range(0, len(items), chunk_size)):
                results.extend(chunk)
                if on_chunk:
                    on_chunk(len(chunk))
            return results
    finally:
        _job = None
        gc.unfreeze()


def _run_chunk(start: int) -> list:
    assert _job is not None, "a worker runs only inside map_in_chunks"
    function, items, size = _job
    return [function(item) for item in items[start : start + size]]


@contextmanager
def in_background(function: Callable[[], None]) -> Iterator[None]:
    """Run ``function`` in a forked process while the block runs, and wait for it when
    the block ends; an :class:`~generator.errors.ArchiveError` it raises (or any other
    exception, as one) is raised then, unless the block raised its own. Without fork,
    ``function`` runs after the block.

    For clearing-up work that would otherwise wait for the main work to finish (the
    main work is single-threaded Python, so a thread would only share its core).
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        yield
        function()
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    gc.freeze()  # as in map_in_chunks: the child's collections do not copy the parent's pages
    try:
        process = context.Process(target=_run_in_background, args=(function, sender), daemon=True)
        process.start()
    finally:
        gc.unfreeze()
    sender.close()
    try:
        yield
    finally:
        process.join()
        message = receiver.recv() if receiver.poll() else "the background process was stopped"
        receiver.close()
    if message is not None:
        raise ArchiveError(message)


def _run_in_background(function: Callable[[], None], sender: multiprocessing.connection.Connection) -> None:
    try:
        function()
    except ArchiveError as error:
        sender.send(str(error))
    except Exception as error:  # noqa: BLE001 - reported by the parent, never a traceback
        sender.send(f"{type(error).__name__}: {error}")
    else:
        sender.send(None)
