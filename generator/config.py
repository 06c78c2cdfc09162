"""Settings: ``archive.yml`` for the generator, ``mkdocs.yml`` for where pages go.

``archive.yml`` (optional, next to mkdocs.yml)::

    digests: digests        # folder of digests: text (*.txt) and structured (*.json)
    year: 2025              # year of digests whose date line and file name have none
    taxonomy: taxonomy.yml  # topic tags
    tag_overrides: tag_overrides.yml  # tags added or removed by hand, per paper
    metadata_cache: metadata.json     # what `enrich` found for text-digest papers
    mkdocs: mkdocs.yml      # the MkDocs configuration to build with
    fetch:                  # `fetch` and `enrich`, from the Daily Papers API
      refresh_days: 14      # a plain `fetch` reads the last N days again (votes settle)
      retries: 4            # more tries of a request after a 429, a 5xx or a timeout
      timeout: 30           # seconds to wait for an answer
      first_wait: 2         # seconds before the first retry; doubles each time
      longest_wait: 120     # the longest wait, also for a server's Retry-After
    related:                # how related papers are found
      backend: tfidf        # tfidf, or embeddings: TF-IDF candidates re-scored with a
                            # sentence-embedding model (pip install 'digest-archive[embeddings]')
      model: ""             # embeddings: a model folder or a Hugging Face model id read from
                            # the local cache, offline; "" is all-MiniLM-L6-v2
      cache: embeddings.npz # embeddings: vectors by text, so only new abstracts are encoded

Relative paths are relative to the folder of archive.yml. The generator writes into
mkdocs.yml's ``docs_dir`` and the site is built into its ``site_dir``; command-line
options override both files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .errors import ArchiveError
from .site.urls import LOCAL_SITE_URL
from .sources.dates import EARLIEST_YEAR, LATEST_YEAR, valid_year

CONFIG_NAME = "archive.yml"
_KEYS = {"digests", "year", "taxonomy", "tag_overrides", "metadata_cache", "mkdocs", "fetch", "related"}
RELATED_BACKENDS = ("tfidf", "embeddings")
# The settings of `fetch:` and their defaults; each is a number of at least its minimum.
_FETCH_DEFAULTS = {"refresh_days": 14, "retries": 4, "timeout": 30, "first_wait": 2, "longest_wait": 120}
_FETCH_MINIMUM = {"refresh_days": 1, "retries": 0, "timeout": 0.1, "first_wait": 0, "longest_wait": 0}


@dataclass(frozen=True)
class FetchSettings:
    """How ``fetch`` and ``enrich`` use the API (see the ``fetch:`` settings above)."""

    refresh_days: int = 14
    retries: int = 4
    timeout: float = 30.0
    first_wait: float = 2.0
    longest_wait: float = 120.0


@dataclass(frozen=True)
class RelatedSettings:
    """How related papers are found (see the ``related:`` settings above)."""

    backend: str = "tfidf"
    model: str = ""
    cache: Path = Path("embeddings.npz")


@dataclass(frozen=True)
class Config:
    """Resolved settings; every path is absolute or relative to the working folder."""

    # The folder of archive.yml (the working folder if there is none): the project whose
    # runs take turns (see generator/lock.py).
    project_dir: Path
    digests: Path
    year: int | None
    taxonomy: Path
    tag_overrides: Path
    metadata_cache: Path
    mkdocs_config: Path
    docs_dir: Path
    site_dir: Path
    site_name: str
    # The public address of the site root, ending in "/": feeds and share links need it.
    site_url: str
    fetch: FetchSettings = FetchSettings()
    related: RelatedSettings = RelatedSettings()


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without importing what its ``!!python/name`` tags name; ``!ENV``
    values are read from the environment as MkDocs reads them."""


def _environment_value(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    # !ENV NAME or !ENV [NAME, OTHER_NAME, default]: the first variable set, else the default.
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    elif isinstance(node, yaml.SequenceNode):
        items = loader.construct_sequence(node)
        names, default = (items[:-1], items[-1]) if len(items) > 1 else (items, None)
    else:
        return None
    for name in names:
        if isinstance(name, str) and name in os.environ:
            return os.environ[name]
    return default


_TolerantLoader.add_constructor("!ENV", _environment_value)
_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def load_config(path: Path | None = None) -> Config:
    """Load ``archive.yml`` (``path``, or the one in the working folder if it exists)."""
    explicit = path is not None
    path = path or Path(CONFIG_NAME)
    settings: dict = {}
    if path.exists():
        document = _read_yaml(path, yaml.SafeLoader) or {}
        if not isinstance(document, dict):
            raise ArchiveError(f"{path}: expected settings such as 'digests: digests'")
        settings = document
        unknown = sorted(set(settings) - _KEYS)
        if unknown:
            raise ArchiveError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}")
    elif explicit:
        raise ArchiveError(f"configuration file not found: {path}")
    base = path.parent
    year = settings.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not valid_year(year)):
        raise ArchiveError(
            f"{path}: 'year' must be a year from {EARLIEST_YEAR} to {LATEST_YEAR}, such as 2025, not {year!r}"
        )

    digests = base / settings.get("digests", "digests")
    metadata_cache = base / settings.get("metadata_cache", "metadata.json")
    if metadata_cache.resolve().is_relative_to(digests.resolve()):
        raise ArchiveError(f"{path}: keep the metadata cache outside the digest folder ({digests}): it is not a digest")
    mkdocs_config = base / settings.get("mkdocs", "mkdocs.yml")
    if not mkdocs_config.exists():
        raise ArchiveError(f"MkDocs configuration not found: {mkdocs_config}")
    mkdocs = _read_yaml(mkdocs_config, _TolerantLoader) or {}
    if not isinstance(mkdocs, dict):
        raise ArchiveError(f"{mkdocs_config}: not a MkDocs configuration")
    if mkdocs.get("use_directory_urls", True) is not True:
        raise ArchiveError(f"{mkdocs_config}: the archive's links are directory URLs; set use_directory_urls: true")
    return Config(
        project_dir=base,
        digests=digests,
        year=year,
        taxonomy=base / settings.get("taxonomy", "taxonomy.yml"),
        tag_overrides=base / settings.get("tag_overrides", "tag_overrides.yml"),
        metadata_cache=metadata_cache,
        mkdocs_config=mkdocs_config,
        docs_dir=mkdocs_config.parent / str(mkdocs.get("docs_dir", "docs")),
        site_dir=mkdocs_config.parent / str(mkdocs.get("site_dir", "site")),
        site_name=str(mkdocs.get("site_name", "Digest Archive")),
        site_url=_site_url(mkdocs.get("site_url"), mkdocs_config),
        fetch=_fetch_settings(settings.get("fetch"), path),
        related=_related_settings(settings.get("related"), path, base),
    )


def _fetch_settings(value: object, path: Path) -> FetchSettings:
    if value is None:
        return FetchSettings()
    if not isinstance(value, dict):
        raise ArchiveError(f"{path}: 'fetch' must be settings such as 'refresh_days: 14'")
    unknown = sorted(set(value) - set(_FETCH_DEFAULTS))
    if unknown:
        raise ArchiveError(
            f"{path}: unknown fetch setting(s) {', '.join(map(str, unknown))}; known: {', '.join(_FETCH_DEFAULTS)}"
        )
    for name, number in value.items():
        whole = name in ("refresh_days", "retries")
        kinds = (int,) if whole else (int, float)
        if not isinstance(number, kinds) or isinstance(number, bool) or number < _FETCH_MINIMUM[name]:
            kind = "a whole number" if whole else "a number of seconds"
            raise ArchiveError(
                f"{path}: fetch '{name}' must be {kind} of at least {_FETCH_MINIMUM[name]}, not {number!r}"
            )
    return FetchSettings(**{**_FETCH_DEFAULTS, **value})


def _related_settings(value: object, path: Path, base: Path) -> RelatedSettings:
    if value is None:
        return RelatedSettings(cache=base / "embeddings.npz")
    if not isinstance(value, dict):
        raise ArchiveError(f"{path}: 'related' must be settings such as 'backend: tfidf'")
    unknown = sorted(set(map(str, value)) - {"backend", "model", "cache"})
    if unknown:
        raise ArchiveError(f"{path}: unknown related setting(s) {', '.join(unknown)}; known: backend, model, cache")
    backend = value.get("backend", "tfidf")
    if backend not in RELATED_BACKENDS:
        raise ArchiveError(f"{path}: related 'backend' must be {' or '.join(RELATED_BACKENDS)}, not {backend!r}")
    model = value.get("model") or ""
    cache = value.get("cache") or "embeddings.npz"
    for name, text in (("model", model), ("cache", cache)):
        if not isinstance(text, str):
            raise ArchiveError(f"{path}: related '{name}' must be text, not {text!r}")
    # A model folder is relative to archive.yml like every other path; a Hub id is not a path.
    if model and (base / model).exists():
        model = str(base / model)
    return RelatedSettings(backend=backend, model=model, cache=base / cache)


def _site_url(value: object, mkdocs_config: Path) -> str:
    if not value:
        return LOCAL_SITE_URL
    url = str(value)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ArchiveError(
            f"{mkdocs_config}: site_url must be an http(s) address such as https://user.github.io/archive/, not {url!r}"
        )
    return url if url.endswith("/") else url + "/"


def _read_yaml(path: Path, loader: type) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (safe loaders)
    except OSError as error:
        raise ArchiveError(f"cannot read {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ArchiveError(f"{path} is not valid YAML: {error}") from None
