"""MkDocs plugin ``digest-archive``: build progress and the theme tricks.

Each hook is a few lines that call the helper of one trick; every trick has a setting of
its own here, on by default, and generator/mkdocs/README.md maps them all: what each
saves, what it relies on, the test that guards it. With every setting false the site is
Material's own rendering of the generated pages, only larger and slower to build.

* Progress: MkDocs prints nothing between "Building documentation" and "Documentation
  built", which for a large archive is minutes of silence; the plugin reports pages.
* pass_through_html (:mod:`.passthrough`), stamp_frames (:mod:`.stamp`), lean_html
  (:mod:`.lean`), sitemap (:mod:`.sitemap`), chrome_script (:mod:`.chrome`) and the
  template layers icon_sprite, lean_sidebar, credit_on_home_only,
  no_top_button_on_papers, tabs_script_when_needed (:mod:`.theme`).

Enabled in mkdocs.yml under ``plugins``.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..progress import Progress
from ..site.urls import url
from .chrome import chrome_script
from .lean import collapse_whitespace, lean_html, spacing_is_delimited
from .passthrough import is_generated, pass_through
from .reader import reader_script
from .sitemap import write_sitemaps
from .stamp import FrameCache, StampMismatch
from .theme import Tricks, add_material_prefix, add_theme_layers, archive_search_enabled, template_globals

log = get_plugin_logger("digest-archive")

# The template generated pages are given when they may be stamped: Material's main.html,
# or nothing when the page is stamped from a checked frame (see .stamp).
FRAME_TEMPLATE = "digest-archive-frame.html"
_FRAME_TEMPLATE_SOURCE = '{% if not digest_archive_stamped(page) %}{% include "main.html" %}{% endif %}'


class ArchivePluginConfig(Config):
    """The plugin's settings: one per trick (see generator/mkdocs/README.md)."""

    pass_through_html = config_options.Type(bool, default=True)
    stamp_frames = config_options.Type(bool, default=True)
    lean_html = config_options.Type(bool, default=True)
    sitemap = config_options.Type(bool, default=True)
    chrome_script = config_options.Type(bool, default=True)
    icon_sprite = config_options.Type(bool, default=True)
    lean_sidebar = config_options.Type(bool, default=True)
    credit_on_home_only = config_options.Type(bool, default=True)
    no_top_button_on_papers = config_options.Type(bool, default=True)
    tabs_script_when_needed = config_options.Type(bool, default=True)


class ArchivePlugin(BasePlugin[ArchivePluginConfig]):
    """Reports progress and plays the theme tricks its settings switch on."""

    def __init__(self) -> None:
        self.tricks = Tricks()
        self.progress: Progress | None = None
        self.frames: FrameCache | None = None
        # Source paths of the pages to stamp (MkDocs renders the same Page objects).
        self.stamped_pages: set[str] = set()
        self.env: jinja2.Environment | None = None
        self.nav: Navigation | None = None
        self.files: Files | None = None
        self.page_urls: list[str] = []

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.tricks = Tricks.from_settings(self.config)
        add_theme_layers(config, self.tricks)
        if self.tricks.sitemap:
            # The plugin writes the sitemap (on_post_build); MkDocs would write its own too.
            config.theme.static_templates.discard(url("sitemap"))
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        give_reader_its_paths(files, config)
        self.page_urls = []
        self.progress = Progress("mkdocs build", len(files.documentation_pages()))
        self.files = files
        return files

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.nav = nav
        return nav

    def on_env(self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        self.env = env
        add_material_prefix(env)
        env.globals.update(template_globals(config, self.tricks))
        self.stamped_pages.clear()
        self.frames = None
        if self.tricks.stamp_frames:
            assert env.loader is not None
            env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({FRAME_TEMPLATE: _FRAME_TEMPLATE_SOURCE}), env.loader])
            env.globals["digest_archive_stamped"] = lambda page: page.file.src_uri in self.stamped_pages
            self.frames = FrameCache(
                render_marked=lambda page, context: env.get_template("main.html").render(context),
                finish=self._finish,
            )
        return env

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if is_generated(page):
            if self.tricks.pass_through_html:
                pass_through(page)
            if self.tricks.stamp_frames and "template" not in page.meta:
                page.meta["template"] = FRAME_TEMPLATE
        return markdown

    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        if self.frames is not None and _can_stamp(page):
            if self.frames.ready(page):
                self.stamped_pages.add(page.file.src_uri)
            else:
                self.frames.prepare(page, context)
        return context

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        if self.progress is not None:
            self.progress.advance()
        if page.canonical_url:
            self.page_urls.append(page.canonical_url)
        if self.frames is not None and page.file.src_uri in self.stamped_pages:
            self.stamped_pages.discard(page.file.src_uri)
            return self.frames.stamp(page)
        finished = self._finish(output, page)
        if self.frames is not None and _can_stamp(page):
            try:
                self.frames.check(page, finished)
            except StampMismatch as error:
                raise PluginError(
                    f"{error}. Set 'stamp_frames: false' under the digest-archive plugin in mkdocs.yml"
                    " and report this: the site was not replaced."
                ) from None
        return finished

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.tricks.sitemap and config.site_url:
            write_sitemaps(Path(config.site_dir), config.site_url, self.page_urls)
        if self.tricks.chrome_script and self.env is not None and self.nav is not None:
            script = chrome_script(self.env, config, self.nav, self.files, lambda html: self._tidy(html))
            target = Path(config.site_dir) / url("chrome_script")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(script, encoding="utf-8")
        if self.progress is not None:
            self.progress.close()
            self.progress = None
        if self.frames is not None:
            stamped, rendered = self.frames.stamped, self.frames.rendered
            log.info(f"pages stamped from checked frames: {stamped}; rendered by the theme: {rendered}")

    def _finish(self, html: str, page: Page) -> str:
        """What every page's output goes through after the theme rendered it."""
        return lean_html(html, generated=is_generated(page)) if self.tricks.lean_html else html

    def _tidy(self, html: str) -> str:
        return collapse_whitespace(html, True) if self.tricks.lean_html else html


def _can_stamp(page: Page) -> bool:
    """Generated pages in the frame template whose spacing may be collapsed around their
    ``<pre>`` elements (a paper page's BibTeX entry), which are kept as they are."""
    return (
        is_generated(page) and page.meta.get("template") == FRAME_TEMPLATE and spacing_is_delimited(page.content or "")
    )


def give_reader_its_paths(files: Files, config: MkDocsConfig) -> None:
    """Replace the project's reader script (theme_overrides) with one that holds the site
    paths it needs (:mod:`.reader`); a project without the script is left as it is."""
    original = files.get_file_from_path(url("reader_script"))
    if original is None:
        return
    try:
        content = reader_script(original.content_string, archive_search_enabled(config))
    except ValueError as error:
        raise PluginError(f"{original.abs_src_path}: {error}") from None
    files.remove(original)
    files.append(File.generated(config, url("reader_script"), content=content))
