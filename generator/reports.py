"""Plain-text reports on the model for maintainers: tag coverage, duplicates and
same-title papers.

Pure functions from the model to text; the CLI prints them.
"""

from __future__ import annotations

from collections import Counter

from .analysis.evaluation import Evaluation
from .model import Archive
from .site.urls import paper_url

# A tag on more than this share of papers says little about a paper: flagged in the report.
MAX_TAG_SHARE = 0.35


def tag_report(archive: Archive) -> str:
    """Coverage, the size of every tag, and the papers no tag fits."""
    papers = list(archive.papers.values())
    total = len(papers)
    sizes = Counter(slug for paper in papers for slug in paper.tags)
    tagged = sum(1 for paper in papers if paper.tags)
    lines = [
        f"{total} papers; {tagged} tagged ({_share(tagged, total)}), {total - tagged} untagged;"
        f" {sum(sizes.values()) / total if total else 0:.2f} tags per paper",
        "",
        f"{'papers':>7}  {'share':>6}  tag",
    ]
    for tag in sorted(archive.tags, key=lambda t: (-sizes[t.slug], t.slug)):
        size = sizes[tag.slug]
        flag = f"  <- over {MAX_TAG_SHARE:.0%} of papers" if total and size / total > MAX_TAG_SHARE else ""
        empty = "  <- no paper" if size == 0 else ""
        lines.append(f"{size:>7}  {_share(size, total):>6}  {tag.slug}{flag}{empty}")
    untagged = sorted((paper for paper in papers if not paper.tags), key=lambda p: p.title.casefold())
    lines += ["", f"Untagged papers ({len(untagged)}):"]
    lines += [f"  {paper.title}  [{paper_url(paper.slug)}]" for paper in untagged] or ["  none"]
    return "\n".join(lines) + "\n"


def duplicates_report(archive: Archive) -> str:
    """Every near-duplicate merge (the paper kept, the one merged into it, the scores),
    then every title listed for different papers, which were kept apart."""
    lines: list[str] = []
    if archive.merges:
        lines += [f"{len(archive.merges)} near-duplicate(s) merged (title and abstract similarity, 0-100):", ""]
        for merge in archive.merges:
            kept = archive.papers[merge.kept]
            lines += [
                f"title {merge.title_score:5.1f}  abstract {merge.abstract_score:5.1f}",
                f"  kept:   {kept.title}  [{paper_url(kept.slug)}]",
                f"  merged: {merge.merged_title}",
                "",
            ]
    else:
        lines += ["No near-duplicates merged.", ""]
    if archive.homonyms:
        lines += [
            f"{len(archive.homonyms)} title(s) listed for different papers, kept apart"
            " (the abstracts differ; highest abstract similarity, 0-100):",
            "",
        ]
        for group in archive.homonyms:
            papers = [archive.papers[key] for key in group.keys if key in archive.papers]
            lines.append(f"abstract {group.abstract_score:5.1f}  {len(papers)} papers")
            lines += [
                f"  {paper.title}  [{paper_url(paper.slug)}], first listed {paper.first_seen}" for paper in papers
            ]
            lines.append("")
    return "\n".join(lines[:-1]) + "\n"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "0%"


def evaluation_report(evaluation: Evaluation, archive: Archive, labels_source: str = "") -> str:
    """The tag and related-paper figures of one evaluation, then what each topic got wrong
    and the papers with a fitting topic but no tag."""
    tags, related = evaluation.tags, evaluation.related
    title_of = {paper.slug: paper.title for paper in archive.papers.values()}
    lines = [
        f"{evaluation.split} half: {tags.papers} labelled papers" + (f" of {labels_source}" if labels_source else ""),
        f"tags:    precision {tags.precision:.1%} ({tags.right} of {tags.given} given fit),"
        f" recall {tags.recall:.1%} ({tags.found} of {tags.fitting} fitting topics given),"
        f" {len(tags.untagged)} untagged with a fitting topic",
        f"related: precision {related.precision:.1%} ({related.right} of {related.listed} listed are related),"
        f" {related.listed / related.papers if related.papers else 0:.2f} listed per paper,"
        f" {len(related.padded)} padded beyond their related papers",
    ]
    if evaluation.absent:
        lines.append(f"{len(evaluation.absent)} labelled papers are not in this archive (other digests?)")
    lines += ["", "Errors per topic (wrong: given but not fitting; missed: fitting but not given):"]
    for topic, errors in tags.per_topic.items():
        lines.append(f"  {topic}: {len(errors.wrong)} wrong, {len(errors.missed)} missed")
        lines += [f"      wrong  {title_of.get(slug, slug)}" for slug in errors.wrong]
        lines += [f"      missed {title_of.get(slug, slug)}" for slug in errors.missed]
    if not tags.per_topic:
        lines.append("  none")
    lines += ["", f"Untagged papers with a fitting topic ({len(tags.untagged)}):"]
    lines += [f"  {title_of.get(slug, slug)}" for slug in tags.untagged] or ["  none"]
    return "\n".join(lines) + "\n"
