"""What each theme trick saves: the same generated pages built with every trick on, then
with each switched off in turn, and with all of them off.

    python benchmarks/tricks.py --papers 10000 --work /tmp/tricks

The archive is generated once (benchmarks/synth.py); each variant is one
``mkdocs build --strict`` of it, timed, with Pagefind off (its indexing is the same for
every variant and measured by benchmarks/run.py); each is built into memory
(/dev/shm), and the fastest of three builds counts. Prints a Markdown table: build
seconds, bytes of the built site and of an average paper page, and what switching the
trick off costs against the default build. generator/mkdocs/README.md quotes it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from run import folder_bytes, machine_description, make_project  # noqa: E402
from synth import write_archive  # noqa: E402

from generator.mkdocs.theme import Tricks  # noqa: E402

TABLE_START = "<!-- tricks:start -->"
TABLE_END = "<!-- tricks:end -->"


def config_with(project: Path, **settings: bool) -> Path:
    """The project's mkdocs.yml with the digest-archive settings and no search plugin."""
    text = re.sub(r"!ENV \[\w+, (\"[^\"]*\")\]", r"\1", (project / "mkdocs.yml").read_text())
    config = yaml.safe_load(text)
    plugins = [plugin for plugin in config["plugins"] if plugin != "digest-archive-search"]
    config["plugins"] = [{"digest-archive": settings} if p == "digest-archive" and settings else p for p in plugins]
    name = "-".join(sorted(settings)) or "default"
    path = project / f"mkdocs-{name[:60]}.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def build(project: Path, config: Path, repeat: int, site: Path) -> tuple[float, int, float]:
    """Seconds (the fastest of ``repeat`` builds into ``site``), site bytes and mean
    paper-page bytes of building ``config``."""
    times = []
    for _ in range(repeat):
        if site.exists():
            shutil.rmtree(site)
        # The previous build's 100+ MB still being written back would slow this one.
        os.sync()
        time.sleep(2)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config), "-d", str(site)],
            cwd=project,
            check=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            stderr=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
    seconds = min(times)
    pages = [p for p in (site / "papers").glob("*/index.html") if p.parent.name != "az"]
    page_bytes = sum(p.stat().st_size for p in pages) / len(pages)
    return seconds, folder_bytes(site), page_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/digest-archive-tricks"))
    parser.add_argument("--repeat", type=int, default=3, help="builds per variant; the fastest counts")
    parser.add_argument("--readme", action="store_true", help="write the table into generator/mkdocs/README.md")
    parser.add_argument(
        "--site",
        type=Path,
        default=Path("/dev/shm/digest-archive-tricks-site"),
        help="where each variant is built: in memory by default, so the disk's write speed,"
        " which falls as a run writes a few GB, does not count",
    )
    args = parser.parse_args()
    project = args.work / "project"
    make_project(project)
    digests = args.work / "digests"
    if digests.exists():
        shutil.rmtree(digests)
    write_archive(args.papers, digests)
    subprocess.run(
        [sys.executable, "-m", "generator.cli", "generate", "--digests", str(digests), "--strict"],
        cwd=project,
        check=True,
        stderr=subprocess.DEVNULL,
    )
    variants = [("all on (default)", {})] + [(f"`{name}` off", {name: False}) for name in Tricks.names()]
    variants.append(("all off", dict.fromkeys(Tricks.names(), False)))
    rows = []
    for label, settings in variants:
        seconds, site_bytes, page_bytes = build(project, config_with(project, **settings), args.repeat, args.site)
        rows.append((label, seconds, site_bytes, page_bytes))
        print(
            f"{label}: {seconds:.1f} s, {site_bytes / 1e6:.1f} MB, {page_bytes / 1e3:.2f} KB a paper page", flush=True
        )
    shutil.rmtree(args.site, ignore_errors=True)
    _, base_seconds, base_bytes, base_page = rows[0]
    lines = [
        f"{args.papers} papers; {machine_description()}; Pagefind off in every build.",
        "",
        "| build | mkdocs build s | site MB | KB a paper page | switching it off costs |",
        "|---|---|---|---|---|",
    ]
    for position, (label, seconds, site_bytes, page_bytes) in enumerate(rows):
        cost = (
            f"{seconds - base_seconds:+.1f} s, {(site_bytes - base_bytes) / 1e6:+.1f} MB,"
            f" {(page_bytes - base_page) / 1e3:+.2f} KB a page"
            if position
            else ""
        )
        lines.append(f"| {label} | {seconds:.1f} | {site_bytes / 1e6:.1f} | {page_bytes / 1e3:.2f} | {cost} |")
    table = "\n".join(lines)
    print("\n" + table)
    if args.readme:
        readme = REPO / "generator" / "mkdocs" / "README.md"
        text = readme.read_text()
        start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
        readme.write_text(text[:start] + "\n" + table + "\n" + text[end:])


if __name__ == "__main__":
    main()
