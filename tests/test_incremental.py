"""Adding a digest changes only the pages that show something from it."""

from __future__ import annotations

import json
import sys

from generator.analysis.assemble import build_model
from generator.analysis.taxonomy import load_taxonomy
from generator.pipeline import load_digests
from generator.site.plan import render_site
from generator.site.urls import source_path, static_prefix, tag_month_url, url, week_url

from .helpers import REPO


def _records_without_related(document: str | bytes) -> set[str]:
    """The records of a reader-index shard."""
    return {json.dumps(record) for record in json.loads(document)["papers"]}


def _without_related(page: str) -> str:
    """The page less its related-papers section (which a new paper may add, change or,
    when the list empties, remove)."""
    start = page.find("<h2>Related papers</h2>")
    if start < 0:
        return page
    opening = page.rfind("<div", 0, start)
    return page[:opening] + page[page.index("</div>", start) + len("</div>\n") :]


sys.path.insert(0, str(REPO / "benchmarks"))
from synth import write_archive  # noqa: E402


def test_adding_the_newest_digest_rewrites_only_affected_pages(tmp_path):
    write_archive(1500, tmp_path)
    taxonomy = load_taxonomy(REPO / "taxonomy.yml")
    digests = load_digests(tmp_path).digests
    before = render_site(build_model(digests[:-1], taxonomy).archive)
    archive = build_model(digests, taxonomy).archive
    after = render_site(archive)
    changed = {path for path in after if before.get(path) != after[path]}
    removed = set(before) - set(after)

    newest = archive.days[-1]
    listed = archive.papers_on(newest)
    allowed = {
        "index.md",
        "days/index.md",
        "papers/index.md",
        "tags/index.md",
        "archive.json.gz",
        "stats/index.md",
        "feeds/days.xml",
        "archive.bib",
    }
    allowed |= {url("reader_recent"), url("search_filters"), source_path(url("weeks"), index=True)}
    allowed.add(url("search_months"))  # the pages by month, for the search plugin
    # The newest day's week page, and the week before, which gains a "newer" link.
    weeks = sorted({day.date.isocalendar()[:2] for day in archive.days})
    allowed |= {source_path(week_url(week)) for week in weeks[-2:]}
    allowed.add(f"days/{newest.date.isoformat()}.md")
    allowed.add(f"days/{newest.date.isoformat()}.bib")
    allowed.add(f"days/{archive.days[-2].date.isoformat()}.md")  # gains its "next day" link
    for paper in listed:
        allowed.add(f"papers/{paper.slug}.md")
        allowed.add(f"papers/{paper.slug}.bib")
        allowed |= {f"days/{date.isoformat()}.md" for date in tuple(a.date for a in paper.appearances)}
        for tag in paper.tags:
            allowed.add(f"tags/{tag}/index.md")
            allowed.add(f"feeds/tags/{tag}.xml")
            allowed.add(f"tags/{tag}/{tag}.bib")
            allowed.add(tag_month_url(tag, (newest.date.year, newest.date.month)).rstrip("/") + ".md")
    # A-Z sections on the way to a listed paper (and any they split into).
    on_path = {
        path
        for path in after
        if path.startswith("papers/az/")
        and any(paper.slug.startswith(path.split("/")[2].rstrip("~")) for paper in listed)
    }
    # A topic's newest month page gains a "newer" link when the digest opens a new month.
    month_pages: dict[str, list[str]] = {}
    for path in before:
        if path.startswith("tags/") and path.count("/") == 2 and not path.endswith("index.md"):
            month_pages.setdefault(path.split("/")[1], []).append(path)
    newest_months = {max(paths) for paths in month_pages.values()}
    # Related papers come from text similarity over the whole archive: new papers can
    # enter an older paper's list. Such a page may change there and nowhere else.
    related_only = {
        path
        for path in changed - allowed
        if path.startswith("papers/") and _without_related(before[path]) == _without_related(after[path])
    }
    # A shard of the reader's index changes where a listed paper is.
    listed_slugs = {paper.slug for paper in listed}
    shards = {
        path
        for path in changed - allowed
        if path.startswith(static_prefix("reader_shard"))
        and _records_without_related(before[path]) - _records_without_related(after[path])
        <= {r for r in _records_without_related(before[path]) if json.loads(r)[0] in listed_slugs}
    }
    unexpected = changed - allowed - on_path - newest_months - related_only - shards
    assert not unexpected, sorted(unexpected)[:10]
    assert not removed
    assert {f"days/{newest.date.isoformat()}.md", *(f"papers/{p.slug}.md" for p in listed)} <= changed
    # Of about 1,700 pages, only a small share changes besides related-paper lists.
    assert len(changed - related_only) < 0.12 * len(after), len(changed - related_only)
    print(f"{len(changed)} of {len(after)} files changed, {len(related_only)} only in their related papers")
