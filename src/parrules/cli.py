"""`parrules` on the command line: argument parsing and exit codes only.

Exit codes (docs/cli.md):
  0  success (warnings may have been printed)
  1  problems found in a ruleset or a data file (all of them are listed)
  2  usage error: bad arguments, a file that does not exist
  3  internal error: a bug in parrules (set PARRULES_DEBUG=1 for the traceback)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from parrules import __version__
from parrules.api import CheckReport, Ruleset, check_file, load
from parrules.diagnostics import DataError, ParrulesError, render_all, summarize

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"parrules: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="parrules", description="Check PAR-index rulesets (.par) and score units with them.")
    parser.add_argument("--version", action="version", version=f"parrules {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, parser_class=_Parser)

    check = verbs.add_parser("check", help="check rulesets and print every problem")
    check.add_argument("files", nargs="+", metavar="FILE", help=".par ruleset files")
    check.add_argument("--format", choices=("text", "json"), default="text")

    score = verbs.add_parser("score", help="score unit data with a ruleset")
    score.add_argument("ruleset", metavar="RULESET", help="the .par ruleset")
    score.add_argument("data", metavar="DATA", help="unit data: .csv, .json or .xlsx")
    score.add_argument("--format", choices=("table", "csv", "json"), default="table")
    score.add_argument("-o", "--output", metavar="FILE", help="write the results here instead of stdout")
    score.add_argument("--decimal-comma", action="store_true",
                       help="the data writes decimals with a comma (62,30)")
    score.add_argument("--sheet", metavar="NAME", help="the worksheet of an .xlsx workbook (default: the first)")
    score.add_argument("--published", metavar="FILE",
                       help="a published results table (CSV: unit,total,index,class) to compare with")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.verb == "check":
            return _check(args.files, args.format, sys.stdout)
        return _score(args, sys.stdout, sys.stderr)
    except SystemExit as exc:
        return int(exc.code or 0)
    except _UsageError as exc:
        sys.stderr.write(f"parrules: {exc}\n")
        return EXIT_USAGE
    except Exception as exc:  # a bug, not a user's mistake: say so plainly
        if os.environ.get("PARRULES_DEBUG"):
            raise
        sys.stderr.write(f"parrules: internal error ({exc.__class__.__name__}: {exc}).\n"
                         "This is a bug in parrules; please report it with the command you ran. "
                         "Set PARRULES_DEBUG=1 to see the traceback.\n")
        return EXIT_INTERNAL


def _check(files: list[str], fmt: str, out: TextIO) -> int:
    reports: list[CheckReport] = []
    for name in files:
        path = Path(name)
        if not path.is_file():
            raise _UsageError(f"no such file: {name}")
        reports.append(check_file(path))
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
    return ruleset


def _score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from parrules.published import compare_published, read_published
    from parrules.report import render_csv, render_json, render_table

    for name in (args.ruleset, args.data, args.published):
        if name is not None and not Path(name).is_file():
            raise _UsageError(f"no such file: {name}")
    ruleset = _load_checked(Path(args.ruleset), err)
    if ruleset is None:
        return EXIT_PROBLEMS
    try:
        scored = ruleset.score_file(args.data, decimal_comma=args.decimal_comma, sheet=args.sheet)
        published = read_published(Path(args.published)) if args.published else None
    except DataError as exc:
        err.write(render_all(exc.diagnostics) + "\n")
        err.write(f"{args.data}: {summarize(exc.diagnostics)}; nothing was scored\n")
        return EXIT_PROBLEMS
    results = scored.results
    if scored.warnings:
        err.write(render_all(scored.warnings) + "\n")
    text = {"table": render_table, "csv": render_csv, "json": render_json}[args.format](results)
    if args.output:
        _write_atomically(Path(args.output), text)
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
            target.write(f"  {difference.describe()}\n")
    return EXIT_OK


def _write_atomically(path: Path, text: str) -> None:
    """Write the whole file or nothing: a half-written results file must never exist."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
