"""The theme seam: which of the plugin's template layers a build uses, and the values
its templates read.

Each theme trick is a folder of ``theme/`` holding only the templates it overrides; the
``digest-archive`` plugin puts the folder of every trick switched on in ``mkdocs.yml``
into the theme's search path, after the project's ``custom_dir`` and before Material, so
a trick switched off leaves Material's own template in place. ``theme/archive`` (always
used with the plugin) lays a ``base.html`` over Material's, which it extends under the
name ``digest-archive-material/base.html`` (a loader prefix for Material's own
templates, added by :func:`add_material_prefix`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

import jinja2
import material
from mkdocs.config.defaults import MkDocsConfig

from ..site.urls import URLS, url

THEME = Path(__file__).parent / "theme"
MATERIAL_TEMPLATES = Path(material.__file__).parent / "templates"
MATERIAL_PREFIX = "digest-archive-material"
ARCHIVE_SEARCH = "digest-archive-search"
MATERIAL_SEARCH = "material/search"


@dataclass(frozen=True)
class Tricks:
    """The theme tricks a build plays: each a setting of the ``digest-archive`` plugin in
    mkdocs.yml, all on by default (see generator/mkdocs/README.md)."""

    pass_through_html: bool = True
    stamp_frames: bool = True
    lean_html: bool = True
    sitemap: bool = True
    chrome_script: bool = True
    icon_sprite: bool = True
    lean_sidebar: bool = True
    credit_on_home_only: bool = True
    no_top_button_on_papers: bool = True
    tabs_script_when_needed: bool = True
    quick_exit: bool = True
    fast_pages: bool = True
    early_files: bool = True
    frozen_heap: bool = True

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in fields(cls))

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> Tricks:
        return cls(**{name: bool(settings[name]) for name in cls.names()})


# The template folder of each trick that overrides templates, highest priority first.
_LAYERS = (
    ("chrome_script", "chrome"),
    ("icon_sprite", "icons"),
    ("credit_on_home_only", "credit"),
    ("no_top_button_on_papers", "top"),
    ("tabs_script_when_needed", "tabs-script"),
)


def archive_search_enabled(config: MkDocsConfig) -> bool:
    """True if the ``digest-archive-search`` plugin is listed and enabled."""
    plugin = config.plugins.get(ARCHIVE_SEARCH)
    return plugin is not None and bool(plugin.config.enabled)


def theme_layers(tricks: Tricks, archive_search: bool) -> list[Path]:
    """The plugin's template folders for this build, highest priority first."""
    layers = [THEME / folder for name, folder in _LAYERS if getattr(tricks, name)]
    if archive_search and not tricks.chrome_script:
        # Material's header shows a search box for its own plugin only.
        layers.append(THEME / "search")
    layers.append(THEME / "archive")
    return layers


def add_theme_layers(config: MkDocsConfig, tricks: Tricks) -> None:
    """Put this build's layers into the theme's search path, after ``custom_dir``."""
    dirs = config.theme.dirs
    position = 1 if config.theme.custom_dir else 0
    dirs[position:position] = [str(layer) for layer in theme_layers(tricks, archive_search_enabled(config))]


def add_material_prefix(env: jinja2.Environment) -> None:
    """Make Material's own templates reachable as ``digest-archive-material/<name>``,
    whatever overrides them, so a layer can extend or include the original."""
    prefixed = jinja2.PrefixLoader({MATERIAL_PREFIX: jinja2.FileSystemLoader(str(MATERIAL_TEMPLATES))})
    env.loader = jinja2.ChoiceLoader([env.loader, prefixed]) if env.loader else prefixed


def material_search_worker() -> str:
    """The path, in the site, of Material's own search worker (its name has a hash)."""
    workers = sorted((MATERIAL_TEMPLATES / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    if len(workers) != 1:
        raise RuntimeError(f"expected one search worker in Material's templates, found {len(workers)}")
    return workers[0].relative_to(MATERIAL_TEMPLATES).as_posix()


def template_globals(config: MkDocsConfig, tricks: Tricks) -> dict[str, object]:
    """What the layers' templates read: the tricks, the URL table, the search plugin."""
    archive_search = archive_search_enabled(config)
    return {
        "archive_tricks": tricks,
        "archive_urls": URLS,
        "archive_search_plugin": ARCHIVE_SEARCH if archive_search else MATERIAL_SEARCH,
        "archive_search_worker": url("search_worker") if archive_search else material_search_worker(),
    }
