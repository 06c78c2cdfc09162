"""Hand-made tag overrides: topics added to or removed from one paper by a maintainer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import ArchiveError
from ..model import Archive
from .identity import title_key, title_of_key
from .taxonomy import Taxonomy


@dataclass(frozen=True)
class TagOverride:
    """Tags added to or removed from one paper by hand; ``paper`` is its slug or title."""

    paper: str
    add: tuple[str, ...]
    remove: tuple[str, ...]
    line: int


def load_overrides(path: Path, taxonomy: Taxonomy) -> tuple[TagOverride, ...]:
    """Read the per-paper overrides file; a missing file means no overrides.

    The file maps a paper (its URL slug, or its title) to the tags to ``add`` or
    ``remove``::

        papers:
          why-do-random-forests-work-understanding-tree-ensembles-as-2f0c5a8e:
            add: [learning-theory]
          "Fast Sparse ConvNets":
            remove: [computer-vision]
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except OSError as error:
        raise ArchiveError(f"cannot read tag overrides {path}: {error.strerror}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise ArchiveError(f"tag overrides {path} are not valid YAML: {error}") from None
    if root is None:
        return ()
    known = {tag.slug for tag in taxonomy.tags}
    papers = _mapping_value(root, "papers")
    if not isinstance(root, yaml.MappingNode) or papers is None and root.value:
        raise ArchiveError(f"{path}:{root.start_mark.line + 1}: expected 'papers:', a mapping of paper to add/remove")
    if papers is None or isinstance(papers, yaml.ScalarNode) and papers.value in ("", "~", "null"):
        return ()
    if not isinstance(papers, yaml.MappingNode):
        raise ArchiveError(
            f"{path}:{papers.start_mark.line + 1}: 'papers' must map a paper's slug or title to add/remove"
        )
    overrides = []
    for key_node, value_node in papers.value:
        line = key_node.start_mark.line + 1
        where = f"{path}:{line}"
        if not isinstance(key_node, yaml.ScalarNode) or not key_node.value.strip():
            raise ArchiveError(f"{where}: a paper is named by its slug or title")
        if not isinstance(value_node, yaml.MappingNode):
            raise ArchiveError(f"{where}: expected 'add:' and/or 'remove:' lists of tag slugs")
        lists = {"add": (), "remove": ()}
        for field_node, tags_node in value_node.value:
            field = field_node.value
            if field not in lists:
                raise ArchiveError(
                    f"{path}:{field_node.start_mark.line + 1}: unknown key {field!r}; use 'add' or 'remove'"
                )
            if not isinstance(tags_node, yaml.SequenceNode) or not all(
                isinstance(n, yaml.ScalarNode) for n in tags_node.value
            ):
                raise ArchiveError(f"{path}:{tags_node.start_mark.line + 1}: '{field}' must be a list of tag slugs")
            for tag_node in tags_node.value:
                if tag_node.value not in known:
                    raise ArchiveError(
                        f"{path}:{tag_node.start_mark.line + 1}: unknown tag {tag_node.value!r} (not in the taxonomy)"
                    )
            lists[field] = tuple(node.value for node in tags_node.value)
        overrides.append(TagOverride(paper=key_node.value.strip(), add=lists["add"], remove=lists["remove"], line=line))
    return tuple(overrides)


def _mapping_value(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return value_node
    return None


def apply_override(tags: tuple[str, ...], override: TagOverride) -> tuple[str, ...]:
    """``tags`` with the override's removals taken out and its additions put first."""
    kept = [slug for slug in tags if slug not in override.remove and slug not in override.add]
    return tuple(dict.fromkeys([*override.add, *kept]))


def override_targets(archive: Archive, overrides: Sequence[TagOverride]) -> dict[TagOverride, tuple[str, ...]]:
    """The keys of the papers each override names, by URL slug or title.

    Usually one; none if no paper has that slug or title; several if the override gives a
    title that two papers were listed under (then it applies to neither: see
    :func:`apply_overrides`).
    """
    by_name: dict[str, list[str]] = {}
    for paper in archive.papers.values():
        names = {paper.key, *paper.aliases, paper.slug, *paper.alias_slugs, title_of_key(paper.key)}
        for name in names:
            by_name.setdefault(name, []).append(paper.key)
    return {
        override: tuple(by_name.get(override.paper) or by_name.get(title_key(override.paper)) or ())
        for override in overrides
    }
