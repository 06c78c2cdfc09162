"""``archive.json.gz``: the whole archive as data, for anyone who wants more than pages.

Compressed: the JSON of 50,000 papers is 130 MB, a tenth of what GitHub Pages allows a
site, and 33 MB compressed. The same archive always gives the same bytes.
"""

from __future__ import annotations

import gzip
import json

from ..model import Archive, Paper
from .urls import day_url, paper_url, tag_url


def compressed(text: str) -> bytes:
    """``text`` gzip-compressed, the same bytes for the same text (no time stamp)."""
    # Level 3: at 50,000 papers (125 MB of JSON) 1.25 s and 34.8 MB, against 3.3 s and
    # 31.0 MB at level 6 (and 0.76 s, 38.4 MB at level 1). It is made on every run, and
    # in the daily build its single job was the longest of the writer's.
    return gzip.compress(text.encode("utf-8"), compresslevel=3, mtime=0)


def _meta_fields(paper: Paper) -> dict[str, object]:
    """The paper's metadata, each field only when known (counts with the day they were read)."""
    meta = paper.meta
    fields: dict[str, object] = {
        "arxiv_id": meta.arxiv_id,
        "authors": list(meta.authors),
        "published": meta.published.isoformat() if meta.published else "",
        "github_repo": meta.github_repo,
        "project_page": meta.project_page,
        "ai_summary": meta.ai_summary,
        "ai_keywords": list(meta.ai_keywords),
    }
    if meta.upvotes is not None:
        fields["upvotes"] = {"count": meta.upvotes, "as_of": meta.upvotes_on.isoformat() if meta.upvotes_on else None}
    if meta.github_stars is not None:
        fields["github_stars"] = {
            "count": meta.github_stars,
            "as_of": meta.stars_on.isoformat() if meta.stars_on else None,
        }
    return {key: value for key, value in fields.items() if value}


def export_json(archive: Archive) -> str:
    """The JSON of ``archive.json.gz``: every paper with its text, tags, links, related
    papers, appearances and metadata (arXiv id, authors, votes...); every day and tag."""
    papers = [
        {
            "slug": paper.slug,
            "url": paper_url(paper.slug),
            "title": paper.title,
            "abstract": paper.abstract,
            "tags": list(paper.tags),
            "related": [archive.papers[key].slug for key in paper.related],
            "links": [{"url": link.url, "kind": link.kind} for link in paper.links],
            **_meta_fields(paper),
            "appearances": [
                {"date": a.date.isoformat(), "rank": a.rank, "title": a.title, "day_url": day_url(a.date)}
                for a in paper.appearances
            ],
        }
        for paper in sorted(archive.papers.values(), key=lambda p: p.slug)
    ]
    document = {
        "papers": papers,
        "days": [
            {
                "date": day.date.isoformat(),
                "url": day_url(day.date),
                "papers": [archive.papers[k].slug for k in day.paper_keys],
            }
            for day in archive.days
        ],
        "tags": [
            {"slug": tag.slug, "name": tag.name, "description": tag.description, "url": tag_url(tag.slug)}
            for tag in archive.tags
        ],
    }
    # Compact: with indent, json falls back to its slow pure-Python encoder.
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
