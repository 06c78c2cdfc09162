"""MkDocs plugin ``digest-archive-progress``: build progress and lean HTML.

MkDocs prints nothing between "Building documentation" and "Documentation built", which
for a large archive is minutes of silence: the plugin reports rendered pages. It also
drops the indentation of Material's templates, about 3 KB of a 17 KB paper page (every
byte counts against GitHub Pages' 1 GB limit at 50,000 pages). Enabled in mkdocs.yml
under ``plugins``.
"""

from __future__ import annotations

import re

from mkdocs.plugins import BasePlugin

from .progress import Progress


class ProgressPlugin(BasePlugin):
    """Counts rendered pages and reports them through :class:`Progress`."""

    def __init__(self) -> None:
        self.progress: Progress | None = None

    def on_files(self, files, /, *, config):
        self.progress = Progress("mkdocs build", len(files.documentation_pages()))
        return files

    def on_post_page(self, output, /, *, page, config):
        if self.progress is not None:
            self.progress.advance()
        return collapse_whitespace(output)

    def on_post_build(self, *, config):
        if self.progress is not None:
            self.progress.close()
            self.progress = None


_INDENTED_LINE_BREAKS = re.compile(r"[ \t]*\n\s*")
_WHITESPACE_SENSITIVE = ("<pre", "<textarea")


def collapse_whitespace(html: str) -> str:
    """Replace each run of white space holding a line break with one line break.

    Browsers show any such run as one space (or nothing, between blocks), so the page
    looks the same; pages with ``<pre>`` or ``<textarea>``, where spacing shows, are left
    as they are.
    """
    if any(tag in html for tag in _WHITESPACE_SENSITIVE):
        return html
    return _INDENTED_LINE_BREAKS.sub("\n", html)
