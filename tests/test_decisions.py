"""The shapes a province's decision needs, each scored on units worked out by hand from the rule's words.

Every expected figure below is the decision's arithmetic done by hand (written next to it), never a
figure parrules printed: classes by points, no classes, threshold-proportional, rates of counts with
their denominator policies, provenance, a framework and its extension, a unit's maximum from data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import parrules
from parrules.explainer import explain

D = Decimal

RATES = """
ruleset "Bộ chỉ số 766 thử nghiệm" { year 2024 scale 20 }
attributes { unit_level one of (province "Cấp tỉnh", commune "Cấp xã") }
inputs {
  on_time   count "Hồ sơ đúng hạn" at most received
  received  count "Hồ sơ tiếp nhận"
  handled   count "Phản ánh xử lý đúng hạn" at most petitions
  petitions count "Phản ánh tiếp nhận"
  synced    count "Hồ sơ đồng bộ"
  reported  count "Hồ sơ trên hệ thống báo cáo"
  portal    count "Hồ sơ trên Cổng DVCQG"
  monthly   count "Bình quân tháng năm trước"
  reused    percent "Tỷ lệ tái sử dụng dữ liệu"
}
component c "Chỉ số" max 20 {
  field 1 "Nhóm chỉ số" max 20 {
    criterion 1.1 "Công bố đúng hạn" max 4 applies if unit_level = province
      source "QĐ 766/QĐ-TTg, chỉ số 1.1"
      { proportional on_time of received if zero -> not applicable }
    criterion 1.2 "Phản ánh đúng hạn" max 6
      note "không có phản ánh: điểm tối đa"
      { proportional handled of petitions full from 90% if zero -> full }
    criterion 1.3 "Đồng bộ hồ sơ" max 6
      { proportional synced of max(reported, portal) or monthly full from 100% if zero -> 0 }
    criterion 1.4 "Tái sử dụng dữ liệu" max 4
      follows practice "văn bản: đạt từ 80% trở lên được điểm tối đa"
      { proportional reused full from 80% }
  }
}
rounding { points 2 decimals half-up  index 2 decimals half-up  average 2 decimals half-up }
classes by points { "Tốt" from 15  "Khá" from 10 below 15  "Trung bình" below 10 }
rank overall by index desc
"""

UNITS = [
    # 1.1: 8/10 = 80 % × 4 = 3.2; 1.2: 17/20 = 85 % < 90 % → 6 × 85/90 = 5.6666…; 1.3: max(25, 40) = 40,
    # 30/40 = 75 % → 6 × 75/100 = 4.5; 1.4: 85 % ≥ 80 % → 4. Total 17.3666… → 17.37 of 20, index
    # 17.3666…/20 = 86.833… → 86.83; 17.37 ≥ 15 → Tốt.
    {"unit": "Tỉnh A", "unit_level": "province", "on_time": 8, "received": 10, "handled": 17, "petitions": 20,
     "synced": 30, "reported": 25, "portal": 40, "reused": 85},
    # 1.1: received 0 → not applicable: maximum 20 − 4 = 16; 1.2: petitions 0 → full 6; 1.3: both counts
    # blank → monthly 10, 5/10 = 50 % → 3; 1.4: 50 % < 80 % → 4 × 50/80 = 2.5. Total 11.5 of 16,
    # index 71.875 → 71.88 (half-up); 11.5 in [10, 15) → Khá.
    {"unit": "Tỉnh B", "unit_level": "province", "on_time": 0, "received": 0, "handled": 0, "petitions": 0,
     "synced": 5, "monthly": 10, "reused": 50},
    # 1.1 does not apply (a commune); 1.2: 5/5 → 100 % ≥ 90 % → 6; 1.3: 0 and 0, no fallback → if zero → 0;
    # 1.4: 100 % → 4. Total 10 of 16, index 62.5 → 62.50; 10 → Khá.
    {"unit": "Xã C", "unit_level": "commune", "handled": 5, "petitions": 5, "synced": 2, "reported": 0,
     "portal": 0, "reused": 100},
]


@pytest.fixture(scope="module")
def rates() -> parrules.Ruleset:
    ruleset = parrules.load_text(RATES, "rates.par")
    assert ruleset.check().ok, ruleset.check().render()
    return ruleset


def test_rates_of_counts_thresholds_and_zero_denominators(rates: parrules.Ruleset) -> None:
    results = rates.score(UNITS)
    got = {u.unit: (u.total, u.max, u.index, u.class_) for u in results.units}
    assert got == {
        "Tỉnh A": (D("17.37"), D(20), D("86.83"), "Tốt"),
        "Tỉnh B": (D("11.50"), D(16), D("71.88"), "Khá"),
        "Xã C": (D("10.00"), D(16), D("62.50"), "Khá"),
    }
    a = results.unit("Tỉnh A")
    # Points that are a quotient are kept to 20 places: 6 × 85 / 90 = 5.66666666666666666667.
    assert a.exact.total == D("3.2") + D("5.66666666666666666667") + D("4.5") + D(4)
    b = {n.id: n for n in results.unit("Tỉnh B").leaves()}
    assert (b["1.1"].status, b["1.1"].max) == ("not_applicable", D(0))
    assert "0" in (b["1.1"].reason or "")
    assert (b["1.2"].points, b["1.3"].points, b["1.4"].points) == (D(6), D(3), D("2.5"))
    c = {n.id: n for n in results.unit("Xã C").leaves()}
    assert c["1.3"].points == 0 and c["1.3"].status == "scored"


def test_a_zero_denominator_the_rule_does_not_provide_for_is_an_error_of_the_ruleset() -> None:
    # As a division `a / b` needs a case for b = 0 (PAR230), so does a rate of counts: the decision must
    # say what a unit with nothing to count gets, before any unit is scored.
    text = RATES.replace("{ proportional synced of max(reported, portal) or monthly full from 100% if zero -> 0 }",
                         "{ proportional synced of max(reported, portal) full from 100% }")
    ruleset = parrules.load_text(text, "rates.par")
    found = [d for d in ruleset.check().errors if d.code == "PAR230"]
    assert len(found) == 1 and "max(reported, portal)" in found[0].message and "if zero" in (found[0].hint or "")
    with pytest.raises(parrules.RulesetError):
        ruleset.score([UNITS[2]])


def test_explain_shows_the_rate_the_threshold_and_the_sources(rates: parrules.Ruleset) -> None:
    results = rates.score(UNITS)
    with parrules.i18n.language("en"):
        text = explain(results, "Tỉnh A").render()
        zero = explain(results, "Tỉnh B").render()
    assert "17 ÷ 20 = 85 % < 90 % → 85 % × 6 ÷ 90 %" in text
    assert "30 ÷ 40 = 75 %" in text
    assert "85 % ≥ 80 % → full 4" in text
    assert "source: QĐ 766/QĐ-TTg, chỉ số 1.1" in text
    assert "follows observed practice; the official text: văn bản: đạt từ 80% trở lên được điểm tối đa" in text
    assert "the denominator is 0 → if zero -> full → 6" in zero
    # Classes by points, totals published to 2 decimals half-up: 14.995 is published as 15.00, so Tỉnh B
    # (11.5) is 14.995 − 11.5 = 3.495 points short of Tốt.
    assert ("To reach Tốt (a total from 15 points, that is from 14.995 before rounding): 3.495 points short."
            in zero)
    data = explain(results, "Tỉnh A").to_dict()
    tree = data["tree"]
    assert isinstance(tree, list)
    criterion = tree[0]["children"][0]["children"][0]
    assert criterion["provenance"] == {"source": "QĐ 766/QĐ-TTg, chỉ số 1.1"}


def test_classes_by_index_and_by_points_class_the_same_units_differently() -> None:
    # A scale of 20: "from 15" by points is 75 % of the scale; by index it is 15 %.
    base = RATES.replace('classes by points { "Tốt" from 15  "Khá" from 10 below 15  "Trung bình" below 10 }',
                         'classes by index { "Tốt" from 80%  "Khá" from 50% below 80%  "Trung bình" below 50% }')
    results = parrules.load_text(base, "rates.par").score(UNITS)
    # Indices 86.83, 71.88, 62.50 → Tốt, Khá, Khá (by index: 80 % and 50 %).
    assert [u.class_ for u in results.units] == ["Tốt", "Khá", "Khá"]
    lowered = base.replace('"Tốt" from 80%', '"Tốt" from 70%').replace('from 50% below 80%', 'from 50% below 70%')
    results = parrules.load_text(lowered, "rates.par").score(UNITS)
    assert [u.class_ for u in results.units] == ["Tốt", "Tốt", "Khá"]  # 71.88 ≥ 70


def test_without_classes_no_unit_has_a_class_and_reports_have_no_class_column(tmp_path: Path) -> None:
    text = RATES.replace('classes by points { "Tốt" from 15  "Khá" from 10 below 15  "Trung bình" below 10 }', "")
    ruleset = parrules.load_text(text, "rates.par")
    assert ruleset.check().ok
    results = ruleset.score(UNITS)
    assert [u.class_ for u in results.units] == [None, None, None]
    (tmp_path / "rules.par").write_text(text, encoding="utf-8")
    rows = ["unit,unit_level,on_time,received,handled,petitions,synced,reported,portal,monthly,reused",
            "Tỉnh A,province,8,10,17,20,30,25,40,,85"]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "PARRULES_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "parrules.cli", "score", "rules.par", "data.csv", "--format", "csv",
                           "--no-bom"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "group,stt,unit,c,total,max,index,rank"
    assert done.stdout.splitlines()[1] == ",1,Tỉnh A,17.37,17.37,20,86.83,1"
    table = subprocess.run([sys.executable, "-m", "parrules.cli", "score", "rules.par", "data.csv"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, check=False)
    assert "Class" not in table.stdout and "Index" in table.stdout


FRAMEWORK = """
ruleset "Khung bộ chỉ số cấp xã" { year 2024 scale 10 }
inputs { plan_done percent "Tỷ lệ hoàn thành kế hoạch"  one_stop yes/no "Một cửa" }
component c "Chỉ số" max 10 {
  field 1 "Chỉ đạo" max 6 {
    criterion 1.1 "Kế hoạch" max 4 { proportional plan_done }
    criterion 1.2 "Một cửa" max 2 { one_stop: yes -> 2, no -> 0 }
  }
  field 2 "Thủ tục" max 4 { criterion 2.1 "Giải quyết hồ sơ" max 4 { proportional plan_done } }
}
classes by index { "Tốt" from 80%  "Khá" from 50% below 80%  "Trung bình" below 50% }
rank overall by index desc
"""

EXTENSION = """
extends "../khung/khung.par"
ruleset "Bộ chỉ số cấp xã huyện Tam Đường" { year 2024 level commune scale 10 }
inputs { on_time percent "Hồ sơ đúng hạn"  digitised yes/no "Số hóa kết quả" }
extend 2.1 {
  sub 2.1.1 "Hồ sơ đúng hạn" max 3 { proportional on_time }
  sub 2.1.2 "Số hóa kết quả" max 1 { digitised: yes -> 1, no -> 0 }
}
restate 1.2 max 2
classes by index { "Tốt" from 90%  "Khá" from 50% below 90%  "Trung bình" below 50% }
"""


def _extension(tmp_path: Path) -> Path:
    """The framework in khung/ and where its extension goes, xa/tam-duong.par (not written yet)."""
    (tmp_path / "khung").mkdir()
    (tmp_path / "khung" / "khung.par").write_text(FRAMEWORK, encoding="utf-8")
    (tmp_path / "xa").mkdir()
    return tmp_path / "xa" / "tam-duong.par"


def test_an_extension_adds_sub_criteria_under_a_framework_criterion(tmp_path: Path) -> None:
    path = _extension(tmp_path)
    path.write_text(EXTENSION, encoding="utf-8")
    ruleset = parrules.load(path)
    assert ruleset.check().ok, ruleset.check().render()
    results = ruleset.score([{"unit": "Xã Bản Bo", "plan_done": 50, "one_stop": True, "on_time": 80,
                              "digitised": False}])
    unit = results.unit("Xã Bản Bo")
    # 1.1: 50 % × 4 = 2; 1.2: 2; 2.1 is now 2.1.1 + 2.1.2: 80 % × 3 = 2.4 and 0. Total 6.4 of 10:
    # index 64 %, Khá under the extension's classes (from 50 % below 90 %).
    assert (unit.total, unit.index, unit.class_) == (D("6.4"), D("64"), "Khá")
    leaves = {n.id: n.points for n in unit.leaves()}
    assert leaves == {"1.1": D(2), "1.2": D(2), "2.1.1": D("2.4"), "2.1.2": D(0)}
    assert results.title == "Bộ chỉ số cấp xã huyện Tam Đường"


def test_a_restated_maximum_that_breaks_a_sum_is_reported_in_the_extension(tmp_path: Path) -> None:
    path = _extension(tmp_path)
    path.write_text(EXTENSION.replace("restate 1.2 max 2", "restate 1.2 max 3"), encoding="utf-8")
    report = parrules.check_file(path)
    found = [d for d in report.errors if d.code == "PAR301"]
    assert len(found) == 1 and found[0].span is not None
    assert found[0].span.file.endswith("tam-duong.par") and found[0].span.line == 9  # the `restate` line


def test_diff_shows_a_changed_source_and_class_basis(tmp_path: Path) -> None:
    old = RATES
    new = RATES.replace('source "QĐ 766/QĐ-TTg, chỉ số 1.1"', 'source "QĐ 766/QĐ-TTg sửa đổi, chỉ số 1.1"')
    (tmp_path / "old.par").write_text(old, encoding="utf-8")
    (tmp_path / "new.par").write_text(new, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "PARRULES_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "parrules.cli", "diff", "old.par", "new.par", "--format", "json"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    changes = json.loads(done.stdout)["changes"]
    assert {"section": "node", "action": "changed", "subject": "1.1", "kind": "criterion", "aspect": "source",
            "detail": None, "old": '"QĐ 766/QĐ-TTg, chỉ số 1.1"',
            "new": '"QĐ 766/QĐ-TTg sửa đổi, chỉ số 1.1"'} in changes


def test_a_unit_maximum_from_the_data_is_said_not_itemised() -> None:
    text = RATES.replace('scale 20 }', 'scale 20 unit max from data }')
    results = parrules.load_text(text, "rates.par").score([{**UNITS[0], "max": 18}])
    unit = results.unit("Tỉnh A")
    # 17.3666… of 18 (the data's maximum, 2 below the rules' 20): index 96.48; one component, so its
    # index is the unit's.
    assert (unit.max, unit.index, unit.unitemised) == (D(18), D("96.48"), D(2))
    assert unit.node_indices()["c"] == unit.exact.total / 18 * 100
    with parrules.i18n.language("en"):
        text_out = explain(results, "Tỉnh A").render()
    assert "The unit's maximum 18 is from the data (column `max`), 2 below what the rules give (20)" in text_out
    # The component is the whole tree: it is shown on 18; the field below keeps the rules' 20.
    assert "c  Chỉ số" in text_out and "/ 18" in text_out and "/ 20" in text_out
    assert explain(results, "Tỉnh A").to_dict()["max_not_itemised"] == "2"


def test_an_extension_drops_the_frameworks_classes_with_an_empty_block(tmp_path: Path) -> None:
    path = _extension(tmp_path)
    text = EXTENSION.replace('classes by index { "Tốt" from 90%  "Khá" from 50% below 90%  "Trung bình" below 50% }',
                             "classes { }")
    path.write_text(text, encoding="utf-8")
    ruleset = parrules.load(path)
    assert ruleset.check().ok, ruleset.check().render()
    unit = ruleset.score([{"unit": "Xã Bản Bo", "plan_done": 50, "one_stop": True, "on_time": 80,
                           "digitised": False}]).unit("Xã Bản Bo")
    assert (unit.total, unit.class_) == (D("6.4"), None)


def test_a_declaration_repeated_in_an_extension_names_the_frameworks_file(tmp_path: Path) -> None:
    path = _extension(tmp_path)
    path.write_text(EXTENSION.replace('inputs { on_time', 'inputs { plan_done percent  on_time'), encoding="utf-8")
    with parrules.i18n.language("en"):
        found = [d for d in parrules.check_file(path).errors if d.code == "PAR201"]
    assert len(found) == 1
    assert found[0].message.startswith("`plan_done` is declared twice (first in ")
    assert "khung.par, line 3)" in found[0].message


def test_a_restated_maximum_below_a_framework_rules_points_is_traced_to_the_restate(tmp_path: Path) -> None:
    path = _extension(tmp_path)
    # The framework's 1.2 gives 2 points for `yes`; restated at 1, that is above the maximum.
    path.write_text(EXTENSION.replace("restate 1.2 max 2", "restate 1.2 max 1\nrestate 1.1 max 5"), encoding="utf-8")
    with parrules.i18n.language("en"):
        found = [d for d in parrules.check_file(path).errors if d.code == "PAR210"]
    assert len(found) == 1 and found[0].span is not None and found[0].span.file.endswith("khung.par")
    assert "(the maximum 1 is restated in " in (found[0].hint or "")
    assert "tam-duong.par, line 9)" in (found[0].hint or "")
