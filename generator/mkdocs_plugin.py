"""MkDocs plugin ``digest-archive-progress``: shows build progress page by page.

MkDocs prints nothing between "Building documentation" and "Documentation built", which
for a large archive is minutes of silence. Enabled in mkdocs.yml under ``plugins``.
"""

from __future__ import annotations

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
        return output

    def on_post_build(self, *, config):
        if self.progress is not None:
            self.progress.close()
            self.progress = None
