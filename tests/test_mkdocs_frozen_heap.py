"""The frozen_heap trick (generator/mkdocs/README.md): a build's long-lived objects are
left out of the garbage collector's work, and given back to it when the build ends."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .helpers import FIXTURES, REPO, make_project, run_cli
from .test_mkdocs_tricks import project_config

# Runs `mkdocs build` in-process (on_startup included, as the mkdocs command runs it) and
# reports the collector's state at each step the trick covers. FAIL_AT_PAGE makes the
# first page fail, for on_build_error.
_PROBE = """
import gc, json, sys
from mkdocs.__main__ import cli
from generator.mkdocs.plugin import ArchivePlugin

seen = {}
files_hook, post_page = ArchivePlugin.on_files, ArchivePlugin.on_post_page

def on_files(self, files, /, *, config):
    seen["files"] = len(files)
    seen["collecting_in_on_files"] = gc.isenabled()
    return files_hook(self, files, config=config)

def on_post_page(self, output, /, *, page, config):
    if "frozen_at_page" not in seen:
        seen["frozen_at_page"] = gc.get_freeze_count()
        seen["collecting_at_page"] = gc.isenabled()
        if sys.argv[3] == "fail":
            raise RuntimeError("a page that fails")
    return post_page(self, output, page=page, config=config)

ArchivePlugin.on_files, ArchivePlugin.on_post_page = on_files, on_post_page
try:
    cli(["build", "--strict", "--config-file", sys.argv[1], "--site-dir", sys.argv[2]], standalone_mode=False)
    seen["built"] = True
except BaseException:
    seen["built"] = False
seen["frozen_after"] = gc.get_freeze_count()
seen["collecting_after"] = gc.isenabled()
print("PROBE " + json.dumps(seen))
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("frozen-heap"))
    shutil.copytree(FIXTURES / "archive", root / "digests", dirs_exist_ok=True)
    result = run_cli("generate", "--digests", str(root / "digests"), "--strict", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


def probe(project: Path, name: str, outcome: str = "pass", **settings: object) -> dict:
    config = project / f"mkdocs-{name}.yml"
    config.write_text(yaml.safe_dump(project_config(project, **settings), sort_keys=False))
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(config), str(project / f"site-{name}"), outcome],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("PROBE ")]
    assert lines, result.stderr[-3000:]
    return json.loads(lines[-1][len("PROBE ") :])


def test_files_and_nav_are_frozen_while_pages_render_and_released_after(project):
    seen = probe(project, "on")
    assert seen["built"]
    # From on_config to on_nav no collection runs; pages render with collections on,
    # and what existed by on_nav (a File and its attributes for each file, at least) is frozen.
    assert seen["collecting_in_on_files"] is False
    assert seen["collecting_at_page"] is True
    assert seen["frozen_at_page"] > seen["files"]
    assert seen["frozen_after"] == 0 and seen["collecting_after"] is True


def test_switched_off_nothing_is_frozen_or_paused(project):
    seen = probe(project, "off", frozen_heap=False)
    assert seen["built"]
    assert seen["collecting_in_on_files"] is True
    assert seen["frozen_at_page"] == 0
    assert seen["frozen_after"] == 0 and seen["collecting_after"] is True


def test_a_failed_build_releases_the_heap_too(project):
    seen = probe(project, "fail", "fail")
    assert seen["built"] is False
    assert seen["frozen_at_page"] > 0
    assert seen["frozen_after"] == 0 and seen["collecting_after"] is True
