"""Trust at the edges: every odd or hostile input either scores correctly or stops with a located,
coded problem — never a wrong figure with exit 0, a crash, a hang, or a file written where it should
not be. One test per failure class found by fuzzing and by trying parrules as a new user.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

import parrules
from parrules import cli
from parrules.diagnostics import DataError, RulesetError

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SMALL = FIXTURES / "small.par"
SMALL_CSV = FIXTURES / "small.csv"
HEADER = "unit,one_stop,plan_issued,plan_done,reports_late,3,satisfaction\n"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PARRULES_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "parrules.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, check=False, timeout=60)


def codes(error: DataError | RulesetError) -> list[str]:
    return [d.code for d in error.diagnostics]


# ---- a percent meets only percentages ---------------------------------------------------------------


RULESET = SMALL.read_text(encoding="utf-8")


def test_a_percent_compared_with_a_fraction_stops_at_check_with_the_percentage_in_the_hint(tmp_path: Path) -> None:
    path = tmp_path / "rules.par"
    path.write_text(RULESET.replace("when plan_done >= 80% -> proportional", "when plan_done >= 0.95 -> proportional"),
                    encoding="utf-8")
    assert "0.95" in path.read_text(encoding="utf-8")
    done = run("check", str(path))
    assert done.returncode == 1
    assert "PAR222" in done.stdout and "`95%`" in done.stdout


# ---- warnings never change a result ------------------------------------------------------------------


DEFAULTED = """
ruleset "T" { year 2024 scale 4 }
inputs {
  late_reports count "Số báo cáo chậm" default 0
  done         percent "Tỷ lệ hoàn thành"
}
component c "C" max 4 {
  criterion 1 "Báo cáo" max 2 { deduct 0.5 per late_reports floor 0 }
  criterion 2 "Hoàn thành" max 2 { proportional done }
}
rounding { points 2 decimals half-up  index 2 decimals half-up }
classes { "Đạt" from 50%  "Chưa đạt" below 50% }
rank overall by index desc
"""


def test_a_column_one_letter_from_a_defaulted_input_is_an_error_not_a_dropped_penalty(tmp_path: Path) -> None:
    ruleset = parrules.load_text(DEFAULTED)
    rows = [{"unit": "Sở A", "late_reprots": 4, "done": 100}]
    with pytest.raises(DataError) as caught:
        ruleset.score(rows)
    [problem] = caught.value.diagnostics
    assert (problem.code, problem.severity, problem.column) == ("DAT130", "error", "late_reprots")
    assert "`late_reports`" in (problem.hint or "")
    # The same typo beside the real column is a stray copy: a warning, and the real column is scored.
    both = ruleset.score([{"unit": "Sở A", "late_reports": 4, "late_reprots": 4, "done": 100}])
    assert both.unit("Sở A").total == Decimal("2.00")
    assert [w.code for w in both.warnings] == ["DAT106"]


def test_score_and_score_file_both_return_the_warnings(tmp_path: Path) -> None:
    ruleset = parrules.load(SMALL)
    path = tmp_path / "units.csv"
    path.write_text(HEADER.replace("\n", ",Ghi chú\n") + "Sở Nội vụ,yes,on_time,90,0,2,85,x\n", encoding="utf-8")
    from_file = ruleset.score_file(path)
    from_rows = ruleset.score([{"unit": "Sở Nội vụ", "one_stop": "yes", "plan_issued": "on_time", "plan_done": 90,
                                "reports_late": 0, "3": 2, "satisfaction": 85, "Ghi chú": "x"}])
    # A notes column is ignored and listed, read from a file or from rows alike.
    assert [w.code for w in from_file.warnings] == [w.code for w in from_rows.warnings] == ["DAT134"]


# ---- figures within their bounds -------------------------------------------------------------------


def test_a_max_column_with_more_decimals_than_points_are_published_with_is_reported_not_published() -> None:
    ruleset = parrules.load_text("""
ruleset "T" { year 2024 scale 80  unit max from data }
inputs { p points "Điểm" }
component c "C" max 80 { given p }
rounding { points 1 decimals half-up  index 2 decimals half-up from rounded points }
classes { "Đạt" from 50%  "Chưa đạt" below 50% }
rank overall by index desc
""")
    with pytest.raises(DataError) as caught:
        ruleset.score([{"unit": "Sở A", "p": "78.25", "max": "78.25"}])  # 78.25 would be published as 78.3
    assert codes(caught.value) == ["DAT127", "DAT127"]  # the total above 78.25, the index above 100 %
    assert ruleset.score([{"unit": "Sở A", "p": "78.2", "max": "78.2"}]).unit("Sở A").index == Decimal("100.00")


def test_a_figure_that_needs_more_than_40_digits_is_reported_not_rounded() -> None:
    ruleset = parrules.load_text("""
ruleset "T" { year 2024 scale 10 }
inputs { a number "A"  b number "B"  c number "C" }
component c "C" max 10 { criterion 1 "x" max 10 { min(max, max(0, a * b * c)) } }
rounding { points 2 decimals half-up  index 2 decimals half-up }
classes { "Đạt" from 50%  "Chưa đạt" below 50% }
rank overall by index desc
""")
    long = "0.00000000000000000001"  # 20 places: within the limits, but a × b × c needs 60
    with pytest.raises(DataError) as caught:
        ruleset.score([{"unit": "Sở A", "a": "1" + long[1:], "b": "3" + long[1:], "c": "7" + long[1:]}])
    assert codes(caught.value) == ["DAT129"]
    assert ruleset.score([{"unit": "Sở A", "a": "1.5", "b": "2", "c": "3"}]).unit("Sở A").total == Decimal("9.00")


# ---- numbers and nesting beyond the limits ----------------------------------------------------------


@pytest.mark.parametrize("text", ["1e999999999", "9" * 5000, "0." + "1" * 30, "NaN", "Infinity"])
def test_numbers_beyond_the_limits_are_located_problems(tmp_path: Path, text: str) -> None:
    json_path = tmp_path / "units.json"
    json_path.write_text(f'[{{"unit": "Sở A", "plan_done": {text}}}]', encoding="utf-8")
    csv_path = tmp_path / "units.csv"
    csv_path.write_text(f"unit,plan_done\nSở A,{text}\n", encoding="utf-8")
    ruleset = parrules.load(SMALL)
    for path in (json_path, csv_path):
        report = ruleset.validate_file(path)
        assert not report.ok
        # Located: a file, and a row unless the whole file is unreadable (JSON's NaN).
        assert all(d.file and (d.row is not None or d.code == "DAT114") for d in report.errors), report.errors


def test_deep_json_is_located(tmp_path: Path) -> None:
    path = tmp_path / "units.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    [problem] = parrules.load(SMALL).validate_file(path).diagnostics
    assert problem.code == "DAT114" and "line 1, column 33" in problem.message


@pytest.mark.parametrize("content", [
    "unit,index\nSở A,1e999999999\n", "unit,index\nSở A,NaN\n", 'unit,index\n"Sở A,1\n', "unit,index\n\x00,1\n",
    '{"units": [{"unit": "Sở A", "index": 1e999999999, "rank": ' + "9" * 5000 + "}]}",
    '{"units": [{"unit": "Sở A", "index": "1", "group": [1], "class": {}}]}', "[" * 5000,
])
def test_published_and_previous_tables_with_hostile_numbers_are_problems(tmp_path: Path, content: str) -> None:
    suffix = ".json" if content.startswith(("{", "[")) else ".csv"
    path = tmp_path / f"table{suffix}"
    path.write_text(content, encoding="utf-8")
    args = ["score", str(SMALL), str(SMALL_CSV)]
    done = run(*args, "--previous", str(path))
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr and "internal error" not in done.stderr
    if suffix == ".csv":
        done = run(*args, "--published", str(path))
        assert done.returncode in (0, 1) and "Traceback" not in done.stderr and "internal error" not in done.stderr


# ---- files that are not regular files ----------------------------------------------------------------


def test_a_fifo_and_a_link_to_a_device_are_refused_without_waiting_or_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "rules.par"
    os.mkfifo(fifo)
    code = ("import parrules, sys\n"
            "try:\n    parrules.load(sys.argv[1])\n"
            "except parrules.RulesetError as e:\n    print(e.diagnostics[0].code)\n")
    done = subprocess.run([sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=30,
                          check=False)
    assert done.stdout.strip() == "PAR105" and "pipe" in parrules_message(fifo)
    zero = tmp_path / "units.csv"
    zero.symlink_to("/dev/zero")
    [problem] = parrules.load(SMALL).validate_file(zero).diagnostics
    assert problem.code == "DAT114" and "device" in problem.message


def parrules_message(path: Path) -> str:
    try:
        parrules.load(path)
    except RulesetError as error:
        return error.diagnostics[0].message
    raise AssertionError("loaded")


def test_includes_that_would_hang_or_crash_are_located_problems(tmp_path: Path) -> None:
    # A diamond of includes doubles at every level; each file is included once.
    for level in range(6):
        (tmp_path / f"l{level}.par").write_text(
            f'include "l{level + 1}.par"\ninclude "l{level + 1}.par"\n' if level < 5 else "# leaf\n",
            encoding="utf-8")
    main = tmp_path / "main.par"
    main.write_text('include "l0.par"\n' + RULESET, encoding="utf-8")
    report = parrules.check_file(main)
    assert [d.code for d in report.errors] == ["PAR123"] * 5
    main.write_text('include "' + "x" * 300 + '.par"\n' + RULESET, encoding="utf-8")
    assert [d.code for d in parrules.check_file(main).errors] == ["PAR120"]
    main.write_text('include "' + "x/" * 120 + 'y.par"\n' + RULESET, encoding="utf-8")
    assert [d.code for d in parrules.check_file(main).errors] in (["PAR120"], ["PAR121"])


# ---- writing only where it should ----------------------------------------------------------------------


def test_an_output_that_would_destroy_an_input_or_cannot_be_a_file_is_refused_first(tmp_path: Path) -> None:
    data = tmp_path / "units.csv"
    data.write_bytes(SMALL_CSV.read_bytes())
    before = data.read_bytes()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for output in (data, tmp_path, tmp_path / "file" / "out.csv", Path("/proc/parrules-out.csv")):
        done = run("score", str(SMALL), str(data), "--format", "csv", "-o", str(output))
        assert done.returncode == 2, (output, done.stderr)
        assert done.stderr.startswith("parrules: ") and "Traceback" not in done.stderr
    assert data.read_bytes() == before
    link = tmp_path / "link.csv"
    link.symlink_to(data)
    assert run("score", str(SMALL), str(data), "-o", str(link)).returncode == 2  # the same file, through a link


def test_a_link_is_written_through_and_files_get_the_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "results.csv"
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    dangling = run("score", str(SMALL), str(SMALL_CSV), "--format", "csv", "-o", str(link))
    assert dangling.returncode == 2 and "does not exist" in dangling.stderr  # a link to nothing is not followed
    target.write_text("last year's results\n", encoding="utf-8")
    assert run("score", str(SMALL), str(SMALL_CSV), "--format", "csv", "-o", str(link)).returncode == 0
    assert link.is_symlink() and target.read_text(encoding="utf-8-sig").startswith("group,stt,unit")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    target.chmod(0o640)
    assert run("score", str(SMALL), str(SMALL_CSV), "--format", "csv", "-o", str(target)).returncode == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert run("score", str(SMALL), str(SMALL_CSV), "-o", "/dev/null").returncode == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.csv", "results.csv"]  # no temporary left


def test_an_interrupted_report_exits_130_leaves_no_file_and_prints_no_traceback(tmp_path: Path) -> None:
    data = tmp_path / "units.csv"
    subprocess.run([sys.executable, str(ROOT / "tools" / "generate_units.py"), "--units", "6000", "--seed", "7",
                    "-o", str(data)], check=True, timeout=120)
    output = tmp_path / "report.xlsx"
    # A shell starts a background job with Ctrl-C ignored, and Python then keeps it ignored: the child
    # asks for Python's own handler, so that the test means the same however the suite was started.
    code = ("import os, signal, sys, threading\n"
            "from parrules import cli\n"
            "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
            "threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()\n"
            "sys.exit(cli.main(sys.argv[1:]))\n")
    done = subprocess.run([sys.executable, "-c", code, "report", str(ROOT / "rulesets/examples/department-full.par"),
                           str(data), "-o", str(output)], capture_output=True, text=True, timeout=120, check=False,
                          cwd=ROOT)
    assert done.returncode == cli.EXIT_INTERRUPTED, done.stderr
    assert "Traceback" not in done.stderr and "interrupted" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["units.csv"]


# ---- what a person reads: markup and escape sequences stay text ------------------------------------------


def test_markup_in_names_stays_text_in_markdown_and_in_the_terminal(tmp_path: Path) -> None:
    names = ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "[bấm](javascript:alert(1))",
             "Sở [/x] **đậm**"]
    rows = "".join(f'"{n.replace(chr(34), chr(34) * 2)}",yes,on_time,90,0,2,85\n' for n in names)
    data = tmp_path / "units.csv"
    data.write_text(HEADER + rows, encoding="utf-8")
    report = tmp_path / "r.md"
    assert run("report", str(SMALL), str(data), "-o", str(report)).returncode == 0
    text = report.read_text(encoding="utf-8")
    assert "<script" not in text and "<img" not in text and "[bấm](javascript:" not in text
    assert "&lt;script&gt;" in text and "\\[bấm\\](javascript:alert(1))" in text
    table = run("score", str(SMALL), str(data))
    assert table.returncode == 0 and "Sở [/x] **đậm**" in table.stdout  # rich markup is not interpreted


def test_escape_sequences_never_reach_the_terminal(tmp_path: Path) -> None:
    data = tmp_path / "units.csv"
    data.write_text(HEADER + "Sở\x1b[2J Nội vụ,yes,on_time,90,0,2,85\n\x1b]0;title\x07,yes,on_time,9,0,2,85\n",
                    encoding="utf-8")
    done = run("score", str(SMALL), str(data))
    assert done.returncode == 1 and "\x1b" not in done.stdout + done.stderr and "\x07" not in done.stderr
    assert done.stderr.count("DAT131") == 2
    rules = tmp_path / "rules.par"
    rules.write_text(RULESET.replace('"Kế hoạch CCHC"', '"Kế hoạch\x1b[31m CCHC"'), encoding="utf-8")
    checked = run("check", str(rules))
    assert checked.returncode == 1 and "\x1b" not in checked.stdout and "PAR102" in checked.stdout


def test_names_with_line_breaks_are_one_line(tmp_path: Path) -> None:
    data = tmp_path / "units.csv"
    data.write_text(HEADER + '"UBND huyện\nSìn Hồ",yes,on_time,90,0,2,85\n', encoding="utf-8")
    assert parrules.load(SMALL).score_file(data).units[0].unit == "UBND huyện Sìn Hồ"


# ---- the same input gives the same bytes -----------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xlsx", ".md", ".html"])
def test_a_report_is_byte_identical_from_run_to_run(tmp_path: Path, suffix: str) -> None:
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    args = [str(ROOT / "rulesets/lai-chau/2020/districts.par"), str(ROOT / "examples/lai-chau-2020/districts.csv")]
    assert run("report", *args, "-o", str(first)).returncode == 0
    time.sleep(2.1)  # past the 2-second resolution of a zip entry's time
    assert run("report", *args, "-o", str(second)).returncode == 0
    assert first.read_bytes() == second.read_bytes()


def test_a_stage_column_one_letter_off_is_an_error_too() -> None:
    ruleset = parrules.load(ROOT / "tests" / "data" / "units.par")  # stages self "Tự chấm", final official
    base = {"unit": "Sở A", "plan_issued": "on_time", "plan_done": 90, "reports_late": 0, "issues_found": 0,
            "issues_closed": 0,
            "budget": 1, "council": 2, "satisfaction": 80, "4": 1, "unit_kind": "dept"}
    for column, meant in (("council@sefl", "council@self"), ("councl@self", "council@self")):
        with pytest.raises(DataError) as caught:
            ruleset.score([{**base, column: 1}])
        [problem] = caught.value.diagnostics
        assert (problem.code, problem.column) == ("DAT130", column) and f"`{meant}`" in (problem.hint or "")
    assert ruleset.score([{**base, "council@review": 1}]).warnings[0].code == "DAT106"  # no stage is near
