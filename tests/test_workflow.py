"""The GitHub Actions workflows: valid for actionlint, and they do what the README says.

The deploy workflow installs the pinned versions, runs the theme-drift tests and a
browser smoke test of the built site, and uploads the site only after both pass; the
canary installs the newest allowed versions and runs the same tests and the suite.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .helpers import REPO

WORKFLOW = REPO / ".github" / "workflows" / "deploy.yml"
CANARY = REPO / ".github" / "workflows" / "canary.yml"


def actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    if not Path(found).exists():
        pytest.fail("actionlint is not installed: `pip install -e '.[test]'` installs it")
    return found


def run_actionlint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([actionlint(), "-no-color", str(path)], capture_output=True, text=True, check=False)


@pytest.mark.parametrize("workflow", [WORKFLOW, CANARY], ids=lambda path: path.name)
def test_workflow_passes_actionlint(workflow):
    result = run_actionlint(workflow)
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
    commands = " ".join(step.get("run", "") for step in build["steps"])
    assert "pip install -c constraints.txt '.[test]'" in commands and "digest-archive build --strict" in commands
    build_step = next(step for step in build["steps"] if "digest-archive build" in step.get("run", ""))
    assert "steps.pages.outputs.base_url" in build_step["env"]["SITE_URL"]
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    assert deploy["needs"] == "build" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages")


def step_index(steps: list[dict], needle: str) -> int:
    (index,) = [i for i, step in enumerate(steps) if needle in step.get("run", "") + step.get("uses", "")]
    return index


def test_deploy_publishes_only_after_the_drift_tests_and_the_smoke_test_pass():
    build = yaml.safe_load(WORKFLOW.read_text())["jobs"]["build"]
    steps = build["steps"]
    install = step_index(steps, "pip install -c constraints.txt")
    drift = step_index(steps, "pytest -q -p no:cacheprovider tests/test_theme.py")
    built = step_index(steps, "digest-archive build --strict")
    smoke = step_index(steps, "tools/site_smoke.py --site site")
    upload = step_index(steps, "actions/upload-pages-artifact")
    assert install < drift < upload and built < smoke < upload
    assert not any(step.get("continue-on-error") for step in steps)  # a failed step stops the upload
    assert "apt-get install -y -qq chromium" in steps[step_index(steps, "chromium")]["run"]
    assert build["container"].startswith("python:3.11-")


def test_deploy_builds_incrementally_from_the_last_runs_build_and_keeps_only_a_checked_one():
    from generator.mkdocs.build import state_file

    steps = yaml.safe_load(WORKFLOW.read_text())["jobs"]["build"]["steps"]
    restore = step_index(steps, "actions/cache/restore@")
    built = step_index(steps, "digest-archive build --strict")
    smoke = step_index(steps, "tools/site_smoke.py --site site")
    save = step_index(steps, "actions/cache/save@")
    assert restore < built < smoke < save  # a site that fails the smoke test is not kept
    kept = {
        state_file(Path("site")).name,
        "site",
        "site_src",
        ".site_src.facts.pickle",
        ".site_src.signatures.json",
        "embeddings.npz",
    }
    for index in (restore, save):
        assert set(steps[index]["with"]["path"].split()) == kept
    # Each run saves its own entry; the next restores the newest by prefix.
    assert steps[save]["with"]["key"] == steps[restore]["with"]["key"] == "archive-build-${{ github.run_id }}"
    assert steps[restore]["with"]["restore-keys"] == "archive-build-"


def test_canary_installs_the_newest_allowed_versions_and_runs_the_same_tests():
    workflow = yaml.safe_load(CANARY.read_text())
    assert workflow[True]["schedule"][0]["cron"]
    steps = workflow["jobs"]["newest"]["steps"]
    commands = " ".join(step.get("run", "") for step in steps)
    assert "pip install --upgrade '.[test]'" in commands and "constraints.txt" not in commands
    for needed in ("tests/test_theme.py", "tools/site_smoke.py --site site", "digest-archive build --strict"):
        assert needed in commands, needed
    assert any(step.get("run", "").strip() == "python -m pytest -q -p no:cacheprovider" for step in steps)
    assert any(step.get("env", {}).get("DIGEST_ARCHIVE_REQUIRE_BROWSER") == "1" for step in steps)


def test_make_ci_and_the_workflows_install_from_one_constraints_file():
    constraints = (REPO / "constraints.txt").read_text()
    pins = dict(line.split("==") for line in constraints.splitlines() if "==" in line)
    for package in ("mkdocs", "mkdocs-material", "pagefind", "Jinja2", "playwright", "pytest"):
        assert package in pins, package
    assert "-c $(CONSTRAINTS)" in (REPO / "Makefile").read_text()
    assert "constraints.txt" in WORKFLOW.read_text()
    assert "make lint" in (REPO / ".ci" / "run").read_text() and "make test" in (REPO / ".ci" / "run").read_text()


def test_deploy_fetches_and_commits_new_digests_before_building_and_survives_an_api_outage(tmp_path):
    build = yaml.safe_load(WORKFLOW.read_text())["jobs"]["build"]
    steps = build["steps"]
    fetching = steps[step_index(steps, "digest-archive fetch")]
    committing = steps[step_index(steps, "git commit")]
    assert (
        step_index(steps, "digest-archive fetch")
        < step_index(steps, "git commit")
        < step_index(steps, "digest-archive build")
    )
    assert "digest-archive enrich" in fetching["run"] and fetching["env"]["HF_TOKEN"] == "${{ secrets.HF_TOKEN }}"
    assert "metadata.json" in committing["run"] and "digests" in committing["run"]
    assert build["permissions"]["contents"] == "write"
    # The fetch step's script keeps going when the API fails: run it with commands that fail.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "digest-archive"
    fake.write_text('#!/bin/sh\necho "$1 failed" >&2\nexit 1\n')
    fake.chmod(0o755)
    result = subprocess.run(
        ["bash", "-e", "-c", fetching["run"]],
        env={"PATH": f"{bin_dir}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "::warning title=Daily Papers API::" in result.stdout
