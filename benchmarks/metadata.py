"""What metadata costs: the same synthetic archive as text digests and as structured
digests with metadata on every paper (authors, links, votes, AI summary; see synth.py).

    python benchmarks/metadata.py --papers 50000 --work /dev/shm/meta-bench

For each variant, in fresh processes: `digest-archive generate`, then `mkdocs build
--strict`; the time and peak memory of each, the site's bytes, bytes per paper page and
the bytes of the BibTeX files. Prints a Markdown table (and WORK/metadata.json).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import folder_bytes, generate, machine_description, make_project, mkdocs_build, run_measured  # noqa: E402
from synth import write_archive  # noqa: E402


def measure(papers: int, base: Path, metadata: bool) -> dict:
    digests = base / "digests"
    shutil.rmtree(base, ignore_errors=True)
    write_archive(papers, digests, metadata=metadata)
    project = base / "project"
    make_project(project)
    generate_s, generate_mb, _ = run_measured(generate(digests), project)
    build_s, build_mb, _ = run_measured(mkdocs_build(), project)
    site = project / "site"
    pages = [p / "index.html" for p in (site / "papers").iterdir() if p.is_dir() and p.name != "az"]
    bib = sum(p.stat().st_size for p in site.rglob("*.bib"))
    result = {
        "variant": "JSON digests, metadata on every paper" if metadata else "text digests (no metadata)",
        "papers": len(pages),
        "generate_s": round(generate_s, 1),
        "generate_peak_mb": generate_mb,
        "build_s": round(build_s, 1),
        "build_peak_mb": build_mb,
        "site_mb": round(folder_bytes(site) / 1e6, 1),
        "paper_page_kb": round(sum(p.stat().st_size for p in pages) / len(pages) / 1e3, 2),
        "bib_mb": round(bib / 1e6, 1),
        "archive_json_gz_mb": round((site / "archive.json.gz").stat().st_size / 1e6, 1),
    }
    shutil.rmtree(base)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=50000)
    parser.add_argument("--work", type=Path, default=Path("/dev/shm/digest-archive-metadata-bench"))
    args = parser.parse_args()
    results = [measure(args.papers, args.work / name, name == "json") for name in ("text", "json")]
    args.work.mkdir(parents=True, exist_ok=True)
    (args.work / "metadata.json").write_text(json.dumps(results, indent=1))
    columns = list(results[0])
    print(f"Measured on {machine_description()}.\n")
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in results:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")


if __name__ == "__main__":
    main()
