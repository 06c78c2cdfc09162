"""Faults: a generate killed mid-write, a read-only or full disk, a huge digest.

Each leaves the previous site_src exactly as it was and says what went wrong.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.folder_swap import retired_folder, staging_folder

from .helpers import REPO, make_project, run_cli
from .test_site_write import snapshot

sys.path.insert(0, str(REPO / "benchmarks"))
from synth import write_archive  # noqa: E402


def generate(project: Path, digests: Path) -> subprocess.CompletedProcess:
    return run_cli("generate", "--digests", str(digests), "--strict", cwd=project)


def newest_digest_held_back(digests: Path, held: Path) -> Path:
    """Move the newest digest of ``digests`` into ``held``; return its new path."""
    newest = sorted(digests.glob("*.txt"))[-1]
    held.mkdir()
    return Path(shutil.move(newest, held / newest.name))


def count_entries(folder: Path) -> int:
    try:
        return len(os.listdir(folder))
    except FileNotFoundError:
        return 0


def test_a_generate_killed_mid_write_leaves_the_previous_site_src_intact(tmp_path):
    project = make_project(tmp_path / "project")
    digests = tmp_path / "digests"
    write_archive(2500, digests)
    held_back = newest_digest_held_back(digests, tmp_path / "held")
    assert generate(project, digests).returncode == 0
    site_src = project / "site_src"
    (site_src / "about.md").write_text("A hand-written page.\n")
    before = snapshot(site_src)

    shutil.move(held_back, digests / held_back.name)
    staging = staging_folder(site_src)
    process = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "generate", "--digests", str(digests), "--strict"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    # Kill it once it has put a few hundred pages into the new folder: well inside the write.
    while count_entries(staging / "papers") < 300:
        assert process.poll() is None, "generate finished before it could be killed; use a larger archive"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)  # the worker processes too
    process.wait()

    assert snapshot(site_src) == before
    assert staging.is_dir()  # what the killed run left beside site_src

    result = generate(project, digests)
    assert result.returncode == 0, result.stderr
    assert not staging.exists() and not retired_folder(site_src).exists()
    assert (site_src / "about.md").read_text() == "A hand-written page.\n"

    clean = make_project(tmp_path / "clean")
    assert generate(clean, digests).returncode == 0
    fresh = {k: v[0] for k, v in snapshot(clean / "site_src").items()}
    resumed = {k: v[0] for k, v in snapshot(site_src).items() if k != "about.md"}
    assert resumed == fresh


def test_a_build_killed_mid_swap_keeps_the_last_site(tmp_path):
    project = make_project(tmp_path / "project")
    digests = REPO / "digests"
    assert run_cli("build", "--digests", str(digests), "--strict", cwd=project).returncode == 0
    site = project / "site"
    before = snapshot(site)
    os.replace(site, site.with_name(".site.previous"))  # as a build killed between its two renames
    result = run_cli("build", "--digests", str(digests), "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    assert {k: v[0] for k, v in snapshot(site).items()} == {k: v[0] for k, v in before.items()}
    # The killed run's half swap was undone: what is beside the site now is only the site
    # this build swapped out, the same pages, which the next build removes.
    previous = site.with_name(".site.previous")
    assert {k: v[0] for k, v in snapshot(previous).items()} == {k: v[0] for k, v in before.items()}
    assert run_cli("build", "--digests", str(digests), "--strict", cwd=project).returncode == 0
    assert {k: v[0] for k, v in snapshot(previous).items()} == {k: v[0] for k, v in before.items()}


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs, mounted where root may mount; skipped elsewhere."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a small file system")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)], capture_output=True, check=False
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_full_disk_is_a_clear_error_and_the_previous_site_src_stays(small_disk, tmp_path):
    project = make_project(tmp_path / "project")
    out = small_disk / "site_src"
    small, large = tmp_path / "small", tmp_path / "large"
    write_archive(60, small)
    write_archive(3000, large)
    first = run_cli("generate", "--digests", str(small), "--out", str(out), "--strict", cwd=project)
    assert first.returncode == 0, first.stderr
    before = snapshot(out)

    result = run_cli("generate", "--digests", str(large), "--out", str(out), "--strict", cwd=project)
    assert result.returncode == 1
    assert "no space left on the device" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(out) == before
    # The partial new folder is gone; beside site_src only the facts and the signatures
    # of its files, kept between runs.
    assert sorted(p.name for p in small_disk.iterdir()) == [
        ".site_src.facts.pickle",
        ".site_src.signatures.json",
        "site_src",
    ]


def test_a_read_only_output_folder_is_a_clear_error(small_disk, tmp_path):
    project = make_project(tmp_path / "project")
    out = small_disk / "site_src"
    digests = tmp_path / "digests"
    write_archive(60, digests)
    held_back = newest_digest_held_back(digests, tmp_path / "held")
    assert run_cli("generate", "--digests", str(digests), "--out", str(out), "--strict", cwd=project).returncode == 0
    before = snapshot(out)
    shutil.move(held_back, digests / held_back.name)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)

    result = run_cli("generate", "--digests", str(digests), "--out", str(out), "--strict", cwd=project)
    assert result.returncode == 1
    assert "read-only" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(out) == before


def test_a_50_mb_digest_is_generated_in_bounded_memory(tmp_path):
    """30,000 papers on one day, 51 MB: generated with memory a small multiple of its size
    (measured: 0.4 GB, 18 s on 2 cores)."""
    digests = tmp_path / "digests"
    digests.mkdir()
    digest = digests / "2025-03-01.txt"
    abstract = ("A hostile digest repeats this sentence to make its abstracts long. " * 25).strip()
    with digest.open("w", encoding="utf-8") as out:
        out.write("Mar 1\n\n")
        for number in range(30_000):
            out.write(f"Paper number {number} of a huge day\n\n{abstract}\n\n")
    size_mb = digest.stat().st_size / 1e6
    assert size_mb >= 50
    project = make_project(tmp_path / "project")
    # The generator's processes are this helper's descendants: its RUSAGE_CHILDREN peak is
    # the largest of them.
    code = (
        "import resource, subprocess, sys\n"
        "result = subprocess.run([sys.executable, '-m', 'generator.cli', 'generate', '--digests', sys.argv[1],"
        " '--strict'], capture_output=True, text=True)\n"
        "sys.stderr.write(result.stderr)\n"
        "print(result.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(digests)], cwd=project, capture_output=True, text=True, check=True
    )
    returncode, peak_mb = map(int, result.stdout.split())
    assert returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    day_page = (project / "site_src" / "days" / "2025-03-01.md").read_text(encoding="utf-8")
    # Near-identical listings merge as near-duplicates, so fewer than 30,000 papers remain.
    assert day_page.count(" of a huge day</a>") > 29_000
    assert peak_mb < 20 * size_mb, f"{peak_mb} MB to generate from a {size_mb:.0f} MB digest"
