"""MkDocs plugin ``digest-archive``: build progress, generated pages passed through and
stamped, lean HTML.

* Progress: MkDocs prints nothing between "Building documentation" and "Documentation
  built", which for a large archive is minutes of silence; the plugin reports pages.
* Pass-through: generated pages are HTML already (see generator/site/templates), which
  Python-Markdown would only copy, at about 1 ms a page with its set-up (50 s at 50,000
  pages). Pages whose front matter says ``html_body: true`` skip Markdown; hand-written
  pages are converted as usual. (MkDocs' strict link check runs during that conversion,
  so the generator's links are checked by the test suite instead.)
* Stamping: Material's page frame (head, header, tabs, navigation, footer) costs 4 to 5 ms
  a page to render. Generated pages of one shape get it rendered once, checked against
  Material's own output for two pages, then joined around each page's values: see
  generator/mkdocs/stamp.py.
* Sitemap: one line a page, in files of at most 50,000 addresses (see
  generator/mkdocs/sitemap.py), instead of MkDocs' single indented file.
* Lean HTML: the indentation of Material's templates is dropped, about 3 KB of a 17 KB
  paper page, and on generated pages the line breaks between tags too; so is Material's
  generator meta tag (every byte counts against GitHub Pages' 1 GB limit at 50,000
  pages).

Enabled in mkdocs.yml under ``plugins``.
"""

from __future__ import annotations

import re
import types
from pathlib import Path

import jinja2
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.toc import get_toc

from ..progress import Progress
from ..site.escaping import HTML_BODY_KEY
from ..site.urls import url
from .chrome import chrome_script
from .sitemap import write_sitemaps
from .stamp import FrameCache

log = get_plugin_logger("digest-archive")

# The template generated pages are given: Material's main.html, or nothing when the
# page is stamped from a checked frame (see generator/mkdocs/stamp.py).
FRAME_TEMPLATE = "digest-archive-frame.html"
_FRAME_TEMPLATE_SOURCE = '{% if not digest_archive_stamped(page) %}{% include "main.html" %}{% endif %}'


class ArchivePluginConfig(Config):
    # false: Material renders every page (the stamped site is the same, only slower).
    stamp_frames = config_options.Type(bool, default=True)


class ArchivePlugin(BasePlugin[ArchivePluginConfig]):
    """Reports progress, passes generated HTML pages through, stamps them into checked
    frames, trims Material's indentation."""

    def __init__(self) -> None:
        self.progress: Progress | None = None
        self.frames: FrameCache | None = None
        self.stamped_pages: set[int] = set()
        self.env = None
        self.nav = None
        self.files = None
        self.page_urls: list[str] = []

    def on_config(self, config, /):
        # The plugin writes the sitemap (on_post_build); MkDocs would write its own too.
        config.theme.static_templates.discard(url("sitemap"))
        return config

    def on_files(self, files, /, *, config):
        self.page_urls = []
        self.progress = Progress("mkdocs build", len(files.documentation_pages()))
        self.files = files
        return files

    def on_nav(self, nav, /, *, config, files):
        self.nav = nav
        return nav

    def on_env(self, env, /, *, config, files):
        self.env = env
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({FRAME_TEMPLATE: _FRAME_TEMPLATE_SOURCE}), env.loader])
        env.globals["digest_archive_stamped"] = lambda page: id(page) in self.stamped_pages
        self.frames = FrameCache(
            render_marked=lambda page, context: env.get_template("main.html").render(context),
            finish=lambda html, page: self._finish(html, page),
        ) if self.config.stamp_frames else None
        self.stamped_pages.clear()
        return env

    def on_page_markdown(self, markdown, /, *, page, config, files):
        if _is_generated(page):
            # Finished HTML: MkDocs would build a Markdown converter for it (0.5 ms a
            # page) only to copy it. The instance attribute stands in for Page.render.
            page.render = types.MethodType(_render_finished_html, page)
            if "template" not in page.meta:
                page.meta["template"] = FRAME_TEMPLATE
        return markdown

    def on_page_context(self, context, /, *, page, config, nav):
        if self.frames is not None and _can_stamp(page):
            if self.frames.ready(page):
                self.stamped_pages.add(id(page))
            else:
                self.frames.prepare(page, context)
        return context

    def on_post_page(self, output, /, *, page, config):
        if self.progress is not None:
            self.progress.advance()
        if page.canonical_url:
            self.page_urls.append(page.canonical_url)
        if id(page) in self.stamped_pages:
            self.stamped_pages.discard(id(page))
            return self.frames.stamp(page)
        finished = self._finish(output, page)
        if self.frames is not None and _can_stamp(page):
            self.frames.check(page, finished)
        return finished

    def on_post_build(self, *, config):
        if config.site_url:
            write_sitemaps(Path(config.site_dir), config.site_url, self.page_urls)
        if self.env is not None:
            script = chrome_script(self.env, config, self.nav, self.files, lambda html: collapse_whitespace(html, True))
            target = Path(config.site_dir) / url("chrome_script")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(script, encoding="utf-8")
        if self.progress is not None:
            self.progress.close()
            self.progress = None
        if self.frames is not None:
            log.info(f"pages stamped from checked frames: {self.frames.stamped}; rendered by the theme: {self.frames.rendered}")

    @staticmethod
    def _finish(html: str, page) -> str:
        html = _GENERATOR_META.sub("", html, count=1)
        return collapse_whitespace(html, between_tags=_is_generated(page))


def _is_generated(page) -> bool:
    return page.meta.get(HTML_BODY_KEY) is True


def _can_stamp(page) -> bool:
    """Generated pages in the frame template whose spacing may be collapsed."""
    return (
        _is_generated(page)
        and page.meta.get("template") == FRAME_TEMPLATE
        and not any(tag in (page.content or "") for tag in _WHITESPACE_SENSITIVE)
    )


def _render_finished_html(page, config, files) -> None:
    """Page.render for a page whose source is finished HTML: the source is the content."""
    page.content = page.markdown
    page.toc = get_toc([])
    page.present_anchor_ids = set()


# Material's <meta name="generator">: 70 bytes a page that no reader or browser uses.
_GENERATOR_META = re.compile(r'<meta name="generator" content="mkdocs-[^"<>]*">')
_INDENTED_LINE_BREAKS = re.compile(r"[ \t]*\n\s*")
_LINE_BREAKS_BETWEEN_TAGS = re.compile(r">\n<")
_WHITESPACE_SENSITIVE = ("<pre", "<textarea")


def collapse_whitespace(html: str, between_tags: bool = False) -> str:
    """Replace each run of white space holding a line break with one line break.

    Browsers show any such run as one space (or nothing, between blocks), so the page
    looks the same; pages with ``<pre>`` or ``<textarea>``, where spacing shows, are left
    as they are. With ``between_tags``, a line break right between two tags goes too:
    only for generated pages, whose templates never rely on a line break as the space
    between two inline elements (hand-written Markdown may: `a`⏎`b`).
    """
    if any(tag in html for tag in _WHITESPACE_SENSITIVE):
        return html
    collapsed = _INDENTED_LINE_BREAKS.sub("\n", html)
    return _LINE_BREAKS_BETWEEN_TAGS.sub("><", collapsed) if between_tags else collapsed
