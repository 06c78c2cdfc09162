"""``digest-archive``: generate the Markdown, build the site, preview it.

Thin glue over the stages; every user-facing failure is an :class:`ArchiveError` printed
as one line, never a traceback.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
from dataclasses import replace
from pathlib import Path

from . import __version__
from .config import Config, load_config
from .errors import ArchiveError
from .parse import find_digests
from .model import Archive
from .pipeline import build_model, input_fingerprint, override_targets, parse_digests
from .render import plan_site
from .report import duplicates_report, tag_report
from .sitebuild import build_site
from .tags import load_overrides, load_taxonomy
from .write import finish_interrupted_write, is_up_to_date, write_site


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``digest-archive`` console script; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ArchiveError as error:
        print(f"digest-archive: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("digest-archive: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest-archive",
        description="Turn daily paper digests into a browsable, searchable MkDocs archive.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add_common(command: argparse.ArgumentParser) -> None:
        command.add_argument("--digests", type=Path, metavar="DIR", help="folder of digest files (default: from archive.yml, else digests/)")
        command.add_argument("--year", type=int, metavar="YYYY", help="year of digests whose date line and file name give none")
        command.add_argument("--config", type=Path, metavar="FILE", help="archive settings (default: archive.yml if present)")
        command.add_argument(
            "--strict", action="store_true",
            help="fail on a bad digest instead of skipping it with a warning",
        )
        command.add_argument(
            "--force", action="store_true",
            help="render every page even if no digest, setting or template changed",
        )

    generate = commands.add_parser("generate", help="write the archive's Markdown pages")
    add_common(generate)
    generate.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: docs_dir of mkdocs.yml, site_src)")
    generate.set_defaults(run=_generate_command)

    build = commands.add_parser("build", help="generate, then run mkdocs build --strict")
    add_common(build)
    build.add_argument("--site-dir", type=Path, metavar="DIR", help="where the site goes (default: site_dir of mkdocs.yml, site)")
    build.set_defaults(run=_build_command)

    serve = commands.add_parser("serve", help="build, then serve the site on localhost")
    add_common(serve)
    serve.add_argument("--site-dir", type=Path, metavar="DIR", help="where the site goes (default: site_dir of mkdocs.yml)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--no-build", action="store_true", help="serve the site already built")
    serve.set_defaults(run=_serve_command)

    tags = commands.add_parser("tags", help="report on topic tags: coverage, tag sizes, untagged papers")
    add_common(tags)
    tags.add_argument("--report", action="store_true", help="print the report (the default and only action)")
    tags.set_defaults(run=_tags_command)

    duplicates = commands.add_parser("duplicates", help="list near-duplicate papers merged, with their scores")
    add_common(duplicates)
    duplicates.set_defaults(run=_duplicates_command)
    return parser


def _config(args: argparse.Namespace) -> Config:
    config = load_config(args.config)
    changes = {}
    if args.digests is not None:
        changes["digests"] = args.digests
    if args.year is not None:
        changes["year"] = args.year
    if getattr(args, "out", None) is not None:
        changes["docs_dir"] = args.out
    if getattr(args, "site_dir", None) is not None:
        changes["site_dir"] = args.site_dir
    return replace(config, **changes)


def load_model(config: Config, strict: bool) -> tuple[Archive, int, int]:
    """The model, the number of digests read and the number skipped as bad.

    Parses the digests and builds the model, reporting bad digests and stray overrides.

    With ``strict``, a bad digest is an error; otherwise it is skipped with a warning.
    """
    paths = find_digests(config.digests)
    taxonomy = load_taxonomy(config.taxonomy)
    overrides = load_overrides(config.tag_overrides, taxonomy)
    loaded = parse_digests(paths, config.year)
    for problem in loaded.problems:
        if strict:
            print(f"digest-archive: error: {problem}", file=sys.stderr)
        else:
            print(f"digest-archive: warning: {problem} (digest skipped)", file=sys.stderr)
    if strict and loaded.problems:
        raise ArchiveError(f"{len(loaded.problems)} bad digest(s); nothing was written (--strict)")
    if not loaded.digests:
        raise ArchiveError(f"no usable digests (*.txt) in {config.digests}")
    archive = build_model(loaded.digests, taxonomy, overrides)
    for override, key in override_targets(archive, overrides).items():
        if key is None:
            print(
                f"digest-archive: warning: {config.tag_overrides}:{override.line}: no paper {override.paper!r}"
                " (give its URL slug or its title); override not applied",
                file=sys.stderr,
            )
    return archive, len(loaded.digests), len(loaded.problems)


def generate(config: Config, strict: bool, force: bool = False) -> None:
    """Parse the digests, build the model and write the pages into ``config.docs_dir``.

    Stops early when the inputs are those of the last run and its pages are all there,
    unless ``force``.
    """
    paths = find_digests(config.digests)
    inputs = input_fingerprint(
        paths, [config.taxonomy, config.tag_overrides], {"year": config.year, "site_name": config.site_name, "site_url": config.site_url}
    )
    finish_interrupted_write(config.docs_dir)
    if not force and is_up_to_date(config.docs_dir, inputs):
        print(f"digest-archive: {len(paths)} digests unchanged; {config.docs_dir} is up to date", file=sys.stderr)
        return
    archive, digest_count, skipped_count = load_model(config, strict)
    # A run that skipped bad digests is not recorded as up to date: the next run warns again.
    report = write_site(config.docs_dir, plan_site(archive, config.site_name, config.site_url), "" if skipped_count else inputs)
    skipped = f", {skipped_count} skipped" if skipped_count else ""
    print(
        f"digest-archive: {digest_count} digests{skipped}: {len(archive.papers)} papers"
        f" on {len(archive.days)} days -> {config.docs_dir}: {len(report.written)} written,"
        f" {report.unchanged} unchanged, {len(report.removed)} removed",
        file=sys.stderr,
    )


def _generate_command(args: argparse.Namespace) -> int:
    generate(_config(args), args.strict, args.force)
    return 0


def _build_command(args: argparse.Namespace) -> int:
    config = _config(args)
    generate(config, args.strict, args.force)
    build_site(config.mkdocs_config, config.site_dir)
    print(f"digest-archive: site built in {config.site_dir}", file=sys.stderr)
    return 0


def _tags_command(args: argparse.Namespace) -> int:
    archive, _, _ = load_model(_config(args), args.strict)
    print(tag_report(archive), end="")
    return 0


def _duplicates_command(args: argparse.Namespace) -> int:
    archive, _, _ = load_model(_config(args), args.strict)
    print(duplicates_report(archive), end="")
    return 0


def _serve_command(args: argparse.Namespace) -> int:
    config = _config(args)
    if not args.no_build:
        generate(config, args.strict, args.force)
        build_site(config.mkdocs_config, config.site_dir)
    if not config.site_dir.is_dir():
        raise ArchiveError(f"no site in {config.site_dir}; run without --no-build first")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(config.site_dir))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    except OSError as error:
        raise ArchiveError(f"cannot listen on port {args.port}: {error.strerror}") from None
    print(f"digest-archive: serving {config.site_dir} at http://127.0.0.1:{args.port}/ (Ctrl-C stops)", file=sys.stderr)
    with server:
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
