"""Command line: `build` (the default), `new`, `check`, `serve` and `init`.

User errors (GazetteError) print as one located line each and exit 1; only a
bug in Gazette itself shows a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gazette.engine.cache import cache_dir_for
from gazette.engine.clock import build_now
from gazette.errors import GazetteError
from gazette.sinks import unchanged
from gazette.sinks.lock import build_lock
from gazette.sinks.result import noop_result
from gazette.sinks.unchanged import Look

if TYPE_CHECKING:
    from gazette.stages.config import Config


def load_config(path: Path) -> Config:
    """config.toml, read (the module that reads it is loaded only when a build is due)."""
    from gazette.stages.config import load_config as load

    return load(path)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("config.toml"),
        metavar="PATH",
        help="site configuration file (default: config.toml); the site's "
        "folders are read beside it",
    )


def _build_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder to write the site to (default: output/ beside the config)",
    )
    parser.add_argument(
        "--drafts", action="store_true", help="include drafts and future-dated articles"
    )
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="worker processes for Markdown and pages (default: all cores; 1: none)",
    )


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Gazette builds a static news site from Markdown articles. "
        "With no command it builds the site into output/.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build_parser = commands.add_parser("build", help="build the site (the default command)")
    _common(build_parser)
    _build_flags(build_parser)
    build_parser.add_argument(
        "--no-wait",
        dest="wait",
        action="store_false",
        help="fail at once if another build of the same output folder is running "
        "(default: wait for it)",
    )
    build_parser.add_argument(
        "--next-due",
        action="store_true",
        help="build nothing: print when the site next changes by the clock (a scheduled "
        "story, an expiry, the end of a banner or a live page) as one ISO 8601 line, "
        "or nothing when nothing is due",
    )
    build_parser.add_argument(
        "--force",
        action="store_true",
        help="replace an output folder Gazette did not build, deleting files in it "
        "that Gazette did not write",
    )

    new_parser = commands.add_parser("new", help="write a new article file and print its path")
    _common(new_parser)
    new_parser.add_argument("title", help="the headline, in quotes")
    new_parser.add_argument("--section", required=True, help="section folder, e.g. world")

    check_parser = commands.add_parser(
        "check", help="find every problem in the site (content, templates, links); write nothing"
    )
    _common(check_parser)
    check_parser.add_argument(
        "--drafts", action="store_true", help="check drafts and future-dated articles too"
    )

    serve_parser = commands.add_parser(
        "serve", help="preview the site in a browser that reloads on every save"
    )
    _common(serve_parser)
    serve_parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve_parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve_parser.add_argument(
        "--drafts", action="store_true", help="show drafts and future-dated articles"
    )
    serve_parser.add_argument(
        "--poll",
        action="store_true",
        help="poll for changes instead of OS events (network mounts, containers)",
    )

    init_parser = commands.add_parser(
        "init", help="make a new site in a new or empty folder, ready to build and serve"
    )
    init_parser.add_argument("folder", type=Path, metavar="DIR", help="the new site's folder")
    init_parser.add_argument(
        "--bare",
        action="store_true",
        help="write no templates or static files: the site uses the packaged theme",
    )

    from gazette.commands.importing import add_parser as add_import_parser

    _common(add_import_parser(commands))

    parser.epilog = "commands and their options:\n\n" + "\n".join(
        "  " + sub.format_help().replace("\n", "\n  ") for sub in commands.choices.values()
    )
    return parser


def _normalise(argv: list[str]) -> list[str]:
    """`build.py --drafts` means `build.py build --drafts`."""
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        return ["build", *argv]
    return argv


def run_build(args: argparse.Namespace) -> int:
    if args.next_due:
        return print_next_due(load_config(args.config))
    # output/ beside config.toml unless told: the config's root is the folder it is in
    output = args.output if args.output is not None else args.config.parent / "output"
    if not args.config.is_file():  # a mistyped --config: said by the config reader,
        load_config(args.config)  # before any cache folder is made beside it
    prior = _look_first(output, args)
    if prior is None:
        return 0
    from gazette.sinks.disk import DiskSink  # the engine, loaded only to build

    sink = DiskSink(
        load_config(args.config),
        output,
        include_drafts=args.drafts,
        jobs=args.jobs,
        cache=True,  # .gazette-cache/ beside the output folder
        progress=True,  # a progress bar on a terminal, for long builds only
        wait=args.wait,
        force=args.force,
    )
    print(sink.build(prior=prior).summary())
    return 0


def _look_first(output: Path, args: argparse.Namespace) -> tuple[str, Look | None] | None:
    """Before the engine is even imported: None (with the report printed) when the
    last build's note says nothing changed; else the look, for the build to go on from."""
    started = time.perf_counter()
    cache_dir = cache_dir_for(output)
    notice = lambda text: print(text, file=sys.stderr)  # noqa: E731
    with build_lock(output, wait=args.wait, notice=notice) as (_, token):
        note = unchanged.load(cache_dir)
        if note is None:
            return token, None
        seen = unchanged.look(note.watch, output, note, cache_dir)
        key = unchanged.key_of(output, args.drafts)
        if unchanged.nothing_to_do(note, seen, key, unchanged.clock(None)):
            print(noop_result(note.counts, started).summary())
            return None
    return token, seen


def print_next_due(config: Config) -> int:
    """For cron and CI schedules: the next time a build would change the site by the
    clock alone, read from the front matter (no Markdown is converted, nothing written)."""
    from gazette.stages.content import read_articles
    from gazette.stages.live import next_due

    articles, errors = read_articles(config)
    if errors:
        raise GazetteError.collect(errors)
    due = next_due(articles, build_now(config.tz))
    if due is not None:
        print(due.isoformat())
    return 0


def run_new(args: argparse.Namespace) -> int:
    from gazette.commands.new import new_article

    config = load_config(args.config)
    path = new_article(config, args.title, args.section, build_now(config.tz))
    print(path)
    print("It is a draft: set 'draft: false' to publish it.", file=sys.stderr)
    return 0


def run_check(args: argparse.Namespace) -> int:
    from gazette.commands.check import check_site

    report = check_site(load_config(args.config), include_drafts=args.drafts)
    if report.problems:
        raise GazetteError.collect(report.problems)
    print(report.summary())
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from gazette.commands.serve import run

    return run(
        args.config, host=args.host, port=args.port, include_drafts=args.drafts, poll=args.poll
    )


def run_init(args: argparse.Namespace) -> int:
    from gazette.commands.init import describe, init_site

    written = init_site(args.folder, bare=args.bare)
    print(describe(args.folder, written, bare=args.bare))
    return 0


def run_import(args: argparse.Namespace) -> int:
    from gazette.commands.importing import run_import as run

    return run(args)


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "build": run_build,
    "new": run_new,
    "check": run_check,
    "serve": run_serve,
    "init": run_init,
    "import": run_import,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(_normalise(list(sys.argv[1:] if argv is None else argv)))
    code = _run(args)
    watched = sys.getprofile() is not None or sys.gettrace() is not None  # a profiler's report
    if argv is None and args.command == "build" and not watched:
        # The process ends here: freeing the site model, the cache's state and the
        # manifest object by object takes a tenth of the time of a big site's rebuild,
        # for nothing. Everything a build writes is written and closed by now.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _run(args: argparse.Namespace) -> int:
    try:
        return HANDLERS[args.command](args)
    except GazetteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # disk full, no permission, a file vanishing mid-build
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
