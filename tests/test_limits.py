"""docs/limits.md (and its Vietnamese twin) state the limits the code enforces, and each limit is a
located problem when exceeded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import parrules
from parrules import cli, limits
from parrules.checks.common import DETAILED_OVERLAPS

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"en": ROOT / "docs" / "limits.md", "vi": ROOT / "docs" / "limits.vi.md"}

# (the table row's first words in each language, the value the code uses, the code reported)
ROWS = [
    (("one ruleset file", "một tệp quy tắc"), limits.MAX_RULESET_BYTES, "PAR103"),
    (("a ruleset and everything it includes", "tệp quy tắc cùng mọi tệp"), limits.MAX_TOTAL_RULESET_BYTES, "PAR103"),
    (("files including files", "tệp include lồng nhau"), limits.MAX_INCLUDE_DEPTH, "PAR122"),
    (("the name in an `include`", "tên tệp trong `include`"), limits.MAX_INCLUDE_NAME, "PAR120"),
    (("`{` and `(` nested", "`{` và `(` lồng nhau"), limits.MAX_NESTING, "PAR104"),
    (("one statement nested", "một câu lệnh lồng nhau"), limits.MAX_TREE_DEPTH, "PAR104"),
    (("a number, in a ruleset", "một số, trong tệp quy tắc"), limits.MAX_INTEGER_DIGITS, "DAT116"),
    (("a data file", "một tệp số liệu"), limits.MAX_DATA_BYTES // 2**20, "DAT116"),
    (("an `.xlsx` worksheet", "một trang tính `.xlsx`"), limits.MAX_XLSX_SHEET_BYTES // 2**20, "DAT116"),
    (("any other part", "phần khác của sổ tính"), limits.MAX_XLSX_PART_BYTES // 2**20, "DAT116"),
    (("units in one file", "số đơn vị trong một tệp"), limits.MAX_ROWS, "DAT116"),
    (("units in a CSV file scored to a CSV file", "đơn vị trong một tệp CSV được chấm ra tệp CSV"),
     limits.MAX_STREAM_ROWS, "DAT116"),
    (("columns in one table", "số cột của một bảng"), limits.MAX_COLUMNS, "DAT116"),
    (("characters in one cell", "số ký tự của một ô"), limits.MAX_CELL_CHARS, "DAT116"),
    (("JSON nesting", "độ lồng nhau của JSON"), limits.MAX_JSON_DEPTH, "DAT114"),
]


def _row(page: str, start: str) -> str:
    text = PAGES[page].read_text(encoding="utf-8")
    found = [line for line in text.splitlines() if line.startswith(f"| {start}")]
    assert len(found) == 1, f"{PAGES[page].name} has no single row starting {start!r}"
    return found[0]


def _written(value: int, page: str) -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if page == "vi" else text  # Vietnamese groups thousands with a dot


@pytest.mark.parametrize(("starts", "value", "code"), ROWS, ids=[r[0][0] for r in ROWS])
def test_the_limits_pages_state_what_the_code_enforces(starts: tuple[str, str], value: int, code: str) -> None:
    for page, start in zip(("en", "vi"), starts, strict=True):
        row = _row(page, start)
        assert re.search(rf"(?<![\d.,]){re.escape(_written(value, page))}(?![\d.,]\d)", row), (page, row)
        assert code in row, (page, row)


def test_the_fraction_digits_and_the_detail_of_overlaps_are_as_stated() -> None:
    digits = limits.MAX_FRACTION_DIGITS
    for page, words in (("en", f"{digits} after"), ("vi", f"{digits} chữ số sau")):
        assert words in _row(page, "a number" if page == "en" else "một số")
    assert f"first {DETAILED_OVERLAPS} overlapping lines" in PAGES["en"].read_text(encoding="utf-8")
    assert f"{DETAILED_OVERLAPS} dòng chồng lấn đầu tiên" in PAGES["vi"].read_text(encoding="utf-8")


def test_the_exit_codes_are_the_commands_own() -> None:
    for page, path in PAGES.items():
        text = path.read_text(encoding="utf-8")
        for code in (cli.EXIT_OK, cli.EXIT_PROBLEMS, cli.EXIT_USAGE, cli.EXIT_INTERNAL, cli.EXIT_INTERRUPTED,
                     cli.EXIT_TERMINATED):
            assert re.search(rf"^\| {code} \|", text, re.MULTILINE), (page, code)


def test_the_readme_and_the_reference_pages_link_the_limits_page() -> None:
    for page in ("README.md", "docs/cli.md", "docs/data-format.md"):
        assert "limits.md" in (ROOT / page).read_text(encoding="utf-8"), page


def test_each_ruleset_limit_is_one_located_problem(tmp_path: Path) -> None:
    small = (ROOT / "tests" / "fixtures" / "small.par").read_text(encoding="utf-8")
    cases = {
        "PAR103": small + "# " + "x" * limits.MAX_RULESET_BYTES + "\n",
        "PAR104": small.replace("deduct 0.5 per reports_late floor 0", "when " + "not " * (limits.MAX_TREE_DEPTH + 5)
                                + "reports_late > 0 -> 0 otherwise -> 2"),
        "PAR111": small.replace("scale 10", "scale 1" + "0" * limits.MAX_INTEGER_DIGITS),
        "PAR102": small.replace("Kế hoạch CCHC", "Kế hoạch\u202eCCHC"),
    }
    for code, text in cases.items():
        path = tmp_path / f"{code}.par"
        path.write_text(text, encoding="utf-8")
        report = parrules.check_file(path)
        assert code in [d.code for d in report.errors], (code, report.render()[:500])
        assert all(d.span is not None and d.span.line >= 1 for d in report.errors if d.code == code)
