"""The workbooks councils really send, built cell by cell with openpyxl, score exactly like the CSV.

Each workbook is laid out as a Sở Nội vụ's sheet is: the authority and the national motto merged
across the top, a title, a two-level header (a group heading merged across, Vietnamese titles below,
`STT` and `Tên đơn vị` merged down over both), a row numbering the columns, section headings, a
"Ghi chú" column, results columns the council computed, a "Tổng cộng" and a "Trung bình" row, numbers
typed as numbers, as percent cells and as text with a decimal comma, "x" for yes. No option is given
to `score`: the result must equal the one the plain CSV gives, unit by unit and node by node.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

import parrules
from parrules.model import Choice, Percent, Points, YesNo
from parrules.results import Results

ROOT = Path(__file__).resolve().parents[1]
LAI_CHAU = ROOT / "rulesets" / "lai-chau" / "2020" / "departments.par"
LAI_CHAU_CSV = ROOT / "examples" / "lai-chau-2020" / "departments.csv"
FULL = ROOT / "rulesets" / "examples" / "department-full.par"
FULL_CSV = ROOT / "examples" / "department-full" / "units.csv"


def figures(results: Results) -> list[tuple[object, ...]]:
    return [(u.unit, u.group, u.total, u.max, u.index, u.class_, u.rank,
             tuple((n.id, n.points, n.max) for n in u.nodes), tuple(sorted(u.stage_totals.items())))
            for u in sorted(results.units, key=lambda u: u.unit)]


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return list(rows[0]), rows


def motto(sheet: openpyxl.worksheet.worksheet.Worksheet, width: int, title: str) -> None:
    """The top of every administrative document: authority left, Quốc hiệu and tiêu ngữ right, a title."""
    half = max(2, width // 2)
    sheet.cell(1, 1, "UBND TỈNH LAI CHÂU")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=half)
    sheet.cell(1, half + 1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    sheet.merge_cells(start_row=1, start_column=half + 1, end_row=1, end_column=width)
    sheet.cell(2, 1, "HỘI ĐỒNG THẨM ĐỊNH CHỈ SỐ CCHC")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=half)
    sheet.cell(2, half + 1, "Độc lập - Tự do - Hạnh phúc")
    sheet.merge_cells(start_row=2, start_column=half + 1, end_row=2, end_column=width)
    sheet.cell(4, 1, title)
    sheet.merge_cells(start_row=4, start_column=1, end_row=4, end_column=width)


# ---- Lai Châu 2020: the council's summary sheet of the departments --------------------------------------


def lai_chau_workbook(path: Path) -> Path:
    _header, rows = read_csv(LAI_CHAU_CSV)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tổng hợp"
    width = 9
    motto(sheet, width, "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM CHỈ SỐ CCHC CÁC SỞ, BAN, NGÀNH NĂM 2020")
    for column, text in ((1, "STT"), (2, "Tên đơn vị"), (7, "Điểm tối đa"), (8, "Xếp loại"), (9, "Ghi chú")):
        sheet.cell(6, column, text)
        sheet.merge_cells(start_row=6, start_column=column, end_row=7, end_column=column)
    sheet.cell(6, 3, "Kết quả chấm điểm")
    sheet.merge_cells("C6:F6")
    for column, text in enumerate(("Điểm thẩm định", "Điểm điều tra xã hội học (trừ DCCI)", "Tổng điểm",
                                   "Chỉ số (%)"), start=3):
        sheet.cell(7, column, text)
    for column, text in enumerate(("(1)", "(2)", "(3)", "(4)", "(5)=(3)+(4)", "(6)", "(7)", "(8)", "(9)"), start=1):
        sheet.cell(8, column, text)
    line = 9
    groups = (("I", "NHÓM ĐƠN VỊ XẾP LOẠI TRÊN THANG ĐIỂM 98", [r for r in rows if not r["max"]]),
              ("II", "NHÓM ĐƠN VỊ ĐẶC THÙ", [r for r in rows if r["max"]]))
    for number, heading, members in groups:
        sheet.cell(line, 1, number)
        sheet.cell(line, 2, heading)
        line += 1
        for position, row in enumerate(members, start=1):
            sheet.cell(line, 1, position)
            sheet.cell(line, 2, row["unit"])
            appraisal = Decimal(row["appraisal_points"])
            # Half the council's points typed as text with a decimal comma, as a Vietnamese Excel does.
            sheet.cell(line, 3, f"{appraisal:f}".replace(".", ",") if position % 2 else float(appraisal))
            sheet.cell(line, 4, float(row["survey_points"]))
            sheet.cell(line, 5, f"=C{line}+D{line}")  # a formula: a result column, never read
            if row["max"]:
                sheet.cell(line, 7, float(row["max"]))
            sheet.cell(line, 9, "Đã thẩm định" if position == 1 else None)
            line += 1
    sheet.cell(line, 2, "Tổng cộng")
    sheet.cell(line, 4, float(sum(Decimal(r["survey_points"]) for r in rows)))
    sheet.cell(line + 1, 2, "Trung bình")
    sheet.cell(line + 1, 4, round(float(sum(Decimal(r["survey_points"]) for r in rows)) / len(rows), 2))
    book.save(path)
    return path


def test_the_lai_chau_council_sheet_scores_like_the_csv(tmp_path: Path) -> None:
    ruleset = parrules.load(LAI_CHAU)
    from_csv = ruleset.score_file(LAI_CHAU_CSV)
    from_sheet = ruleset.score_file(lai_chau_workbook(tmp_path / "tong-hop.xlsx"))
    assert figures(from_sheet) == figures(from_csv)
    said = defaultdict(list)
    for warning in from_sheet.warnings:
        said[warning.code].append((warning.row, warning.column))
    # Skipped and ignored, each said: the numbering row, two headings, the total and the average;
    # the notes column and the council's own results; the decimal commas, once for the column.
    assert said["DAT133"] == [(8, "Tên đơn vị"), (9, "Tên đơn vị"), (25, "Tên đơn vị"), (31, "Tên đơn vị"),
                              (32, "Tên đơn vị")]
    assert [code for code in said if code not in ("DAT133", "DAT134", "DAT136")] == []
    assert len(said["DAT134"]) == 2 and len(said["DAT136"]) == 1
    assert said["DAT136"] == [(10, "Điểm thẩm định")]


def test_a_nameless_row_is_a_total_only_when_it_adds_up(tmp_path: Path) -> None:
    ruleset = parrules.load(LAI_CHAU)
    path = lai_chau_workbook(tmp_path / "tong-hop.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet["B31"] = None  # "Tổng cộng" without its name: still the sum of the survey points above
    book.save(path)
    assert figures(ruleset.score_file(path)) == figures(ruleset.score_file(LAI_CHAU_CSV))
    sheet["D31"] = 123.45  # not a sum of anything: a unit whose name was forgotten
    book.save(path)
    with pytest.raises(parrules.DataError) as caught:
        ruleset.score_file(path)
    assert [(d.code, d.row) for d in caught.value.diagnostics if d.severity == "error"] == [("DAT107", 31)]


# ---- the illustrative full ruleset: a council's sheet of every input ------------------------------------


def full_workbook(path: Path) -> Path:
    ruleset = parrules.load(FULL)
    model = ruleset.model
    header, rows = read_csv(FULL_CSV)
    declared = {d.name: d for d in (*model.attributes, *model.inputs)}
    stages = {s.name: s.title or s.name for s in model.stages}
    nodes = {n.id: n for n in model.nodes()} | {x.id: x for x in model.extras}
    field_of: dict[str, str] = {}
    for plan_node in ruleset.plan.nodes:
        field = next((n for n in model.nodes() if n.kind == "field" and plan_node.node.id.startswith(n.id + ".")),
                     None)
        for name in plan_node.reads:
            field_of.setdefault(name, f"{field.id}. {field.title}" if field else plan_node.node.title)

    def title(name: str) -> str:
        decl = declared[name]
        if decl.implicit:
            return f"{name}. {nodes[name].title}"
        text = decl.title or name
        return f"{text} (%)" if isinstance(decl.type, Percent) else text

    def heading(name: str) -> str:
        base = name.partition("@")[0]
        decl = declared[base]
        if isinstance(decl.type, Points) and f"{base}@self" in header:
            return title(base)  # a staged input: its title over one column per stage (Tự chấm, Thẩm định)
        return "Thuộc tính đơn vị" if decl.kind == "attribute" else field_of.get(base, "Khác")

    fixed = ("unit", "max")
    order: dict[str, list[str]] = defaultdict(list)  # each group's columns side by side, as a sheet has them
    for name in header:
        if name not in fixed:
            order[heading(name)].append(name)
    header = [*fixed, *(name for names in order.values() for name in names)]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Bảng tổng hợp"
    columns = ["STT", *header, "Tổng điểm", "Ghi chú"]
    width = len(columns)
    motto(sheet, width, "TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ VÀ THẨM ĐỊNH CHỈ SỐ CCHC (MINH HỌA)")
    upper, lower = 6, 7
    groups: dict[str, list[int]] = defaultdict(list)
    for position, name in enumerate(columns, start=1):
        base, _at, stage = name.partition("@")
        if name in ("STT", *fixed, "Tổng điểm", "Ghi chú"):
            text = {"unit": "Tên đơn vị", "max": "Điểm tối đa"}.get(name, name)
            sheet.cell(upper, position, text)
            sheet.merge_cells(start_row=upper, start_column=position, end_row=lower, end_column=position)
            continue
        group = heading(name)
        groups[group].append(position)
        staged = group == title(base)
        sheet.cell(lower, position, stages[stage or "appraisal"] if staged else title(base))
    for text, spots in groups.items():
        assert spots == list(range(spots[0], spots[-1] + 1)), text
        sheet.cell(upper, spots[0], text)
        if len(spots) > 1:
            sheet.merge_cells(start_row=upper, start_column=spots[0], end_row=upper, end_column=spots[-1])
    line = lower + 1
    for number, row in enumerate(rows, start=1):
        sheet.cell(line, 1, number)
        for position, name in enumerate(header, start=2):
            base = name.partition("@")[0]
            text = row[name]
            cell = sheet.cell(line, position)
            if name == "unit" or not text:
                cell.value = text or None
                continue
            if name == "max":
                cell.value = float(text)
                continue
            kind = declared[base].type
            if isinstance(kind, YesNo):
                cell.value = "x" if text in ("có", "yes") else "Không"
            elif isinstance(kind, Choice):
                option = next(o for o in kind.options if o.name == text)
                cell.value = option.title or option.name
            elif isinstance(kind, Percent) and number % 2:
                cell.value = float(Decimal(text) / 100)  # a percent cell: 0.8315 shown as 83.15%
                cell.number_format = "0.00%"
            elif "." in text and number % 3 == 0:
                cell.value = text.replace(".", ",")  # typed as text with a decimal comma
            else:
                cell.value = float(text) if "." in text else int(text)
        sheet.cell(line, width, "Có minh chứng kèm theo" if number == 2 else None)
        line += 1
    sheet.cell(line, 2, "Tổng cộng")
    book.save(path)
    return path


def test_the_full_rulesets_council_sheet_scores_like_the_csv(tmp_path: Path) -> None:
    ruleset = parrules.load(FULL)
    from_csv = ruleset.score_file(FULL_CSV)
    from_sheet = ruleset.score_file(full_workbook(tmp_path / "tong-hop.xlsx"))
    assert figures(from_sheet) == figures(from_csv)
    assert len(from_sheet.units) == len(from_csv.units)
    codes = {w.code for w in from_sheet.warnings}
    assert codes <= {"DAT133", "DAT134", "DAT136"}, [w.message for w in from_sheet.warnings]


def test_the_same_sheet_as_xls_and_ods_reads_through_calamine(tmp_path: Path) -> None:
    """Saved by LibreOffice as .ods and .xls: read like the .xlsx (where LibreOffice is installed)."""
    import shutil
    import subprocess

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (make test installs libreoffice-calc-nogui where it can)")
    ruleset = parrules.load(LAI_CHAU)
    source = lai_chau_workbook(tmp_path / "tong-hop.xlsx")
    for suffix in ("ods", "xls"):
        subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                        "--convert-to", suffix, "--outdir", str(tmp_path), str(source)],
                       check=True, capture_output=True, timeout=180)
        converted = tmp_path / f"tong-hop.{suffix}"
        assert figures(ruleset.score_file(converted)) == figures(ruleset.score_file(LAI_CHAU_CSV)), suffix


def test_a_percent_number_in_a_workbook_whose_formats_are_unseen_is_not_guessed(tmp_path: Path) -> None:
    from parrules.data.calamine import _table
    from parrules.data.messages import Sink
    from parrules.data.validate import Validator

    model = parrules.load(FULL).model
    sink = Sink("units.ods")
    rows = iter([(1, ["unit", "plan_done"]), (2, ["Sở A", 0.85]), (3, ["Sở B", 62.5]), (4, ["Sở C", 1.0])])
    table = _table(rows, [], sink, None)
    assert table is not None and not table.formats_known
    Validator(model, sink, decimal_comma=False).run(table)
    (problem,) = [d for d in sink.found if d.severity == "error"]
    assert (problem.code, problem.row, problem.column) == ("DAT137", 2, "plan_done")
    assert "in 2 of the column's cells, rows 2, 4" in problem.message and "85 %" in problem.message


def test_column_letters_of_merged_ranges() -> None:
    from parrules.data.calamine import _ref

    assert [_ref(0, 0), _ref(4, 25), _ref(9, 26), _ref(0, 701)] == ["A1", "Z5", "AA10", "ZZ1"]
    assert get_column_letter(702) == "ZZ"
