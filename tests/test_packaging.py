"""The installed package holds everything the generator reads at run time.

The deploy and canary workflows install the project as a wheel (`pip install .`), not
from the checkout: a template, theme layer or script missing from the wheel would pass
every test run from the checkout and break the published build.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile

from .helpers import REPO


def test_the_wheel_holds_every_file_of_the_generator_package(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("digest_archive-*.whl")
    packaged = {name for name in zipfile.ZipFile(wheel).namelist() if name.startswith("generator/")}
    tracked = subprocess.run(
        ["git", "ls-files", "generator"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tracked and set(tracked) <= packaged, sorted(set(tracked) - packaged)
