"""One run at a time per project: the lock, and real processes started at once.

Two generates, two builds, or a serve and a build started together on one project must
each succeed (the second waits for the first) and leave exactly the site a clean build
makes; with --no-wait the second stops at once with status 75; a run killed at any point
leaves a lock the next run takes over, and the next run's site is complete.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from generator.errors import ArchiveError
from generator.lock import LOCK_NAME, LockBusy, project_lock
from generator.mkdocs.build import SITE_MARKER

from .helpers import REPO, make_project, run_cli

DIGESTS = REPO / "digests"


# --- The lock itself ------------------------------------------------------------------


def test_a_second_holder_waits_or_is_told_who_holds_the_lock(tmp_path):
    waited: list[str] = []
    order: list[str] = []
    with project_lock(tmp_path, "build") as first:
        assert first.abandoned_by is None
        with pytest.raises(LockBusy, match=rf"another digest-archive run \(pid {os.getpid()}, `digest-archive build`"):
            with project_lock(tmp_path, "generate", wait=False):
                pass

        def second() -> None:
            with project_lock(tmp_path, "generate", on_wait=waited.append):
                order.append("second")

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        assert thread.is_alive() and order == []  # waiting for the first
        order.append("first done")
    thread.join(timeout=5)
    assert order == ["first done", "second"]
    assert len(waited) == 1 and "waiting for another digest-archive run" in waited[0]
    assert (tmp_path / LOCK_NAME).read_text() == ""  # released cleanly, twice


def test_a_lock_left_by_a_run_that_died_is_taken_over_and_reported(tmp_path):
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": 4242, "command": "build", "started": "2026-01-01 06:30:00"}))
    with project_lock(tmp_path, "generate", wait=False) as lock:
        assert lock.abandoned_by is not None and lock.abandoned_by.pid == 4242
        assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == os.getpid()


def test_an_unwritable_project_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ArchiveError, match="cannot create the lock file"):
        with project_lock(tmp_path / "missing", "build"):
            pass


# --- Real processes ----------------------------------------------------------------------


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    """A project built once, alone: what every concurrent run must leave."""
    project = make_project(tmp_path_factory.mktemp("clean"))
    result = run_cli("build", "--digests", str(DIGESTS), "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    return project


def start(project: Path, *arguments: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "generator.cli", *arguments, "--digests", str(DIGESTS), "--strict"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def finish(process: subprocess.Popen) -> tuple[int, str]:
    _, errors = process.communicate(timeout=300)
    return process.returncode, errors


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def assert_same_as_clean(project: Path, clean: Path, folders=("site_src", "site")) -> None:
    for folder in folders:
        assert tree(project / folder) == tree(clean / folder), folder
    assert leftovers(project) == []


def leftovers(project: Path) -> list[str]:
    """What runs left beside the project's folders: staging folders and previous versions,
    but for the site the last build swapped out (``.site.previous``, which the next build
    removes in the background), itself a site digest-archive built."""
    found = sorted(p.name for p in project.iterdir() if p.name.endswith((".writing", ".previous")))
    if ".site.previous" in found:
        assert (project / ".site.previous" / SITE_MARKER).is_file()
        found.remove(".site.previous")
    return found


@pytest.mark.parametrize("command", ["generate", "build"])
def test_two_runs_started_at_once_take_turns_and_leave_a_clean_site(tmp_path, clean, command):
    project = make_project(tmp_path)
    first = start(project, command, "--force")
    wait_for(lambda: (project / LOCK_NAME).exists() and (project / LOCK_NAME).read_text())
    # The first run holds the lock; it is paused there (it and its children) until the
    # second says it waits, however fast the first would otherwise finish.
    os.killpg(first.pid, signal.SIGSTOP)
    second_lines: list[str] = []
    try:
        second = start(project, command, "--force")

        def read_second() -> None:
            assert second.stderr is not None
            for line in second.stderr:
                second_lines.append(line)

        reader = threading.Thread(target=read_second, daemon=True)
        reader.start()
        wait_for(lambda: any("waiting for another" in line for line in second_lines) or second.poll() is not None)
    finally:
        os.killpg(first.pid, signal.SIGCONT)
    first_status, first_log = finish(first)
    second_status = second.wait(timeout=300)
    reader.join(timeout=60)
    second_log = "".join(second_lines)
    assert (first_status, second_status) == (0, 0), first_log + second_log
    assert "waiting for another digest-archive run" in second_log
    assert "Traceback" not in first_log + second_log
    assert_same_as_clean(project, clean, ("site_src",) if command == "generate" else ("site_src", "site"))


def test_serve_and_build_at_once_both_succeed_and_serve_shows_the_clean_site(tmp_path, clean):
    project = make_project(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = start(project, "serve", "--port", str(port))
    wait_for(lambda: (project / LOCK_NAME).exists() and (project / LOCK_NAME).read_text())
    builder = start(project, "build", "--force")
    try:
        status, log = finish(builder)
        assert status == 0, log
        wait_for(lambda: server.poll() is None and _answers(port), timeout=120)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/days/", timeout=5) as response:
            assert response.read() == (clean / "site" / "days" / "index.html").read_bytes()
    finally:
        server.terminate()
        _, server_log = server.communicate(timeout=30)
    assert "Traceback" not in server_log + log
    assert_same_as_clean(project, clean)


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
            return True
    except OSError:
        return False


def test_no_wait_stops_at_once_naming_the_run_in_the_way(tmp_path):
    project = make_project(tmp_path)
    first = start(project, "build")
    wait_for(lambda: (project / LOCK_NAME).exists() and (project / LOCK_NAME).read_text())
    blocked = run_cli("generate", "--digests", str(DIGESTS), "--no-wait", cwd=project)
    assert blocked.returncode == 75
    assert f"(pid {first.pid}, `digest-archive build`" in blocked.stderr and "--no-wait" in blocked.stderr
    assert finish(first)[0] == 0


def test_a_build_killed_with_its_whole_process_group_leaves_a_lock_the_next_run_takes_over(tmp_path, clean):
    project = make_project(tmp_path)
    assert run_cli("build", "--digests", str(DIGESTS), "--strict", cwd=project).returncode == 0
    before = tree(project / "site")
    killed = start(project, "build", "--force")
    # Kill it once MkDocs is writing pages into the staging folder.
    wait_for(lambda: (project / ".site.writing" / "days").exists(), timeout=120)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    assert tree(project / "site") == before  # the last good site, untouched
    result = run_cli("build", "--digests", str(DIGESTS), "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    assert f"the previous run (pid {killed.pid}, `digest-archive build`" in result.stderr
    assert "did not finish; clearing up what it left" in result.stderr
    assert_same_as_clean(project, clean)


def test_killing_only_the_main_process_keeps_the_lock_until_mkdocs_is_done(tmp_path):
    # A larger archive: MkDocs runs for seconds after its parent is gone.
    sys.path.insert(0, str(REPO / "benchmarks"))
    from synth import write_archive

    digests = tmp_path / "digests"
    write_archive(1500, digests)
    project = make_project(tmp_path / "project")
    killed = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "build", "--digests", str(digests), "--strict"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for(lambda: (project / ".site.writing" / "days").exists(), timeout=120)
    os.kill(killed.pid, signal.SIGKILL)  # MkDocs and Pagefind, its children, go on
    killed.wait()
    blocked = run_cli("generate", "--digests", str(digests), "--no-wait", cwd=project)
    assert blocked.returncode == 75  # the orphaned MkDocs still holds the project
    assert not (project / "site").exists()  # and nobody swapped its output in
    result = run_cli("build", "--digests", str(digests), "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "did not finish" in result.stderr
    pages = {p.stem for p in (project / "site_src" / "papers").glob("*.md") if p.name != "index.md"}
    built = {p.parent.name for p in (project / "site" / "papers").glob("*/index.html")}
    assert len(pages) > 1000 and pages <= built
    assert leftovers(project) == []
