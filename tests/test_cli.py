"""The digest-archive command: options, year order, bad digests, determinism, safety."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import FIXTURES, make_project, run_cli


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def paper_slugs(site_src: Path) -> set[str]:
    return {p.stem for p in (site_src / "papers").glob("*.md") if p.name != "index.md"}


def test_generate_writes_markdown_and_reports(tmp_path):
    make_project(tmp_path)
    result = run_cli("generate", "--digests", str(FIXTURES / "archive"), "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "4 digests: 5 papers on 3 days" in result.stderr
    assert (tmp_path / "out" / "days" / "2024-12-30.md").exists()
    assert len(paper_slugs(tmp_path / "out")) == 5


def test_same_digests_give_byte_identical_markdown(tmp_path):
    make_project(tmp_path)
    for out in ("one", "two"):
        assert run_cli("generate", "--digests", str(FIXTURES / "archive"), "--out", out, cwd=tmp_path).returncode == 0
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    forced = run_cli("generate", "--digests", str(FIXTURES / "archive"), "--out", "one", "--force", cwd=tmp_path)
    assert " 0 written," in forced.stderr and " 0 removed" in forced.stderr
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_unchanged_inputs_skip_the_run_and_any_change_redoes_it(tmp_path):
    make_project(tmp_path)
    shutil.copytree(FIXTURES / "archive", tmp_path / "in")

    def generate() -> str:
        result = run_cli("generate", "--digests", "in", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        return result.stderr

    assert "5 papers" in generate()
    assert "up to date" in generate()
    digest = tmp_path / "in" / "iso-dated.txt"
    digest.write_text(digest.read_text().replace("four bits", "three bits"))
    # Its paper page, its day page, archive.json.gz and the feeds of its two topics.
    assert ": 5 written," in generate()
    feeds = sorted((tmp_path / "site_src" / "feeds" / "tags").glob("*.xml"), key=lambda p: p.stat().st_mtime)
    assert all("three bits" in feed.read_text() for feed in feeds[-2:])
    assert "three bits" not in feeds[0].read_text()
    (tmp_path / "taxonomy.yml").write_text(
        (tmp_path / "taxonomy.yml").read_text().replace("Speech and audio", "Speech")
    )
    assert "up to date" not in generate()
    (tmp_path / "site_src" / "days" / "2025-01-05.md").unlink()  # a page lost by hand is restored
    assert "1 written," in generate()
    shutil.copy(FIXTURES / "bad" / "empty.txt", tmp_path / "in" / "empty.txt")
    assert "warning:" in generate()
    assert "warning:" in generate()  # a run that skipped a digest is never "up to date"


def test_year_option_and_config_fill_in_missing_years(tmp_path):
    make_project(tmp_path)
    digests = tmp_path / "in"
    digests.mkdir()
    shutil.copy(FIXTURES / "bad" / "no-year.txt", digests / "no-year.txt")
    failed = run_cli("generate", "--digests", "in", "--strict", cwd=tmp_path)
    assert failed.returncode == 1 and "no-year.txt:1:" in failed.stderr and "--year" in failed.stderr
    assert run_cli("generate", "--digests", "in", "--year", "2023", cwd=tmp_path).returncode == 0
    assert (tmp_path / "site_src" / "days" / "2023-03-03.md").exists()
    (tmp_path / "archive.yml").write_text("digests: in\nyear: 2022\n")
    assert run_cli("generate", cwd=tmp_path).returncode == 0
    assert (tmp_path / "site_src" / "days" / "2022-03-03.md").exists()
    assert not (tmp_path / "site_src" / "days" / "2023-03-03.md").exists()


def test_bad_digest_is_skipped_with_a_warning_by_default(tmp_path):
    make_project(tmp_path)
    digests = tmp_path / "in"
    shutil.copytree(FIXTURES / "archive", digests)
    shutil.copy(FIXTURES / "bad" / "missing-abstract.txt", digests / "zz-bad.txt")
    result = run_cli("generate", "--digests", "in", cwd=tmp_path)
    assert result.returncode == 0
    assert "warning:" in result.stderr and "zz-bad.txt:11:" in result.stderr and "skipped" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(paper_slugs(tmp_path / "site_src")) == 5


def test_strict_fails_on_any_bad_digest_and_writes_nothing(tmp_path):
    make_project(tmp_path)
    digests = tmp_path / "in"
    shutil.copytree(FIXTURES / "archive", digests)
    for bad in (FIXTURES / "bad").iterdir():
        shutil.copy(bad, digests / f"bad-{bad.name}")
    (digests / "bad-latin1.txt").write_bytes(b"Mar 3, 2025\n\nCaf\xe9\n\nAbstract.\n")
    result = run_cli("generate", "--digests", "in", "--strict", cwd=tmp_path)
    assert result.returncode == 1
    for expected in ("bad-empty.txt:1:", "bad-no-date.txt:5:", "bad-missing-abstract.txt:11:", "bad-latin1.txt:3:"):
        assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site_src").exists()


def test_no_digests_is_a_clear_error(tmp_path):
    make_project(tmp_path)
    (tmp_path / "empty").mkdir()
    # An empty folder is a problem with the archive (1); a missing one, with the argument (2).
    for folder, status in (("empty", 1), ("missing", 2)):
        result = run_cli("generate", "--digests", folder, cwd=tmp_path)
        assert result.returncode == status and "error:" in result.stderr and "Traceback" not in result.stderr


def test_adding_digests_keeps_urls_and_removing_one_removes_only_its_pages(tmp_path):
    make_project(tmp_path)
    digests = tmp_path / "in"
    digests.mkdir()
    shutil.copy(FIXTURES / "archive" / "iso-dated.txt", digests)
    assert run_cli("generate", "--digests", "in", cwd=tmp_path).returncode == 0
    site_src = tmp_path / "site_src"
    before = paper_slugs(site_src)
    (site_src / "about.md").write_text("hand-written")

    for name in ("2024-12-30.txt", "january-digest.txt", "2025-01-02-second.txt"):
        shutil.copy(FIXTURES / "archive" / name, digests)
    assert run_cli("generate", "--digests", "in", cwd=tmp_path).returncode == 0
    assert before <= paper_slugs(site_src) and len(paper_slugs(site_src)) == 5

    (digests / "iso-dated.txt").unlink()
    assert run_cli("generate", "--digests", "in", cwd=tmp_path).returncode == 0
    assert not (site_src / "days" / "2025-01-05.md").exists()
    assert not before & paper_slugs(site_src)
    assert (site_src / "about.md").read_text() == "hand-written"


def test_failed_mkdocs_build_keeps_the_previous_site(tmp_path):
    make_project(tmp_path)
    ok = run_cli("build", "--digests", str(FIXTURES / "archive"), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    before = tmp_path / "before"
    shutil.copytree(tmp_path / "site", before)
    mkdocs = tmp_path / "mkdocs.yml"
    mkdocs.write_text(
        mkdocs.read_text().replace("  - Topics: tags/index.md", "  - Topics: tags/index.md\n  - Missing: missing.md")
    )
    failed = run_cli("build", "--digests", str(FIXTURES / "archive"), cwd=tmp_path)
    assert failed.returncode == 1 and "mkdocs build --strict failed" in failed.stderr
    comparison = filecmp.dircmp(before, tmp_path / "site")
    assert not comparison.left_only and not comparison.right_only and not comparison.diff_files


def test_build_refuses_to_replace_a_folder_it_did_not_build(tmp_path):
    make_project(tmp_path)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "precious.txt").write_text("keep me")
    result = run_cli("build", "--digests", str(FIXTURES / "archive"), "--site-dir", "mine", cwd=tmp_path)
    assert result.returncode == 1 and "refusing to replace" in result.stderr
    assert (mine / "precious.txt").read_text() == "keep me"


# --- Bad arguments: one clear line, exit status 2, never a traceback -------------------

BAD_ARGUMENTS = [
    ("generate", "--year", "25"),
    ("generate", "--year", "3025"),
    ("generate", "--year", "twenty"),
    ("generate", "--digests", "no-such-folder"),
    ("generate", "--config", "no-such-file.yml"),
    ("generate", "--out", "a-file.txt"),
    ("generate", "--no-such-option"),
    ("build", "--site-dir", "a-file.txt"),
    ("build", "--year", "0"),
    ("serve", "--port", "99999"),
    ("serve", "--port", "0"),
    ("serve", "--port", "http"),
    ("serve", "--no-build", "--port", "-1"),
    ("tags", "--year", "1899"),
    ("tags", "--digests", "a-file.txt"),
    ("duplicates", "--config", "no-such-file.yml"),
    ("no-such-command",),
    (),
]


@pytest.mark.parametrize("arguments", BAD_ARGUMENTS, ids=" ".join)
def test_a_bad_argument_gets_one_clear_line_and_status_2(tmp_path, arguments):
    make_project(tmp_path)
    (tmp_path / "a-file.txt").write_text("not a folder")
    result = run_cli(*arguments, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("digest-archive: error: "), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "site_src").exists()


def test_bad_argument_messages_name_the_argument_and_the_range(tmp_path):
    make_project(tmp_path)
    year = run_cli("generate", "--year", "25", cwd=tmp_path).stderr
    assert "generate: argument --year: '25' is not a year from 1900 to 2200" in year
    port = run_cli("serve", "--port", "99999", cwd=tmp_path).stderr
    assert "serve: argument --port: '99999' is not a port number from 1 to 65535" in port


def test_a_build_that_leaves_out_generated_pages_is_a_failure_and_keeps_the_last_site(tmp_path):
    make_project(tmp_path)
    ok = run_cli("build", "--digests", str(FIXTURES / "archive"), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    before = tree(tmp_path / "site")
    mkdocs = tmp_path / "mkdocs.yml"
    # MkDocs builds without these pages and exits 0, even with --strict.
    mkdocs.write_text(mkdocs.read_text() + "exclude_docs: |\n  papers/r*.md\n")
    failed = run_cli("build", "--digests", str(FIXTURES / "archive"), "--force", cwd=tmp_path)
    assert failed.returncode == 1
    assert "mkdocs build left out 1 page(s) the generator wrote (papers/robust-reward" in failed.stderr
    assert "site built" not in failed.stderr
    assert tree(tmp_path / "site") == before


def test_the_fingerprint_covers_the_generators_own_code(monkeypatch, tmp_path):
    # An upgraded or edited generator must render the pages again, not report "up to date".
    from pathlib import Path

    import generator.site.plan
    from generator.pipeline import input_fingerprint

    digest = tmp_path / "2025-01-01.txt"
    digest.write_text("Jan 1\n\nTitle\n\nAbstract.\n")
    before = input_fingerprint([digest], [], {})
    module = Path(generator.site.plan.__file__)
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: original(path) + (b"#" if path == module else b""))
    assert input_fingerprint([digest], [], {}) != before


def test_the_command_ends_at_once_with_its_output_complete_and_its_status(tmp_path):
    """The command skips Python's teardown (cli.run): what it printed into a pipe (block
    buffered) still arrives whole, as when main() returns normally, and its exit status
    is kept."""
    make_project(tmp_path)
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}

    def command(*arguments: str, entry: str = "run") -> subprocess.CompletedProcess:
        code = f"import sys; from generator.cli import {entry} as entry; sys.exit(entry())"
        return subprocess.run(
            [sys.executable, "-c", code, *arguments],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            env=environment,
        )

    arguments = ["tags", "--digests", str(FIXTURES / "archive")]
    quick, normal = command(*arguments), command(*arguments, entry="main")
    assert quick.returncode == normal.returncode == 0, quick.stderr
    assert quick.stdout == normal.stdout and len(quick.stdout.splitlines()) > 3
    (tmp_path / "empty").mkdir()
    failed = command("generate", "--digests", str(tmp_path / "empty"))
    assert failed.returncode == 1 and "no usable digests" in failed.stderr
