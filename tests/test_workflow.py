"""The GitHub Actions workflow: valid for actionlint, and it does what the README says."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .helpers import REPO

WORKFLOW = REPO / ".github" / "workflows" / "deploy.yml"


def actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    if not Path(found).exists():
        pytest.fail("actionlint is not installed: `pip install -e '.[test]'` installs it")
    return found


def run_actionlint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([actionlint(), "-no-color", str(path)], capture_output=True, text=True, check=False)


def test_workflow_passes_actionlint():
    result = run_actionlint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = WORKFLOW.read_text().replace("runs-on: ubuntu-latest", "runs-on: ${{ matrix.os }}", 1)
    broken = broken.replace("steps.pages.outputs.base_url", "steps.page.outputs.base_url")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    path = tmp_path / ".github" / "workflows" / "deploy.yml"
    path.write_text(broken)
    result = run_actionlint(path)
    assert result.returncode == 1 and "matrix" in result.stdout and "page" in result.stdout


def test_workflow_builds_strictly_on_digest_pushes_and_a_schedule_and_deploys_to_pages():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "digests/**" in triggers["push"]["paths"] and triggers["push"]["branches"] == ["main"]
    assert triggers["schedule"][0]["cron"]
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    uses = [step.get("uses", "") for step in build["steps"]]
    python = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["cache"] == "pip"
    commands = " ".join(step.get("run", "") for step in build["steps"])
    assert "pip install ." in commands and "digest-archive build --strict" in commands
    build_step = next(step for step in build["steps"] if "digest-archive build" in step.get("run", ""))
    assert "steps.pages.outputs.base_url" in build_step["env"]["SITE_URL"]
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    assert deploy["needs"] == "build" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages")
