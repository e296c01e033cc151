"""A cell text repeated down a column is read once and then remembered: the same values, the same notes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import parrules
from parrules.data import validate as validation
from parrules.data import validate_mappings
from parrules.diagnostics import DataError

ROOT = Path(__file__).resolve().parents[1]
SMALL = parrules.load(ROOT / "tests" / "fixtures" / "small.par")
ROW = {"one_stop": "yes", "plan_issued": "on_time", "plan_done": "90", "reports_late": "0", "3": "1.5",
       "satisfaction": "85"}


def test_repeated_cells_give_the_values_a_first_reading_gives() -> None:
    rows = [{"unit": f"Đơn vị {n}", **ROW, "plan_done": str(80 + n % 3)} for n in range(50)]
    report = validate_mappings(rows, SMALL.model)
    assert report.ok
    # Each row read on its own, with nothing remembered: the same records.
    alone = [validate_mappings([row], SMALL.model).records[0].values for row in rows]
    assert [r.values for r in report.records] == alone


def test_every_row_with_a_decimal_comma_is_still_counted() -> None:
    rows = [{"unit": f"Đơn vị {n}", **ROW, "3": "1,5"} for n in range(3)]
    report = validate_mappings(rows, SMALL.model)
    assert report.ok
    [note] = [d for d in report.warnings if d.code == "DAT136"]
    assert "3 of the column's cells" in note.message
    assert {r.values["3"] for r in report.records} == {Decimal("1.5")}


def test_a_bad_cell_is_reported_on_every_row_it_is_on() -> None:
    rows = [{"unit": f"Đơn vị {n}", **ROW, "plan_done": "nhiều"} for n in range(4)]
    report = validate_mappings(rows, SMALL.model)
    assert not report.ok
    assert len([d for d in report.diagnostics if "plan_done" in (d.column or "")]) == 4


def test_past_its_bound_a_column_is_read_cell_by_cell_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "MEMO_CELLS", 2)  # a full memo after two distinct texts
    rows = [{"unit": f"Đơn vị {n}", **ROW, "plan_done": f"{n % 7 + 10}.5", "satisfaction": f"{90 - n % 5}"}
            for n in range(40)]
    report = validate_mappings(rows, SMALL.model)
    assert [r.values for r in report.records] == [validate_mappings([row], SMALL.model).records[0].values
                                                  for row in rows]


def test_one_unit_at_a_time_reads_as_a_batch_does() -> None:
    """`Ruleset.score([unit])` reuses the ruleset's header index: the same figures as the batch."""
    rows = [{"unit": f"Đơn vị {n}", **ROW, "plan_done": str(70 + n)} for n in range(5)]
    batch = SMALL.score(rows)
    alone = [SMALL.score([row]).units[0] for row in rows]
    assert sorted((u.unit, u.total, u.index) for u in alone) == sorted((u.unit, u.total, u.index) for u in batch.units)
    # What a call says about its own columns is said again on the next call, not only the first.
    first, second = (SMALL.score([{**rows[0], "sở thích": "x"}]).warnings for _ in range(2))
    assert first and [d.code for d in first] == [d.code for d in second]


def test_a_ruleset_remembers_clean_headers_but_reports_a_bad_header_at_every_call() -> None:
    """`Ruleset.score([unit])` resolves the same clean headers once; a problem is never remembered away."""
    ruleset = parrules.load(ROOT / "tests" / "fixtures" / "small.par")
    first = ruleset.score([{"unit": "Sở A", **ROW}])
    again = ruleset.score([{"unit": "Sở A", **ROW}])
    assert [(u.unit, u.total, u.index) for u in first.units] == [(u.unit, u.total, u.index) for u in again.units]
    assert any(key[0] == "columns" for key in ruleset._headers.known)
    bad = {"unit": "Sở A", **ROW, "satisfation": "85"}
    del bad["satisfaction"]
    found = []
    for _ in range(3):
        with pytest.raises(DataError) as raised:
            ruleset.score([bad])
        found.append([(d.code, d.message) for d in raised.value.diagnostics])
    assert found[0] and found[0] == found[1] == found[2]
