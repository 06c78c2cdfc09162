"""Helpers shared by the tests: fixture paths, scratch projects, running the CLI."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The real sample digests beside the checkout (`make test` passes SHARED_DIGESTS).
SHARED_DIGESTS = (REPO / os.environ.get("SHARED_DIGESTS", "../shared/digests")).resolve()


def unrelated_abstract(title: str) -> str:
    """An abstract unlike any other: papers with these are never near-duplicates."""
    return f"Abstract {hashlib.sha256(title.encode()).hexdigest()}."


def make_project(root: Path) -> Path:
    """A scratch archive project in ``root``: the repo's mkdocs.yml, theme and taxonomy."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "taxonomy.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "theme_overrides", root / "theme_overrides")
    return root


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the installed ``digest-archive`` command as a user would (``env``: variables
    set on top of this process's)."""
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env} if env else None,
    )


def build_project(root: Path, digests: Path, *extra: str) -> Path:
    """``digest-archive build --strict`` in a scratch project; returns the site folder."""
    make_project(root)
    result = run_cli("build", "--digests", str(digests), "--strict", *extra, cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "site"


def pagefind_documents(site: Path) -> dict[str, dict]:
    """What Pagefind indexed, by URL: each fragment's title and indexed text.

    Fragments are gzip-compressed JSON behind a fixed signature; reading them shows what
    a query can match, independently of the browser.
    """
    import gzip
    import json

    documents = {}
    for fragment in (site / "pagefind" / "fragment").iterdir():
        raw = gzip.decompress(fragment.read_bytes())
        assert raw.startswith(b"pagefind_dcd"), fragment
        document = json.loads(raw[len(b"pagefind_dcd") :])
        documents[document["url"]] = document
    return documents


def evaluation_figures(project: Path, *options: str) -> dict[str, float]:
    """`digest-archive tags --evaluate` of the labelled shared digests (held-out half,
    with ``options``): the figures of its first lines."""
    result = run_cli(
        "tags", "--digests", str(SHARED_DIGESTS), "--year", "2025",
        "--evaluate", str(REPO / "evaluation" / "shared-digests.yml"), *options, cwd=project,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    tags = next(line for line in result.stdout.splitlines() if line.startswith("tags:"))
    related = next(line for line in result.stdout.splitlines() if line.startswith("related:"))
    return {
        "tag precision": float(tags.split("precision ")[1].split("%")[0]),
        "tag recall": float(tags.split("recall ")[1].split("%")[0]),
        "untagged": int(tags.split(", ")[-1].split(" untagged")[0]),
        "related precision": float(related.split("precision ")[1].split("%")[0]),
        "related right": int(related.split("(")[1].split(" of ")[0]),
    }


class Recorder:
    """A reporter (pipeline.Reporter) that keeps every line it is given."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, text: str) -> None:
        self.lines.append(text)

    warning = error = info
