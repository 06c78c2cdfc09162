"""Benchmark the archive at several sizes against a bare-MkDocs floor.

    python benchmarks/run.py                       # 1k, 10k and 50k papers
    python benchmarks/run.py --sizes 1000 --work /tmp/bench

For each size it writes a synthetic archive (benchmarks/synth.py), then measures, each
in a fresh process: the daily job (`digest-archive build` after adding the newest digest
to an archive built without it, compared file for file with the full build), and the
same on the first day of the newest month (the day the month before joins the larger
search parts); a cold `digest-archive generate` (no site_src, no facts file); a second
generate with no input change; every page generated again with the facts file kept;
`mkdocs build --strict`; peak memory (max RSS) of each; the site's bytes, bytes per
paper page and search index bytes; search in headless Chromium
(benchmarks/search_probe.py): time to results and bytes fetched; and a floor: the same
number of trivial pages built with the same theme, plugins and nav. Results are printed
as a Markdown table and saved as JSON (WORK/results.json, merged by size, so
`--sizes 50000` re-measures one row); --readme replaces the table in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from search_probe import measure_search  # noqa: E402
from synth import write_archive  # noqa: E402

TABLE_START = "<!-- results:start -->"
TABLE_END = "<!-- results:end -->"


def run_measured(command: list[str], cwd: Path) -> tuple[float, int, str]:
    """Run ``command``; return (seconds, peak RSS in MB of the process, its stderr)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{stderr[-3000:]}")
    return seconds, usage.ru_maxrss // 1024, stderr


def make_project(root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for name in ("mkdocs.yml", "taxonomy.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "theme_overrides", root / "theme_overrides")


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def snapshot(folder: Path) -> dict[str, int]:
    """File -> mtime (ns) of every file below ``folder``."""
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def rewritten(before: dict[str, int], after: dict[str, int]) -> int:
    """Files created or modified between two snapshots."""
    return sum(1 for path, mtime in after.items() if before.get(path) != mtime)


def generate(digests: Path) -> list[str]:
    return [sys.executable, "-m", "generator.cli", "generate", "--digests", str(digests), "--strict"]


def archive_build(digests: Path) -> list[str]:
    return [sys.executable, "-m", "generator.cli", "build", "--digests", str(digests), "--strict"]


def daily_breakdown(build_log: str) -> dict:
    """Where the daily job's seconds went, from the messages of `digest-archive build`."""
    figures: dict = {}
    patterns = {
        "daily_render_s": r"rendering and writing: [0-9,]+ pages in ([0-9.]+) s",
        "daily_mkdocs_s": r"Documentation built in ([0-9.]+) seconds",
        "daily_pagefind_s": r"indexed by Pagefind in ([0-9.]+) s",
        "daily_pages_built": r"incremental build: ([0-9]+) of",
        "daily_pages_indexed": r"search index: ([0-9]+) pages indexed",
    }
    for key, pattern in patterns.items():
        match = re.search(pattern, build_log)
        figures[key] = (float(match.group(1)) if "." in match.group(1) else int(match.group(1))) if match else None
    return figures


def differing_files(first: Path, second: Path, ignore: set[str]) -> list[str]:
    """Files of two sites that differ, or are in only one of them."""

    def files(root: Path) -> dict[str, Path]:
        return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}

    a, b = files(first), files(second)
    return sorted(
        path
        for path in (set(a) | set(b)) - ignore
        if path not in a or path not in b or a[path].read_bytes() != b[path].read_bytes()
    )


def mkdocs_build() -> list[str]:
    return [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml", "-d", "site"]


def pagefind_seconds(build_log: str) -> float | None:
    """The indexing time the digest-archive-search plugin logged during the build."""
    match = re.search(r"indexed by Pagefind in ([0-9.]+) s", build_log)
    return float(match.group(1)) if match else None


def search_figures(site: Path) -> dict:
    """Search in headless Chromium for a paper from the middle of the archive.

    Two queries a reader would type: the paper's whole title, then its short name and
    the last words of its title. The first query counts everything a new reader fetches
    (the home page, theme assets and Pagefind's start-up files).
    """
    papers = sorted(
        json.loads(gzip.decompress((site / "archive.json.gz").read_bytes()))["papers"], key=lambda p: p["slug"]
    )
    paper = papers[len(papers) // 2]
    title = paper["title"]
    short = f"{title.split(':')[0]} {' '.join(title.split()[-2:])}"
    expected = "/" + paper["url"]
    first, second = measure_search(site, "", [(title, expected), (short, expected)])
    return {
        "search_first_ms": first["ms"],
        "search_first_kb": round(first["bytes"] / 1e3),
        "search_next_ms": second["ms"],
        "search_next_kb": round(second["bytes"] / 1e3),
        "search_ranks": f"{first['rank']}, {second['rank']}",
    }


def bench_size(papers: int, work: Path, with_floor: bool, with_search: bool = True) -> dict:
    base = work / f"{papers}"
    digests = base / "digests"
    if digests.exists():
        shutil.rmtree(digests)
    counts = write_archive(papers, digests)
    project = base / "project"
    make_project(project)
    result: dict = {"papers": papers, "days": counts["days"], "appearances": counts["appearances"]}

    # The daily job, as the deploy workflow runs it: the archive without the newest day
    # built by `digest-archive build` (site, search index and build state), then the
    # day's digest added and the same command run again: generate, the incremental
    # mkdocs build and the search parts that changed, in a project copied as the
    # workflow's cache restores it (restore_as_ci). On the way, the daily job of the
    # first day of the newest month (when the archive has an earlier month), the day the
    # month before joins the larger search parts: the archive to the end of the month
    # before built, that day added, then the days after it but the newest.
    ordered = sorted(digests.glob("*.txt"))
    last = ordered[-1]
    month_start = next(d for d in ordered if d.name[:7] == last.name[:7])
    # Not when the archive is one month, or when the newest day is itself the first.
    with_month_start = month_start not in (ordered[0], last)
    held = [d for d in ordered if d.name >= month_start.name] if with_month_start else [last]
    aside = base / "held-back"
    aside.mkdir(exist_ok=True)
    for digest in held:
        shutil.move(digest, aside / digest.name)
    site_src = project / "site_src"
    run_measured(archive_build(digests), project)
    if with_month_start:
        shutil.move(aside / month_start.name, month_start)
        restore_as_ci(project)
        seconds, _, stderr = run_measured(archive_build(digests), project)
        result["month_start_s"] = round(seconds, 1)
        found = daily_breakdown(stderr)
        result["month_start_pagefind_s"] = found["daily_pagefind_s"]
        result["month_start_pages_indexed"] = found["daily_pages_indexed"]
        for digest in held[1:-1]:
            shutil.move(aside / digest.name, digest)
        if len(held) > 2:
            run_measured(archive_build(digests), project)
    shutil.move(aside / last.name, last)
    aside.rmdir()
    restore_as_ci(project)
    before = snapshot(site_src)
    seconds, peak, stderr = run_measured(archive_build(digests), project)
    result["add_digest_files_written"] = rewritten(before, snapshot(site_src)) - 1  # less the manifest
    result["daily_job_s"], result["daily_peak_mb"] = round(seconds, 1), peak
    result.update(daily_breakdown(stderr))
    daily_site = base / "daily-site"
    if daily_site.exists():
        shutil.rmtree(daily_site)
    shutil.move(project / "site", daily_site)
    (project / ".site.build-state.pickle").unlink()

    # A cold generate: no site_src, and none of the facts (each paper's links, tags,
    # slug and word counts) the daily job left beside it.
    set_aside(site_src, base / "trash")
    facts = project / f".{site_src.name}.facts.pickle"
    facts.unlink(missing_ok=True)
    seconds, peak, _ = run_measured(generate(digests), project)
    result["generate_s"], result["generate_peak_mb"] = round(seconds, 2), peak
    result["pages"] = len(list(site_src.rglob("*.md")))
    before = snapshot(site_src)
    seconds, _, _ = run_measured(generate(digests), project)
    result["nochange_s"] = round(seconds, 2)
    result["nochange_files_written"] = rewritten(before, snapshot(site_src))
    # Every page again, with the facts of the last run: what a changed template costs.
    assert facts.is_file(), f"generate left no facts file at {facts}"
    set_aside(site_src, base / "trash")
    seconds, _, _ = run_measured(generate(digests), project)
    result["generate_facts_kept_s"] = round(seconds, 2)

    seconds, peak, stderr = run_measured(mkdocs_build(), project)
    result["build_s"], result["build_peak_mb"] = round(seconds, 1), peak
    site = project / "site"
    paper_pages = [p / "index.html" for p in (site / "papers").iterdir() if p.is_dir() and p.name != "az"]
    result["paper_pages"] = len(paper_pages)
    result["site_mb"] = round(folder_bytes(site) / 1e6, 1)
    result["paper_page_kb"] = round(sum(p.stat().st_size for p in paper_pages) / len(paper_pages) / 1e3, 2)
    result["search_index_mb"] = round(sum(folder_bytes(part) for part in site.glob("pagefind*")) / 1e6, 1)
    result["pagefind_s"] = pagefind_seconds(stderr)
    result["full_build_s"] = round(result["generate_s"] + result["build_s"], 1)
    result["daily_share"] = f"{result['daily_job_s'] / result['full_build_s']:.0%}"
    # The daily job's site must be the full build's, file for file (but the marker
    # `digest-archive build` leaves, which a plain mkdocs build does not write).
    different = differing_files(daily_site, site, ignore={".digest-archive-site"})
    result["daily_identical"] = "yes" if not different else f"no: {len(different)} files, {different[:3]}"
    shutil.rmtree(daily_site)
    if with_search:
        result.update(search_figures(site))
    set_aside(site, base / "trash")

    if with_floor:
        result["floor_build_s"] = round(bare_floor(base / "floor", result["pages"]), 1)
        result["build_vs_floor"] = round(result["build_s"] / result["floor_build_s"], 2)
    shutil.rmtree(base / "trash")
    return result


def restore_as_ci(project: Path) -> None:
    """Leave ``project`` as the deploy workflow finds it after restoring the last run's
    build from the Actions cache (a tar archive): the same files with the same times,
    but new inodes. The daily job must not depend on the inodes of the last run."""
    restored = project.with_name(project.name + "-restored")
    if restored.exists():
        shutil.rmtree(restored)
    shutil.copytree(project, restored, symlinks=True)  # copy2: times kept, new inodes
    shutil.rmtree(project)
    restored.rename(project)


def set_aside(folder: Path, trash: Path) -> None:
    """Move ``folder`` into ``trash``, deleted once the measurements are done.

    Deleting 50,000 files just before a timed run makes that run pay for the deletion
    (the file system frees and discards the blocks meanwhile), which is not its work.
    """
    trash.mkdir(exist_ok=True)
    folder.rename(trash / f"{folder.name}-{len(list(trash.iterdir()))}")
    os.sync()


def bare_floor(root: Path, pages: int) -> float:
    """Build ``pages`` trivial pages with the same theme, plugins and nav; return seconds."""
    make_project(root)
    docs = root / "site_src"
    # The pages the nav names ("  - Days: days/index.md"), so the nav is the archive's.
    nav_pages = re.findall(r"^\s+- [^:\n]+: (\S+\.md)$", (root / "mkdocs.yml").read_text(), re.M)
    for index_page in nav_pages:
        (docs / index_page).parent.mkdir(parents=True, exist_ok=True)
        (docs / index_page).write_text("# Index\n\nA page.\n")
    (docs / "p").mkdir()
    for number in range(pages - len(nav_pages)):
        (docs / "p" / f"{number}.md").write_text(f"# Page {number}\n\nA trivial page.\n")
    seconds, _, _ = run_measured(mkdocs_build(), root)
    shutil.rmtree(root)
    return seconds


def table(results: list[dict], machine: str) -> str:
    columns = [
        ("papers", "papers"),
        ("days", "days"),
        ("pages", "pages"),
        ("generate_s", "generate s"),
        ("generate_peak_mb", "generate peak MB"),
        ("generate_facts_kept_s", "generate s, facts kept"),
        ("nochange_s", "no-change generate s"),
        ("nochange_files_written", "files rewritten (no change)"),
        ("add_digest_files_written", "files rewritten (+1 digest)"),
        ("daily_job_s", "daily job s (+1 digest: digest-archive build)"),
        ("daily_share", "daily job / full build"),
        ("daily_render_s", "of which rendering s"),
        ("daily_mkdocs_s", "of which mkdocs build s"),
        ("daily_pagefind_s", "of which Pagefind s"),
        ("daily_pages_built", "pages built"),
        ("daily_pages_indexed", "pages indexed"),
        ("daily_peak_mb", "daily peak MB"),
        ("daily_identical", "daily site = full build"),
        ("month_start_s", "first day of a month: daily job s"),
        ("month_start_pagefind_s", "of which Pagefind s"),
        ("month_start_pages_indexed", "pages indexed"),
        ("build_s", "mkdocs build s"),
        ("pagefind_s", "of which Pagefind s"),
        ("build_peak_mb", "build peak MB"),
        ("full_build_s", "generate + build s"),
        ("floor_build_s", "bare floor s"),
        ("build_vs_floor", "build / floor"),
        ("site_mb", "site MB"),
        ("paper_page_kb", "KB per paper page"),
        ("search_index_mb", "search index MB"),
        ("search_first_ms", "first query ms"),
        ("search_first_kb", "first query KB (with page load)"),
        ("search_next_ms", "next query ms"),
        ("search_next_kb", "next query KB"),
        ("search_ranks", "rank of the paper"),
    ]
    lines = [
        f"Measured on {machine}.",
        "",
        "| " + " | ".join(h for _, h in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for row in results:
        lines.append("| " + " | ".join(str(row.get(key, "–")) for key, _ in columns) + " |")
    return "\n".join(lines)


def machine_description() -> str:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    python, today = platform.python_version(), time.strftime("%Y-%m-%d")
    return f"{platform.machine()}, {os.cpu_count()} cores, {memory_gb:.0f} GiB, Python {python}, {today}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/digest-archive-bench"))
    parser.add_argument("--no-floor", action="store_true", help="skip the bare-MkDocs floor")
    parser.add_argument("--no-search", action="store_true", help="skip the browser search measurement")
    parser.add_argument("--readme", action="store_true", help="write the table into benchmarks/README.md")
    args = parser.parse_args()
    # Results accumulate in WORK/results.json by size, so one size can be re-measured alone.
    saved = args.work / "results.json"
    by_size = {row["papers"]: row for row in json.loads(saved.read_text())} if saved.exists() else {}
    for size in args.sizes:
        print(f"benchmark: {size} papers ...", file=sys.stderr, flush=True)
        by_size[size] = bench_size(size, args.work, not args.no_floor, not args.no_search)
        print(json.dumps(by_size[size]), file=sys.stderr, flush=True)
        saved.write_text(json.dumps([by_size[k] for k in sorted(by_size)], indent=1))
    results = [by_size[k] for k in sorted(by_size)]
    rendered = table(results, machine_description())
    print(rendered)
    if args.readme:
        readme = HERE / "README.md"
        text = readme.read_text()
        start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
        readme.write_text(text[:start] + "\n" + rendered + "\n" + text[end:])


if __name__ == "__main__":
    main()
