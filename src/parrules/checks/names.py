"""Names and types: declarations that hold together, and expressions typed where they are used.

PAR201 a name declared twice, PAR205 a name that is a word of the language, PAR220 unknown name,
PAR222 type mismatch, PAR223 a name where it has no meaning (an input in `applies if`), PAR224 a
declaration that contradicts itself (a default outside its range), PAR260 two official stages.
`Typer` is used by `rules.py`, which walks every rule, `applies if` and group condition.
"""

from __future__ import annotations

import functools
import itertools
import re
from decimal import Decimal
from typing import Literal

import attrs
from attrs import frozen

from parrules import model as m
from parrules.checks.common import Context, num, show, type_words
from parrules.checks.sets import NumSet, domain_of
from parrules.syntax import grammar_text

Scope = Literal["rule", "applies", "group"]
BUILTINS = ("full", "scale")


@frozen
class Ty:
    """An expression's type: num (with what it counts), bool, choice (of which input), option, bad."""

    kind: Literal["num", "bool", "choice", "option", "bad"]
    detail: str = ""  # num: percent|count|number|points|const|pct|computed; choice: input name; option: name
    expr: m.Expr | None = None

    def detail_words(self) -> str:
        return {"count": "a count", "number": "a number", "points": "points"}.get(self.detail, "a number")


BAD = Ty("bad")


@functools.cache
def keywords() -> frozenset[str]:
    """The words of the language (`max`, `when`, `otherwise`, …), read from the grammar itself."""
    return frozenset(re.findall(r'"([a-z]+)"', grammar_text()))


def check_keyword_names(ctx: Context) -> None:
    """A name that is a word of the language reads as that word in some places (`max`, `yes`, `when`)."""
    named: list[tuple[str, str, m.Span]] = []
    for decl in (*ctx.model.attributes, *ctx.model.inputs):
        if not decl.implicit:
            named.append((decl.name, f"an {decl.kind}", decl.span))
            if isinstance(decl.type, m.Choice):
                named += [(o, f"a choice of `{decl.name}`", decl.span) for o in decl.type.names()]
    named += [(s.name, "a stage", s.span) for s in ctx.model.stages]
    named += [(c.id, "a component", c.span) for c in ctx.model.components]
    for name, what, span in named:
        if name in keywords():
            ctx.error("PAR205", f"`{name}` is a word of the language, so it cannot name {what}",
                      "choose another name: the language's own words (max, total, when, …) cannot name things",
                      span)


def check_declarations(ctx: Context) -> None:
    seen: dict[str, m.Declaration] = {}
    for decl in (*ctx.model.attributes, *ctx.model.inputs):
        first = seen.get(decl.name)
        if first is not None and not decl.implicit:
            ctx.error("PAR201", f"`{decl.name}` is declared twice (first at line {first.span.line})",
                      "keep one declaration, or rename one of them", decl.span)
            continue
        seen[decl.name] = decl
        _check_declaration(ctx, decl)
    options: dict[str, str] = {}
    for decl in ctx.declared.values():
        if isinstance(decl.type, m.Choice):
            for name in decl.type.names():
                if name in ctx.declared:
                    ctx.error("PAR201", f"`{name}` is both a choice of `{decl.name}` and an {ctx.declared[name].kind}",
                              f"rename the choice or the {ctx.declared[name].kind}: a rule could not tell them apart",
                              decl.span)
                options.setdefault(name, decl.name)
    stages: dict[str, m.Stage] = {}
    for stage in ctx.model.stages:
        if stage.name in stages:
            ctx.error("PAR201", f"stage `{stage.name}` is declared twice", "keep one", stage.span)
        stages.setdefault(stage.name, stage)
    official = [s for s in ctx.model.stages if s.official]
    for stage in official[1:]:
        ctx.error("PAR260", f"stage `{stage.name}` is marked `official`, and so is `{official[0].name}`",
                  "only one stage is official (the one that is scored); remove the other `official`", stage.span)


def _check_declaration(ctx: Context, decl: m.Declaration) -> None:
    kind = decl.type
    if isinstance(kind, m.Choice):
        names = kind.names()
        for i, name in enumerate(names):
            if name in names[:i]:
                ctx.error("PAR201", f"`{decl.name}` lists the choice `{name}` twice",
                          "list each choice once", decl.span)
    numeric = isinstance(kind, m.NUMERIC_TYPES)
    if (decl.low is not None or decl.high is not None) and not numeric:
        ctx.error("PAR224", f"`{decl.name}` is {type_words(decl)}, so it cannot have a range",
                  "remove `range …`; ranges are for percent, count, number and points", decl.span)
    if decl.low is not None and decl.high is not None and decl.low > decl.high:
        ctx.error("PAR224", f"the range of `{decl.name}` starts at {num(decl.low)}, above its end {num(decl.high)}",
                  f"write the smaller number first: `range {num(decl.high)} to {num(decl.low)}`", decl.span)
    if isinstance(kind, m.Percent):
        _check_percent_numbers(ctx, decl)
    if isinstance(kind, m.Percent) and ((decl.low is not None and decl.low < 0)
                                        or (decl.high is not None and decl.high > 100)):
        ctx.warning("PAR224", f"the range of percent `{decl.name}` goes beyond 0–100",
                    "percentages are written in percent units (85 means 85 %); check the range", decl.span)
    if decl.default is not None:
        _check_default(ctx, decl)
    if decl.at_most is not None:
        other = ctx.declared.get(decl.at_most)
        if other is None:
            near = ctx.suggest(decl.at_most, ctx.declared)
            hint = f"did you mean `{near}`?" if near else "name another input declared here"
            ctx.error("PAR220", f"`at most {decl.at_most}`: `{decl.at_most}` is not declared", hint, decl.span)
        elif other.name == decl.name or not numeric or not isinstance(other.type, m.NUMERIC_TYPES):
            ctx.error("PAR224", f"`{decl.name} … at most {other.name}` compares {type_words(decl)} "
                      f"with {type_words(other) if other.name != decl.name else 'itself'}",
                      "`at most` names another number of the same unit, e.g. `closed count at most found`",
                      decl.span)
        else:
            ctx.used.add(other.name)


def percent_hint(value: Decimal) -> str:
    """How to write a bare number beside a percent: with `%`, both readings offered where two exist."""
    shown = num(value)
    if 0 < abs(value) <= 1:
        return f"write `{num(value * 100)}%` if {shown} is a fraction of 1, or `{shown}%` if it means {shown} percent"
    return f"write `{shown}%`"


def _check_percent_numbers(ctx: Context, decl: m.Declaration) -> None:
    """A percent's range and default are percentages: `range 0% to 30%`, `default 50%` (0 may stay bare).

    A bare number there is reported once; the analyses after this one then use the percent's usual
    0–100 % instead, so that a `range 0 to 1` meant as fractions does not also make every band above
    1 % "never hold".
    """
    dropped_range = dropped_default = False
    for side in decl.bare:
        value = {"low": decl.low, "high": decl.high, "default": decl.default}[side]
        if not isinstance(value, Decimal) or isinstance(value, bool) or value == 0:
            continue
        what = "the default" if side == "default" else "the range"
        ctx.error("PAR224", f"{what} of percent `{decl.name}` is written `{num(value)}`, without `%`",
                  percent_hint(value), decl.span)
        dropped_default = dropped_default or side == "default"
        dropped_range = dropped_range or side != "default"
    if (dropped_range or dropped_default) and ctx.declared.get(decl.name) is decl:
        ctx.declared[decl.name] = attrs.evolve(
            decl, low=None if dropped_range else decl.low, high=None if dropped_range else decl.high,
            default=None if dropped_default else decl.default)


def _check_default(ctx: Context, decl: m.Declaration) -> None:
    kind, value = decl.type, decl.default
    wrong: str | None = None
    if isinstance(kind, m.YesNo) and not isinstance(value, bool):
        wrong = "write `default yes` or `default no`"
    elif isinstance(kind, m.Choice) and (not isinstance(value, str) or value not in kind.names()):
        wrong = "the default must be one of the choices: " + ", ".join(kind.names())
    elif isinstance(kind, m.NUMERIC_TYPES):
        if not isinstance(value, Decimal) or isinstance(value, bool):
            wrong = "write a number, e.g. `default 0`"
        else:
            domain = domain_of(decl)
            universe = domain.universe
            assert isinstance(universe, NumSet)
            hull = NumSet.between(universe.parts[0].lo, universe.parts[-1].hi) if universe.parts else universe
            if not hull.contains(value):
                wrong = f"the default must be {domain.extent()}"
            elif isinstance(kind, m.Count) and value != value.to_integral_value():
                wrong = "a count is a whole number"
    if wrong is not None:
        shown = ("yes" if value else "no") if isinstance(value, bool) else (
            num(value) if isinstance(value, Decimal) else str(value))
        ctx.error("PAR224", f"the default `{shown}` does not fit `{decl.name}`, which is {type_words(decl)}",
                  wrong, decl.span)


# ---- expressions -------------------------------------------------------------------------------


class Typer:
    """Types expressions in one place (a leaf's rule, an `applies if`, a group rule), reporting problems."""

    def __init__(self, ctx: Context, scope: Scope) -> None:
        self.ctx = ctx
        self.scope = scope
        self.failed = False
        self.options = ctx.options

    def error(self, code: str, message: str, hint: str, span: m.Span) -> None:
        self.failed = True
        self.ctx.error(code, message, hint, span)

    def condition(self, expr: m.Expr) -> None:
        t = self.settle(self.infer(expr))
        if t.kind == "num":
            self.error("PAR222", f"`{show(expr)}` is a number, but a condition is needed here",
                       f"compare it with something, e.g. `{show(expr)} > 0`", expr.span)
        elif t.kind == "choice":
            decl = self.ctx.declared[t.detail]
            assert isinstance(decl.type, m.Choice)
            self.error("PAR222", f"`{t.detail}` is a choice, but a condition is needed here",
                       f"compare it with one of its choices, e.g. `{t.detail} = {decl.type.names()[0]}`",
                       expr.span)

    def value(self, expr: m.Expr) -> Ty:
        t = self.settle(self.infer(expr))
        if t.kind == "bool":
            self.error("PAR222", f"`{show(expr)}` is a yes/no condition, but points are needed here",
                       "give a number of points; to score a condition, use `when … -> points`", expr.span)
            return BAD
        if t.kind == "choice":
            self.error("PAR222", f"`{show(expr)}` is a choice, but points are needed here",
                       f"give points per choice: `{show(expr)}: a -> 1, b -> 0`", expr.span)
            return BAD
        return t

    def settle(self, t: Ty) -> Ty:
        """An unresolved bare name that no choice claimed: unknown."""
        if t.kind == "option":
            assert isinstance(t.expr, m.Ref)
            self.unknown(t.expr)
            return BAD
        return t

    def unknown(self, ref: m.Ref) -> None:
        name = ref.name
        owner = self.options.get(name)
        if owner is not None:
            self.error("PAR220", f"`{name}` is a choice of `{owner}`, not an input",
                       f"compare the input with it: `{owner} = {name}`", ref.span)
            return
        if name in self.ctx.node_ids:
            self.error("PAR220", f"`{name}` is a node of the tree; a rule cannot read another node's points",
                       "score this node from inputs; the tree adds children's points by itself", ref.span)
            return
        near = self.ctx.suggest(name, itertools.chain(self.ctx.declared, BUILTINS if self.scope == "group" else ()))
        if near:
            self.ctx.suggested.add(near)
        hint = (f"did you mean `{near}`?" if near else
                "declare it in `inputs { … }` (or `attributes { … }`), or check the spelling")
        self.error("PAR220", f"`{name}` is not a declared input or attribute", hint, ref.span)

    def infer(self, expr: m.Expr) -> Ty:
        if isinstance(expr, m.Num):
            return Ty("num", "const", expr)
        if isinstance(expr, m.Pct):
            return Ty("num", "pct", expr)
        if isinstance(expr, m.Bool):
            return Ty("bool", "", expr)
        if isinstance(expr, m.NodeMax):
            if self.scope == "applies":
                self.error("PAR223", "`max` has no meaning in `applies if`",
                           "decide applicability from the unit's attributes", expr.span)
                return BAD
            return Ty("num", "const", expr)
        if isinstance(expr, m.Ref):
            return self.ref(expr)
        if isinstance(expr, m.Neg):
            inner = self.number(expr.operand)
            return Ty("num", "computed", expr) if inner.kind == "num" else BAD
        if isinstance(expr, m.Binary):
            left, right = self.number(expr.left), self.number(expr.right)
            return Ty("num", "computed", expr) if left.kind == right.kind == "num" else BAD
        if isinstance(expr, m.Call):
            args = [self.number(a) for a in expr.args]
            return Ty("num", "computed", expr) if all(a.kind == "num" for a in args) else BAD
        if isinstance(expr, m.And | m.Or):
            self.condition(expr.left)
            self.condition(expr.right)
            return Ty("bool", "", expr)
        if isinstance(expr, m.Not):
            self.condition(expr.operand)
            return Ty("bool", "", expr)
        types = [self.infer(o) for o in expr.operands]
        for i, op in enumerate(expr.ops):
            self.compare(types[i], op, types[i + 1], expr)
        return Ty("bool", "", expr)

    def ref(self, expr: m.Ref) -> Ty:
        decl = self.ctx.declared.get(expr.name)
        if decl is None:
            if expr.name in BUILTINS:
                if self.scope == "group":
                    return Ty("num", "const", expr)
                where = "in `applies if`" if self.scope == "applies" else "in a scoring rule"
                self.error("PAR223", f"`{expr.name}` has no meaning {where}; it is the ruleset's scale, "
                           "for group rules", "use it only in `groups { … }`", expr.span)
                return BAD
            return Ty("option", expr.name, expr)
        self.ctx.used.add(decl.name)
        if decl.kind == "input" and self.scope != "rule":
            where = "`applies if`" if self.scope == "applies" else "a group rule"
            self.error("PAR223", f"`{decl.name}` is an input (evidence to score); {where} may only use the "
                       "unit's attributes", f"declare `{decl.name}` under `attributes {{ … }}` if it describes "
                       "the unit", expr.span)
            return BAD
        kind = decl.type
        if isinstance(kind, m.YesNo):
            return Ty("bool", decl.name, expr)
        if isinstance(kind, m.Choice):
            return Ty("choice", decl.name, expr)
        detail = {m.Percent: "percent", m.Count: "count", m.Number: "number", m.Points: "points"}[type(kind)]
        return Ty("num", detail, expr)

    def number(self, expr: m.Expr) -> Ty:
        t = self.settle(self.infer(expr))
        if t.kind in ("bool", "choice"):
            what = "a yes/no" if t.kind == "bool" else "a choice"
            hint = "only numbers (percent, count, number, points) can be added, multiplied or divided"
            if isinstance(expr, m.Ref):
                keys = "yes -> …, no -> …" if t.kind == "bool" else "a -> …, b -> …"
                hint = f"give points per value with steps: `{expr.name}: {keys}`"
            self.error("PAR222", f"`{show(expr)}` is {what}; it cannot be used in arithmetic", hint, expr.span)
            return BAD
        return t

    def compare(self, a: Ty, op: str, b: Ty, whole: m.Compare) -> None:
        if a.kind == "bad" or b.kind == "bad":
            return
        if a.kind == "option" and b.kind == "choice":
            a, b = b, a
        if a.kind == "choice" and b.kind == "option":
            self.choice_value(a, op, b)
            return
        a, b = self.settle(a), self.settle(b)
        if a.kind == "bad" or b.kind == "bad":
            return
        if a.kind == b.kind == "num":
            self.units(a, b, whole)
            return
        if a.kind == b.kind == "bool" and op in ("=", "!="):
            return
        words = {"num": "a number", "bool": "a yes/no", "choice": "a choice"}
        if a.kind == b.kind == "bool":
            self.error("PAR222", "yes/no values cannot be ordered", "compare with `=` or `!=`", whole.span)
        elif a.kind == b.kind == "choice":
            self.error("PAR222", "two choices cannot be compared with each other",
                       "compare each input with one of its own choices", whole.span)
        else:
            self.error("PAR222", f"`{show(whole)}` compares {words[a.kind]} with {words[b.kind]}",
                       "compare a yes/no with yes or no, a choice with one of its choices, a number with a number",
                       whole.span)

    def choice_value(self, choice: Ty, op: str, option: Ty) -> None:
        decl = self.ctx.declared[choice.detail]
        assert isinstance(decl.type, m.Choice) and isinstance(option.expr, m.Ref)
        names = decl.type.names()
        if option.detail not in names:
            near = self.ctx.suggest(option.detail, names)
            self.error("PAR222", f"`{option.detail}` is not one of the choices of `{decl.name}` ({', '.join(names)})",
                       f"did you mean `{near}`?" if near else f"use one of: {', '.join(names)}", option.expr.span)
        elif op not in ("=", "!="):
            assert option.expr is not None
            self.error("PAR222", f"the choices of `{decl.name}` have no order, so `{op}` cannot compare them",
                       "compare with `=` or `!=`, or list the outcomes per choice", option.expr.span)

    def units(self, a: Ty, b: Ty, whole: m.Compare) -> None:
        percent = {"percent", "pct"}
        plain = {"count", "number", "points"}
        if {a.detail, b.detail} == {"percent", "const"}:
            p, q = (a, b) if a.detail == "percent" else (b, a)
            assert p.expr is not None and q.expr is not None
            if isinstance(q.expr, m.NodeMax):
                self.error("PAR222", f"`{show(whole)}` compares the percent `{show(p.expr)}` with `max`, the "
                           "node's maximum in points", "compare a percent with a percentage such as 80%",
                           q.expr.span)
            elif isinstance(q.expr, m.Num) and q.expr.value != 0:  # 0 and 0% are the same
                self.error("PAR222", f"`{show(whole)}` compares the percent `{show(p.expr)}` with the bare number "
                           f"`{show(q.expr)}`", percent_hint(q.expr.value), q.expr.span)
            return
        if (a.detail in percent and b.detail in plain) or (a.detail in plain and b.detail in percent):
            p, q = (a, b) if a.detail in percent else (b, a)
            assert p.expr is not None and q.expr is not None
            if p.detail == "pct":
                self.error("PAR222", f"`{show(q.expr)}` is {q.detail_words()}, but `{show(p.expr)}` is a percentage",
                           f"write the number without `%`: `{num(_value(p.expr))}`", p.expr.span)
            else:
                self.error("PAR222", f"`{show(whole)}` compares a percent (`{show(p.expr)}`) with "
                           f"{q.detail_words()} (`{show(q.expr)}`)",
                           "compare a percent with a percentage such as 80%, or compute a rate first",
                           whole.span)


def _value(expr: m.Expr) -> Decimal:
    return expr.value if isinstance(expr, m.Num | m.Pct) else Decimal(0)
