"""End-to-end: the `parrules` command as a user runs it (a real subprocess, the installed entry point)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from terminal import pseudo_terminal, read_all

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SMALL = FIXTURES / "small.par"


def parrules(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PARRULES_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "parrules.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, check=False)


def test_check_a_clean_ruleset_prints_its_summary_and_exits_0() -> None:
    done = parrules("check", str(SMALL))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("scale 10") or "ok" in done.stdout
    assert f"{SMALL}: ok" in done.stdout


def test_usage_errors_exit_2() -> None:
    assert parrules("check").returncode == 2
    assert parrules("check", "no-such-file.par").returncode == 2
    assert parrules("score", str(SMALL)).returncode == 2
    assert parrules("frobnicate").returncode == 2


def test_score_json_has_the_documented_fields_and_hand_computed_values() -> None:
    done = parrules("score", str(SMALL), str(FIXTURES / "small.csv"), "--format", "json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    units = {u["unit"]: u for u in payload["units"]}
    assert set(units) == {"Sở Nội vụ", "Sở Tư pháp", "Ban Dân tộc"}
    for unit in units.values():
        assert {"unit", "group", "components", "total", "max", "index", "class", "rank"} <= set(unit)
    # worked out by hand in tests/fixtures/README.md
    assert units["Sở Nội vụ"]["components"] == {"appraisal": "6.80", "survey": "2.55"}
    assert (units["Sở Nội vụ"]["total"], units["Sở Nội vụ"]["index"], units["Sở Nội vụ"]["class"]) == (
        "9.35", "93.50", "Tốt")
    assert (units["Sở Tư pháp"]["total"], units["Sở Tư pháp"]["index"], units["Sở Tư pháp"]["class"]) == (
        "5.90", "59.00", "Trung bình")
    assert (units["Ban Dân tộc"]["max"], units["Ban Dân tộc"]["index"], units["Ban Dân tộc"]["class"]) == (
        "8", "76.25", "Khá")
    assert [units[n]["rank"] for n in ("Sở Nội vụ", "Ban Dân tộc", "Sở Tư pháp")] == [1, 2, 3]
    assert payload["average"] == "76.25"
    # Per-field and per-criterion indices, worked out in tests/fixtures/README.md.
    assert payload["groups"] == [{"name": None, "average": "76.25", "units": 3, "indices": {
        "appraisal": "75.71", "1": "70.00", "2": "75.00", "3": "87.50", "survey": "78.33"}}]
    assert units["Sở Tư pháp"]["indices"] == {
        "appraisal": "50.00", "1": "16.67", "2": "75.00", "3": "75.00", "survey": "80.00"}
    assert "3" not in units["Ban Dân tộc"]["indices"]
    # Points lacking for the next class, at the lowest index that publishes inside it (79.995 for 80):
    # Ban Dân tộc 79.995 % of 8 − 6.1 = 0.2996; Sở Tư pháp 69.995 % of 10 − 5.9 = 1.0995; Tốt is the top.
    assert units["Ban Dân tộc"]["next_class"] == {"class": "Tốt", "points_needed": "0.2996"}
    assert units["Sở Tư pháp"]["next_class"] == {"class": "Khá", "points_needed": "1.0995"}
    assert "next_class" not in units["Sở Nội vụ"]
    assert all(isinstance(v, str) for u in payload["units"] for v in (u["total"], u["index"], u["max"]))


def test_score_csv_and_table_outputs(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    done = parrules("score", str(SMALL), str(FIXTURES / "small.csv"), "--format", "csv", "-o", str(target))
    assert done.returncode == 0, done.stderr
    lines = target.read_text(encoding="utf-8-sig").splitlines()  # a CSV file starts with the BOM Excel needs
    assert lines[0] == "group,stt,unit,appraisal,survey,total,max,index,class,rank"
    assert lines[1] == ",1,Sở Nội vụ,6.80,2.55,9.35,10,93.50,Tốt,1"
    table = parrules("score", str(SMALL), str(FIXTURES / "small.csv"))
    assert table.returncode == 0
    assert "Sở Nội vụ" in table.stdout and "93.50" in table.stdout and "Average index" in table.stdout


def test_bad_data_lists_every_problem_and_writes_no_output(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    done = parrules("score", str(SMALL), str(FIXTURES / "small-bad.csv"), "--format", "json", "-o", str(target))
    assert done.returncode == 1
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    err = done.stderr
    for code, row, column in [("DAT101", 2, "plan_done"), ("DAT102", 3, "plan_done"),
                              ("DAT103", 4, "plan_issued"), ("DAT104", 5, "3"), ("DAT105", 6, "unit")]:
        assert f"row {row}:{column}: error {code}" in err, f"{code} missing:\n{err}"
    assert "Traceback" not in err
    assert "nothing was scored" in err


def test_a_broken_ruleset_stops_scoring_with_exit_1(tmp_path: Path) -> None:
    broken = tmp_path / "broken.par"
    broken.write_text(SMALL.read_text(encoding="utf-8").replace("max 3 {\n    sub 1.1", "max 4 {\n    sub 1.1"),
                      encoding="utf-8")
    done = parrules("score", str(broken), str(FIXTURES / "small.csv"))
    assert done.returncode == 1
    assert "PAR301" in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)"])
def test_csv_output_never_starts_a_cell_with_a_formula(name: str, tmp_path: Path) -> None:
    data = tmp_path / "units.csv"
    rows = (FIXTURES / "small.csv").read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace("Sở Nội vụ", f'"{name.replace(chr(34), chr(34) * 2)}"')
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    done = parrules("score", str(SMALL), str(data), "--format", "csv")
    assert done.returncode == 0, done.stderr
    cells = [line.split(",")[2] for line in done.stdout.splitlines()[1:]]
    assert not any(cell.lstrip('"').startswith(("=", "+", "-", "@")) for cell in cells)


def _on_a_terminal(columns: int, *args: str) -> str:
    """Run parrules with its output on a pseudo-terminal of `columns` columns, as a person sees it."""
    master, slave = pseudo_terminal(columns, 50)
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    done, shown = read_all(master, slave, lambda tty: subprocess.Popen(
        [sys.executable, "-m", "parrules.cli", *args], stdout=tty, stderr=subprocess.DEVNULL, cwd=ROOT, env=env))
    done.wait()
    return shown.decode("utf-8").replace("\r\n", "\n")


def test_the_table_fits_a_100_column_terminal_and_never_splits_a_figure() -> None:
    shown = _on_a_terminal(100, "score", "--lang", "en", "rulesets/lai-chau/2020/departments.par",
                           "examples/lai-chau-2020/departments.csv")
    lines = shown.splitlines()
    assert lines and max(len(line) for line in lines) <= 100, max(lines, key=len)
    # Every published figure of the seed's first line, whole, on the unit's line (62.30 + 23.37 = 85.67 of 98,
    # 87.42 %): names and headings wrap, figures do not.
    line = next(line for line in lines if "Sở Nội vụ" in line)
    assert line.split()[-7:] == ["62.30", "23.37", "85.67", "98", "87.42", "Tốt", "1"]
    # In a file or a pipe the table keeps its one stable width.
    piped = subprocess.run([sys.executable, "-m", "parrules.cli", "score", "--lang", "en",
                            "rulesets/lai-chau/2020/departments.par", "examples/lai-chau-2020/departments.csv"],
                           cwd=ROOT, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
                           capture_output=True, text=True, check=False)
    assert max(len(line) for line in piped.stdout.splitlines()) > 100
