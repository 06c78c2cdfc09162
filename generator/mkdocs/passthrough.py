"""pass_through_html: generated pages skip Python-Markdown.

The generator writes each page's body as finished HTML (front matter
``html_body: true``; see generator/site/templates). Python-Markdown would only copy it,
at about 1 ms a page with its set-up (50 s at 50,000 pages). MkDocs' strict link check
runs during that conversion, so the generator's links are checked by the test suite
(tests/test_build.py, tests/test_hosting.py) instead.
"""

from __future__ import annotations

import types

from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from ..site.escaping import HTML_BODY_KEY


def is_generated(page: Page) -> bool:
    """True for a page the generator wrote (its body is finished HTML)."""
    return page.meta.get(HTML_BODY_KEY) is True


def pass_through(page: Page) -> None:
    """Make ``page`` render as its source: an instance attribute stands in for
    ``Page.render``, which MkDocs calls next."""
    page.render = types.MethodType(_render_finished_html, page)  # type: ignore[method-assign]


def _render_finished_html(page: Page, config: object, files: object) -> None:
    """Page.render for a page whose source is finished HTML: the source is the content."""
    page.content = page.markdown
    page.toc = get_toc([])
    page.present_anchor_ids = set()
