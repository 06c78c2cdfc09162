"""lean_html: the built HTML without the bytes no reader or browser uses.

The indentation of Material's templates is about 3 KB of a 17 KB paper page, and on
generated pages the line breaks between tags are more; Material's generator meta tag is
70 bytes a page. At 50,000 pages every byte counts against GitHub Pages' 1 GB limit.
"""

from __future__ import annotations

import re

# Material's <meta name="generator">: 70 bytes a page that no reader or browser uses.
_GENERATOR_META = re.compile(r'<meta name="generator" content="mkdocs-[^"<>]*">')
_INDENTED_LINE_BREAKS = re.compile(r"[ \t]*\n\s*")
_LINE_BREAKS_BETWEEN_TAGS = re.compile(r">\n<")
WHITESPACE_SENSITIVE = ("<pre", "<textarea")
# A whole <pre> or <textarea> element, whose spacing shows (a paper page's BibTeX entry).
_KEPT_AS_IS = re.compile(r"<(pre|textarea)\b.*?</\1>", re.S)


def lean_html(html: str, generated: bool) -> str:
    """``html`` without the generator meta tag and with its white space collapsed (see
    :func:`collapse_whitespace`; ``generated`` pages between tags too)."""
    return collapse_whitespace(_GENERATOR_META.sub("", html, count=1), between_tags=generated)


def collapse_whitespace(html: str, between_tags: bool = False) -> str:
    """Replace each run of white space holding a line break with one line break.

    Browsers show any such run as one space (or nothing, between blocks), so the page
    looks the same. Inside ``<pre>`` and ``<textarea>`` elements spacing shows: they are
    kept byte for byte, and a page whose such elements cannot all be told apart (one
    left open) is left as it is. With ``between_tags``, a line break right between two
    tags goes too: only for generated pages, whose templates never rely on a line break
    as the space between two inline elements (hand-written Markdown may: `a`⏎`b`).
    """
    if not any(tag in html for tag in WHITESPACE_SENSITIVE):
        return _collapse(html, between_tags)
    kept = list(_KEPT_AS_IS.finditer(html))
    if not _all_closed(html, kept):
        return html
    parts = []
    position = 0
    for element in kept:
        before = _collapse(html[position : element.start()], between_tags)
        if between_tags and before.endswith(">\n"):
            before = before[:-1]  # the line break between the tag before and <pre>
        parts += [before, element.group()]
        position = element.end()
    rest = _collapse(html[position:], between_tags)
    parts.append(rest[1:] if between_tags and rest.startswith("\n<") else rest)
    return "".join(parts)


def spacing_is_delimited(html: str) -> bool:
    """True if every ``<pre>`` and ``<textarea>`` of ``html`` is closed, so that
    :func:`collapse_whitespace` collapses the rest (false: it leaves ``html`` as it is)."""
    return not any(tag in html for tag in WHITESPACE_SENSITIVE) or _all_closed(html, list(_KEPT_AS_IS.finditer(html)))


def _all_closed(html: str, kept: list[re.Match[str]]) -> bool:
    return len(kept) == sum(html.count(tag) for tag in WHITESPACE_SENSITIVE)


def _collapse(html: str, between_tags: bool) -> str:
    collapsed = _INDENTED_LINE_BREAKS.sub("\n", html)
    return _LINE_BREAKS_BETWEEN_TAGS.sub("><", collapsed) if between_tags else collapsed
