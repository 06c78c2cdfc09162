"""stamp_frames: Material's page frame rendered once per page shape and stamped around
each generated page.

Material's ``main.html`` takes 4 to 5 ms a page, most of a 50,000-page build, yet on a
generated page only a few values change from page to page: the title, the description,
the feed, the citation meta tags, the content, and the links relative to the page's folder. :class:`FrameCache`
renders the frame once with marker strings in place of those values, cuts it at the
markers, and builds the next pages of the same shape by joining the pieces with each
page's values.

It trusts a frame only after checking it: the first two pages of each shape are rendered
by Material as usual and must equal their stamped versions byte for byte. A theme change,
a plugin or a setting that makes pages differ in any other way fails that check, and the
pages of that shape are then all rendered by Material. After that, one page in
:data:`SAMPLE_EVERY` of each shape is still rendered by Material and compared: a
difference then means pages already stamped may be wrong, and the build fails
(:class:`StampMismatch`) rather than publish them. Nothing is ever stamped on trust.

A page's shape takes in everything a template can read that differs between pages,
other than the stamped values: its folder, its template, whether its content has an
``<h1>``, which optional values it has, and the value of every other front-matter key.
"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Lower-case letters only: no filter a template might apply (escape, striptags, trim,
# replace('edit', 'blob')) changes them, and they never occur in real text.
_MARKERS = {
    "title": "qzxdaframetitlemarkerqzx",
    "description": "qzxdaframedescriptionmarkerqzx",
    "content": "qzxdaframecontentmarkerqzx",
    "canonical_url": "qzxdaframecanonicalmarkerqzx",
    "edit_url": "qzxdaframeeditmarkerqzx",
    "feed": "qzxdaframefeedmarkerqzx",
    "feed_title": "qzxdaframefeedtitlemarkerqzx",
    "citation_tags": "qzxdaframecitationmarkerqzx",
}
# Values a page takes from its front matter (the others are MkDocs' own).
_META_VALUES = ("title", "description", "feed", "feed_title", "citation_tags")
# Values that are whole tags, starting with "<" and ending with ">": a paper's meta tags.
_TAG_VALUES = frozenset({"citation_tags"})
_MARKER_PATTERN = re.compile("|".join(_MARKERS.values()))
_FIELD_OF_MARKER = {marker: name for name, marker in _MARKERS.items()}
CHECKED_PAGES = 2
# After its checks, one stamped page in this many of each shape is rendered and compared.
SAMPLE_EVERY = 64


class StampMismatch(Exception):
    """A page of a shape already trusted came out differently from Material's rendering."""


def page_values(page) -> dict[str, str]:
    """The values of ``page`` that differ between pages of one shape."""
    return {
        **{key: str(page.meta.get(key, "")) for key in _META_VALUES},
        "content": page.content or "",
        "canonical_url": page.canonical_url or "",
        "edit_url": page.edit_url or "",
    }


def shape_of(page) -> tuple:
    """Pages of one shape share a frame: same folder (so the same relative links), the
    same template, an ``<h1>`` in the content or not (Material adds one if not), the
    same optional values present, and the same value of every front-matter key other
    than the stamped ones. A page listed in the nav is a shape of its own."""
    folder = posixpath.dirname(page.url.rstrip("/"))
    # A page in the nav renders its own active tab and previous/next links: it is a shape
    # of its own (there are only a few), never stamped with the frame of a page outside it.
    in_nav = page.previous_page is not None or page.next_page is not None or page.parent is not None
    return (
        page.url if in_nav else None,
        folder,
        page.meta.get("template", "main.html"),
        "<h1" in (page.content or ""),
        page.canonical_url is None,
        page.edit_url is None,
        tuple(sorted(page.meta)),
        tuple(sorted((key, repr(value)) for key, value in page.meta.items() if key not in _META_VALUES)),
    )


def marked_copy(page):
    """A shallow copy of ``page`` whose changing values are the marker strings."""
    marked = copy.copy(page)
    # Only values the page has: Material falls back to site-wide ones for the others.
    marked.meta = {**page.meta, **{key: _MARKERS[key] for key in _META_VALUES if key in page.meta}}
    # Material adds an <h1> when the content has none: the marker content must agree.
    marked.content = ("<h1>" if "<h1" in (page.content or "") else "") + _MARKERS["content"]
    marked.canonical_url = _MARKERS["canonical_url"] if page.canonical_url is not None else None
    marked.edit_url = _MARKERS["edit_url"] if page.edit_url is not None else None
    return marked


@dataclass
class Frame:
    """A rendered frame cut at the markers: literal text and the names of page values."""

    pieces: tuple[str, ...]  # literal, field, literal, field, ..., literal
    content_prefix: str

    @classmethod
    def from_marked_output(cls, output: str, content_prefix: str) -> Frame:
        pieces: list[str] = []
        position = 0
        for match in _MARKER_PATTERN.finditer(output):
            pieces.extend((output[position : match.start()], _FIELD_OF_MARKER[match.group()]))
            position = match.end()
        pieces.append(output[position:])
        for i in range(1, len(pieces), 2):
            if pieces[i] in _TAG_VALUES:
                # lean_html drops a line break between two tags: between this value's
                # tags and the theme's tags around it too.
                if pieces[i - 1].endswith(">\n"):
                    pieces[i - 1] = pieces[i - 1][:-1]
                if pieces[i + 1].startswith("\n<"):
                    pieces[i + 1] = pieces[i + 1][1:]
            if pieces[i] != "content":
                continue
            before = pieces[i - 1]
            if content_prefix and before.endswith(content_prefix):
                before = before[: -len(content_prefix)]  # the "<h1>" that stood in for the page's own
            # White space around the content merges with the page's own edges when the
            # whole page is collapsed: the content goes in stripped, between stripped edges.
            pieces[i - 1], pieces[i + 1] = before.rstrip(), pieces[i + 1].lstrip()
        return cls(tuple(pieces), content_prefix)

    def stamp(self, values: dict[str, str]) -> str:
        return "".join(piece if i % 2 == 0 else values[piece] for i, piece in enumerate(self.pieces))


@dataclass
class _Shape:
    frame: Frame | None = None
    checked: int = 0
    failed: bool = False
    stamped_since_check: int = 0


@dataclass
class FrameCache:
    """Frames by page shape, each checked against Material's own rendering first.

    ``render_marked(page, context)`` renders the theme for a marked copy of ``page``;
    ``finish(html, page)`` is what the plugin does to every page's output afterwards.
    """

    render_marked: Callable
    finish: Callable[[str, Any], str]
    shapes: dict[tuple, _Shape] = field(default_factory=dict)
    stamped: int = 0
    rendered: int = 0

    def ready(self, page) -> bool:
        """True if ``page`` is to be stamped: its shape's frame passed its checks, and it
        is not the shape's next page to sample."""
        shape = self.shapes.get(shape_of(page))
        if shape is None or shape.failed or shape.checked < CHECKED_PAGES:
            return False
        return shape.stamped_since_check < SAMPLE_EVERY

    def prepare(self, page, context) -> None:
        """Before Material renders ``page``: make its shape's frame if there is none yet."""
        shape = self.shapes.setdefault(shape_of(page), _Shape())
        if shape.frame is None and not shape.failed:
            marked = marked_copy(page)
            output = self.finish(self.render_marked(marked, {**context, "page": marked}), marked)
            shape.frame = Frame.from_marked_output(output, "<h1>" if marked.content.startswith("<h1>") else "")

    def check(self, page, rendered: str) -> None:
        """After Material rendered ``page`` (output ``rendered``, finished): test the frame.

        Raises :class:`StampMismatch` if pages of the shape were stamped already."""
        self.rendered += 1
        shape = self.shapes.get(shape_of(page))
        if shape is None or shape.failed or shape.frame is None:
            return
        if shape.frame.stamp(self.values(page)) == rendered:
            shape.checked += 1
            shape.stamped_since_check = 0
        elif shape.checked >= CHECKED_PAGES:
            raise StampMismatch(
                f"{page.url}: Material rendered this page differently from the frame stamped on"
                " pages like it, which may then be wrong"
            )
        else:
            shape.failed = True

    def stamp(self, page) -> str:
        self.stamped += 1
        shape = self.shapes[shape_of(page)]
        shape.stamped_since_check += 1
        frame = shape.frame
        assert frame is not None, "stamp() follows ready()"
        return frame.stamp(self.values(page))

    def values(self, page) -> dict[str, str]:
        values = page_values(page)
        values["content"] = self.finish(values["content"], page).strip()
        return values
