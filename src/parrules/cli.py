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
import codecs
import contextlib
import functools
import io
import json
import os
import shutil
import signal
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from attrs import frozen

from parrules import __version__, i18n
from parrules.api import CheckReport, Ruleset, check_file, load, load_text
from parrules.build import read_ruleset_file
from parrules.diagnostics import (
    DataError,
    Diagnostic,
    ParrulesError,
    RulesetError,
    render_all,
    sort_diagnostics,
    summarize,
)
from parrules.display import printable
from parrules.i18n import N_, _, n_
from parrules.safeio import STDIN, STDIN_NAME, OutputError, check_output, is_stdin, shown_name, write_atomically

if TYPE_CHECKING:
    from decimal import Decimal

    from parrules import changes
    from parrules.history import YearChange
    from parrules.report.document import Issuer
    from parrules.results import Results

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM, as shells report them


class _UsageError(Exception):
    pass


# argparse's own texts ("usage: ", "the following arguments are required: %s", …), in the
# catalogue so that `--help` and usage errors are in the reader's language too; argparse looks
# them up through its module-level `_` and `ngettext`, which `_argparse_in_language` points at ours.
ARGPARSE_TEXTS = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"), N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"), N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"), N_("expected one argument"), N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"), N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"), N_("one of the arguments %s is required"),
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(printable(f"parrules: {message}") + "\n")
        raise SystemExit(EXIT_USAGE)


def _language_option(parser: argparse.ArgumentParser, default: str | None) -> None:
    # Read before the parser is built (`_chosen_language`); declared here so that argparse accepts it
    # in any place and lists it in --help. SUPPRESS keeps a verb's parser from resetting the value.
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=default or argparse.SUPPRESS,
                        help=_("the language of messages: vi (Vietnamese, the default) or en; "
                               "also the environment variable PARRULES_LANG"))


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="parrules", description=_("Check PAR-index rulesets (.par) and score units with them."))
    parser.add_argument("--version", action="version", version=f"parrules {__version__}",
                        help=_("show the version of parrules and exit"))
    _language_option(parser, i18n.current())
    verbs = parser.add_subparsers(dest="verb", required=True, parser_class=_Parser, metavar="VERB",
                                  title=_("verbs"))

    check = verbs.add_parser("check", help=_("check rulesets and print every problem"))
    check.add_argument("files", nargs="+", metavar="FILE",
                       help=_(".par ruleset files, folders (every .par file in them), or - for standard input"))
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help=_("text for people (the default) or json for other tools"))
    _language_option(check, None)

    score = verbs.add_parser("score", help=_("score unit data with a ruleset"))
    _data_arguments(score)
    score.add_argument("--format", choices=("table", "csv", "json"), default="table",
                       help=_("a table for people (the default), csv or json"))
    score.add_argument("-o", "--output", metavar="FILE",
                       help=_("write the results here instead of stdout (- for stdout)"))
    _bom_option(score)
    score.add_argument("--published", metavar="FILE",
                       help=_("a published results table (CSV: unit,total,index,class) to compare with"))
    score.add_argument("--strict", action="store_true",
                       help=_("with --published: exit with 1 when a difference is not explained (by rounding or "
                              "by the published table itself), or a unit is in only one of the tables"))

    explain = verbs.add_parser("explain", help=_("explain one unit's points: rule by rule, losses, "
                                                 "gap to the next class"))
    _data_arguments(explain)
    explain.add_argument("--unit", metavar="NAME", required=True, help=_("the unit's name, as in the data"))
    explain.add_argument("--format", choices=("text", "json", "html", "pdf"), default="text",
                         help=_("text for people (the default), json for other tools, or the unit's result sheet "
                                "as html or pdf (with -o)"))
    explain.add_argument("-o", "--output", metavar="FILE",
                         help=_("write the explanation here instead of stdout (a pdf needs a file)"))
    _document_options(explain)

    report = verbs.add_parser("report", help=_("write the results table as provinces publish it"))
    _data_arguments(report)
    report.add_argument("-o", "--output", metavar="FILE", required=True,
                        help=_("the file to write: .md, .html, .xlsx or .csv (the format follows the extension); "
                               "- for stdout, with --format"))
    report.add_argument("--format", choices=REPORT_FORMATS,
                        help=_("the format, when the extension does not say"))
    report.add_argument("--per-unit", action="store_true",
                        help=_("write each unit's result sheet, one file per unit, into the folder -o names "
                               "(html, or pdf with --format pdf)"))
    _bom_option(report)
    _document_options(report)

    _template_parser(verbs.add_parser("template", help=_("write a workbook (.xlsx) to fill in the units' data of a "
                                                          "ruleset, with drop-downs and ranges")))

    fmt = verbs.add_parser("fmt", help=_("write rulesets in the canonical layout, comments kept"))
    fmt.add_argument("files", nargs="+", metavar="FILE", help=_(".par ruleset files"))
    fmt.add_argument("--check", action="store_true",
                     help=_("change no file; exit 1 if a file is not in the canonical layout"))
    fmt.add_argument("--diff", action="store_true", help=_("change no file; print what would change"))
    _language_option(fmt, None)

    diff = verbs.add_parser("diff", help=_("what changed between two years' rulesets, in the decision's terms"))
    diff.add_argument("old", metavar="OLD", help=_("last year's .par ruleset"))
    diff.add_argument("new", metavar="NEW", help=_("this year's .par ruleset"))
    diff.add_argument("--format", choices=("text", "json", "md"), default="text",
                      help=_("text for people (the default), json for other tools, md for a document"))
    diff.add_argument("--data", metavar="DATA",
                      help=_("last year's unit data: score it under both rulesets and list who changes class or rank"))
    _decimal_comma_option(diff)
    _language_option(diff, None)

    init = verbs.add_parser("init", help=_("start next year's ruleset from last year's"))
    init.add_argument("--from", dest="source", metavar="LAST", required=True, help=_("last year's .par ruleset"))
    init.add_argument("--year", type=int, required=True, metavar="N", help=_("the new year, e.g. 2021"))
    init.add_argument("-o", "--output", metavar="FILE",
                      help=_("the new ruleset's file (it must not exist yet); without it, the text is printed"))
    _language_option(init, None)

    _test_parser(verbs.add_parser("test", help=_("run a ruleset's test cases; with --coverage, "
                                                  "which of its branches they use")))

    explain_code = verbs.add_parser("explain-code", aliases=["help"],
                                    help=_("say what a code such as PAR211 means and how to fix it"))
    explain_code.add_argument("code", metavar="CODE", help=_("a code from a message: PAR211, DAT104"))
    _language_option(explain_code, None)
    return parser


def _chosen_language(argv: Sequence[str]) -> str | None:
    """The value of `--lang` wherever it is in the command line, if it names a language."""
    for index, word in enumerate(argv):
        if word == "--":
            break
        value = word[len("--lang="):] if word.startswith("--lang=") else None
        if word == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        if value is not None and value.strip().lower() in i18n.LANGUAGES:
            return value.strip().lower()
    return None


@contextlib.contextmanager
def _argparse_in_language() -> Iterator[None]:
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _, n_  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


REPORT_FORMATS = ("md", "html", "pdf", "xlsx", "csv")


def _document_options(verb: argparse.ArgumentParser) -> None:
    """How the issuing decision is printed, for this printing (the ruleset's `ruleset { … }` says it too)."""
    verb.add_argument("--template", metavar="DIR",
                      help=_("a folder of the province's own templates (annex.html.j2, unit.html.j2, document.css) "
                             "used instead of parrules' ones"))
    verb.add_argument("--authority", metavar="TEXT", help=_("the issuing authority, e.g. \"UBND tỉnh Lai Châu\""))
    verb.add_argument("--decision", metavar="NO", help=_("the decision's number, e.g. \"1234/QĐ-UBND\""))
    verb.add_argument("--dated", metavar="YYYY-MM-DD", help=_("the decision's date, e.g. 2021-07-15"))
    verb.add_argument("--place", metavar="TEXT", help=_("the place written before the date, e.g. \"Lai Châu\""))
    verb.add_argument("--signer", metavar="LINES",
                      help=_("the signature block: its lines then the signer's name, separated by |, "
                             "e.g. \"KT. CHỦ TỊCH|PHÓ CHỦ TỊCH|Tống Thanh Hải\""))


def _bom_option(verb: argparse.ArgumentParser) -> None:
    verb.add_argument("--no-bom", action="store_true",
                      help=_("write a CSV file without the UTF-8 byte-order mark (BOM) that Excel needs to "
                             "show Vietnamese letters"))


def _decimal_comma_option(verb: argparse.ArgumentParser) -> None:
    verb.add_argument("--decimal-comma", action="store_true",
                      help=_("the data writes decimals with a comma (62,30)"))


def _data_arguments(verb: argparse.ArgumentParser) -> None:
    verb.add_argument("ruleset", metavar="RULESET", help=_("the .par ruleset (- for standard input)"))
    verb.add_argument("data", metavar="DATA", help=_("unit data: .csv, .json or .xlsx (- for standard input)"))
    verb.add_argument("--sheet", metavar="NAME", help=_("the worksheet of an .xlsx workbook (default: the first)"))
    _decimal_comma_option(verb)
    verb.add_argument("--percent-fractions", action="store_true",
                      help=_("percent columns hold fractions of 1 where they write no %% (0.85 means 85 %%)"))
    verb.add_argument("--previous", metavar="RESULTS",
                      help=_("last year's results (JSON or CSV written by `parrules score`): show the changes"))
    _language_option(verb, None)


class _Terminated(Exception):  # noqa: N818 - a signal, not an error
    """SIGTERM, raised where the program is, so that no half-written file is left behind."""


def _on_terminate(signum: int, frame: object) -> None:
    raise _Terminated


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _console_streams()
    with i18n.language(_chosen_language(argv) or i18n.current()), _argparse_in_language():
        return _run(argv)


def _run(argv: list[str]) -> int:
    previous = signal.signal(signal.SIGTERM, _on_terminate) if _main_thread() else None
    try:
        args = _parser().parse_args(argv)
        if args.verb in ("explain-code", "help"):
            return _explain_code(args.code, sys.stdout)
        if args.verb == "fmt":
            return _fmt(args.files, check=args.check, diff=args.diff, out=sys.stdout, err=sys.stderr)
        if args.verb == "diff":
            return _diff(args, sys.stdout, sys.stderr)
        if args.verb == "init":
            return _init(args, sys.stdout, sys.stderr)
        if args.verb == "test":
            return _test(args, sys.stdout, sys.stderr)
        if args.verb == "check":
            return _check(args.files, args.format, sys.stdout)
        if args.verb == "report":
            return _report(args, sys.stderr)
        if args.verb == "template":
            return _template(args, sys.stderr)
        if args.verb == "explain":
            return _explain(args, sys.stdout, sys.stderr)
        return _score(args, sys.stdout, sys.stderr)
    except SystemExit as exc:
        return int(exc.code or 0)
    except (_UsageError, OutputError) as exc:
        sys.stderr.write(printable(f"parrules: {exc}") + "\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("\nparrules: " + _("interrupted; no file was written") + "\n")
        return EXIT_INTERRUPTED
    except _Terminated:
        sys.stderr.write("parrules: " + _("stopped; no file was written") + "\n")
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
        sys.stderr.write(printable("parrules: " + _(
            "internal error ({error}).\nThis is a bug in parrules; please report it with the command you ran. "
            "Set PARRULES_DEBUG=1 to see the traceback.").format(error=f"{exc.__class__.__name__}: {str(exc)[:500]}"))
            + "\n")
        return EXIT_INTERNAL
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


_ESCAPE = "parrules-escape"


def _escape_unencodable(error: UnicodeError) -> tuple[str, int]:
    """A character the stream's encoding lacks, as `\\uXXXX` (a UTF-16 pair beyond the BMP)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    units = error.object[error.start:error.end].encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{units[i] << 8 | units[i + 1]:04x}" for i in range(0, len(units), 2)), error.end


codecs.register_error(_ESCAPE, _escape_unencodable)


def _console_streams() -> None:
    """Let stdout and stderr take every Vietnamese letter, whatever the console's code page.

    On a Windows console: UTF-8, which the console shows (Python writes to it through its Unicode
    interface), so nothing is lost. Elsewhere (a pipe, a file, a cp1252, cp437 or ascii stream from
    `PYTHONIOENCODING`, a C locale) the encoding is kept, because the program or file on the other
    side reads in it; a letter it cannot hold is written as an escape (`\\u1ec7` for ệ) instead of
    stopping the command with a UnicodeEncodeError. An escape rather than `?` (errors="replace"): it
    still says which letter it was (`Sở Tư pháp` and `Sở Tư phạp` stay different), as Python's
    backslashreplace does on stderr; and always `\\uXXXX`, never backslashreplace's `\\xe1`, because
    that is JSON's own escape: JSON output read from such a stream is still the same text.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue  # not a text stream of Python's (None under pythonw, a caller's own object)
        with contextlib.suppress(OSError, ValueError):  # a stream that cannot change: as it is
            if sys.platform == "win32" and stream.isatty():
                reconfigure(encoding="utf-8", errors=_ESCAPE)
            else:
                reconfigure(errors=_ESCAPE)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _input(name: str, *, stdin: bool = False, folder: bool = False) -> Path:
    """A file the command reads: it must exist and be a regular file (not a folder, a device, a pipe).

    With `stdin`, `-` is standard input; elsewhere it is refused by name rather than as a missing file.
    With `folder`, a folder is taken too (unit data: a folder of workbooks, one sheet per unit).
    """
    if name == STDIN:
        if not stdin:
            raise _UsageError(_("standard input (-) is read only as the ruleset or the data of check, score, explain "
                                "and report; give a file here"))
        return Path(STDIN)
    if Path(name) == Path(STDIN):  # `./-`: the way to name a file called `-`, which Path would make `-`
        return Path.cwd() / STDIN
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        raise _UsageError(_("no such file: {file}").format(file=name)) from None
    except (OSError, ValueError) as exc:
        raise _UsageError(_("cannot read {file}: {reason}").format(
            file=name, reason=getattr(exc, "strerror", None) or exc)) from None
    if stat.S_ISDIR(mode) and folder:
        return Path(name)
    if stat.S_ISDIR(mode):
        raise _UsageError(_("{file} is a folder; give a file").format(file=name))
    if not stat.S_ISREG(mode):
        raise _UsageError(_("{file} is not a regular file (a device or a pipe); give a file").format(file=name))
    return Path(name)


def _one_stdin(names: Sequence[str | None]) -> None:
    if sum(name == STDIN for name in names) > 1:
        raise _UsageError(_("standard input (-) can be read once; give the other inputs as files"))


def _rulesets(names: list[str]) -> list[tuple[Path, bool]]:
    """The files `check` reads, each with whether it was found in a folder: folders opened, in order."""
    _one_stdin(names)
    found: list[tuple[Path, bool]] = []
    for name in names:
        if name != STDIN and os.path.isdir(name):
            found.extend((path, True) for path in _rulesets_in(Path(name)))
        else:
            found.append((_input(name, stdin=True), False))
    return found


def _rulesets_in(folder: Path) -> list[Path]:
    """Every `*.par` under `folder`, in a stable order; hidden files and folders skipped, links to folders not
    followed (they could lead back up); a usage error when there is none."""
    problems: list[OSError] = []
    found: list[Path] = []
    for root, folders, files in os.walk(folder, onerror=problems.append):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        found.extend(Path(root, f) for f in files if f.lower().endswith(".par") and not f.startswith("."))
    if problems:
        problem = problems[0]
        raise _UsageError(_("cannot read {file}: {reason}").format(
            file=problem.filename or folder, reason=problem.strerror or problem))
    if not found:
        raise _UsageError(_("the folder {folder} holds no .par file").format(folder=folder) + "\n  " + _(
            "hint: {hint}").format(hint=_("give a folder with rulesets in it (its subfolders are read too, hidden "
                                          "ones are not), or name the .par files")))
    return sorted(found, key=lambda path: path.relative_to(folder).parts)


def _check_one(path: Path) -> CheckReport:
    if not is_stdin(path):
        return check_file(path)
    try:
        ruleset = _load(path)
    except RulesetError as exc:
        return CheckReport(STDIN_NAME, tuple(sort_diagnostics(exc.diagnostics)), None, exc.sources)
    return ruleset.check()


def _load(path: Path) -> Ruleset:
    """`load`, and standard input as `<stdin>` (with no folder of its own, it cannot `include`)."""
    if not is_stdin(path):
        return load(path)
    text, problem = read_ruleset_file(path)
    if text is None:
        raise RulesetError([problem] if problem is not None else [])
    return load_text(text, STDIN_NAME)


def _included(reports: list[tuple[CheckReport, bool]]) -> set[Path]:
    """The files another of the reports' rulesets includes: checked as part of it, not alone."""
    included: set[Path] = set()
    for report, _found in reports:
        own = Path(report.file).resolve()
        included.update(path for path in (Path(name).resolve() for name in report.sources) if path != own)
    return included


def _check(files: list[str], fmt: str, out: TextIO) -> int:
    checked = [(_check_one(path), found) for path, found in _rulesets(files)]
    included = _included(checked)
    # A shared part found in a folder holds no ruleset block: alone, it would only show false errors.
    reports = [report for report, found in checked if not (found and Path(report.file).resolve() in included)]
    if fmt == "json":
        payload = [{"file": r.file, "ok": r.ok, "summary": r.summary,
                    "diagnostics": [d.to_dict() for d in r.diagnostics]} for r in reports]
        out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write("\n\n".join(r.render() for r in reports) + "\n")
    return EXIT_OK if all(r.ok for r in reports) else EXIT_PROBLEMS


def _load_checked(path: Path, err: TextIO) -> Ruleset | None:
    try:
        ruleset = _load(path)
    except ParrulesError as exc:
        err.write(exc.report() + "\n")
        err.write(f"{shown_name(path)}: {summarize(exc.diagnostics)}\n")
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


def _ruleset_for_data(args: argparse.Namespace, err: TextIO, *extra_files: str | None) -> tuple[Ruleset, Path] | int:
    """The arguments of a data verb checked, its ruleset loaded and checked, and the data's path; an exit
    code if the ruleset has a problem."""
    _one_stdin([args.ruleset, args.data])
    inputs = [_input(args.ruleset, stdin=True), _input(args.data, stdin=True, folder=True),
              *(_input(name) for name in (args.previous, *extra_files) if name is not None)]
    if getattr(args, "output", None) and args.output != STDIN:
        # before any work: never overwrite an input
        check_output(Path(args.output), [path for path in inputs if not is_stdin(path)])
    # Standard input may hold a workbook (told from its bytes): --sheet is for it then.
    if args.sheet is not None and Path(args.data).suffix.lower() != ".xlsx" and args.data != STDIN:
        raise _UsageError(_("--sheet names a worksheet of an .xlsx workbook; {file} is not one").format(file=args.data))
    ruleset = _load_checked(inputs[0], err)
    return EXIT_PROBLEMS if ruleset is None else (ruleset, inputs[1])


def _score_data(args: argparse.Namespace, err: TextIO, *extra_files: str | None) -> _Scored | int:
    """Load, check and score as every data verb does; an exit code when something is wrong."""
    from parrules.history import Snapshot, compare_years, read_previous

    loaded = _ruleset_for_data(args, err, *extra_files)
    if isinstance(loaded, int):
        return loaded
    ruleset, data = loaded
    try:
        # A bar on stderr while thousands of units are scored, when stderr is a terminal (progress.py).
        with _scoring_bar(err) as tick:
            results = ruleset.score_file(data, decimal_comma=args.decimal_comma, sheet=args.sheet,
                                         percent_fractions=args.percent_fractions, progress=tick)
    except DataError as exc:
        return _nothing_scored(args, err, exc)
    _warn(err, results.warnings)
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
    from parrules.published import compare, read_published
    from parrules.report import render_csv, render_json, render_table, results_to_dict

    if args.strict and not args.published:
        raise _UsageError(_("--strict is for the comparison with a published table: give --published FILE too"))
    if _streams(args):
        return _score_streamed(args, err)
    done = _score_data(args, err, args.published)
    if isinstance(done, int):
        return done
    results = done.results
    try:
        published = read_published(Path(args.published), results) if args.published else None
    except DataError as exc:
        err.write(render_all(exc.diagnostics) + "\n")
        err.write(f"{args.published}: {summarize(exc.diagnostics)}\n")
        return EXIT_PROBLEMS
    comparison = compare(results, published, args.published) if published is not None else None
    if args.format == "json" and comparison is not None:
        # The comparison is part of the document: a key of its own, the results' keys as they are.
        payload = {**results_to_dict(results, done.change), "published": comparison.to_dict()}
        text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "table":
        # On a terminal the table fits its width (names wrap, numbers never split); in a file or a
        # pipe it keeps one stable width.
        terminal = None if args.output else _terminal_width(out)
        text = (render_table(results, done.change, width=terminal, fit=True) if terminal is not None
                else render_table(results, done.change))
    else:
        text = {"csv": render_csv, "json": render_json}[args.format](results, done.change)
    if args.output and args.output != STDIN:
        write_atomically(Path(args.output), _file_bytes(text, csv=args.format == "csv" and not args.no_bom))
        _wrote(err, len(results.units), args.output)
    else:
        out.write(text)
    if comparison is None:
        return EXIT_OK
    target = err if args.format != "table" or (args.output and args.output != STDIN) else out
    target.write("\n" + printable(comparison.render()))
    if args.strict and comparison.not_explained:
        err.write("parrules: " + n_("--strict: {count} difference is not explained",
                                    "--strict: {count} differences are not explained",
                                    comparison.not_explained).format(count=i18n.number(comparison.not_explained))
                  + "\n")
        return EXIT_PROBLEMS
    return EXIT_OK


def _nothing_scored(args: argparse.Namespace, err: TextIO, problem: DataError) -> int:
    err.write(render_all(problem.diagnostics) + "\n")
    err.write(printable(_("{file}: {summary}; nothing was scored").format(
        file=shown_name(args.data), summary=summarize(problem.diagnostics))) + "\n")
    return EXIT_PROBLEMS


def _warn(err: TextIO, warnings: Sequence[Diagnostic]) -> None:
    if warnings:
        err.write(render_all(warnings) + "\n")


def _wrote(err: TextIO, units: int, file: str) -> None:
    err.write(n_("wrote {count} unit to {file}", "wrote {count} units to {file}", units).format(
        count=i18n.number(units), file=file) + "\n")


def _streams(args: argparse.Namespace) -> bool:
    """Whether `score` reads the data as it goes (stream.py): a CSV file scored to a CSV file.

    The table is the same either way; only what is held differs. A comparison with a published
    table or with last year needs every unit's results at once, so they are scored as a whole.
    """
    if args.format != "csv" or not args.output or args.output == STDIN or args.published or args.previous:
        return False
    return args.data != STDIN and Path(args.data).suffix.lower() == ".csv" and Path(args.data).is_file()


def _score_streamed(args: argparse.Namespace, err: TextIO) -> int:
    from parrules import progress
    from parrules.stream import score_csv

    loaded = _ruleset_for_data(args, err)
    if isinstance(loaded, int):
        return loaded
    ruleset, path = loaded
    try:
        with progress.streaming(err, path.stat().st_size) as tick:
            table = score_csv(ruleset, path, decimal_comma=args.decimal_comma,
                              percent_fractions=args.percent_fractions, progress=tick)
    except DataError as exc:
        return _nothing_scored(args, err, exc)
    _warn(err, table.warnings)
    write_atomically(Path(args.output), table.pieces(bom=not args.no_bom))
    _wrote(err, table.units, args.output)
    return EXIT_OK


def _file_bytes(text: str, *, csv: bool) -> bytes:
    """A text output as the bytes of its file: UTF-8, and for CSV with the byte-order mark.

    Excel on Windows opens a CSV file by double-click in the computer's code page (Windows-1252 or
    1258), which garbles Vietnamese letters, unless the file starts with the UTF-8 BOM; every reader
    of parrules (and Python's utf-8-sig, LibreOffice, pandas) skips it. Standard output never gets
    one: a program reading a pipe does not expect it.
    """
    return (codecs.BOM_UTF8 if csv else b"") + text.encode("utf-8")


def _explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from parrules.results import UnitNotFoundError

    to_file = bool(args.output) and args.output != STDIN
    if args.format == "pdf" and not to_file:
        raise _UsageError(_("a PDF result sheet is written to a file, not to stdout: give -o FILE.pdf"))
    folder = _template_folder(args) if args.format in ("html", "pdf") else None
    done = _score_data(args, err)
    if isinstance(done, int):
        return done
    try:
        found = done.results.find(args.unit)  # as `parrules.explain(results, name)` finds it
    except UnitNotFoundError as missing:
        quoted = ", ".join(f"`{n}`" for n in missing.near)
        raise _UsageError(_("no unit named `{unit}` in {file}; did you mean {names}?").format(
            unit=args.unit, file=shown_name(args.data), names=quoted) if missing.near else
            _("no unit named `{unit}` in {file}").format(unit=args.unit, file=shown_name(args.data))) from None
    if args.format in ("html", "pdf"):
        from parrules.report.unit_sheet import render_unit_sheet

        sheet = functools.partial(render_unit_sheet, done.results, found, issuer=_issuer(args, done.results),
                                  template_dir=folder)
        payload = _document(sheet, pdf=args.format == "pdf")
        if not to_file:  # html only: a PDF is refused without -o above
            out.write(payload.decode("utf-8"))
            return EXIT_OK
        write_atomically(Path(args.output), payload)
        err.write(printable(_("wrote the result sheet of {unit} to {file}").format(unit=found.unit, file=args.output))
                  + "\n")
        return EXIT_OK
    from parrules.explainer import explain

    explanation = explain(done.results, found)
    if args.format == "json":
        text = json.dumps(explanation.to_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = explanation.render()
    if to_file:
        write_atomically(Path(args.output), _file_bytes(text, csv=False))
    else:
        out.write(text if args.format == "json" else printable(text))
    return EXIT_OK


def _report(args: argparse.Namespace, err: TextIO) -> int:
    if args.per_unit:
        return _per_unit(args, err)
    from parrules import report

    output = Path(args.output)
    to_stdout = args.output == STDIN
    fmt = args.format or {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf",
                          ".xlsx": "xlsx", ".csv": "csv"}.get(output.suffix.lower())
    if fmt is None and to_stdout:
        raise _UsageError(_("a report written to stdout (-o -) needs --format: md, html, pdf, xlsx or csv"))
    if fmt is None:
        raise _UsageError(_("cannot tell the report's format from `{name}`: "
                            "end the file name with .md, .html, .pdf, .xlsx or .csv, or give --format").format(
            name=output.name))
    if fmt in ("xlsx", "pdf") and to_stdout and sys.stdout.isatty():
        raise _UsageError(_("a {format} file is not shown on a terminal; give a file name, or send stdout to a "
                            "file").format(format="PDF" if fmt == "pdf" else "Excel"))
    folder = _template_folder(args)
    done = _score_data(args, err)
    if isinstance(done, int):
        return done
    issuer = _issuer(args, done.results)
    from parrules import progress

    with progress.writing(err, len(done.results.units)):  # a workbook of thousands of units takes a while
        if fmt == "xlsx":
            from parrules.report.xlsx_out import render_xlsx

            payload = render_xlsx(done.results, done.change, issuer=issuer)
        elif fmt in ("html", "pdf"):
            results, change = done.results, done.change
            payload = _document(lambda: report.render_html(results, change, issuer=issuer, template_dir=folder),
                                pdf=fmt == "pdf")
        elif fmt == "md":
            payload = _file_bytes(report.render_markdown(done.results, done.change, issuer=issuer), csv=False)
        else:
            payload = _file_bytes(report.render_csv(done.results, done.change), csv=not args.no_bom and not to_stdout)
    if to_stdout:
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return EXIT_OK
    write_atomically(output, payload)
    count = len(done.results.units)
    err.write(n_("wrote the results of {count} unit to {file}", "wrote the results of {count} units to {file}",
                 count).format(count=i18n.number(count), file=output) + "\n")
    return EXIT_OK


def _issuer(args: argparse.Namespace, results: Results) -> Issuer:
    """The decision as this printing shows it: the ruleset's header, with the options given over it."""
    from parrules.figures import iso_date
    from parrules.report.document import Issuer, parse_signer

    dated = iso_date(args.dated) if args.dated else None
    if args.dated and dated is None:
        raise _UsageError(_("--dated `{value}` is not a date: write it as 2021-07-15").format(value=args.dated))
    signature, signer = parse_signer(args.signer) if args.signer else ((), None)
    return Issuer.of_results(results).but(authority=args.authority, decision=args.decision, dated=dated,
                                          place=args.place, signature=signature if args.signer else None,
                                          signer=signer or None)


def _template_folder(args: argparse.Namespace) -> Path | None:
    """`--template DIR`: a folder that exists, else a usage error before any work."""
    if not args.template:
        return None
    folder = Path(args.template)
    if not folder.is_dir():
        raise _UsageError(_("--template `{name}` is not a folder of templates").format(name=args.template))
    return folder


def _document(make: Callable[[], str], *, pdf: bool) -> bytes:
    """An HTML document's bytes (`make` renders it), or the PDF that Chromium prints of it.

    A province's template that cannot be used, or no Chromium to print with, is said in words
    (exit 2) before anything is written.
    """
    from parrules.report.pdf import PdfError, html_to_pdf
    from parrules.report.templating import TemplateError

    try:
        html = make()
        return html_to_pdf(html) if pdf else _file_bytes(html, csv=False)
    except (TemplateError, PdfError) as exc:
        raise OutputError(str(exc)) from None


def _template_parser(template: argparse.ArgumentParser) -> None:
    template.add_argument("ruleset", metavar="RULESET", help=_("the .par ruleset"))
    template.add_argument("-o", "--output", metavar="FILE", required=True, help=_("the workbook to write (.xlsx)"))
    template.add_argument("--units", metavar="FILE",
                          help=_("the units to pre-fill: a data file (.csv, .json, .xlsx: its unit column, and max "
                                 "and group if it has them) or a .txt file with one name a line"))
    template.add_argument("--layout", choices=("wide", "sheets"), default="wide",
                          help=_("wide: one row per unit (the default); sheets: one sheet per unit, criteria as rows"))
    _language_option(template, None)


def _template(args: argparse.Namespace, err: TextIO) -> int:
    from parrules.template import read_units, render_template

    output = Path(args.output)
    if output.suffix.lower() != ".xlsx":
        raise _UsageError(_("a template is an Excel workbook: end the file name with .xlsx, not `{name}`").format(
            name=output.name))
    ruleset_path = _input(args.ruleset)
    units_path = _input(args.units) if args.units else None
    check_output(output, [ruleset_path, units_path])  # before any work: never overwrite an input
    ruleset = _load_checked(ruleset_path, err)
    if ruleset is None:
        return EXIT_PROBLEMS
    units = read_units(units_path, ruleset.model) if units_path is not None else None
    if units is not None and not units.ok:
        err.write(render_all(units.diagnostics) + "\n")
        err.write(printable(_("{file}: {summary}; no template was written").format(
            file=units_path, summary=summarize(units.diagnostics))) + "\n")
        return EXIT_PROBLEMS
    entries = units.entries if units is not None else ()
    write_atomically(output, render_template(ruleset.model, layout=args.layout, units=entries,
                                             ruleset=str(ruleset_path), workbook=output.name))
    if entries:
        err.write(n_("wrote a template for {count} unit to {file}", "wrote a template for {count} units to {file}",
                     len(entries)).format(count=i18n.number(len(entries)), file=output) + "\n")
    else:
        err.write(_("wrote a blank template to {file}").format(file=output) + "\n")
    return EXIT_OK


def _fmt(files: list[str], *, check: bool, diff: bool, out: TextIO, err: TextIO) -> int:
    import difflib

    from parrules.build import read_ruleset_file
    from parrules.fmt import format_text
    from parrules.syntax import normalize

    changed = broken = 0
    for path in [_input(name) for name in files]:
        text, problem = read_ruleset_file(path)
        done = format_text(text, str(path)) if text is not None else None
        if done is None or done.text is None:
            broken += 1
            diagnostics = [problem] if problem is not None else list(done.diagnostics if done else ())
            err.write(render_all(diagnostics, {str(path): normalize(text)} if text is not None else None) + "\n")
            err.write(_("{file}: not formatted, it has a syntax error").format(file=path) + "\n")
            continue
        if done.text == text:
            continue
        changed += 1
        if diff:
            out.writelines(difflib.unified_diff(normalize(text or "").splitlines(keepends=True),
                                                done.text.splitlines(keepends=True), str(path), str(path)))
        if check:
            err.write(_("{file}: would be reformatted").format(file=path) + "\n")
        elif not diff:
            write_atomically(path, done.text.encode("utf-8"))
            err.write(_("{file}: reformatted").format(file=path) + "\n")
    unchanged = len(files) - changed - broken
    if unchanged:
        err.write(n_("{count} file already in the canonical layout", "{count} files already in the canonical layout",
                     unchanged).format(count=i18n.number(unchanged)) + "\n")
    return EXIT_PROBLEMS if broken or (check and changed) else EXIT_OK


def _diff(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from parrules import changes

    old_path, new_path = _input(args.old), _input(args.new)
    data_path = _input(args.data) if args.data else None
    old, new = _load_checked(old_path, err), _load_checked(new_path, err)
    if old is None or new is None:
        return EXIT_PROBLEMS
    found = changes.compare(old.model, new.model)
    data = None
    if data_path is not None:
        scored = _scored_under_both(old, new, data_path, args.decimal_comma)
        if isinstance(scored, int):
            return scored
        data = scored
    if args.format == "json":
        payload = changes.to_json(found, str(old_path), str(new_path), data)
        out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        render = changes.render_markdown if args.format == "md" else changes.render_text
        out.write(printable(render(found, str(old_path), str(new_path), data)))
    return EXIT_OK


def _scored_under_both(old: Ruleset, new: Ruleset, path: Path, decimal_comma: bool) -> changes.DataComparison | int:
    from parrules import changes

    try:
        before = old.score_file(path, decimal_comma=decimal_comma)
    except DataError as exc:  # last year's data must be right for last year's set
        sys.stderr.write(render_all(exc.diagnostics) + "\n")
        sys.stderr.write(printable(_("{file}: {summary}; nothing was scored").format(
            file=path, summary=summarize(exc.diagnostics))) + "\n")
        return EXIT_PROBLEMS
    try:
        after = new.score_file(path, decimal_comma=decimal_comma)
    except DataError as exc:  # the new set reads what last year's data does not hold: say what
        missing = sorted({d.column for d in exc.diagnostics if d.column})
        problem = _("it cannot be scored under the new ruleset ({summary}; columns: {columns}): "
                    "the new set needs data last year's file does not have").format(
            summary=summarize(exc.diagnostics), columns=", ".join(missing) or "—")
        return changes.DataComparison(str(path), len(before.units), problem=problem)
    return changes.DataComparison(str(path), len(before.units), tuple(changes.compare_results(before, after)))


def _init(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from parrules.build import read_ruleset_file
    from parrules.nextyear import next_year
    from parrules.syntax import normalize

    source = _input(args.source)
    if args.output == STDIN:
        args.output = None  # `-o -`: the text is printed, as without -o
    if args.output is not None and Path(args.output).exists():
        raise _UsageError(_("{file} exists already; give the new year's file a new name").format(file=args.output))
    text, problem = read_ruleset_file(source)
    made = next_year(text, str(source), args.year, source.parent) if text is not None else None
    if made is None or made.text is None:
        diagnostics = [problem] if problem is not None else list(made.diagnostics if made else ())
        err.write(render_all(diagnostics, {str(source): normalize(text)} if text is not None else None) + "\n")
        err.write(_("{file}: fix last year's file first").format(file=source) + "\n")
        return EXIT_PROBLEMS
    if args.output is None:
        out.write(made.text)
    else:
        write_atomically(Path(args.output), made.text.encode("utf-8"))
        err.write(_("wrote {file}: the ruleset for {year}").format(file=args.output, year=args.year) + "\n")
    for exclusion in made.removed:
        err.write(_("taken out: `exclude {id}` ({reason}); add it again if it still holds in {year}").format(
            id=exclusion.node_id, reason=exclusion.reason, year=args.year) + "\n")
    return EXIT_OK


def _test_parser(test: argparse.ArgumentParser) -> None:
    test.add_argument("ruleset", metavar="RULESET",
                      help=_("the .par ruleset, or a folder (every ruleset in it with a test file)"))
    test.add_argument("tests", metavar="TESTS", nargs="?",
                      help=_("the test cases: .csv, .json or .xlsx (default: NAME.tests.csv, else NAME.tests.xlsx, "
                             "beside the ruleset NAME.par)"))
    test.add_argument("--format", choices=("text", "json"), default="text",
                      help=_("text for people (the default) or json for other tools"))
    test.add_argument("--coverage", action="store_true", help=_("list the branches of the ruleset no case uses"))
    test.add_argument("--fail-under", metavar="PERCENT", type=_percentage,
                      help=_("exit with 1 when the coverage is below PERCENT (implies --coverage)"))
    test.add_argument("--sheet", metavar="NAME", help=_("the worksheet of an .xlsx workbook (default: the first)"))
    test.add_argument("--decimal-comma", action="store_true",
                      help=_("the data writes decimals with a comma (62,30)"))
    test.add_argument("--percent-fractions", action="store_true",
                      help=_("percent columns hold fractions of 1 where they write no %% (0.85 means 85 %%)"))
    _language_option(test, None)


def _percentage(text: str) -> Decimal:
    from parrules.limits import parse_plain

    value = parse_plain(text.strip().removesuffix("%"))
    if value is None or not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(_("`{value}` is not a percentage from 0 to 100").format(value=text))
    return value


def _test(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from parrules.cases import default_tests

    given = Path(args.ruleset)
    if not given.is_dir():
        return _test_one(given, args, out, err)
    # A folder, as `check` takes one: every ruleset in it that has a test file beside it.
    if args.tests:
        raise _UsageError(_("--tests names the test file of one ruleset; give a .par file, not a folder"))
    tested = [path for path in _rulesets_in(given) if default_tests(path) is not None]
    if not tested:
        raise _UsageError(_("no ruleset in the folder {folder} has a test file beside it").format(folder=given))
    codes, reports = [], []
    for position, path in enumerate(tested):
        if args.format == "json":  # one JSON document: the list of the rulesets' reports
            buffer = io.StringIO()
            codes.append(_test_one(path, args, buffer, err))
            reports.append(json.loads(buffer.getvalue()))
            continue
        if position:
            out.write("\n")
        codes.append(_test_one(path, args, out, err))
    if args.format == "json":
        out.write(json.dumps(reports, ensure_ascii=False, indent=2) + "\n")
    return max(codes)


def _test_one(ruleset_path: Path, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from parrules.cases import default_tests, run_file

    ruleset_path = _input(str(ruleset_path))
    tests = Path(args.tests) if args.tests else default_tests(ruleset_path)
    if tests is None:
        raise _UsageError(_("no test file given, and there is no {csv} or {xlsx} beside the ruleset").format(
            csv=ruleset_path.with_name(f"{ruleset_path.stem}.tests.csv").name,
            xlsx=ruleset_path.with_name(f"{ruleset_path.stem}.tests.xlsx").name))
    tests = _input(str(tests))
    if args.sheet is not None and tests.suffix.lower() != ".xlsx":
        raise _UsageError(_("--sheet names a worksheet of an .xlsx workbook; {file} is not one").format(file=tests))
    ruleset = _load_checked(ruleset_path, err)
    if ruleset is None:
        return EXIT_PROBLEMS
    report = run_file(ruleset, tests, decimal_comma=args.decimal_comma, sheet=args.sheet,
                      percent_fractions=args.percent_fractions, coverage=args.coverage or args.fail_under is not None)
    if args.format == "json":
        out.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        if report.diagnostics:
            err.write(render_all(report.diagnostics) + "\n")
        out.write(printable(report.render(args.fail_under)))
    return EXIT_OK if report.all_passed(args.fail_under) else EXIT_PROBLEMS


def _explain_code(code: str, out: TextIO) -> int:
    import difflib

    from parrules.codes import pages

    known = pages(i18n.current())
    wanted = code.strip().upper()
    if wanted.isdigit():
        wanted = f"PAR{wanted}"
    if wanted not in known:
        near = difflib.get_close_matches(wanted, sorted(known), n=3, cutoff=0.6)
        if near:
            raise _UsageError(_("{code} is not a code of parrules; did you mean {names}?").format(
                code=code, names=", ".join(near)))
        raise _UsageError(_("{code} is not a code of parrules; the codes are listed in docs/diagnostics.md").format(
            code=code))
    out.write(printable(known[wanted].render()))
    return EXIT_OK


def _terminal_width(stream: TextIO) -> int | None:
    """The terminal's width when `stream` is one (at least 60 columns), else None."""
    try:
        if not stream.isatty():
            return None
        return max(60, shutil.get_terminal_size((160, 24)).columns)
    except (AttributeError, OSError, ValueError):
        return None


def _scoring_bar(err: TextIO) -> contextlib.AbstractContextManager[Callable[[int, int], None]]:
    """The progress bar of scoring on `err`: shown only on a terminal, for more than 2,000 units."""
    from parrules import progress

    return progress.scoring(err)


def _per_unit(args: argparse.Namespace, err: TextIO) -> int:
    """`report --per-unit -o DIR`: each unit's result sheet, one file per unit; `-o FILE.pdf`: all in one PDF.

    Every sheet is rendered (and printed, for PDF) before the first file is written: a template that
    cannot be used or a PDF that cannot be printed leaves nothing behind, not even the folder.
    """
    from parrules.report.unit_sheet import file_stem, render_unit_sheet, render_unit_sheets

    if args.output == STDIN:
        raise _UsageError(_("--per-unit writes one file per unit into a folder: give -o FOLDER, "
                            "or -o FILE.pdf for one PDF of every unit's sheet"))
    target = Path(args.output)
    combined = target.suffix.lower() == ".pdf" and not target.is_dir()
    fmt = "pdf" if combined else (args.format or "html")
    if fmt not in ("html", "pdf"):
        raise _UsageError(_("--per-unit writes the result sheets as html or pdf, not {format}").format(format=fmt))
    if not combined and (target.exists() or target.is_symlink()) and not target.is_dir():
        raise _UsageError(_("`{path}` is a file: --per-unit writes one file per unit into a folder; "
                            "give the name of a folder (it is created if missing)").format(path=target))
    folder = _template_folder(args)
    inputs = [Path(name) for name in (args.ruleset, args.data, args.previous) if name and not is_stdin(name)]
    if combined:
        check_output(target, inputs)  # before any work: never overwrite an input
    done = _score_data(argparse.Namespace(**{**vars(args), "output": None}), err)
    if isinstance(done, int):
        return done
    results = done.results
    issuer = _issuer(args, results)
    units = results.units
    files: list[tuple[Path, bytes]] = []
    if combined:
        # One Chromium for every sheet: each starts a new page of the one PDF.
        files.append((target, _document(functools.partial(render_unit_sheets, results, units, issuer=issuer,
                                                          template_dir=folder), pdf=True)))
    else:
        for position, unit in enumerate(units, 1):
            sheet = functools.partial(render_unit_sheet, results, unit, issuer=issuer, template_dir=folder)
            files.append((target / f"{file_stem(position, len(units), unit.unit)}.{fmt}",
                          _document(sheet, pdf=fmt == "pdf")))
    for path, _payload in files:
        check_output(path, inputs)
    written: list[Path] = []
    try:
        if not combined:
            try:
                target.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputError(_("cannot write `{path}`: {reason}").format(
                    path=target, reason=exc.strerror or exc.__class__.__name__)) from None
        for path, payload in files:
            new = not path.exists()
            write_atomically(path, payload)
            if new:
                written.append(path)
    except BaseException:
        for path in written:  # no half set of sheets: what this run added goes again
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    count = len(units)
    if combined:
        err.write(printable(n_("wrote the result sheet of {count} unit to {file}",
                               "wrote the result sheets of {count} units to {file}", count).format(
            count=i18n.number(count), file=target)) + "\n")
    else:
        err.write(printable(n_("wrote {count} result sheet into {folder}", "wrote {count} result sheets into {folder}",
                               count).format(count=i18n.number(count), folder=target)) + "\n")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

