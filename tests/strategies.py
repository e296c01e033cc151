"""Hypothesis strategies: random but valid rulesets, and unit records that fit them.

Two families:

* `models()` — any ruleset the *builder* can produce, feature by feature (every rule kind, random
  expressions, titles with quotes, backslashes and Vietnamese text, settings). Not necessarily one
  the checker accepts: the formatter's round-trip does not depend on meaning.
* `scenarios()` — rulesets the engine can score: a tree whose maxima add up, leaves with the rule
  patterns of real decisions, attributes with `applies if`, exclusions, rounding, classes, groups
  and ranks; with a description of every input so that `records()` draws units whose values are in
  range, and `full_marks_record()` builds the unit that earns every point.

Everything is small (≤ 3 components, ≤ 4 children per level, depth ≤ 3) so examples stay fast.
Strategies are built once at import and trees are drawn by plain functions taking `draw`: building
a fresh strategy object per node costs Hypothesis a validation each time, which dominated run time.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, TypeVar

from hypothesis import strategies as st

from parrules import model as m
from parrules.grammar import keywords

D = Decimal
HUNDRED = D(100)
T = TypeVar("T")

# Every word the grammar reserves (its quoted literals): a generated name must never be one of them.
KEYWORDS = keywords()


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """A Decimal with at most 2 decimals in [low/100, high/100], written as a person would (1.5, 2)."""
    return st.integers(low, high).map(lambda n: D(n) / 100)


def plain(value: Decimal) -> str:
    """A number as a data cell: no exponent."""
    return format(value, "f")


def _pick(draw: st.DrawFn, options: Sequence[T]) -> T:
    return options[draw(st.integers(0, len(options) - 1))]


def _cents(draw: st.DrawFn, low: int, high: int) -> Decimal:
    return D(draw(st.integers(low, high))) / 100


def _chance(draw: st.DrawFn, one_in: int) -> bool:
    return draw(st.integers(0, one_in - 1)) == 0


# ---- lexemes -------------------------------------------------------------------------------------

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
TITLE_WORDS = ("Kế hoạch", "cải cách", "hành chính", "Tỷ lệ", "hài lòng", "Báo cáo", "định kỳ", "một cửa",
               "thủ tục", "Chỉ số", "CCHC", "đúng hạn", "Sở Nội vụ", "thẩm định", "điều tra xã hội học")
ESCAPED = '"\\\n\t#{}()%->\' “'
HIDDEN_FORMATS = "\u2028\u2029" + "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))

TITLES: st.SearchStrategy[str] = st.one_of(
    st.lists(st.sampled_from(TITLE_WORDS), min_size=1, max_size=3).map(" ".join),
    st.text(alphabet=st.one_of(st.sampled_from(ESCAPED), st.sampled_from(VIETNAMESE),
                               # The parser refuses invisible characters in a file (PAR102): controls,
                               # line separators and bidirectional overrides never reach a title.
                               st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"),
                                             exclude_characters=HIDDEN_FORMATS)),
            max_size=12),
    st.just(""),
).map(lambda t: unicodedata.normalize("NFC", t))

NAMES: st.SearchStrategy[str] = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("abcdhkmnpqstvxyđươ"), st.text(alphabet="aeiou_0123456789ghnđươ", max_size=7),
).filter(lambda n: n not in KEYWORDS)
ASCII_NAMES: st.SearchStrategy[str] = st.builds(  # a NAME that is also a NODE_ID: a component's id
    lambda first, rest: first + rest, st.sampled_from("abcdhkmnpqstvxy"), st.text(alphabet="aeiou019", max_size=6),
).filter(lambda n: n not in KEYWORDS)
NODE_IDS: st.SearchStrategy[str] = st.one_of(  # always with a digit, so never a keyword
    st.lists(st.integers(1, 30), min_size=1, max_size=3).map(lambda xs: ".".join(map(str, xs))),
    st.builds(lambda letter, number, sep, tail: f"{letter}{number}" + (f"{sep}{tail}" if tail else ""),
              st.sampled_from("ABSPTX"), st.integers(0, 99), st.sampled_from("._-"),
              st.text(alphabet="0123abc", max_size=2)),
)
NUMBERS: st.SearchStrategy[Decimal] = st.builds(  # a NUMBER as the lexer reads it: 12, 0.5, 1.250
    lambda whole, frac: D(f"{whole}.{frac}") if frac else D(whole),
    st.integers(0, 2000), st.text(alphabet="0123456789", max_size=3),
)
SIGNED: st.SearchStrategy[Decimal] = st.builds(lambda n, neg: -n if neg else n, NUMBERS, st.booleans())


def titles() -> st.SearchStrategy[str]:
    """NFC text as a decision writes it, plus the characters a formatter must escape."""
    return TITLES


def names() -> st.SearchStrategy[str]:
    """A NAME (`[^\\W\\d]\\w*`) that is not a keyword, sometimes with Vietnamese letters."""
    return NAMES


def node_ids() -> st.SearchStrategy[str]:
    return NODE_IDS


# ---- family 1: any model the builder can produce ----------------------------------------------

COMPARE_OPS: tuple[m.CompareOp, ...] = ("=", "!=", "<", "<=", ">", ">=")
BINARY_OPS: tuple[m.BinaryOp, ...] = ("+", "-", "*", "/")


def _compare(data: tuple[list[m.Expr], list[m.CompareOp]]) -> m.Compare:
    operands, ops = data
    return m.Compare(tuple(operands), tuple(ops[: len(operands) - 1]))


def _extend(inner: st.SearchStrategy[m.Expr]) -> st.SearchStrategy[m.Expr]:
    return st.one_of(
        st.builds(m.Neg, inner),
        st.builds(m.Not, inner),
        st.builds(m.Binary, st.sampled_from(BINARY_OPS), inner, inner),
        st.builds(m.Call, st.sampled_from(("min", "max")), st.lists(inner, min_size=1, max_size=3).map(tuple)),
        st.tuples(st.lists(inner, min_size=2, max_size=3),
                  st.lists(st.sampled_from(COMPARE_OPS), min_size=2, max_size=2)).map(_compare),
        st.builds(m.And, inner, inner),
        st.builds(m.Or, inner, inner),
    )


# Any expression tree the parser can give (types unchecked): precedence is the formatter's job.
EXPRESSIONS: st.SearchStrategy[m.Expr] = st.recursive(
    st.one_of(
        st.builds(m.Num, NUMBERS),
        st.builds(m.Pct, NUMBERS),
        st.builds(m.Bool, st.booleans()),
        st.builds(m.Ref, NAMES),
        st.just(m.NodeMax()),
    ),
    _extend,
    max_leaves=8,
)


def expressions() -> st.SearchStrategy[m.Expr]:
    return EXPRESSIONS


VALUE_TYPES: st.SearchStrategy[m.ValueType] = st.one_of(
    st.sampled_from((m.YesNo(), m.Percent(), m.Count(), m.Number(), m.Points())),
    st.lists(st.builds(m.ChoiceOption, NAMES, st.none() | TITLES), min_size=1, max_size=3)
    .map(lambda os: m.Choice(tuple(os))),
)
LITERALS: st.SearchStrategy[m.Value] = st.one_of(st.booleans(), NAMES, SIGNED)
RANGES: st.SearchStrategy[tuple[Decimal | None, Decimal | None]] = st.one_of(
    st.just((None, None)),
    st.tuples(SIGNED, SIGNED),
    # a `range` with one bound that is not a number builds with only the other one
    st.tuples(st.none(), SIGNED),
    st.tuples(SIGNED, st.none()),
)


def _declaration(draw: st.DrawFn, kind: Literal["attribute", "input"]) -> m.Declaration:
    low, high = draw(RANGES)
    return m.Declaration(
        name=draw(NAMES), type=draw(VALUE_TYPES), kind=kind, title=draw(st.none() | TITLES),
        default=draw(st.none() | LITERALS), low=low, high=high, at_most=draw(st.none() | NAMES),
    )


OUTCOMES: st.SearchStrategy[m.Outcome] = st.one_of(
    st.builds(m.Outcome, EXPRESSIONS),
    st.builds(lambda p: m.Outcome(None, p), st.just("") | NAMES),
)
DEDUCTIONS: st.SearchStrategy[m.DeductPer | m.DeductIf] = st.one_of(
    st.builds(m.DeductPer, NUMBERS, NAMES), st.builds(m.DeductIf, NUMBERS, EXPRESSIONS))
RULES_BUT_GIVEN: st.SearchStrategy[m.Rule] = st.one_of(
    st.builds(m.Steps, NAMES,
              st.lists(st.builds(m.Step, st.booleans() | NAMES, OUTCOMES), min_size=1, max_size=3).map(tuple),
              st.none() | OUTCOMES),
    st.builds(m.Table, st.lists(st.builds(m.Branch, EXPRESSIONS, OUTCOMES), min_size=1, max_size=3).map(tuple),
              st.none() | OUTCOMES),
    st.builds(m.Proportional, NAMES, st.none() | NUMBERS),
    st.builds(lambda name, below, full, of, fallback, zero: m.Proportional(
        name, below, full, tuple(of), fallback if of else None, zero),
        NAMES, st.none() | NUMBERS, st.none() | NUMBERS, st.lists(NAMES, max_size=3, unique=True),
        st.none() | NAMES,
        st.none() | st.builds(m.IfZero, st.sampled_from(("full", "not_applicable"))) | st.builds(
            m.IfZero, st.just("points"), NUMBERS)),
    st.builds(m.Deduct, st.lists(DEDUCTIONS, min_size=1, max_size=3).map(tuple), st.none() | SIGNED),
    st.builds(m.FullUnless, st.lists(EXPRESSIONS, min_size=1, max_size=3).map(tuple)),
    st.builds(m.Formula, EXPRESSIONS),
)


def _rule(draw: st.DrawFn, owner: str) -> m.Rule:
    """Any rule; a `given` reads its own column (a bare `given`) or a named input."""
    if _chance(draw, 7):
        return m.Given(owner if draw(st.booleans()) else draw(NAMES))
    return draw(RULES_BUT_GIVEN)


NODE_KINDS: tuple[m.NodeKind, ...] = ("field", "criterion", "sub", "part")
PROVENANCE: st.SearchStrategy[m.Provenance] = st.builds(
    lambda source, note, follows, other: m.Provenance(source, note, follows, other if follows else None),
    st.none() | TITLES, st.none() | TITLES, st.none() | st.sampled_from(("text", "practice")), TITLES,
).filter(lambda p: (p.source, p.note, p.follows) != (None, None, None))  # nothing said builds to no provenance


def _node(draw: st.DrawFn, depth: int, kind: m.NodeKind) -> m.Node:
    node_id = draw(NAMES) if kind == "component" else draw(NODE_IDS)
    children: tuple[m.Node, ...] = ()
    rule: m.Rule | None = None
    if depth >= 2 or draw(st.booleans()):
        rule = _rule(draw, node_id)
    else:
        children = tuple(_node(draw, depth + 1, _pick(draw, NODE_KINDS)) for _ in range(draw(st.integers(1, 3))))
    return m.Node(
        id=node_id, kind=kind, title=draw(TITLES), max=draw(NUMBERS),
        min=D(0) if draw(st.booleans()) else draw(SIGNED), applies=draw(st.none() | EXPRESSIONS),
        capped=draw(st.booleans()), children=children, rule=rule, provenance=draw(st.none() | PROVENANCE),
    )


ROUNDING_MODES: tuple[m.RoundingMode, ...] = ("half-up", "half-even", "truncate")
# 0 to 6 decimals: the builder reports any other number (PAR111) and keeps no rounding for that line.
ROUNDINGS: st.SearchStrategy[m.Rounding | None] = st.none() | st.builds(
    m.Rounding, st.integers(0, 6), st.sampled_from(ROUNDING_MODES))


def _rounding_settings(draw: st.DrawFn) -> m.RoundingSettings:
    leaves, points, index, average = (draw(ROUNDINGS) for _ in range(4))
    any_line = any(line is not None for line in (leaves, points, index, average))
    return m.RoundingSettings(
        leaves, points, index, average,
        index_from_rounded_points=any_line and draw(st.booleans()),
        average_of_unrounded=any_line and draw(st.booleans()),
    )


def _class_band(draw: st.DrawFn) -> m.ClassBand:
    lower = draw(st.none() | NUMBERS)
    upper = draw(st.none() | NUMBERS)
    return m.ClassBand(draw(TITLES), lower, True if lower is None else draw(st.booleans()),
                       upper, False if upper is None else draw(st.booleans()))


def _implicit_inputs(components: tuple[m.Node, ...], extras: tuple[m.Extra, ...],
                     declared: tuple[m.Declaration, ...]) -> tuple[m.Declaration, ...]:
    """What the builder declares for a bare `given` (a points input named after its node)."""
    seen = {d.name for d in declared}
    out: list[m.Declaration] = []
    leaves: list[tuple[str, m.Rule, Decimal, Decimal]] = []
    for component in components:
        leaves += [(n.id, n.rule, n.min, n.max) for n in component.walk() if n.rule is not None]
    leaves += [(x.id, x.rule, D(0), x.cap) for x in extras]
    extra_ids = {x.id for x in extras}
    for node_id, rule, low, high in leaves:
        if isinstance(rule, m.Given) and rule.input == node_id and node_id not in seen:
            seen.add(node_id)
            # a bonus or penalty the data does not mention was not awarded: it defaults to 0
            default = D(0) if node_id in extra_ids else None
            out.append(m.Declaration(node_id, m.Points(), "input", None, default, low, high, implicit=True))
    return tuple(out)


def _extra(draw: st.DrawFn) -> m.Extra:
    extra_id = draw(NODE_IDS)
    kind: Literal["bonus", "penalty"] = _pick(draw, ("bonus", "penalty"))
    return m.Extra(extra_id, kind, draw(TITLES), draw(NUMBERS), _rule(draw, extra_id),
                   kind == "bonus" and draw(st.booleans()))


def _few(draw: st.DrawFn, most: int) -> range:
    return range(draw(st.integers(0, most)))


@st.composite
def models(draw: st.DrawFn) -> m.Model:
    """Any model the builder can produce from some `.par` text (checked or not)."""
    meta = m.Meta(
        title=draw(TITLES), authority=draw(st.none() | TITLES),
        year=draw(st.none() | st.integers(0, 3000)), level=draw(st.none() | NAMES),
        scale=draw(st.none() | NUMBERS),
        expect=tuple(m.ExpectedCount(_pick(draw, ("fields", "criteria", "subcriteria", "parts")),
                                     draw(st.integers(0, 200))) for _ in _few(draw, 3)),
        unit_max_from_data=draw(st.booleans()),
    )
    components = tuple(_node(draw, 0, "component") for _ in _few(draw, 3))
    extras = tuple(_extra(draw) for _ in _few(draw, 2))
    declared = tuple(_declaration(draw, "input") for _ in _few(draw, 3))
    grouping: m.Grouping | None = None
    if _chance(draw, 3):
        grouping = m.Grouping(True)
    elif draw(st.booleans()):
        grouping = m.Grouping(False, tuple(m.GroupRule(draw(TITLES), draw(st.none() | EXPRESSIONS))
                                           for _ in _few(draw, 3)))
    ranking: m.Ranking | None = None
    if draw(st.booleans()):
        keys = tuple(m.RankKey(_pick(draw, ("index", "total")) if draw(st.booleans()) else draw(NAMES),
                               draw(st.booleans())) for _ in range(draw(st.integers(1, 3))))
        ranking = m.Ranking(draw(st.booleans()), keys, _pick(draw, ("share", "dense")))
    return m.Model(
        meta=meta,
        attributes=tuple(_declaration(draw, "attribute") for _ in _few(draw, 3)),
        inputs=declared + _implicit_inputs(components, extras, declared),
        stages=tuple(m.Stage(draw(NAMES), draw(st.none() | TITLES), draw(st.booleans())) for _ in _few(draw, 3)),
        components=components,
        exclusions=tuple(m.Exclusion(draw(NODE_IDS | ASCII_NAMES), draw(TITLES)) for _ in _few(draw, 2)),
        extras=extras,
        rounding=_rounding_settings(draw),
        # An empty `classes { }` builds to no table at all: every table drawn has a band.
        classes=tuple(m.ClassTable(tuple(_class_band(draw) for _ in range(draw(st.integers(1, 3)))),
                                   draw(st.none() | TITLES), _pick(draw, ("index", "points")))
                      for _ in _few(draw, 2)),
        grouping=grouping,
        ranking=ranking,
    )


# ---- family 2: rulesets the engine scores, with matching units --------------------------------

InputKind = Literal["yesno", "choice", "percent", "count", "points"]


@dataclass(frozen=True)
class InputSpec:
    """How to draw one data column, and the value that earns full marks."""

    name: str
    kind: InputKind
    full: bool | str | Decimal
    choices: tuple[str, ...] = ()
    high: Decimal | None = None  # points: the largest value
    at_most: str | None = None  # counts: never above this other count


@dataclass(frozen=True)
class Scenario:
    model: m.Model
    inputs: tuple[InputSpec, ...]
    attributes: tuple[str, ...]
    protected: frozenset[str] = field(default_factory=frozenset)  # ids that always apply (keep max > 0)

    def node(self, node_id: str) -> m.Node:
        return next(n for n in self.model.nodes() if n.id == node_id)

    def ancestors(self, node_id: str) -> list[str]:
        """The ids above `node_id`, nearest first."""
        def path(node: m.Node, trail: list[str]) -> list[str] | None:
            if node.id == node_id:
                return trail
            for child in node.children:
                found = path(child, [node.id, *trail])
                if found is not None:
                    return found
            return None

        for component in self.model.components:
            found = path(component, [])
            if found is not None:
                return found
        raise KeyError(node_id)


COMPONENT_NAMES = ["tham_dinh", "dieu_tra", "can_bo", "nguoi_dan", "khac"]
INPUT_BASES = ["ke_hoach", "ty_le", "bao_cao", "vi_pham", "diem", "phat_hien", "hai_long", "kiem_tra"]
CHOICE_NAMES = ["dung_han", "cham", "khong_ban_hanh", "mot_phan"]
CHOICE_TITLES = {"dung_han": "Đúng hạn", "cham": "Chậm", "khong_ban_hanh": "Không ban hành", "mot_phan": "Một phần"}
ATTRIBUTE_NAMES = ["co_mot_cua", "co_don_vi_su_nghiep", "soan_thao_vbqppl"]
CLASS_LABELS = ["Xuất sắc", "Tốt", "Khá", "Trung bình"]
REASONS = ["không tổ chức điều tra DCCI", "Bộ chưa công bố", "không áp dụng năm 2020"]
NODE_TITLES = ["Công tác chỉ đạo, điều hành", "Xây dựng và tổ chức thực hiện văn bản QPPL", "Cải cách TTHC",
               "Cải cách tổ chức bộ máy", "Tiêu chí thành phần", "Mức độ hài lòng của người dân",
               "Cán bộ, công chức", "Tài chính công", "Chính quyền số"]


class _Counter:
    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value


@dataclass
class _Draft:
    counter: _Counter = field(default_factory=_Counter)
    inputs: list[m.Declaration] = field(default_factory=list)
    specs: list[InputSpec] = field(default_factory=list)

    def name(self, draw: st.DrawFn) -> str:
        return f"{_pick(draw, INPUT_BASES)}_{self.counter.next()}"

    def declare(self, decl: m.Declaration, spec: InputSpec) -> None:
        self.inputs.append(decl)
        self.specs.append(spec)


def _num(value: Decimal) -> m.Expr:
    """A constant as the builder reads it: `-1` is the negation of 1."""
    return m.Neg(m.Num(-value)) if value < 0 else m.Num(value)


LEAF_KINDS = ("choice", "yesno", "bands", "proportional", "deduct", "given", "full_unless", "zero_case", "formula")


def _leaf_rule(draw: st.DrawFn, draft: _Draft, node_id: str, top: Decimal) -> tuple[m.Rule, Decimal]:
    """A leaf's rule and its `min`; the rule can earn exactly `top` (the leaf's max) and never more."""
    kind = _pick(draw, LEAF_KINDS)
    top_cents = int(top * 100)
    low = D(0)
    if kind in ("choice", "yesno"):
        worst = -_cents(draw, 25, 100) if _chance(draw, 4) else _cents(draw, 0, top_cents)
        low = min(D(0), worst)
        name = draft.name(draw)
        if kind == "choice":
            options = list(CHOICE_NAMES[: draw(st.integers(2, len(CHOICE_NAMES)))])
            values = [top, *[_cents(draw, 0, top_cents) for _ in options[2:]], worst]
            order = draw(st.permutations(range(len(options))))
            steps = [m.Step(options[i], m.Outcome(_num(values[i]))) for i in order]
            otherwise = None
            if draw(st.booleans()) and steps[-1].key != options[0]:
                otherwise, steps = steps[-1].outcome, steps[:-1]
            with_titles = draw(st.booleans())
            draft.declare(
                m.Declaration(name, m.Choice(tuple(m.ChoiceOption(o, CHOICE_TITLES[o] if with_titles else None)
                                                   for o in options)), "input", "Ban hành kế hoạch"),
                InputSpec(name, "choice", options[0], choices=tuple(options)))
            return m.Steps(name, tuple(steps), otherwise), low
        best = draw(st.booleans())
        steps = [m.Step(best, m.Outcome(_num(top))), m.Step(not best, m.Outcome(_num(worst)))]
        if draw(st.booleans()):
            steps.reverse()
        draft.declare(m.Declaration(name, m.YesNo(), "input"), InputSpec(name, "yesno", best))
        return m.Steps(name, tuple(steps)), low
    if kind == "bands":
        return _bands(draw, draft, top), low
    if kind == "proportional":
        name = draft.name(draw)
        draft.declare(m.Declaration(name, m.Percent(), "input", "Tỷ lệ"), InputSpec(name, "percent", HUNDRED))
        return m.Proportional(name, _cents(draw, 100, 9900) if draw(st.booleans()) else None), low
    if kind == "formula":
        name = draft.name(draw)
        draft.declare(m.Declaration(name, m.Percent(), "input"), InputSpec(name, "percent", HUNDRED))
        return m.Formula(m.Binary("*", m.NodeMax(), m.Binary("/", m.Ref(name), m.Num(HUNDRED)))), low
    if kind == "deduct":
        deductions: list[m.DeductPer | m.DeductIf] = []
        for _ in range(draw(st.integers(1, 2))):
            name = draft.name(draw)
            draft.declare(m.Declaration(name, m.Count(), "input", "Số báo cáo chậm"), InputSpec(name, "count", D(0)))
            deductions.append(m.DeductPer(_cents(draw, 1, 100), name))
        if draw(st.booleans()):
            name = draft.name(draw)
            draft.declare(m.Declaration(name, m.YesNo(), "input"), InputSpec(name, "yesno", False))
            deductions.append(m.DeductIf(_cents(draw, 1, 200), m.Ref(name)))
        floor = _cents(draw, 0, top_cents - 1) if draw(st.booleans()) else None
        return m.Deduct(tuple(deductions), floor), low
    if kind == "given":
        if draw(st.booleans()):
            draft.specs.append(InputSpec(node_id, "points", top, high=top))  # declared by the builder
            return m.Given(node_id), low
        name = draft.name(draw)
        draft.declare(m.Declaration(name, m.Points(), "input", "Điểm hội đồng chấm", low=D(0), high=top),
                      InputSpec(name, "points", top, high=top))
        return m.Given(name), low
    if kind == "full_unless":
        flag, events = draft.name(draw), draft.name(draw)
        draft.declare(m.Declaration(flag, m.YesNo(), "input"), InputSpec(flag, "yesno", False))
        draft.declare(m.Declaration(events, m.Count(), "input"), InputSpec(events, "count", D(0)))
        return m.FullUnless((m.Ref(flag), m.Compare((m.Ref(events), m.Num(D(0))), (">",)))), low
    # zero_case: (b/a)·max + (c/a)·max/2, capped; a = 0 is a case the author decides
    found, closed, partial = draft.name(draw), draft.name(draw), draft.name(draw)
    zero_full = draw(st.booleans())
    full_found = draw(st.integers(0 if zero_full else 1, 20))
    draft.declare(m.Declaration(found, m.Count(), "input", "Số vấn đề phát hiện"),
                  InputSpec(found, "count", D(full_found)))
    draft.declare(m.Declaration(closed, m.Count(), "input", at_most=found),
                  InputSpec(closed, "count", D(full_found), at_most=found))
    draft.declare(m.Declaration(partial, m.Count(), "input", at_most=found),
                  InputSpec(partial, "count", D(0), at_most=found))
    share = m.Binary("+", m.Binary("*", m.Binary("/", m.Ref(closed), m.Ref(found)), m.NodeMax()),
                     m.Binary("*", m.Binary("/", m.Ref(partial), m.Ref(found)),
                              m.Binary("/", m.NodeMax(), m.Num(D(2)))))
    zero = m.Outcome(m.NodeMax() if zero_full else m.Num(D(0)))
    return m.Table((m.Branch(m.Compare((m.Ref(found), m.Num(D(0))), ("=",)), zero),),
                   m.Outcome(m.Call("min", (m.NodeMax(), share)))), low


def _cuts(draw: st.DrawFn) -> list[Decimal]:
    """1–3 distinct thresholds in (0, 100), some whole, some with decimals."""
    count = draw(st.integers(1, 3))
    return sorted({D(draw(st.integers(1, 99))) if draw(st.booleans()) else _cents(draw, 1, 9999)
                   for _ in range(count)})


def _bands(draw: st.DrawFn, draft: _Draft, top: Decimal) -> m.Table:
    """Percent bands that cover 0–100 without overlap; the top band earns `top` (or is proportional)."""
    name = draft.name(draw)
    draft.declare(m.Declaration(name, m.Percent(), "input", "Tỷ lệ hồ sơ đúng hạn"),
                  InputSpec(name, "percent", HUNDRED))
    cuts = _cuts(draw)
    upper_takes = [draw(st.booleans()) for _ in cuts]  # does the cut belong to the band above it?
    rate = m.Ref(name)

    def outcome(best: bool) -> m.Outcome:
        if _chance(draw, 4):
            return m.Outcome(None, _pick(draw, ("", name)))
        return m.Outcome(m.Num(top if best else _cents(draw, 0, int(top * 100))))

    branches = [m.Branch(m.Compare((rate, m.Pct(cuts[-1])), (">=" if upper_takes[-1] else ">",)), outcome(True))]
    for i in range(len(cuts) - 1):
        low_op: m.CompareOp = "<=" if upper_takes[i] else "<"
        high_op: m.CompareOp = "<" if upper_takes[i + 1] else "<="
        branches.append(m.Branch(m.Compare((m.Pct(cuts[i]), rate, m.Pct(cuts[i + 1])), (low_op, high_op)),
                                 outcome(False)))
    bottom = outcome(False)
    order = draw(st.permutations(range(len(branches))))
    ordered = tuple(branches[i] for i in order)
    if draw(st.booleans()):
        return m.Table(ordered, bottom)
    last = m.Branch(m.Compare((rate, m.Pct(cuts[0])), ("<" if upper_takes[0] else "<=",)), bottom)
    return m.Table((*ordered, last))


def _tree(draw: st.DrawFn, draft: _Draft, depth: int, kind: m.NodeKind, node_id: str, *,
          attributes: list[str], protected: bool, ids: _Counter) -> m.Node:
    """A node whose max is the sum of its children's (leaves: ≤ 2 decimals)."""
    leaf = depth >= 3 or (depth >= 1 and draw(st.integers(0, depth)) != 0)
    applies: m.Expr | None = None
    if not protected and attributes and _chance(draw, 4):
        attribute: m.Expr = m.Ref(_pick(draw, attributes))
        applies = m.Not(attribute) if draw(st.booleans()) else attribute
    title = _pick(draw, NODE_TITLES)
    if leaf:
        top = _cents(draw, 25, 1000)
        rule, low = _leaf_rule(draw, draft, node_id, top)
        return m.Node(node_id, kind, title, top, low, applies, rule=rule)
    count = draw(st.integers(1, 4))
    child_kind: m.NodeKind = ("criterion", "sub", "part")[depth] if depth else _pick(draw, ("field", "criterion"))
    children = []
    for i in range(count):
        child_id = str(ids.next()) if depth == 0 else f"{node_id}.{i + 1}"
        children.append(_tree(draw, draft, depth + 1, child_kind, child_id, attributes=attributes,
                              protected=protected and i == 0, ids=ids))
    total = sum((c.max for c in children), D(0))
    return m.Node(node_id, kind, title, total, D(0), applies, children=tuple(children))


def _classes(draw: st.DrawFn) -> m.ClassTable:
    """Bands covering 0–100 (and above) without overlap, best first."""
    cuts = _cuts(draw)
    labels = CLASS_LABELS[-(len(cuts) + 1):]
    inclusive = [draw(st.booleans()) for _ in cuts]  # `from t` above / `below t` under, or `above t` / `to t`
    bands = []
    for i, label in enumerate(labels):
        lower_cut = len(cuts) - i - 1  # the cut under this band (labels run best first)
        upper_cut = lower_cut + 1
        lower = cuts[lower_cut] if lower_cut >= 0 else None
        upper = cuts[upper_cut] if upper_cut < len(cuts) else None
        bands.append(m.ClassBand(
            label,
            lower, inclusive[lower_cut] if lower is not None else True,
            upper, (not inclusive[upper_cut]) if upper is not None else False))
    return m.ClassTable(tuple(bands))


def _rounding(draw: st.DrawFn, low_digits: int) -> m.Rounding | None:
    if draw(st.booleans()):
        return None
    return m.Rounding(draw(st.integers(low_digits, 3)), _pick(draw, ROUNDING_MODES))


@st.composite
def scenarios(draw: st.DrawFn, *, bonus: bool = False, penalty: bool = True, exclusions: bool = True,
              groups: bool = True) -> Scenario:
    """A ruleset the engine scores without complaint, and how to fill in its data.

    Only the first path (first component → first child → …) is protected from `applies if` and
    `exclude`, so every unit keeps a maximum above 0. No node is `capped`: parents are exact sums.
    Classes and a rank line are always there (the checker requires both).
    """
    draft = _Draft()
    attributes = list(ATTRIBUTE_NAMES[: draw(st.integers(0, 2))])
    ids = _Counter()
    component_names = list(draw(st.permutations(COMPONENT_NAMES))[: draw(st.integers(1, 3))])
    components = tuple(_tree(draw, draft, 0, "component", name, attributes=attributes, protected=i == 0, ids=ids)
                       for i, name in enumerate(component_names))
    protected: set[str] = set()
    node = components[0]
    while True:
        protected.add(node.id)
        if not node.children:
            break
        node = node.children[0]
    excluded: list[m.Exclusion] = []
    candidates = [n.id for c in components for n in c.walk() if n.id not in protected]
    if exclusions and candidates:
        for _ in range(draw(st.integers(0, 2))):
            chosen = _pick(draw, candidates)
            if all(e.node_id != chosen for e in excluded):
                excluded.append(m.Exclusion(chosen, _pick(draw, REASONS)))
    extras: list[m.Extra] = []
    if penalty and draw(st.booleans()):
        cap = _cents(draw, 25, 300)
        extras.append(m.Extra("P1", "penalty", "Điểm trừ vi phạm kỷ luật", cap, m.Given("P1")))
        draft.specs.append(InputSpec("P1", "points", D(0), high=cap))
    if bonus and draw(st.booleans()):
        cap = _cents(draw, 25, 300)
        extras.append(m.Extra("B1", "bonus", "Điểm thưởng sáng kiến", cap, m.Given("B1"), draw(st.booleans())))
        draft.specs.append(InputSpec("B1", "points", cap, high=cap))
    # digits ≥ 2 where a rounding could otherwise move a maximum written with 2 decimals
    index, average = _rounding(draw, 0), _rounding(draw, 0)
    rounding = m.RoundingSettings(
        leaves=_rounding(draw, 2), points=_rounding(draw, 2), index=index, average=average,
        index_from_rounded_points=index is not None and draw(st.booleans()),
        average_of_unrounded=average is not None and draw(st.booleans()),
    )
    grouping = None
    if groups and draw(st.booleans()):
        grouping = m.Grouping(False, (m.GroupRule("Nhóm I", m.Compare((m.NodeMax(), m.Ref("full")), ("=",))),
                                      m.GroupRule("Nhóm II")))
    keys = [m.RankKey("index")]
    if draw(st.booleans()):
        keys.append(m.RankKey(_pick(draw, ("total", components[0].id)), draw(st.booleans())))
    ranking = m.Ranking(draw(st.booleans()), tuple(keys), _pick(draw, ("share", "dense")))
    declared = tuple(draft.inputs)
    scale = sum((c.max for c in components), D(0))
    model = m.Model(
        meta=m.Meta("Bộ chỉ số CCHC thử nghiệm", "Sở Nội vụ", draw(st.integers(2018, 2030)),
                    _pick(draw, ("department", "district", "commune")), scale),
        attributes=tuple(m.Declaration(a, m.YesNo(), "attribute", "Có bộ phận một cửa") for a in attributes),
        inputs=declared + _implicit_inputs(components, tuple(extras), declared),
        components=components, exclusions=tuple(excluded), extras=tuple(extras), rounding=rounding,
        classes=(_classes(draw),), grouping=grouping, ranking=ranking,
    )
    return Scenario(model, tuple(draft.specs), tuple(attributes), frozenset(protected))


# ---- units -----------------------------------------------------------------------------------

PLACES = ["Nội vụ", "Tư pháp", "Tài chính", "Xây dựng", "Y tế", "Giáo dục và Đào tạo", "Mường Tè", "Sìn Hồ",
          "Tam Đường", "Phong Thổ", "Than Uyên", "Tân Uyên", "Nậm Nhùn", "Ma Lù Thàng"]
KINDS = ["Sở", "Ban", "UBND huyện", "Phòng", "Văn phòng", "UBND xã"]
_UNIT_NAME = st.builds(lambda k, p, n: f"{k} {p}" + (f" {n}" if n else ""),
                       st.sampled_from(KINDS), st.sampled_from(PLACES), st.integers(0, 3))


def unit_names(min_size: int = 1, max_size: int = 6) -> st.SearchStrategy[list[str]]:
    """Unique Vietnamese unit names (Sở Nội vụ, UBND huyện Sìn Hồ 2, …)."""
    return st.lists(_UNIT_NAME, min_size=min_size, max_size=max_size, unique=True)


def _unit_values(draw: st.DrawFn, scenario: Scenario) -> dict[str, object]:
    values: dict[str, object] = {a: draw(st.booleans()) for a in scenario.attributes}
    for spec in scenario.inputs:
        if spec.kind == "yesno":
            values[spec.name] = draw(st.booleans())
        elif spec.kind == "choice":
            values[spec.name] = _pick(draw, spec.choices)
        elif spec.kind == "percent":
            # Written with `%`: a column of bare values from 0 to 1 is ambiguous (DAT117) and not scored.
            values[spec.name] = plain(D(draw(st.integers(0, 100))) if draw(st.booleans())
                                      else _cents(draw, 0, 10000)) + "%"
        elif spec.kind == "count":
            limit = 20 if spec.at_most is None else int(D(str(values[spec.at_most])))
            values[spec.name] = str(draw(st.integers(0, limit)))
        else:
            assert spec.high is not None
            values[spec.name] = plain(_cents(draw, 0, int(spec.high * 100)))
    return values


@st.composite
def unit_values(draw: st.DrawFn, scenario: Scenario) -> dict[str, object]:
    """One unit's attributes and inputs, every value inside its declared range."""
    return _unit_values(draw, scenario)


@st.composite
def records(draw: st.DrawFn, scenario: Scenario, min_size: int = 1, max_size: int = 6) -> list[dict[str, object]]:
    """Units for a scenario: `{"unit": name, input: value, …}`, with unique Vietnamese names."""
    return [{"unit": name, **_unit_values(draw, scenario)} for name in draw(unit_names(min_size, max_size))]


def full_marks_record(scenario: Scenario, unit: str, attributes: dict[str, bool] | None = None) -> dict[str, object]:
    """The unit that earns every point: best choice, 100 %, no events, given = max, no penalty."""
    record: dict[str, object] = {"unit": unit}
    record.update({a: (attributes or {}).get(a, True) for a in scenario.attributes})
    for spec in scenario.inputs:
        full = plain(spec.full) if isinstance(spec.full, Decimal) else spec.full
        record[spec.name] = full + "%" if spec.kind == "percent" and isinstance(full, str) else full
    return record
