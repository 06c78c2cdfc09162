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
* fast_pages (:mod:`.fast_pages`): MkDocs' pages made without working out the build
  date and joining URLs with urllib for each one.
* early_files (:mod:`.early_files`): under ``digest-archive build``, site_src is listed
  while its pages are generated, and listed again after with directory entries alone.
* frozen_heap: the objects a build keeps to its end (the last build's state, the files
  and the nav) are left out of the garbage collector's work, which walked them again at
  every full collection (1.2 s at 50,000 papers after the pages were ready).
* quick_exit: under ``digest-archive build``, the MkDocs process ends as soon as the
  build succeeded and every plugin has shut down, without freeing its heap object by
  object (1.5 s at 50,000 papers).

Enabled in mkdocs.yml under ``plugins``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from pathlib import Path

import jinja2
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..folder_swap import STAGING_MARKER
from ..parallel import collections_paused, end_process, frozen_heap
from ..progress import Progress
from ..site.urls import url
from .build import SITE_MARKER, wait_for_go, waiting_for_go
from .chrome import chrome_script
from .early_files import EarlyFiles, listing_with
from .early_files import scan as scan_early
from .fast_pages import installed as fast_pages_installed
from .incremental import STATE_OUT_VARIABLE, STATE_VARIABLE, IncrementalBuild, read_state, setup_fingerprint, write_new
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
    quick_exit = config_options.Type(bool, default=True)
    fast_pages = config_options.Type(bool, default=True)
    early_files = config_options.Type(bool, default=True)
    frozen_heap = config_options.Type(bool, default=True)


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
        self.dirty = False
        # Set when digest-archive build runs MkDocs (see .incremental); None otherwise.
        self.incremental_build: IncrementalBuild | None = None
        self.outcome = _BuildOutcome()
        # Open from on_pre_build to the end of the build (see .fast_pages).
        self.build_scope = contextlib.ExitStack()
        # site_src listed while the pages were generated (see .early_files).
        self.early_files: EarlyFiles | None = None
        # frozen_heap: from on_startup to the end of the build, what exists is frozen at
        # each step (parallel.frozen_heap); from on_config to on_nav no collection runs.
        self.heap_scope = contextlib.ExitStack()
        self.pause_scope = contextlib.ExitStack()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.dirty = dirty
        if self.config.frozen_heap:
            self.heap_scope.enter_context(frozen_heap())
        # Started ahead of its pages by digest-archive build (.build.EarlyMkDocs): read
        # the last build's state while waiting for them; on_config finds it read.
        previous = os.environ.get(STATE_VARIABLE)
        if dirty and previous and waiting_for_go():
            with self._collections_paused():
                read_state(Path(previous))

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.tricks = Tricks.from_settings(self.config)
        self.early_files = None
        waiting = waiting_for_go()
        if waiting and self.tricks.early_files and self.dirty and os.environ.get(STATE_VARIABLE):
            # Still waiting for the pages: list the last site_src meanwhile.
            with (
                fast_pages_installed() if self.tricks.fast_pages else contextlib.nullcontext(),
                self._collections_paused(),
            ):
                self.early_files = scan_early(config)
        # MkDocs reads no page before on_pre_build (a test holds it to that).
        wait_for_go()
        if self.tricks.frozen_heap:
            # Until on_nav: the files, the incremental build's records and the nav are
            # hundreds of thousands of objects that last the whole build.
            self.pause_scope.enter_context(collections_paused())
        self.outcome.started = time.monotonic() if waiting else None
        add_theme_layers(config, self.tricks)
        if self.tricks.sitemap:
            # The plugin writes the sitemap (on_post_build); MkDocs would write its own too.
            config.theme.static_templates.discard(url("sitemap"))
        self.incremental_build = start_incremental_build(config, self.dirty)
        if self.incremental_build is not None:  # the only builds the quick exit ends
            logging.getLogger("mkdocs.commands.build").addFilter(self.outcome)
        return config

    @event_priority(-100)  # the last plugin to shut down
    def on_shutdown(self) -> None:
        if self.tricks.quick_exit and self.incremental_build is not None and self.outcome.succeeded:
            quick_exit()

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if self.tricks.fast_pages:
            self.build_scope.enter_context(fast_pages_installed())
        builder = self.incremental_build
        if builder is not None and self.early_files is not None:
            self.build_scope.enter_context(listing_with(self.early_files, builder.known_status.update))
        if builder is not None and self.dirty:
            if not builder.incremental:
                log.info("the previous build's state does not fit this one: building in full")
                _empty_site_dir(Path(config.site_dir))
            # MkDocs writes these on every build: never through a link into the last site.
            builder.unlink_outputs([*config.theme.static_templates, *config.extra_templates])

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        give_reader_its_paths(files, config)
        pages = len(files.documentation_pages())
        if self.incremental_build is not None:
            self.incremental_build.decide(files)
            if self.incremental_build.incremental:
                pages = self.incremental_build.rebuilt
                log.info(f"incremental build: {pages} of {len(files.documentation_pages())} pages changed")
        self.progress = Progress("mkdocs build", pages)
        self.files = files
        return files

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.nav = nav
        builder = self.incremental_build
        if builder is not None and builder.incremental and any(page.title is None for page in nav.pages):
            # A nav title read from its page could change with it, and every page shows the nav.
            log.info("incremental build: the nav takes titles from pages; every page is built")
            builder.rebuild_all_pages()
        self.pause_scope.close()
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
        finished = self._output(output, page)
        if self.incremental_build is not None:
            self.incremental_build.page_built(page.file.dest_uri, finished)
        return finished

    def _output(self, output: str, page: Page) -> str:
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

    def on_build_error(self, *, error: Exception) -> None:
        self.build_scope.close()
        self._release_heap()
        if self.incremental_build is not None:
            # Pagefind may still be writing into the staging folder the failed build leaves.
            with contextlib.suppress(Exception):
                self.incremental_build.finish_meanwhile()

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self.build_scope.close()
        builder = self.incremental_build
        written: list[str] = []
        if self.tricks.sitemap and config.site_url and self.files is not None:
            # Every page's address, whether this build rendered it or kept it (incremental).
            page_urls = [
                file.page.canonical_url
                for file in self.files.documentation_pages()
                if file.page is not None and file.page.canonical_url
            ]
            written += write_sitemaps(Path(config.site_dir), config.site_url, page_urls)
        if self.tricks.chrome_script and self.env is not None and self.nav is not None:
            script = chrome_script(self.env, config, self.nav, self.files, lambda html: self._tidy(html))
            write_new(Path(config.site_dir) / url("chrome_script"), script)
            written.append(url("chrome_script"))
        if builder is not None:
            for path in written:
                builder.claim(path)
            removed = builder.sweep(keep=lambda path: path in (STAGING_MARKER, SITE_MARKER))
            if removed:
                log.info(f"incremental build: {len(removed)} files of the last site no longer built, removed")
            builder.save(Path(os.environ[STATE_OUT_VARIABLE]))
        if self.progress is not None:
            self.progress.close()
            self.progress = None
        if self.frames is not None:
            stamped, rendered = self.frames.stamped, self.frames.rendered
            log.info(f"pages stamped from checked frames: {stamped}; rendered by the theme: {rendered}")
        self._release_heap()

    def _collections_paused(self) -> contextlib.AbstractContextManager[None]:
        """No collection in the block, and what it made frozen after it (frozen_heap)."""
        return collections_paused() if self.config.frozen_heap else contextlib.nullcontext()

    def _release_heap(self) -> None:
        """Collections as before the build: under ``mkdocs serve``, a build's objects
        must be freed before the next build's."""
        self.pause_scope.close()
        self.heap_scope.close()

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


def start_incremental_build(config: MkDocsConfig, dirty: bool) -> IncrementalBuild | None:
    """The incremental build's bookkeeping when digest-archive build runs MkDocs (it
    names where the state goes), None for a plain ``mkdocs build``. A dirty build with a
    state that fits is incremental; anything else builds in full and records the state."""
    if not os.environ.get(STATE_OUT_VARIABLE):
        return None
    previous_path = os.environ.get(STATE_VARIABLE)
    previous = read_state(Path(previous_path)) if dirty and previous_path else None
    custom_dir = config.theme.custom_dir
    settings = {
        key: config.get(key)
        for key in ("site_name", "site_url", "site_description", "copyright", "extra", "use_directory_urls", "nav")
    }
    settings["plugins"] = {name: dict(plugin.config) for name, plugin in config.plugins.items()}
    setup = setup_fingerprint(
        Path(config.config_file_path) if config.config_file_path else None,
        Path(custom_dir) if custom_dir else None,
        settings,
    )
    builder = IncrementalBuild(previous, setup, Path(config.site_dir), Path(config.docs_dir))
    if dirty:
        # MkDocs warns that a dirty build may leave stale navigation; this one carries
        # nothing over that depends on other pages (see .incremental), and --strict would
        # count the warning as an error.
        logging.getLogger("mkdocs.commands.build").addFilter(_DirtyBuildWarningFilter())
    return builder


class _BuildOutcome(logging.Filter):
    """Notes MkDocs' last message of a build, which it logs only when the build
    succeeded (after the --strict check). In a MkDocs process started ahead, the time
    that message gives is counted from when the pages were ready (``started``), as it
    was before the process waited in on_config, not from when it started waiting."""

    succeeded = False
    started: float | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Documentation built in"):
            self.succeeded = True
            if self.started is not None:
                record.msg, record.args = f"Documentation built in {time.monotonic() - self.started:.2f} seconds", None
        return True


def quick_exit() -> None:
    """End the MkDocs process now, successfully, as it would end once Python had freed its
    heap: at 50,000 papers that takes 1.5 s, for a process whose work is done (the site
    written, its files closed, every plugin shut down). Its messages are flushed first."""
    end_process(0)


# What MkDocs says of every dirty build (a warning, which --strict counts, and a note).
_DIRTY_BUILD_MESSAGES = ("A 'dirty' build is being performed", "The directory contains stale files")


class _DirtyBuildWarningFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not message.startswith(_DIRTY_BUILD_MESSAGES)


def _empty_site_dir(site_dir: Path) -> None:
    """Remove what a build carried over from the last site (all of it is its own links)
    but the staging marker."""
    for entry in site_dir.iterdir():
        if entry.name == STAGING_MARKER:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


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
