"""`parrules` on the command line: argument parsing and exit codes only.

Exit codes (docs/cli.md):
  0  success (warnings may have been printed)
  1  problems found in a ruleset or a data file (all of them are listed)
  2  usage error: bad arguments, a file that does not exist
  3  internal error: a bug in parrules (set PARRULES_DEBUG=1 for the traceback)
  130, 143  interrupted (Ctrl-C) or stopped (SIGTERM); no output file is written
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from attrs import frozen

from parrules import __version__
from parrules.api import Ruleset, check_file, load
from parrules.diagnostics import DataError, ParrulesError, render_all, summarize
from parrules.display import printable
from parrules.safeio import OutputError, check_output, write_atomically

if TYPE_CHECKING:
    from parrules.history import YearChange
    from parrules.results import Results

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM, as shells report them


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(printable(f"parrules: {message}") + "\n")
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="parrules", description="Check PAR-index rulesets (.par) and score units with them.")
    parser.add_argument("--version", action="version", version=f"parrules {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, parser_class=_Parser)

    check = verbs.add_parser("check", help="check rulesets and print every problem")
    check.add_argument("files", nargs="+", metavar="FILE", help=".par ruleset files")
    check.add_argument("--format", choices=("text", "json"), default="text")

    score = verbs.add_parser("score", help="score unit data with a ruleset")
    _data_arguments(score)
    score.add_argument("--format", choices=("table", "csv", "json"), default="table")
    score.add_argument("-o", "--output", metavar="FILE", help="write the results here instead of stdout")
    score.add_argument("--published", metavar="FILE",
                       help="a published results table (CSV: unit,total,index,class) to compare with")

    explain = verbs.add_parser("explain", help="explain one unit's points: rule by rule, losses, gap to the next class")
    _data_arguments(explain)
    explain.add_argument("--unit", metavar="NAME", required=True, help="the unit's name, as in the data")
    explain.add_argument("--format", choices=("text", "json"), default="text")

    report = verbs.add_parser("report", help="write the results table as provinces publish it")
    _data_arguments(report)
    report.add_argument("-o", "--output", metavar="FILE", required=True,
                        help="the file to write: .md, .html or .xlsx (the format follows the extension)")
    report.add_argument("--format", choices=REPORT_FORMATS, help="the format, when the extension does not say")
    return parser


REPORT_FORMATS = ("md", "html", "xlsx")


def _data_arguments(verb: argparse.ArgumentParser) -> None:
    verb.add_argument("ruleset", metavar="RULESET", help="the .par ruleset")
    verb.add_argument("data", metavar="DATA", help="unit data: .csv, .json or .xlsx")
    verb.add_argument("--sheet", metavar="NAME", help="the worksheet of an .xlsx workbook (default: the first)")
    verb.add_argument("--decimal-comma", action="store_true", help="the data writes decimals with a comma (62,30)")
    verb.add_argument("--percent-fractions", action="store_true",
                      help="percent columns hold fractions of 1 where they write no %% (0.85 means 85 %%)")
    verb.add_argument("--previous", metavar="RESULTS",
                      help="last year's results (JSON or CSV written by `parrules score`): show the changes")


class _Terminated(Exception):  # noqa: N818 - a signal, not an error
    """SIGTERM, raised where the program is, so that no half-written file is left behind."""


def _on_terminate(signum: int, frame: object) -> None:
    raise _Terminated


def main(argv: Sequence[str] | None = None) -> int:
    previous = signal.signal(signal.SIGTERM, _on_terminate) if _main_thread() else None
    try:
        args = _parser().parse_args(argv)
        if args.verb == "check":
            return _check(args.files, args.format, sys.stdout)
        if args.verb == "report":
            return _report(args, sys.stderr)
        if args.verb == "explain":
            return _explain(args, sys.stdout, sys.stderr)
        return _score(args, sys.stdout, sys.stderr)
    except SystemExit as exc:
        return int(exc.code or 0)
    except (_UsageError, OutputError) as exc:
        sys.stderr.write(printable(f"parrules: {exc}") + "\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("\nparrules: interrupted; no file was written\n")
        return EXIT_INTERRUPTED
    except _Terminated:
        sys.stderr.write("parrules: stopped; no file was written\n")
        return EXIT_TERMINATED
    except BrokenPipeError:
        # The reader of our output went away (`parrules score … | head`): nothing more to say to it.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a bug, not a user's mistake: say so plainly
        if os.environ.get("PARRULES_DEBUG", "0") not in ("", "0"):
            import traceback

            traceback.print_exc()
            return EXIT_INTERNAL
        sys.stderr.write(printable(f"parrules: internal error ({exc.__class__.__name__}: {str(exc)[:500]}).\n"
                                   "This is a bug in parrules; please report it with the command you ran. "
                                   "Set PARRULES_DEBUG=1 to see the traceback.\n"))
        return EXIT_INTERNAL
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _input(name: str) -> Path:
    """A file the command reads: it must exist and be a regular file (not a folder, a device, a pipe)."""
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        raise _UsageError(f"no such file: {name}") from None
    except (OSError, ValueError) as exc:
        raise _UsageError(f"cannot read {name}: {getattr(exc, 'strerror', None) or exc}") from None
    if stat.S_ISDIR(mode):
        raise _UsageError(f"{name} is a folder; give a file")
    if not stat.S_ISREG(mode):
        raise _UsageError(f"{name} is not a regular file (a device or a pipe); give a file")
    return Path(name)


def _check(files: list[str], fmt: str, out: TextIO) -> int:
    reports = [check_file(path) for path in [_input(name) for name in files]]
    if fmt == "json":
        payload = [{"file": r.file, "ok": r.ok, "summary": r.summary,
                    "diagnostics": [d.to_dict() for d in r.diagnostics]} for r in reports]
        out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write("\n\n".join(r.render() for r in reports) + "\n")
    return EXIT_OK if all(r.ok for r in reports) else EXIT_PROBLEMS


def _load_checked(path: Path, err: TextIO) -> Ruleset | None:
    try:
        ruleset = load(path)
    except ParrulesError as exc:
        err.write(exc.report() + "\n")
        err.write(f"{path}: {summarize(exc.diagnostics)}\n")
        return None
    report = ruleset.check()
    if not report.ok:
        err.write(report.render() + "\n")
        return None
    if report.warnings:
        err.write(render_all(report.warnings, report.sources) + "\n")
    return ruleset


@frozen
class _Scored:
    ruleset: Ruleset
    results: Results
    change: YearChange | None


def _score_data(args: argparse.Namespace, err: TextIO, *extra_files: str | None) -> _Scored | int:
    """Load, check and score as every data verb does; an exit code when something is wrong."""
    from parrules.history import Snapshot, compare_years, read_previous

    inputs = [_input(name) for name in (args.ruleset, args.data, args.previous, *extra_files) if name is not None]
    if getattr(args, "output", None):
        check_output(Path(args.output), inputs)  # before any work: never overwrite an input
    if args.sheet is not None and Path(args.data).suffix.lower() != ".xlsx":
        raise _UsageError(f"--sheet names a worksheet of an .xlsx workbook; {args.data} is not one")
    ruleset = _load_checked(Path(args.ruleset), err)
    if ruleset is None:
        return EXIT_PROBLEMS
    try:
        results = ruleset.score_file(args.data, decimal_comma=args.decimal_comma, sheet=args.sheet,
                                     percent_fractions=args.percent_fractions)
    except DataError as exc:
        err.write(render_all(exc.diagnostics) + "\n")
        err.write(printable(f"{args.data}: {summarize(exc.diagnostics)}; nothing was scored\n"))
        return EXIT_PROBLEMS
    if results.warnings:
        err.write(render_all(results.warnings) + "\n")
    change = None
    if args.previous:
        try:
            previous = read_previous(Path(args.previous))
        except DataError as exc:
            err.write(render_all(exc.diagnostics) + "\n")
            err.write(f"{args.previous}: {summarize(exc.diagnostics)}\n")
            return EXIT_PROBLEMS
        change = compare_years(Snapshot.of(results), previous)
    return _Scored(ruleset, results, change)


def _score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from parrules.published import compare_published, read_published
    from parrules.report import render_csv, render_json, render_table

    done = _score_data(args, err, args.published)
    if isinstance(done, int):
        return done
    results = done.results
    try:
        published = read_published(Path(args.published)) if args.published else None
    except DataError as exc:
        err.write(render_all(exc.diagnostics) + "\n")
        err.write(f"{args.published}: {summarize(exc.diagnostics)}\n")
        return EXIT_PROBLEMS
    text = {"table": render_table, "csv": render_csv, "json": render_json}[args.format](results, done.change)
    if args.output:
        write_atomically(Path(args.output), text.encode("utf-8"))
        err.write(f"wrote {len(results.units)} units to {args.output}\n")
    else:
        out.write(text)
    if published is not None:
        differences = compare_published(results, published)
        explained = sum(1 for d in differences if d.note)
        target = err if args.format != "table" or args.output else out
        target.write(f"\nCompared with the published table {args.published}: "
                     f"{len(published.units)} units, {len(published.averages)} average"
                     f"{'s' if len(published.averages) != 1 else ''}; {len(differences)} difference"
                     f"{'s' if len(differences) != 1 else ''}"
                     f"{' (' + str(explained) + ' explained by rounding)' if explained else ''}\n")
        for difference in differences:
            target.write(printable(f"  {difference.describe()}") + "\n")
    return EXIT_OK


def _explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import difflib

    from parrules.data.text import text_key

    done = _score_data(args, err)
    if isinstance(done, int):
        return done
    wanted = text_key(args.unit)
    found = [u for u in done.results.units if text_key(u.unit) == wanted]
    if not found:
        names = [u.unit for u in done.results.units]
        near = difflib.get_close_matches(args.unit, names, n=3, cutoff=0.5)
        raise _UsageError(f"no unit named `{args.unit}` in {args.data}"
                          + (f"; did you mean {', '.join(f'`{n}`' for n in near)}?" if near else ""))
    from parrules.explain import explain

    explanation = explain(done.results, found[0])
    if args.format == "json":
        out.write(json.dumps(explanation.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(printable(explanation.render()))
    return EXIT_OK


def _report(args: argparse.Namespace, err: TextIO) -> int:
    from parrules import report

    output = Path(args.output)
    fmt = args.format or {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
                          ".xlsx": "xlsx"}.get(output.suffix.lower())
    if fmt is None:
        raise _UsageError(f"cannot tell the report's format from `{output.name}`: "
                          "end the file name with .md, .html or .xlsx, or give --format")
    done = _score_data(args, err)
    if isinstance(done, int):
        return done
    if fmt == "xlsx":
        from parrules.report.xlsx_out import render_xlsx

        payload = render_xlsx(done.results, done.change)
    else:
        render = report.render_markdown if fmt == "md" else report.render_html
        payload = render(done.results, done.change).encode("utf-8")
    write_atomically(output, payload)
    err.write(f"wrote the results of {len(done.results.units)} units to {output}\n")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
