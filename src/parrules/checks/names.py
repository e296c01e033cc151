"""Names and types: declarations that hold together, and expressions typed where they are used.

PAR201 a name declared twice, PAR205 a name that is a word of the language, PAR220 unknown name,
PAR222 type mismatch, PAR223 a name where it has no meaning (an input in `applies if`), PAR224 a
declaration that contradicts itself (a default outside its range), PAR260 two official stages.
`Typer` is used by `rules.py`, which walks every rule, `applies if` and group condition.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Literal

import attrs
from attrs import frozen

from parrules import model as m
from parrules import vocabulary as words
from parrules.checks.common import Context, num, show, type_words
from parrules.checks.sets import NumSet, domain_of
from parrules.grammar import keywords, near_keyword
from parrules.i18n import _

Scope = Literal["rule", "applies", "group"]
BUILTINS = ("full", "scale")


@frozen
class Ty:
    """An expression's type: num (with what it counts), bool, choice (of which input), option, bad."""

    kind: Literal["num", "bool", "choice", "option", "bad"]
    detail: str = ""  # num: percent|count|number|points|const|pct|computed; choice: input name; option: name
    expr: m.Expr | None = None

    def detail_words(self) -> str:
        return {"count": _("a count"), "number": _("a number"), "points": _("points")}.get(self.detail, _("a number"))


BAD = Ty("bad")


def check_keyword_names(ctx: Context) -> None:
    """A name that is a word of the language reads as that word in some places (`max`, `yes`, `when`)."""
    named: list[tuple[str, str, m.Span]] = []
    for decl in (*ctx.model.attributes, *ctx.model.inputs):
        if not decl.implicit:
            named.append((decl.name, _("an attribute") if decl.kind == "attribute" else _("an input"), decl.span))
            if isinstance(decl.type, m.Choice):
                named += [(o, _("a choice of `{name}`").format(name=decl.name), decl.span) for o in decl.type.names()]
    named += [(s.name, _("a stage"), s.span) for s in ctx.model.stages]
    named += [(c.id, _("a component"), c.span) for c in ctx.model.components]
    for name, what, span in named:
        if name in keywords():
            ctx.error("PAR205", _("`{name}` is a word of the language, so it cannot name {what}").format(
                          name=name, what=what),
                      _("choose another name: the language's own words (max, total, when, …) cannot name things"),
                      span)


def check_declarations(ctx: Context) -> None:
    seen: dict[str, m.Declaration] = {}
    for decl in (*ctx.model.attributes, *ctx.model.inputs):
        first = seen.get(decl.name)
        if first is not None and not decl.implicit:
            # In an extension the first declaration may be the framework's: name its file then.
            message = (_("`{name}` is declared twice (first at line {line})") if first.span.file == decl.span.file
                       else _("`{name}` is declared twice (first in {file}, line {line})"))
            ctx.error("PAR201", message.format(name=decl.name, line=first.span.line, file=first.span.file),
                      _("keep one declaration, or rename one of them"), decl.span)
            continue
        seen[decl.name] = decl
        _check_declaration(ctx, decl)
    options: dict[str, str] = {}
    for decl in ctx.declared.values():
        if isinstance(decl.type, m.Choice):
            for name in decl.type.names():
                if name in ctx.declared:
                    other = words.kind(ctx.declared[name].kind)
                    ctx.error("PAR201", _("`{name}` is both a choice of `{owner}` and an {kind}").format(
                                  name=name, owner=decl.name, kind=other),
                              _("rename the choice or the {kind}: a rule could not tell them apart").format(kind=other),
                              decl.span)
                options.setdefault(name, decl.name)
    stages: dict[str, m.Stage] = {}
    for stage in ctx.model.stages:
        if stage.name in stages:
            ctx.error("PAR201", _("stage `{name}` is declared twice").format(name=stage.name), _("keep one"),
                      stage.span)
        stages.setdefault(stage.name, stage)
    official = [s for s in ctx.model.stages if s.official]
    for stage in official[1:]:
        ctx.error("PAR260", _("stage `{name}` is marked `official`, and so is `{other}`").format(
                      name=stage.name, other=official[0].name),
                  _("only one stage is official (the one that is scored); remove the other `official`"), stage.span)


def _check_declaration(ctx: Context, decl: m.Declaration) -> None:
    kind = decl.type
    if isinstance(kind, m.Choice):
        names = kind.names()
        for i, name in enumerate(names):
            if name in names[:i]:
                ctx.error("PAR201", _("`{name}` lists the choice `{choice}` twice").format(name=decl.name, choice=name),
                          _("list each choice once"), decl.span)
    numeric = isinstance(kind, m.NUMERIC_TYPES)
    if (decl.low is not None or decl.high is not None) and not numeric:
        ctx.error("PAR224", _("`{name}` is {type}, so it cannot have a range").format(
                      name=decl.name, type=type_words(decl)),
                  _("remove `range …`; ranges are for percent, count, number and points"), decl.span)
    if decl.low is not None and decl.high is not None and decl.low > decl.high:
        ctx.error("PAR224", _("the range of `{name}` starts at {low}, above its end {high}").format(
                      name=decl.name, low=num(decl.low), high=num(decl.high)),
                  _("write the smaller number first: `range {high} to {low}`").format(
                      high=num(decl.high), low=num(decl.low)), decl.span)
    if isinstance(kind, m.Percent):
        _check_percent_numbers(ctx, decl)
    if isinstance(kind, m.Percent) and ((decl.low is not None and decl.low < 0)
                                        or (decl.high is not None and decl.high > 100)):
        ctx.warning("PAR224", _("the range of percent `{name}` goes beyond 0–100").format(name=decl.name),
                    _("percentages are written in percent units (85 means 85 %); check the range"), decl.span)
    if decl.default is not None:
        _check_default(ctx, decl)
    if decl.at_most is not None:
        other = ctx.declared.get(decl.at_most)
        if other is None:
            near = ctx.suggest(decl.at_most, ctx.declared)
            hint = _("did you mean `{name}`?").format(name=near) if near else _("name another input declared here")
            ctx.error("PAR220", _("`at most {name}`: `{name}` is not declared").format(name=decl.at_most), hint,
                      decl.span)
        elif other.name == decl.name or not numeric or not isinstance(other.type, m.NUMERIC_TYPES):
            ctx.error("PAR224", _("`{name} … at most {other}` compares {type} with {other_type}").format(
                          name=decl.name, other=other.name, type=type_words(decl),
                          other_type=type_words(other) if other.name != decl.name else _("itself")),
                      _("`at most` names another number of the same unit, e.g. `closed count at most found`"),
                      decl.span)
        else:
            ctx.used.add(other.name)


def percent_hint(value: Decimal) -> str:
    """How to write a bare number beside a percent: with `%`, both readings offered where two exist."""
    shown = num(value)
    if 0 < abs(value) <= 1:
        return _("write `{fraction}%` if {shown} is a fraction of 1, or `{shown}%` if it means {shown} percent").format(
            fraction=num(value * 100), shown=shown)
    return _("write `{shown}%`").format(shown=shown)


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
        message = (_("the default of percent `{name}` is written `{value}`, without `%`") if side == "default" else
                   _("the range of percent `{name}` is written `{value}`, without `%`"))
        ctx.error("PAR224", message.format(name=decl.name, value=num(value)), percent_hint(value), decl.span)
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
        wrong = _("write `default yes` or `default no`")
    elif isinstance(kind, m.Choice) and (not isinstance(value, str) or value not in kind.names()):
        wrong = _("the default must be one of the choices: {choices}").format(choices=", ".join(kind.names()))
    elif isinstance(kind, m.NUMERIC_TYPES):
        if not isinstance(value, Decimal) or isinstance(value, bool):
            wrong = _("write a number, e.g. `default 0`")
        else:
            domain = domain_of(decl)
            universe = domain.universe
            assert isinstance(universe, NumSet)
            hull = NumSet.between(universe.parts[0].lo, universe.parts[-1].hi) if universe.parts else universe
            if not hull.contains(value):
                wrong = _("the default must be {extent}").format(extent=domain.extent())
            elif isinstance(kind, m.Count) and value != value.to_integral_value():
                wrong = _("a count is a whole number")
    if wrong is not None:
        shown = ("yes" if value else "no") if isinstance(value, bool) else (
            num(value) if isinstance(value, Decimal) else str(value))
        ctx.error("PAR224", _("the default `{value}` does not fit `{name}`, which is {type}").format(
                      value=shown, name=decl.name, type=type_words(decl)), wrong, decl.span)


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
            self.error("PAR222", _("`{expr}` is a number, but a condition is needed here").format(expr=show(expr)),
                       _("compare it with something, e.g. `{expr} > 0`").format(expr=show(expr)), expr.span)
        elif t.kind == "choice":
            decl = self.ctx.declared[t.detail]
            assert isinstance(decl.type, m.Choice)
            self.error("PAR222", _("`{name}` is a choice, but a condition is needed here").format(name=t.detail),
                       _("compare it with one of its choices, e.g. `{name} = {choice}`").format(
                           name=t.detail, choice=decl.type.names()[0]), expr.span)

    def value(self, expr: m.Expr) -> Ty:
        t = self.settle(self.infer(expr))
        if t.kind == "bool":
            self.error("PAR222", _("`{expr}` is a yes/no condition, but points are needed here").format(
                           expr=show(expr)),
                       _("give a number of points; to score a condition, use `when … -> points`"), expr.span)
            return BAD
        if t.kind == "choice":
            self.error("PAR222", _("`{expr}` is a choice, but points are needed here").format(expr=show(expr)),
                       _("give points per choice: `{expr}: a -> 1, b -> 0`").format(expr=show(expr)), expr.span)
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
            self.error("PAR220", _("`{name}` is a choice of `{owner}`, not an input").format(name=name, owner=owner),
                       _("compare the input with it: `{owner} = {name}`").format(owner=owner, name=name), ref.span)
            return
        if name in self.ctx.node_ids:
            self.error("PAR220", _("`{name}` is a node of the tree; a rule cannot read another node's points").format(
                           name=name),
                       _("score this node from inputs; the tree adds children's points by itself"), ref.span)
            return
        near = self.ctx.suggest(name, itertools.chain(self.ctx.declared, BUILTINS if self.scope == "group" else ()))
        if near:
            self.ctx.suggested.add(near)
        keyword = near_keyword(name) if near is None else None
        if near:
            hint = _("did you mean `{name}`?").format(name=near)
        elif keyword:
            hint = _("did you mean the word `{word}` of the language?").format(word=keyword)
        else:
            hint = _("declare it in `inputs { … }` (or `attributes { … }`), or check the spelling")
        self.error("PAR220", _("`{name}` is not a declared input or attribute").format(name=name), hint, ref.span)

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
                message = (_("`{name}` has no meaning in `applies if`; it is the ruleset's scale, for group rules")
                           if self.scope == "applies" else
                           _("`{name}` has no meaning in a scoring rule; it is the ruleset's scale, for group rules"))
                self.error("PAR223", message.format(name=expr.name), _("use it only in `groups { … }`"), expr.span)
                return BAD
            return Ty("option", expr.name, expr)
        self.ctx.used.add(decl.name)
        if decl.kind == "input" and self.scope != "rule":
            message = (_("`{name}` is an input (evidence to score); `applies if` may only use the unit's attributes")
                       if self.scope == "applies" else
                       _("`{name}` is an input (evidence to score); a group rule may only use the unit's attributes"))
            self.error("PAR223", message.format(name=decl.name),
                       _("declare `{name}` under `attributes {{ … }}` if it describes the unit").format(name=decl.name),
                       expr.span)
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
            message = (_("`{expr}` is a yes/no; it cannot be used in arithmetic") if t.kind == "bool" else
                       _("`{expr}` is a choice; it cannot be used in arithmetic"))
            hint = _("only numbers (percent, count, number, points) can be added, multiplied or divided")
            if isinstance(expr, m.Ref):
                keys = "yes -> …, no -> …" if t.kind == "bool" else "a -> …, b -> …"
                hint = _("give points per value with steps: `{name}: {keys}`").format(name=expr.name, keys=keys)
            self.error("PAR222", message.format(expr=show(expr)), hint, expr.span)
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
        kinds = {"num": _("a number"), "bool": _("a yes/no"), "choice": _("a choice")}
        if a.kind == b.kind == "bool":
            self.error("PAR222", _("yes/no values cannot be ordered"), _("compare with `=` or `!=`"), whole.span)
        elif a.kind == b.kind == "choice":
            self.error("PAR222", _("two choices cannot be compared with each other"),
                       _("compare each input with one of its own choices"), whole.span)
        else:
            self.error("PAR222", _("`{expr}` compares {left} with {right}").format(
                           expr=show(whole), left=kinds[a.kind], right=kinds[b.kind]),
                       _("compare a yes/no with yes or no, a choice with one of its choices, a number with a number"),
                       whole.span)

    def choice_value(self, choice: Ty, op: str, option: Ty) -> None:
        decl = self.ctx.declared[choice.detail]
        assert isinstance(decl.type, m.Choice) and isinstance(option.expr, m.Ref)
        names = decl.type.names()
        if option.detail not in names:
            near = self.ctx.suggest(option.detail, names)
            self.error("PAR222", _("`{option}` is not one of the choices of `{name}` ({choices})").format(
                           option=option.detail, name=decl.name, choices=", ".join(names)),
                       _("did you mean `{name}`?").format(name=near) if near else
                       _("use one of: {choices}").format(choices=", ".join(names)), option.expr.span)
        elif op not in ("=", "!="):
            assert option.expr is not None
            self.error("PAR222", _("the choices of `{name}` have no order, so `{op}` cannot compare them").format(
                           name=decl.name, op=op),
                       _("compare with `=` or `!=`, or list the outcomes per choice"), option.expr.span)

    def units(self, a: Ty, b: Ty, whole: m.Compare) -> None:
        percent = {"percent", "pct"}
        plain = {"count", "number", "points"}
        if {a.detail, b.detail} == {"percent", "const"}:
            p, q = (a, b) if a.detail == "percent" else (b, a)
            assert p.expr is not None and q.expr is not None
            if isinstance(q.expr, m.NodeMax):
                self.error("PAR222", _("`{expr}` compares the percent `{percent}` with `max`, the node's maximum in "
                                       "points").format(expr=show(whole), percent=show(p.expr)),
                           _("compare a percent with a percentage such as 80%"), q.expr.span)
            elif isinstance(q.expr, m.Num) and q.expr.value != 0:  # 0 and 0% are the same
                message = _("`{expr}` compares the percent `{percent}` with the bare number `{number}`")
                self.error("PAR222", message.format(expr=show(whole), percent=show(p.expr), number=show(q.expr)),
                           percent_hint(q.expr.value), q.expr.span)
            return
        if (a.detail in percent and b.detail in plain) or (a.detail in plain and b.detail in percent):
            p, q = (a, b) if a.detail in percent else (b, a)
            assert p.expr is not None and q.expr is not None
            if p.detail == "pct":
                self.error("PAR222", _("`{expr}` is {kind}, but `{percent}` is a percentage").format(
                               expr=show(q.expr), kind=q.detail_words(), percent=show(p.expr)),
                           _("write the number without `%`: `{number}`").format(number=num(_value(p.expr))),
                           p.expr.span)
            else:
                self.error("PAR222", _("`{expr}` compares a percent (`{percent}`) with {kind} (`{other}`)").format(
                               expr=show(whole), percent=show(p.expr), kind=q.detail_words(), other=show(q.expr)),
                           _("compare a percent with a percentage such as 80%, or compute a rate first"),
                           whole.span)


def _value(expr: m.Expr) -> Decimal:
    return expr.value if isinstance(expr, m.Num | m.Pct) else Decimal(0)
