"""Files a person opens: CSV for Excel (the BOM), permissions, `-` for stdin and stdout, any console
encoding, and `check` of a folder. Real `parrules` runs in a subprocess, as a user starts them."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from parrules import safeio

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SMALL = FIXTURES / "small.par"
SMALL_CSV = FIXTURES / "small.csv"
LAI_CHAU = ROOT / "rulesets" / "lai-chau" / "2020" / "departments.par"
LAI_CHAU_DATA = ROOT / "examples" / "lai-chau-2020" / "departments.csv"
BOM = codecs.BOM_UTF8
POSIX = os.name == "posix"


def run(*args: str | Path, stdin: bytes | None = None, encoding: str = "utf-8", cwd: Path = ROOT,
        umask: int = -1) -> subprocess.CompletedProcess[bytes]:
    """`parrules ARGS` in a subprocess (the parrules this test imports), output as bytes."""
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
           "PARRULES_LANG": "en"}
    env.pop("PARRULES_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "parrules.cli", *map(str, args)], input=stdin,
                          capture_output=True, cwd=cwd, env=env, check=False, timeout=120, umask=umask)


def text(done: subprocess.CompletedProcess[bytes], stream: str = "stdout") -> str:
    return (done.stdout if stream == "stdout" else done.stderr).decode("utf-8")


def small_csv() -> bytes:
    done = run("score", SMALL, SMALL_CSV, "--format", "csv")
    assert done.returncode == 0, done.stderr
    return done.stdout


# ---- CSV for Excel: the BOM ----------------------------------------------------------------------


def test_a_csv_file_starts_with_the_bom_and_stdout_has_none(tmp_path: Path) -> None:
    printed = small_csv()
    assert not printed.startswith(BOM) and printed.startswith(b"group,stt,unit")
    target = tmp_path / "results.csv"
    assert run("score", SMALL, SMALL_CSV, "--format", "csv", "-o", target).returncode == 0
    assert target.read_bytes() == BOM + printed  # the same table, with the mark Excel reads first
    plain = tmp_path / "plain.csv"
    assert run("score", SMALL, SMALL_CSV, "--format", "csv", "-o", plain, "--no-bom").returncode == 0
    assert plain.read_bytes() == printed


def test_report_writes_csv_too_with_the_bom_unless_told(tmp_path: Path) -> None:
    printed = small_csv()
    target = tmp_path / "results.csv"
    done = run("report", SMALL, SMALL_CSV, "-o", target)
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == BOM + printed
    assert run("report", SMALL, SMALL_CSV, "-o", target, "--no-bom").returncode == 0
    assert target.read_bytes() == printed
    odd = tmp_path / "results.txt"
    assert run("report", SMALL, SMALL_CSV, "-o", odd, "--format", "csv").returncode == 0
    assert odd.read_bytes() == BOM + printed


def test_other_outputs_get_no_bom(tmp_path: Path) -> None:
    for name, verb in (("results.json", ["score", "--format", "json"]), ("results.md", ["report"]),
                       ("results.html", ["report"])):
        target = tmp_path / name
        assert run(verb[0], SMALL, SMALL_CSV, *verb[1:], "-o", target).returncode == 0
        assert not target.read_bytes().startswith(BOM), name


def test_parrules_reads_back_its_own_csv_files_with_the_bom(tmp_path: Path) -> None:
    expected = small_csv()
    data = tmp_path / "units.csv"
    data.write_bytes(BOM + SMALL_CSV.read_bytes().removeprefix(BOM))
    assert run("score", SMALL, data, "--format", "csv").stdout == expected
    # Last year's results, written by parrules as a CSV file (with the BOM), read back by --previous.
    previous = tmp_path / "2024.csv"
    assert run("score", SMALL, SMALL_CSV, "--format", "csv", "-o", previous).returncode == 0
    assert previous.read_bytes().startswith(BOM)
    changed = run("score", SMALL, SMALL_CSV, "--format", "csv", "--previous", previous)
    assert changed.returncode == 0, changed.stderr
    assert text(changed).splitlines()[1] == ",1,Sở Nội vụ,6.80,2.55,9.35,10,93.50,Tốt,1,93.50,0.00,1,0"
    # A published table saved by Excel as "CSV UTF-8" (with the BOM).
    published = tmp_path / "published.csv"
    published.write_bytes(BOM + "unit,total,index,class\nSở Nội vụ,9.35,93.50,Tốt\n".encode())
    compared = run("score", SMALL, SMALL_CSV, "--published", published)
    assert compared.returncode == 0, compared.stderr
    assert "1 unit, 0 averages; 2 differences" in text(compared)
    assert "Sở Nội vụ:" not in text(compared)  # matched by name: the BOM is not part of the header


# ---- permissions ------------------------------------------------------------------------------------


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX")
@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077, 0o002])
def test_a_new_output_file_gets_what_the_umask_gives(umask: int, tmp_path: Path) -> None:
    for name, verb in (("results.csv", ["score", "--format", "csv"]), ("results.xlsx", ["report"]),
                       ("results.md", ["report"])):
        target = tmp_path / "new" / name
        done = run(verb[0], SMALL, SMALL_CSV, *verb[1:], "-o", target, umask=umask)
        assert done.returncode == 0, done.stderr
        assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask, name
    init = tmp_path / "next.par"
    assert run("init", "--from", SMALL, "--year", "2025", "-o", init, umask=umask).returncode == 0
    assert stat.S_IMODE(init.stat().st_mode) == 0o666 & ~umask


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX")
def test_a_replaced_output_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "results.csv"
    for mode in (0o600, 0o660, 0o644):
        target.write_text("last year\n", encoding="utf-8")
        target.chmod(mode)
        assert run("score", SMALL, SMALL_CSV, "--format", "csv", "-o", target, umask=0o022).returncode == 0
        assert stat.S_IMODE(target.stat().st_mode) == mode
        assert target.read_bytes().startswith(BOM + b"group,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv"]  # no temporary file left


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX")
def test_the_portable_way_of_writing_gives_the_same_modes(tmp_path: Path) -> None:
    # Where there is no O_TMPFILE (macOS, other file systems), a named temporary file is written:
    # mkstemp makes it 0600, and the mode must still come out as the umask says.
    script = (
        "import os, stat, sys\n"
        "from pathlib import Path\n"
        "from parrules import safeio\n"
        "safeio._write_unnamed = lambda *args: False\n"
        "os.umask(0o027)\n"
        "new, old = Path(sys.argv[1]), Path(sys.argv[2])\n"
        "safeio.write_atomically(new, b'x')\n"
        "old.write_bytes(b'old'); old.chmod(0o604)\n"
        "safeio.write_atomically(old, b'y')\n"
        "print(oct(stat.S_IMODE(new.stat().st_mode)), oct(stat.S_IMODE(old.stat().st_mode)), old.read_bytes())\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "new.csv"), str(tmp_path / "old.csv")],
                          capture_output=True, text=True, env=env, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0o640", "0o604", "b'y'"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.csv", "old.csv"]


# ---- `-`: standard input and standard output -----------------------------------------------------------


def small_as_json() -> bytes:
    rows = list(csv.DictReader(io.StringIO(SMALL_CSV.read_text(encoding="utf-8-sig"))))
    return json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8")


def test_data_from_stdin_is_read_as_csv_json_or_a_workbook(tmp_path: Path) -> None:
    expected = small_csv()
    assert run("score", SMALL, "-", "--format", "csv", stdin=SMALL_CSV.read_bytes()).stdout == expected
    assert run("score", SMALL, "-", "--format", "csv", stdin=BOM + SMALL_CSV.read_bytes()).stdout == expected
    as_json = small_as_json()
    assert run("score", SMALL, "-", "--format", "csv", stdin=as_json).stdout == expected
    assert run("score", SMALL, "-", "--format", "csv", stdin=BOM + b" \r\n\t" + as_json).stdout == expected
    units = b'{"units": ' + as_json + b"}"
    assert run("score", SMALL, "-", "--format", "csv", stdin=units).stdout == expected
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Số liệu"
    for row in csv.reader(io.StringIO(SMALL_CSV.read_text(encoding="utf-8-sig"))):
        sheet.append(row)
    workbook = tmp_path / "units.xlsx"
    book.save(workbook)
    assert run("score", SMALL, "-", "--format", "csv", stdin=workbook.read_bytes()).stdout == expected
    named = run("score", SMALL, "-", "--format", "csv", "--sheet", "Số liệu", stdin=workbook.read_bytes())
    assert named.stdout == expected, named.stderr
    missing = run("score", SMALL, "-", "--sheet", "Tổng hợp", stdin=workbook.read_bytes())
    assert missing.returncode == 1 and "<stdin>: error DAT119" in text(missing, "stderr")


def test_problems_in_stdin_name_it_stdin() -> None:
    done = run("score", SMALL, "-", stdin=(FIXTURES / "small-bad.csv").read_bytes())
    assert done.returncode == 1 and done.stdout == b""
    lines = text(done, "stderr").splitlines()
    assert lines[0].startswith("<stdin>:row 2:plan_done: error DAT101: Sở Nội vụ:")
    assert lines[-1] == "<stdin>: 5 errors, 0 warnings; nothing was scored"
    empty = run("score", SMALL, "-", stdin=b"")
    assert empty.returncode == 1 and text(empty, "stderr").startswith("<stdin>: error DAT1")
    legacy = run("score", SMALL, "-", stdin=b"unit\nBan D\xe2n t\xf4c\n")  # a legacy code page, not UTF-8
    assert legacy.returncode == 1 and "<stdin>: error DAT114" in text(legacy, "stderr")


def test_the_ruleset_from_stdin_for_check_score_explain_and_report(tmp_path: Path) -> None:
    ruleset = SMALL.read_bytes()
    checked = run("check", "-", stdin=ruleset)
    assert checked.returncode == 0, checked.stderr
    assert text(checked).startswith("<stdin>: ok — Bộ chỉ số thử nghiệm 2024")
    as_json = json.loads(run("check", "-", SMALL, "--format", "json", stdin=ruleset).stdout)
    assert [r["file"] for r in as_json] == ["<stdin>", str(SMALL)] and all(r["ok"] for r in as_json)
    assert run("score", "-", SMALL_CSV, "--format", "csv", stdin=ruleset).stdout == small_csv()
    explained = run("explain", "-", SMALL_CSV, "--unit", "Ban Dân tộc", stdin=ruleset)
    assert explained.returncode == 0 and text(explained).startswith("Ban Dân tộc\n")
    report = tmp_path / "results.md"
    assert run("report", "-", SMALL_CSV, "-o", report, stdin=ruleset).returncode == 0
    assert "| 1 | Sở Nội vụ | 6.80 |" in report.read_text(encoding="utf-8")
    broken = ruleset.replace(b"max 2 { deduct", b"max 2 deduct")
    failed = run("check", "-", stdin=broken)
    assert failed.returncode == 1
    assert text(failed).startswith("<stdin>:28:39: error PAR100:")
    assert text(failed).splitlines()[-1] == "<stdin>: 1 error, 0 warnings"
    stopped = run("score", "-", SMALL_CSV, stdin=broken)
    assert stopped.returncode == 1 and text(stopped, "stderr").splitlines()[-1] == "<stdin>: 1 error, 0 warnings"
    include = run("check", "-", stdin=b'include "shared.par"\n' + ruleset)
    assert include.returncode == 1
    assert "<stdin>:1:9: error PAR120: `include` needs the ruleset to be loaded from a file" in text(include)
    huge = run("check", "-", stdin=b"# " + b"x" * 600_000 + b"\n")
    assert huge.returncode == 1
    assert "PAR103: the file is more than 512,000 bytes; a ruleset may be at most 512,000" in text(huge)


def test_stdin_is_read_once_and_only_for_a_ruleset_or_data(tmp_path: Path) -> None:
    both = run("score", "-", "-", stdin=b"")
    assert both.returncode == 2 and "standard input (-) can be read once" in text(both, "stderr")
    assert run("check", "-", "-", stdin=b"").returncode == 2
    for args in (["score", SMALL, SMALL_CSV, "--previous", "-"], ["score", SMALL, SMALL_CSV, "--published", "-"],
                 ["fmt", "-"], ["init", "--from", "-", "--year", "2025"], ["diff", SMALL, "-"]):
        done = run(*args, stdin=SMALL.read_bytes())
        assert done.returncode == 2, args
        assert "standard input (-) is read only as the ruleset or the data" in text(done, "stderr"), args
    # A file that is called `-` is still a file: `./-`.
    (tmp_path / "-").write_bytes(SMALL.read_bytes())
    named = run("check", "./-", cwd=tmp_path, stdin=b"")
    assert named.returncode == 0 and text(named).startswith(f"{tmp_path / '-'}: ok")


def test_dash_o_dash_writes_to_stdout(tmp_path: Path) -> None:
    printed = run("score", SMALL, SMALL_CSV, "--format", "csv", "-o", "-")
    assert printed.returncode == 0 and printed.stdout == small_csv() and printed.stderr == b""
    assert not (ROOT / "-").exists()
    published = tmp_path / "published.csv"
    published.write_text("unit,total,index,class\nSở Nội vụ,9.35,93.50,Tốt\n", encoding="utf-8")
    table = run("score", SMALL, SMALL_CSV, "-o", "-", "--published", published)
    plain = run("score", SMALL, SMALL_CSV, "--published", published)
    assert table.returncode == 0 and b"Compared with the published table" in table.stdout
    assert table.stdout == plain.stdout  # the comparison follows the table on stdout, as without -o
    markdown = run("report", SMALL, SMALL_CSV, "-o", "-", "--format", "md")
    assert markdown.returncode == 0 and text(markdown).startswith("# Bộ chỉ số thử nghiệm (2024)")
    assert run("report", SMALL, SMALL_CSV, "-o", "-", "--format", "csv").stdout == small_csv()  # no BOM
    workbook = run("report", SMALL, SMALL_CSV, "-o", "-", "--format", "xlsx")
    assert workbook.returncode == 0 and workbook.stdout.startswith(b"PK\x03\x04")
    import openpyxl

    (tmp_path / "piped.xlsx").write_bytes(workbook.stdout)
    assert openpyxl.load_workbook(tmp_path / "piped.xlsx").sheetnames
    unknown = run("report", SMALL, SMALL_CSV, "-o", "-")
    assert unknown.returncode == 2 and "needs --format" in text(unknown, "stderr")
    init = run("init", "--from", SMALL, "--year", "2025", "-o", "-")
    assert init.returncode == 0 and "year 2025" in text(init)
    # Both ends at once: data in on stdin, results out on stdout.
    piped = run("score", SMALL, "-", "--format", "csv", "-o", "-", stdin=SMALL_CSV.read_bytes())
    assert piped.stdout == small_csv()


def test_read_stdin_keeps_to_the_limit_and_reads_the_stream_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"0123456789")))
    assert safeio.read_stdin(10) == b"0123456789"
    assert safeio.read_stdin(10) == b"0123456789"  # the same bytes again, not an empty stream
    with pytest.raises(safeio.ReadError) as too_large:
        safeio.read_stdin(9)
    assert (too_large.value.kind, too_large.value.detail) == ("too_large", "more")
    assert safeio.size_text(too_large.value, 9) == "more than 9"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"new")))
    assert safeio.read_stdin(10) == b"new"  # another stream is read afresh
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(safeio.ReadError, match="unreadable"):
        safeio.read_stdin(10)


# ---- any console encoding ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "ascii", "cp437"])
def test_output_in_a_legacy_code_page_never_stops_the_command(encoding: str) -> None:
    done = run("--lang", "vi", "score", LAI_CHAU, LAI_CHAU_DATA, encoding=encoding)
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr and b"UnicodeEncodeError" not in done.stderr
    shown = done.stdout.decode(encoding)
    assert "Ch\\u1ec9 s\\u1ed1" in shown  # Chỉ số, a letter the code page lacks written as its escape
    assert "87,42" in shown  # Sở Nội vụ's index, as Vietnamese writes it: the figures are all there
    assert len(shown.splitlines()) == len(run("--lang", "vi", "score", LAI_CHAU, LAI_CHAU_DATA).stdout.splitlines())


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_problems_in_a_legacy_code_page_are_printed_with_the_right_exit_code(encoding: str, tmp_path: Path) -> None:
    broken = tmp_path / "hỏng.par"
    broken.write_text(SMALL.read_text(encoding="utf-8").replace("max 2 { deduct", "max 2 deduct"), encoding="utf-8")
    done = run("--lang", "vi", "check", broken, encoding=encoding)
    assert done.returncode == 1
    assert b"Traceback" not in done.stderr and done.stderr == b""
    shown = done.stdout.decode(encoding)
    assert "PAR100" in shown and "l\\u1ed7i" in shown  # lỗi
    bad = run("--lang", "vi", "score", SMALL, FIXTURES / "small-bad.csv", encoding=encoding)
    assert bad.returncode == 1 and b"Traceback" not in bad.stderr
    assert "DAT101" in bad.stderr.decode(encoding)
    usage = run("--lang", "vi", "score", SMALL, "không-có.csv", encoding=encoding)
    assert usage.returncode == 2 and b"Traceback" not in usage.stderr
    helped = run("--lang", "vi", "score", "--help", encoding=encoding)
    assert helped.returncode == 0 and helped.stdout


def test_json_in_ascii_reads_back_as_the_same_text() -> None:
    # The escape chosen for a letter the stream cannot hold is JSON's own: the data survives.
    utf8 = json.loads(run("score", SMALL, SMALL_CSV, "--format", "json").stdout)
    ascii_only = run("score", SMALL, SMALL_CSV, "--format", "json", encoding="ascii")
    assert ascii_only.returncode == 0
    assert json.loads(ascii_only.stdout.decode("ascii")) == utf8


# ---- check of a folder --------------------------------------------------------------------------------


def test_check_a_folder_checks_every_ruleset_under_it_in_order() -> None:
    done = run("check", "rulesets/")
    assert done.returncode == 0, done.stderr
    files = [line.split(": ok")[0] for line in text(done).splitlines() if ": ok" in line]
    assert files == ["rulesets/examples/department-full.par", "rulesets/lai-chau/2020/departments.par",
                     "rulesets/lai-chau/2020/districts.par", "rulesets/national/qd766/province.par"]
    as_json = json.loads(run("check", "rulesets", "--format", "json").stdout)
    assert [r["file"] for r in as_json] == files


def write_tree(root: Path) -> None:
    small = SMALL.read_text(encoding="utf-8")
    start, end = small.index("component survey"), small.index("rounding {")
    for folder in ("b/shared", "a/deep", ".git"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "b" / "shared" / "survey.par").write_text(small[start:end], encoding="utf-8")  # no ruleset block
    (root / "b" / "main.par").write_text(small[:start] + 'include "shared/survey.par"\n' + small[end:],
                                         encoding="utf-8")
    (root / "a" / "deep" / "z.par").write_text(small, encoding="utf-8")
    (root / "a" / "UPPER.PAR").write_text(small, encoding="utf-8")
    (root / "a" / "notes.txt").write_text("not a ruleset", encoding="utf-8")
    (root / ".git" / "old.par").write_text("broken {", encoding="utf-8")
    (root / "a" / ".draft.par").write_text("broken {", encoding="utf-8")
    (root / "top.par").write_text(small, encoding="utf-8")


def test_check_a_folder_skips_hidden_ones_and_shared_parts(tmp_path: Path) -> None:
    write_tree(tmp_path / "sets")
    done = run("check", "sets", cwd=tmp_path)
    assert done.returncode == 0, text(done) + text(done, "stderr")
    files = [line.split(": ok")[0] for line in text(done).splitlines() if ": ok" in line]
    # sorted by folder and name; the included part is checked as part of b/main.par, not alone
    assert files == ["sets/a/UPPER.PAR", "sets/a/deep/z.par", "sets/b/main.par", "sets/top.par"]
    assert text(done).count("\n\n") == 3  # the multi-file layout: one blank line between files
    named = run("check", "sets/b/shared/survey.par", cwd=tmp_path)
    assert named.returncode == 1  # named on its own, it is checked on its own
    mixed = json.loads(run("check", "sets/top.par", "sets/b", "--format", "json", cwd=tmp_path).stdout)
    assert [r["file"] for r in mixed] == ["sets/top.par", "sets/b/main.par"]


def test_check_a_folder_with_a_broken_ruleset_exits_1(tmp_path: Path) -> None:
    write_tree(tmp_path / "sets")
    (tmp_path / "sets" / "a" / "deep" / "z.par").write_text(
        SMALL.read_text(encoding="utf-8").replace("max 2 { deduct", "max 2 deduct"), encoding="utf-8")
    done = run("check", "sets", cwd=tmp_path)
    assert done.returncode == 1
    assert "sets/a/deep/z.par:28:39: error PAR100:" in text(done)
    assert "sets/top.par: ok" in text(done)  # every file is still checked


def test_check_a_folder_without_rulesets_is_a_usage_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    (empty / ".hidden").mkdir(parents=True)
    (empty / ".hidden" / "x.par").write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    (empty / "readme.txt").write_text("", encoding="utf-8")
    done = run("check", empty)
    assert done.returncode == 2 and done.stdout == b""
    assert text(done, "stderr").splitlines() == [
        f"parrules: the folder {empty} holds no .par file",
        "  hint: give a folder with rulesets in it (its subfolders are read too, hidden ones are not), "
        "or name the .par files"]
    vietnamese = run("--lang", "vi", "check", empty)
    assert vietnamese.returncode == 2 and "gợi ý:" in text(vietnamese, "stderr")
