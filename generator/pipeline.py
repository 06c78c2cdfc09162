"""The stages chained, with the policy of a run: what is an error, what a warning.

sources (digest files -> records) -> analysis (records -> model) -> site (model -> pages
in site_src) -> mkdocs (site_src -> site). Each command of the CLI is one call here:
:func:`load_archive` (``tags``, ``duplicates``), :func:`generate` and :func:`build`
(``generate``, ``build``, ``serve``), which hold the project lock while they write.
Messages go to a :class:`Reporter`; failures the user can fix are raised as
:class:`~generator.errors.ArchiveError`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import importlib.metadata
import json
import pickle
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from . import __version__
from .analysis.assemble import Facts, build_model
from .analysis.overrides import load_overrides
from .analysis.taxonomy import Taxonomy, load_taxonomy
from .config import Config
from .errors import ArchiveError, DigestError
from .folder_swap import write_atomically
from .lock import ProjectLock, project_lock
from .model import Archive
from .parallel import collections_paused, frozen_heap, in_background, map_in_chunks
from .progress import Progress
from .site.escaping import count
from .site.plan import SitePlan, generator_code_hash, listing_hashes, plan_site
from .site.write import finish_interrupted_write, is_up_to_date, read_manifest, write_site
from .sources.folder import DigestFiles, find_digests
from .sources.hf_json import JSON_SUFFIX, read_json_digest
from .sources.metadata_cache import cached_metadata, read_cache
from .sources.records import Digest
from .sources.text import read_digest

if TYPE_CHECKING:  # numpy and scipy, which related imports, take a while to import
    from .analysis.related import WordCounts

# A digest is about 80 KB of text: worth a worker process from a few hundred on.
DIGESTS_PER_CHUNK = 25
DIGESTS_PER_WORKER = 200


class Reporter(Protocol):
    """Where a run's messages go (the CLI prints them on stderr)."""

    def info(self, text: str) -> None: ...

    def warning(self, text: str) -> None: ...

    def error(self, text: str) -> None: ...


@dataclass(frozen=True)
class RunOptions:
    """How a run treats bad digests (``strict``), unchanged inputs (``force``) and a
    project another run is writing in (``wait``)."""

    strict: bool = False
    force: bool = False
    wait: bool = True


@dataclass(frozen=True)
class LoadedDigests:
    """The digests that parsed, and the error of each one that did not."""

    digests: tuple[Digest, ...]
    problems: tuple[DigestError, ...]


@dataclass(frozen=True)
class LoadedArchive:
    """The model, with how many digests were read, how many skipped as bad, and how many
    listings of structured digests were left out as unreadable."""

    archive: Archive
    digests_read: int
    digests_skipped: int
    listings_skipped: int = 0


@dataclass(frozen=True)
class GenerateResult:
    """What :func:`generate` did; ``loaded`` is None when the inputs were unchanged."""

    loaded: LoadedArchive | None
    digest_count: int
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    # For build: the site was built from the last one (see generator.mkdocs.incremental).
    incremental: bool = False


def load_digests(folder: Path, default_year: int | None = None, files: DigestFiles | None = None) -> LoadedDigests:
    """Parse every digest in ``folder`` (``files``, if already found), refused files
    among the problems."""
    files = files or find_digests(folder)
    loaded = parse_digests(list(files.paths), default_year)
    return LoadedDigests(loaded.digests, tuple(sorted((*files.refused, *loaded.problems), key=lambda p: p.source)))


def parse_digests(paths: list[Path], default_year: int | None = None) -> LoadedDigests:
    """Parse the digest files ``paths``, collecting errors instead of stopping at one."""
    progress = Progress("reading digests", len(paths), unit="digests", min_total=200)
    results = map_in_chunks(
        functools.partial(_read_or_error, default_year=default_year),
        paths,
        on_chunk=progress.advance,
        chunk_size=DIGESTS_PER_CHUNK,
        min_items_per_worker=DIGESTS_PER_WORKER,
    )
    progress.close()
    digests = tuple(result for result in results if isinstance(result, Digest))
    problems = tuple(result for result in results if isinstance(result, DigestError))
    return LoadedDigests(digests, problems)


def _read_or_error(path: Path, default_year: int | None) -> Digest | DigestError:
    try:
        if path.suffix == JSON_SUFFIX:
            return read_json_digest(path)
        return read_digest(path, default_year)
    except DigestError as error:
        return error


def load_archive(
    config: Config,
    strict: bool,
    report: Reporter,
    files: DigestFiles | None = None,
    keep_facts: bool = False,
) -> LoadedArchive:
    """Parse the digests and build the model, reporting bad digests and stray overrides.

    With ``strict``, a bad digest (or a file refused as one) is an error and nothing is
    built; otherwise it is skipped with a warning that says what it takes out. Each
    paper's links, tags and slug come from the facts file of the last run
    (:func:`facts_file`) where its text is unchanged; with ``keep_facts`` this run's
    are written there for the next.
    """
    taxonomy = load_taxonomy(config.taxonomy)
    overrides = load_overrides(config.tag_overrides, taxonomy)
    loaded = load_digests(config.digests, config.year, files)
    for problem in loaded.problems:
        if strict:
            report.error(str(problem))
        else:
            report.warning(f"{problem} ({_what_skipping_loses(problem)})")
    left_out = [text for digest in loaded.digests for text in digest.problems]
    for text in left_out:
        (report.error if strict else report.warning)(text)
    if strict and (loaded.problems or left_out):
        what = [count(len(loaded.problems), "bad digest")] if loaded.problems else []
        what += [count(len(left_out), "unreadable listing")] if left_out else []
        raise ArchiveError(f"{' and '.join(what)}; nothing was written (--strict)")
    if not loaded.digests:
        raise ArchiveError(f"no usable digests (*.txt, *.json) in {config.digests}")
    cached = cached_metadata(read_cache(config.metadata_cache))
    embed = None
    if config.related.backend == "embeddings":
        from .embedding import Embedder

        embed = Embedder(config.related, report.warning)
    facts_path = facts_file(config)
    facts_fingerprint = _facts_fingerprint(taxonomy)
    with collections_paused():  # the facts file holds some 300,000 objects at 50,000 papers
        known, known_counts = read_facts(facts_path, facts_fingerprint)
        model = build_model(loaded.digests, taxonomy, overrides, cached, embed, known, known_counts)
    if keep_facts and (model.facts != known or model.word_counts != known_counts):
        write_facts(facts_path, facts_fingerprint, model.facts, model.word_counts)
    if embed is not None and embed.encoded:
        model_name = config.related.model or "all-MiniLM-L6-v2"
        report.info(f"related papers: {count(embed.encoded, 'abstract')} encoded with {model_name}")
    archive = model.archive
    for override, keys in model.override_targets.items():
        where = f"{config.tag_overrides}:{override.line}"
        if not keys:
            report.warning(
                f"{where}: no paper {override.paper!r} (give its URL slug or its title); override not applied"
            )
        elif len(keys) > 1:
            slugs = ", ".join(archive.papers[key].slug for key in keys)
            report.warning(
                f"{where}: {len(keys)} different papers are listed as {override.paper!r}; name one by its"
                f" URL slug ({slugs}); override not applied"
            )
    if archive.homonyms:
        report.info(
            f"{count(len(archive.homonyms), 'title')} listed for different papers (clearly different"
            " abstracts): each paper has its own page; `digest-archive duplicates` lists them"
        )
    return LoadedArchive(archive, len(loaded.digests), len(loaded.problems), len(left_out))


FACTS_FORMAT = "digest-archive facts 3"


def facts_file(config: Config) -> Path:
    """Where each paper's links, tags and slug are kept between runs: beside the pages
    folder (``.site_src.facts.pickle``), never published."""
    return config.docs_dir.parent / f".{config.docs_dir.name}.facts.pickle"


def facts_code_hash() -> str:
    """A hash of the code facts are worked out by: the analysis package and the model
    (a template or a page's layout changing leaves them as they are), with the Python
    (its regular expressions and Unicode tables split the words), python-slugify (the
    slugs), mmh3 (the hashed word counts) and scikit-learn (the stop words) versions."""
    root = Path(__file__).parent
    versions = [importlib.metadata.version(name) for name in ("python-slugify", "mmh3", "scikit-learn")]
    digest = hashlib.sha256("\0".join([sys.version, *versions, ""]).encode())
    for path in sorted([*(root / "analysis").glob("*.py"), root / "model.py"]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _facts_fingerprint(taxonomy: Taxonomy) -> str:
    # The facts depend on the paper (their key), the taxonomy and the analysis code.
    return hashlib.sha256(f"{FACTS_FORMAT}\0{taxonomy!r}\0{facts_code_hash()}".encode()).hexdigest()


def read_facts(path: Path, fingerprint: str) -> tuple[dict[str, Facts], dict[str, WordCounts]]:
    """The facts and word counts kept by the last run, if it had this taxonomy and code;
    else none (a missing, damaged or stale file only costs working them out again).

    A pickle, as Python keeps its own compiled code beside it: written by this program
    into the project folder, which only the project's owner (or its CI cache) writes.
    JSON took 2 s to read and write at 50,000 papers, the pickle 0.3 s.
    """
    try:
        with path.open("rb") as handle:
            header = pickle.load(handle)
            if header != (FACTS_FORMAT, fingerprint):
                return {}, {}
            facts, counts = pickle.load(handle)
        if not isinstance(facts, dict) or not isinstance(counts, dict):
            return {}, {}
        return facts, counts
    except Exception:  # noqa: BLE001 - any damage means working the facts out again
        return {}, {}


def write_facts(
    path: Path, fingerprint: str, facts: Mapping[str, Facts], counts: Mapping[str, WordCounts] | None = None
) -> None:
    """Replace the facts file at once; a file that cannot be written only costs the next
    run the work."""
    header = pickle.dumps((FACTS_FORMAT, fingerprint), protocol=pickle.HIGHEST_PROTOCOL)
    body = pickle.dumps((dict(facts), dict(counts or {})), protocol=pickle.HIGHEST_PROTOCOL)
    with contextlib.suppress(ArchiveError):
        write_atomically(path, header + body)


def _what_skipping_loses(problem: DigestError) -> str:
    if problem.line is None and problem.listed is None:
        return "not read"
    if problem.listed:
        return f"digest skipped, and with it the {count(problem.listed, 'paper')} it lists"
    return "digest skipped"


def input_fingerprint(
    digest_paths: list[Path], settings_files: list[Path], settings: dict, code_hash: str | None = None
) -> str:
    """A hash of everything the pages are made from: digests, taxonomy, overrides and the
    metadata cache, templates, settings, and the generator's own code and the libraries
    that render it (an upgraded or edited generator renders the pages again).

    Two runs with the same fingerprint produce the same files, so the second can stop early.
    ``code_hash`` is :func:`~generator.site.plan.generator_code_hash`, if already worked out.
    """
    fingerprint = hashlib.sha256()
    fingerprint.update(json.dumps({"version": __version__, **settings}, sort_keys=True, default=str).encode())
    try:
        # The same hash of code and templates the page plan keys its renders with.
        fingerprint.update((code_hash or generator_code_hash()).encode())
        for path in [*settings_files, *digest_paths]:
            fingerprint.update(f"\0{path.as_posix()}\0".encode())
            if path in settings_files and not path.exists():
                fingerprint.update(b"absent")  # an optional file, such as the overrides
                continue
            fingerprint.update(hashlib.sha256(path.read_bytes()).digest())
    except OSError:
        return ""  # unreadable input: no shortcut; the full run reports it properly
    return fingerprint.hexdigest()


def _related_fingerprint(config: Config) -> dict[str, str]:
    """The related-paper settings the pages depend on; with embeddings, the model's files
    too (a model updated in place gives other related lists)."""
    settings = {"backend": config.related.backend}
    if config.related.backend == "embeddings":
        from .embedding import model_fingerprint, model_folder

        settings["model_files"] = model_fingerprint(model_folder(config.related.model))
    return settings


@contextmanager
def holding_project(config: Config, command: str, options: RunOptions, report: Reporter) -> Iterator[ProjectLock]:
    """Hold the project lock; say so when waiting for it or taking over from a dead run."""
    with project_lock(config.project_dir, command, options.wait, report.info) as lock:
        if lock.abandoned_by is not None:
            report.info(f"the previous run ({lock.abandoned_by.describe()}) did not finish; clearing up what it left")
        yield lock


def generate(config: Config, options: RunOptions, report: Reporter) -> GenerateResult:
    """Parse the digests, build the model and write the pages into ``config.docs_dir``,
    holding the project lock.

    Stops early when the inputs are those of the last run and its pages are all there,
    unless ``options.force``.
    """
    with holding_project(config, "generate", options, report):
        return _generate(config, options, report)


def build(config: Config, options: RunOptions, report: Reporter, command: str = "build") -> GenerateResult:
    """:func:`generate`, then ``mkdocs build --strict`` into ``config.site_dir``, both
    under one hold of the project lock. The site is replaced only by a complete build."""
    from .mkdocs.build import EarlyMkDocs, build_site, discard_prepared_site, prepare_site

    # The heap the model leaves stays frozen until the site is built (see _generate): a
    # collection walking it again takes half a second at 50,000 papers.
    with holding_project(config, command, options, report) as lock, frozen_heap():
        # MkDocs loads beside the model's work and waits for the pages (an incremental
        # build only: a full one has minutes of work, not half a second, to save).
        early = None if options.force else EarlyMkDocs.start(config.mkdocs_config, config.site_dir, lock.fd)
        try:
            # The last site is linked into the next one's staging folder on the other core
            # while the pages are generated (the model is single-threaded Python).
            with in_background(functools.partial(prepare_site, config.site_dir, options.force)) as preparing:
                try:
                    result = _generate(config, options, report, keep_previous=True)
                except BaseException:
                    with contextlib.suppress(ArchiveError):
                        preparing.result()
                    discard_prepared_site(config.site_dir)
                    raise
                prepared = preparing.result()
            # The previous site_src (100,000 files at 50,000 papers) goes on the other core
            # while MkDocs builds.
            with in_background(lambda: finish_interrupted_write(config.docs_dir)):
                incremental = build_site(
                    config.mkdocs_config,
                    config.site_dir,
                    read_manifest(config.docs_dir),
                    lock.fd,
                    full=options.force,
                    report=report.info,
                    prepared=prepared,
                    early=early,
                )
        finally:
            if early is not None:
                early.stop()
    return dataclasses.replace(result, incremental=incremental)


# From this many papers, the hashes render keys are made of are worked out on the other
# core while the page plan is made (below, forking costs more than it saves).
BACKGROUND_HASHES_FROM = 5000


def _plan(archive: Archive, config: Config, code_hash: str) -> SitePlan:
    """The page plan, with :func:`listing_hashes` worked out beside it for a large archive:
    the writer's processes would otherwise each work out most of them again."""
    if len(archive.papers) < BACKGROUND_HASHES_FROM:
        with collections_paused():
            return plan_site(archive, config.site_name, config.site_url, code_hash)
    with in_background(functools.partial(listing_hashes, archive)) as hashes, collections_paused():
        plan = plan_site(archive, config.site_name, config.site_url, code_hash)
        plan.know(hashes.result())
    return plan


def _generate(config: Config, options: RunOptions, report: Reporter, keep_previous: bool = False) -> GenerateResult:
    files = find_digests(config.digests)
    paths = list(files.paths)
    code_hash = generator_code_hash()
    inputs = input_fingerprint(
        paths,
        [config.taxonomy, config.tag_overrides, config.metadata_cache],
        {
            "year": config.year,
            "site_name": config.site_name,
            "site_url": config.site_url,
            "related": _related_fingerprint(config),
        },
        code_hash,
    )
    finish_interrupted_write(config.docs_dir)
    if not options.force and is_up_to_date(config.docs_dir, inputs):
        return GenerateResult(None, len(paths))
    # The model and the plan join the frozen heap as they are made (collections_paused):
    # collections need not walk them again.
    with frozen_heap():
        loaded = load_archive(config, options.strict, report, files, keep_facts=True)
        plan = _plan(loaded.archive, config, code_hash)
        # A run that skipped bad digests is not recorded as up to date: the next run warns again.
        skipped = loaded.digests_skipped or loaded.listings_skipped
        written = write_site(config.docs_dir, plan, "" if skipped else inputs, plan.render_key, keep_previous)
    return GenerateResult(loaded, len(paths), len(written.written), written.unchanged, len(written.removed))
