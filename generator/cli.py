"""``digest-archive``: the command line. It parses arguments and prints; what a run does
and what counts as an error is decided in :mod:`generator.pipeline`.

A bad argument gets one line naming it and exit status 2; a problem the user can fix
(an :class:`ArchiveError`) one line and status 1; another run holding the project with
``--no-wait``, status 75 (try again later). Never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

from . import __version__
from .analysis.evaluation import evaluate, load_labels
from .config import RELATED_BACKENDS, Config, load_config
from .errors import ArchiveError
from .lock import LockBusy
from .parallel import end_process
from .pipeline import GenerateResult, RunOptions, build, generate, load_archive
from .reports import duplicates_report, evaluation_report, tag_report
from .site.escaping import count
from .sources.dates import EARLIEST_YEAR, LATEST_YEAR, valid_year

PROG = "digest-archive"
EXIT_USAGE = 2
EXIT_BUSY = 75  # EX_TEMPFAIL: another run holds the project; try again later


class _Printer:
    """The :class:`~generator.pipeline.Reporter` of the command line: stderr."""

    def info(self, text: str) -> None:
        print(f"{PROG}: {text}", file=sys.stderr, flush=True)

    def warning(self, text: str) -> None:
        print(f"{PROG}: warning: {text}", file=sys.stderr, flush=True)

    def error(self, text: str) -> None:
        print(f"{PROG}: error: {text}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``digest-archive`` console script; returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as error:
        print(f"{PROG}: error: {error} (see {PROG} --help)", file=sys.stderr)
        return EXIT_USAGE
    printer = _Printer()
    try:
        return int(args.run(args, printer))
    except _UsageError as error:
        print(f"{PROG}: error: {error} (see {PROG} --help)", file=sys.stderr)
        return EXIT_USAGE
    except LockBusy as error:
        printer.error(str(error))
        return EXIT_BUSY
    except ArchiveError as error:
        printer.error(str(error))
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (see :func:`main`), not usage text."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix(PROG).strip()
        raise _UsageError(f"{command}: {message}" if command else message)


# --- Argument types: each checks one value and says what is wrong with it. ----------


def _year(text: str) -> int:
    if not text.isdigit() or not valid_year(int(text)):
        raise argparse.ArgumentTypeError(f"{text!r} is not a year from {EARLIEST_YEAR} to {LATEST_YEAR}")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number from 1 to 65535")
    return int(text)


def _folder(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is not a folder")
    return path


def _file(text: str) -> Path:
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text!r} is not a file")
    return path


def _iso_date(text: str) -> dt.date:
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        date = None
    if date is None or len(text) != 10 or not valid_year(date.year):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2025-03-11")
    return date


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _output_folder(text: str) -> Path:
    path = Path(text)
    if not text or "\0" in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a folder name")
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a file, not a folder")
    return path


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Turn daily paper digests into a browsable, searchable MkDocs archive.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def add_project(command: argparse.ArgumentParser, digests_type: Callable[[str], Path]) -> None:
        command.add_argument(
            "--digests",
            type=digests_type,
            metavar="DIR",
            help="folder of digest files (default: from archive.yml, else digests/)",
        )
        command.add_argument(
            "--config", type=_file, metavar="FILE", help="archive settings (default: archive.yml if present)"
        )

    def add_no_wait(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--no-wait",
            action="store_true",
            help="if another run is writing in this project, stop at once (exit status 75) instead of waiting",
        )

    def add_common(command: argparse.ArgumentParser) -> None:
        add_project(command, _folder)
        command.add_argument(
            "--year", type=_year, metavar="YYYY", help="year of digests whose date line and file name give none"
        )
        command.add_argument(
            "--strict", action="store_true", help="fail on a bad digest instead of skipping it with a warning"
        )
        command.add_argument(
            "--related",
            choices=RELATED_BACKENDS,
            help="how related papers are found (default: related.backend of archive.yml, else tfidf)",
        )

    def add_writing(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--force",
            action="store_true",
            help="render every page even if no digest, setting or template changed, and build the site in full"
            " rather than from the last one",
        )
        add_no_wait(command)

    generate_command = commands.add_parser("generate", help="write the archive's pages into site_src")
    add_common(generate_command)
    add_writing(generate_command)
    generate_command.add_argument(
        "--out", type=_output_folder, metavar="DIR", help="output folder (default: docs_dir of mkdocs.yml, site_src)"
    )
    generate_command.set_defaults(run=_generate_command)

    build_command = commands.add_parser("build", help="generate, then run mkdocs build --strict")
    add_common(build_command)
    add_writing(build_command)
    build_command.add_argument(
        "--site-dir",
        type=_output_folder,
        metavar="DIR",
        help="where the site goes (default: site_dir of mkdocs.yml, site)",
    )
    build_command.set_defaults(run=_build_command)

    serve_command = commands.add_parser("serve", help="build, then serve the site on localhost")
    add_common(serve_command)
    add_writing(serve_command)
    serve_command.add_argument(
        "--site-dir", type=_output_folder, metavar="DIR", help="where the site goes (default: site_dir of mkdocs.yml)"
    )
    serve_command.add_argument("--port", type=_port, default=8000, help="port to listen on, 1 to 65535 (default: 8000)")
    serve_command.add_argument("--no-build", action="store_true", help="serve the site already built")
    serve_command.set_defaults(run=_serve_command)

    tags_command = commands.add_parser(
        "tags", help="report on topic tags (coverage, tag sizes, untagged papers) or measure them against labels"
    )
    add_common(tags_command)
    tags_command.add_argument("--report", action="store_true", help="print the report (the default)")
    tags_command.add_argument(
        "--evaluate",
        type=_file,
        metavar="LABELS",
        help="measure tags and related papers against a labels file (e.g. evaluation/shared-digests.yml)",
    )
    tags_command.add_argument(
        "--split",
        choices=("held-out", "tune", "all"),
        default="held-out",
        help="which labelled papers to measure with --evaluate (default: held-out)",
    )
    tags_command.set_defaults(run=_tags_command)

    duplicates_command = commands.add_parser(
        "duplicates", help="list near-duplicates merged and titles shared by different papers"
    )
    add_common(duplicates_command)
    duplicates_command.set_defaults(run=_duplicates_command)

    def add_api(command: argparse.ArgumentParser) -> None:
        # The digest folder may not exist yet: fetch creates it.
        add_project(command, _output_folder)
        add_no_wait(command)
        command.set_defaults(year=None, strict=False, force=False)

    fetch_command = commands.add_parser(
        "fetch",
        help="save days of the Hugging Face Daily Papers API as structured digests (HF_ENDPOINT, HF_TOKEN)",
        description="Save each day's papers from {HF_ENDPOINT}/api/daily_papers as DIR/YYYY-MM-DD.json."
        " Without --date or --since: the last refresh_days days (archive.yml, default 14), read again so"
        " their votes settle.",
    )
    add_api(fetch_command)
    which_days = fetch_command.add_mutually_exclusive_group()
    which_days.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD", help="fetch this one day")
    which_days.add_argument("--since", type=_iso_date, metavar="YYYY-MM-DD", help="fetch every day from this one")
    fetch_command.add_argument(
        "--until", type=_iso_date, metavar="YYYY-MM-DD", help="with --since: the last day (default: today, UTC)"
    )
    fetch_command.add_argument("--refresh", action="store_true", help="read days already saved again (new votes)")
    fetch_command.set_defaults(run=_fetch_command)

    enrich_command = commands.add_parser(
        "enrich",
        help="look up papers of text digests on the API by title; results go to the metadata cache",
    )
    add_api(enrich_command)
    enrich_command.add_argument(
        "--retry-misses", action="store_true", help="look up again the papers an earlier run did not find"
    )
    enrich_command.add_argument("--limit", type=_positive, metavar="N", help="look up at most N papers (newest first)")
    enrich_command.set_defaults(run=_enrich_command)
    return parser


def _config(args: argparse.Namespace) -> Config:
    config = load_config(args.config)
    changes: dict[str, Any] = {}
    if args.digests is not None:
        changes["digests"] = args.digests
    if args.year is not None:
        changes["year"] = args.year
    if getattr(args, "related", None) is not None:
        changes["related"] = replace(config.related, backend=args.related)
    if getattr(args, "out", None) is not None:
        changes["docs_dir"] = args.out
    if getattr(args, "site_dir", None) is not None:
        changes["site_dir"] = args.site_dir
    return replace(config, **changes)


def _options(args: argparse.Namespace) -> RunOptions:
    return RunOptions(strict=args.strict, force=args.force, wait=not args.no_wait)


def _print_generated(config: Config, result: GenerateResult, printer: _Printer) -> None:
    if result.loaded is None:
        printer.info(f"{count(result.digest_count, 'digest')} unchanged; {config.docs_dir} is up to date")
        return
    loaded = result.loaded
    skipped = f", {loaded.digests_skipped} skipped" if loaded.digests_skipped else ""
    printer.info(
        f"{count(loaded.digests_read, 'digest')}{skipped}: {count(len(loaded.archive.papers), 'paper')}"
        f" on {count(len(loaded.archive.days), 'day')} -> {config.docs_dir}: {result.written} written,"
        f" {result.unchanged} unchanged, {result.removed} removed"
    )


def _generate_command(args: argparse.Namespace, printer: _Printer) -> int:
    config = _config(args)
    _print_generated(config, generate(config, _options(args), printer), printer)
    return 0


def _build_command(args: argparse.Namespace, printer: _Printer) -> int:
    config = _config(args)
    result = build(config, _options(args), printer)
    _print_generated(config, result, printer)
    how = " from the last one (only what changed)" if result.incremental else ""
    printer.info(f"site built in {config.site_dir}{how}")
    return 0


def _tags_command(args: argparse.Namespace, printer: _Printer) -> int:
    config = _config(args)
    archive = load_archive(config, args.strict, printer).archive
    if args.evaluate is None:
        print(tag_report(archive), end="")
        return 0
    labels = load_labels(args.evaluate, (tag.slug for tag in archive.tags))
    evaluation = evaluate(archive, labels, args.split)
    if not evaluation.tags.papers:
        raise ArchiveError(f"{args.evaluate}: none of its {args.split} papers is in {config.digests}")
    print(evaluation_report(evaluation, archive, labels.source), end="")
    return 0


def _duplicates_command(args: argparse.Namespace, printer: _Printer) -> int:
    print(duplicates_report(load_archive(_config(args), args.strict, printer).archive), end="")
    return 0


def _serve_command(args: argparse.Namespace, printer: _Printer) -> int:
    from .preview import serve_site

    config = _config(args)
    if not args.no_build:
        # The lock is released once the site is built: serving only reads it, and a
        # build started meanwhile swaps in its new site between two requests.
        _print_generated(config, build(config, _options(args), printer, command="serve"), printer)
    if not config.site_dir.is_dir():
        raise ArchiveError(f"no site in {config.site_dir}; run without --no-build first")
    serve_site(
        config.site_dir,
        args.port,
        lambda address: printer.info(f"serving {config.site_dir} at {address} (Ctrl-C stops)"),
    )
    return 0


def _fetch_command(args: argparse.Namespace, printer: _Printer) -> int:
    from .fetching import dates_to_fetch, fetch

    if args.until is not None and args.since is None:
        raise _UsageError("fetch: --until needs --since")
    config = _config(args)
    today = dt.datetime.now(dt.timezone.utc).date()
    dates, refresh = dates_to_fetch(today, config.fetch.refresh_days, args.date, args.since, args.until)
    result = fetch(config, dates, refresh or args.refresh, _options(args), printer)
    printer.info(
        f"{count(len(dates), 'day')}: {result.saved} saved, {result.unchanged} unchanged,"
        f" {result.skipped} already saved, {result.empty} with no papers, in {config.digests}"
    )
    return 0


def _enrich_command(args: argparse.Namespace, printer: _Printer) -> int:
    from .fetching import enrich

    config = _config(args)
    result = enrich(config, _options(args), printer, args.retry_misses, args.limit)
    left = f"; {result.left} left for a later run" if result.left else ""
    printer.info(
        f"{count(result.looked_up, 'paper')} looked up: {result.found} found, {result.missed} not found,"
        f" saved in {config.metadata_cache}{left}"
    )
    return 0


def run() -> NoReturn:
    """The ``digest-archive`` command: :func:`main`, then the process ends at once.

    Python would otherwise spend a while freeing the model object by object (0.4 s at
    50,000 papers, on every daily run) for a process whose work is done: its files
    written and closed, the project lock released, worker processes joined. Its output
    is flushed first. Code that calls :func:`main` itself (the tests) ends as usual.
    """
    end_process(main())


if __name__ == "__main__":
    run()
