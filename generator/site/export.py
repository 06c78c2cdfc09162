"""``archive.json.gz``: the whole archive as data, for anyone who wants more than pages.

Compressed: the JSON of 50,000 papers is 115 MB, a tenth of what GitHub Pages allows a
site, and 33 MB compressed. The same archive always gives the same bytes.

It is made again on every run that changes a paper, and at 50,000 papers it was the
writer's longest job (6.5 s of a daily run's 10 on a slow day): the JSON is written by
orjson and compressed by ISA-L (isal), each about seven times faster than the standard
library's ``json`` and ``gzip`` (both held to them by the tests).
"""

from __future__ import annotations

import json

import orjson
from isal import igzip

from ..model import Archive, Paper
from .urls import day_url, paper_url, tag_url

# ISA-L's level 2: 33.5 MB at 50,000 papers in 0.3 s, where zlib's level 3 (the one used
# before) took 2.2 s for 32.8 MB.
COMPRESS_LEVEL = 2


def compressed(data: bytes) -> bytes:
    """``data`` gzip-compressed, the same bytes for the same data (no time stamp)."""
    return igzip.compress(data, compresslevel=COMPRESS_LEVEL, mtime=0)


def compact_json(document: object) -> bytes:
    """``document`` as compact JSON with sorted keys and characters as they are, in UTF-8:
    ``json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))``,
    written by orjson, or by ``json`` for what orjson does not write (an integer beyond 64
    bits)."""
    try:
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


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


def export_json(archive: Archive) -> bytes:
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
    return compact_json(document) + b"\n"
