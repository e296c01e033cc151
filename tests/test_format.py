"""The formatter (`parrules.format.to_par`): canonical text, escaping, numbers and parentheses.

The expected texts are written by hand; the round-trip over random models is in test_properties.py.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from parrules import model as m
from parrules.build import build_source
from parrules.format import expr, to_par

D = Decimal
FIXTURES = Path(__file__).parent / "fixtures"


def build(text: str) -> m.Model:
    built = build_source(text, "<text>", None)
    assert built.model is not None, [d.message for d in built.diagnostics]
    return built.model


def formula(text: str) -> m.Expr:
    """The expression of a one-leaf ruleset whose rule is `text`."""
    rule = build(f'ruleset "T" {{ }}\ncomponent a "A" max 1 {{ {text} }}\n').components[0].rule
    assert isinstance(rule, m.Formula)
    return rule.expr


def round_trips(model: m.Model) -> str:
    text = to_par(model)
    again = build(text)
    assert again == model, text
    assert to_par(again) == text
    return text


def leaf_model(rule: m.Rule, *, title: str = "A") -> m.Model:
    return m.Model(m.Meta("T"), components=(m.Node("a", "component", title, D(1), rule=rule),))


# ---- the canonical layout ------------------------------------------------------------------------

SMALL_CANONICAL = """\
ruleset "Bộ chỉ số thử nghiệm" {
  authority "Sở Nội vụ"
  year 2024
  level department
  scale 10
}

attributes {
  one_stop yes/no "Thực hiện cơ chế một cửa" default yes
}

inputs {
  plan_issued  one of (on_time "Đúng hạn", late "Chậm", none "Không ban hành") "Ban hành kế hoạch CCHC"
  plan_done    percent "Tỷ lệ hoàn thành kế hoạch"
  reports_late count "Số báo cáo chậm"
  satisfaction percent "Tỷ lệ hài lòng"
}

component appraisal "Điểm thẩm định" max 7 {
  criterion 1 "Kế hoạch CCHC" max 3 {
    sub 1.1 "Ban hành kế hoạch" max 1 { plan_issued: on_time -> 1, late -> 0.5, none -> 0 }
    sub 1.2 "Hoàn thành kế hoạch" max 2 {
      when plan_done >= 80% -> proportional
      otherwise -> 0
    }
  }
  criterion 2 "Báo cáo định kỳ" max 2 { deduct 0.5 per reports_late floor 0 }
  criterion 3 "Một cửa" max 2 applies if one_stop { given }
}

component survey "Điểm điều tra" max 3 {
  part S1 "Sự hài lòng" max 3 { proportional satisfaction }
}

rounding {
  points 2 decimals half-up
  index 2 decimals half-up
  average 2 decimals half-up
}

classes {
  "Tốt" from 80%
  "Khá" from 70% below 80%
  "Trung bình" below 70%
}

rank overall by index desc
"""


def test_the_small_fixture_is_written_in_the_canonical_layout() -> None:
    model = build((FIXTURES / "small.par").read_text(encoding="utf-8"))
    assert to_par(model) == SMALL_CANONICAL
    assert build(SMALL_CANONICAL) == model
    assert to_par(build(SMALL_CANONICAL)) == SMALL_CANONICAL


def test_comments_and_spelling_variants_do_not_survive() -> None:
    text = """# đầu tệp
ruleset "T" { year 2024 }  # cuối dòng
inputs { rate percent  done yes/no }
component a "A" max 3 {
  sub 1 "Tỷ lệ" max 2 {
    rate ≥ 50% → 2
    otherwise → rate × 2 ÷ 100
  }
  sub 2 "Có" max 1 { full unless any (not done) }
}
"""
    assert to_par(build(text)) == """\
ruleset "T" {
  year 2024
}

inputs {
  rate percent
  done yes/no
}

component a "A" max 3 {
  sub 1 "Tỷ lệ" max 2 {
    when rate >= 50% -> 2
    otherwise -> rate * 2 / 100
  }
  sub 2 "Có" max 1 { full unless any of (not done) }
}
"""


def test_every_setting_is_written_back() -> None:
    text = """\
ruleset "Bộ chỉ số" {
  authority "UBND tỉnh Lai Châu"
  year 2020
  level district
  scale 100
  expect 8 fields, 37 criteria, 88 subcriteria
  unit max from data
}

stages {
  self "Tự chấm"
  first "Thẩm định lần 1"
  final official
}

component a "A" max 1 min -1 applies if x and not y capped { given p }

exclude 1.2 because "không tổ chức điều tra"

bonus B1 "Sáng kiến" up to 2 counts in scale { given }

penalty P1 "Vi phạm" up to 1 { deduct 0.25 per late, 1 if missing floor -0.5 }

rounding {
  leaves 3 decimals truncate
  points 2 decimals half-even
  index 2 decimals half-up from rounded points
  average 2 decimals half-up of unrounded indices
}

classes for "Nhóm I" {
  "Xuất sắc" above 90%
  "Tốt" from 80% to 90%
  "Kém" below 80%
}

groups {
  "Nhóm I" when max = full
  "Nhóm II" otherwise
}

rank within group by index desc then total asc then a desc ties dense
"""
    assert round_trips(build(text)) == text


def test_groups_from_data_and_empty_blocks() -> None:
    text = 'ruleset "" { }\n\ngroups from data\n'
    assert round_trips(build(text)) == text
    # An empty `classes { }` says "no classes" (how an extension drops its framework's): no table is kept.
    assert build('ruleset "" { }\n\nclasses { }\n').classes == ()


def test_implicit_inputs_are_not_written_and_come_back() -> None:
    model = build('ruleset "T" { }\ncomponent a "A" max 2 { sub 1 "x" max 2 { given } }\n')
    assert [d.name for d in model.inputs if d.implicit] == ["1"]
    text = round_trips(model)
    assert "inputs" not in text and "{ given }" in text


# ---- strings ---------------------------------------------------------------------------------------


def test_quotes_backslashes_newlines_and_tabs_are_escaped() -> None:
    title = 'Trả lời "đúng hạn" \\ theo\tmẫu\nsố 2'
    text = round_trips(leaf_model(m.Formula(m.Num(D(1))), title=title))
    assert 'component a "Trả lời \\"đúng hạn\\" \\\\ theo\\tmẫu\\nsố 2" max 1 { 1 }' in text


def test_a_title_ending_in_a_backslash_and_one_with_a_hash() -> None:
    for title in ("C:\\", "# không phải chú thích", '"', "\\\\"):
        model = leaf_model(m.Formula(m.Num(D(1))), title=title)
        assert build(to_par(model)).components[0].title == title


def test_vietnamese_titles_are_written_in_nfc() -> None:
    nfc = "Cải cách hành chính — Chỉ số hài lòng"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    text = to_par(leaf_model(m.Formula(m.Num(D(1))), title=nfd))
    assert nfc in text and unicodedata.is_normalized("NFC", text)
    assert build(text).components[0].title == nfc


# ---- numbers ---------------------------------------------------------------------------------------


def test_negative_numbers_where_the_language_allows_them() -> None:
    text = """\
ruleset "T" { }

inputs {
  plan one of (on_time, late, none)
  late count default -2 range -5 to 20
}

component a "A" max 1 min -1 {
  sub 1 "Kế hoạch" max 1 min -1 { plan: on_time -> 1, late -> -0.5, none -> -1 }
  sub 2 "Báo cáo" max 0 { deduct 0.25 per late floor -0.5 }
}
"""
    model = build(text)
    assert model.components[0].children[0].rule == m.Steps("plan", (
        m.Step("on_time", m.Outcome(m.Num(D(1)))),
        m.Step("late", m.Outcome(m.Neg(m.Num(D("0.5"))))),
        m.Step("none", m.Outcome(m.Neg(m.Num(D(1))))),
    ))
    written = round_trips(model)
    for fragment in ("min -1 {", "late -> -0.5", "none -> -1", "floor -0.5", "default -2 range -5 to 20"):
        assert fragment in written


def test_a_negative_literal_is_not_something_the_language_has() -> None:
    with pytest.raises(ValueError, match="negative"):
        to_par(leaf_model(m.Formula(m.Num(D(-1)))))
    with pytest.raises(ValueError, match="negative"):
        to_par(m.Model(m.Meta("T"), components=(m.Node("a", "component", "A", D(-1), rule=m.Given("a")),)))


@pytest.mark.parametrize(("value", "written"), [
    (D("1E+2"), "100"), (D("0.0000001"), "0.0000001"), (D("1.50"), "1.50"), (D("-0"), "0"), (D("12"), "12"),
    (D("0.5"), "0.5"),
])
def test_numbers_are_written_exactly_and_never_with_an_exponent(value: Decimal, written: str) -> None:
    assert expr(m.Num(value)) == written
    assert expr(m.Pct(value)) == written + "%"
    assert formula(written) == m.Num(value)


def test_percent_literals() -> None:
    text = """\
ruleset "T" { }

inputs {
  rate percent
}

component a "A" max 2 {
  sub 1 "x" max 1 {
    when rate >= 80% -> 1
    when 20.5% <= rate < 80% -> 0.5
    otherwise -> 0
  }
  sub 2 "y" max 1 { proportional rate zero below 50% }
}
"""
    model = build(text)
    assert round_trips(model) == text
    band = model.components[0].children[0].rule
    assert isinstance(band, m.Table)
    assert band.branches[1].condition == m.Compare((m.Pct(D("20.5")), m.Ref("rate"), m.Pct(D(80))), ("<=", "<"))


# ---- parentheses -----------------------------------------------------------------------------------

a, b, c, x, y = (m.Ref(n) for n in "abcxy")


@pytest.mark.parametrize(("tree", "written"), [
    (m.Binary("*", m.Binary("+", a, b), c), "(a + b) * c"),
    (m.Binary("+", m.Binary("*", a, b), c), "a * b + c"),
    (m.Binary("+", a, m.Binary("*", b, c)), "a + b * c"),
    (m.Binary("-", a, m.Binary("-", b, c)), "a - (b - c)"),
    (m.Binary("-", m.Binary("-", a, b), c), "a - b - c"),
    (m.Binary("/", a, m.Binary("*", b, c)), "a / (b * c)"),
    (m.Binary("/", m.Binary("/", a, b), c), "a / b / c"),
    (m.Binary("-", a, m.Binary("+", b, c)), "a - (b + c)"),
    (m.Not(m.And(x, y)), "not (x and y)"),
    (m.And(m.Not(x), y), "not x and y"),
    (m.Not(m.Not(x)), "not not x"),
    (m.And(m.Or(x, y), c), "(x or y) and c"),
    (m.Or(x, m.And(y, c)), "x or y and c"),
    (m.Or(m.Or(x, y), c), "x or y or c"),
    (m.Or(x, m.Or(y, c)), "x or (y or c)"),
    (m.And(x, m.And(y, c)), "x and (y and c)"),
    (m.Not(m.Compare((a, b), ("<",))), "not a < b"),
    (m.Compare((m.Compare((a, b), ("<",)), m.Bool(True)), ("=",)), "(a < b) = yes"),
    (m.Compare((m.Binary("+", a, b), c), (">=",)), "a + b >= c"),
    (m.Compare((m.Pct(D(20)), a, m.Pct(D(30))), ("<=", "<")), "20% <= a < 30%"),
    (m.Compare((m.And(x, y), m.Bool(False)), ("!=",)), "(x and y) != no"),
    (m.Neg(m.Binary("+", a, b)), "-(a + b)"),
    (m.Binary("*", m.Neg(a), b), "-a * b"),
    (m.Neg(m.Binary("*", a, b)), "-(a * b)"),
    (m.Binary("*", a, m.Neg(b)), "a * -b"),
    (m.Binary("-", a, m.Neg(b)), "a - -b"),
    (m.Neg(m.Neg(a)), "--a"),
    (m.Neg(m.Not(x)), "-(not x)"),
    (m.Binary("+", m.Call("min", (m.NodeMax(), m.Binary("/", a, b))), m.Num(D(1))), "min(max, a / b) + 1"),
    (m.Call("max", (m.Or(x, y), m.Compare((a, b), ("=",)))), "max(x or y, a = b)"),
    (m.Binary("*", m.NodeMax(), m.Binary("/", a, m.Num(D(100)))), "max * (a / 100)"),
])
def test_parentheses_only_where_precedence_needs_them(tree: m.Expr, written: str) -> None:
    assert expr(tree) == written
    assert formula(written) == tree


def test_the_builder_reads_what_the_formatter_writes_in_every_rule_position() -> None:
    condition = m.Not(m.And(x, m.Or(y, m.Compare((a, m.Binary("-", b, m.Binary("-", c, m.Num(D(1))))), (">",)))))
    leaves = (
        m.Node("1", "sub", "x", D(1), rule=m.Table((m.Branch(condition, m.Outcome(m.Num(D(1)))),),
                                                    m.Outcome(None, ""))),
        m.Node("2", "sub", "x", D(1), rule=m.FullUnless((condition, x))),
        m.Node("3", "sub", "x", D(1), rule=m.Deduct((m.DeductIf(D(1), condition),), D(0))),
        m.Node("4", "sub", "x", D(1), rule=m.Steps("s", (m.Step(True, m.Outcome(m.Neg(m.Num(D(1))))),
                                                          m.Step(False, m.Outcome(None, "r"))))),
    )
    model = m.Model(
        m.Meta("T"),
        components=(m.Node("a", "component", "A", D(4), applies=condition, children=leaves),),
        grouping=m.Grouping(False, (m.GroupRule("G", condition), m.GroupRule("H"))),
    )
    round_trips(model)


def test_a_model_no_text_could_give_is_refused() -> None:
    with pytest.raises(ValueError, match="neither children nor a rule"):
        to_par(m.Model(m.Meta("T"), components=(m.Node("a", "component", "A", D(1)),)))
    with pytest.raises(ValueError, match="carriage return"):
        to_par(m.Model(m.Meta("a\rb")))


# ---- an engine bug found while writing these tests (fixed) ----------------------------------------


def test_brackets_after_an_escaped_quote_in_a_title_are_not_nesting() -> None:
    title = '"' + "(" * 41  # e.g. a decision's name quoted inside the title, then a long list
    model = leaf_model(m.Formula(m.Num(D(1))), title=title)
    built = build_source(to_par(model), "<text>", None)
    assert [d.code for d in built.diagnostics] == []
    assert built.model == model
