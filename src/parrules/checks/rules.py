"""Types of every rule, `applies if` and group condition (PAR220–PAR223), then unused names (PAR221).

A rule with any problem here is marked unsound, so the range and band analyses skip it.
"""

from __future__ import annotations

from parrules import model as m
from parrules.checks.common import Context, Leaf, show, subexpressions, type_words
from parrules.checks.names import Typer
from parrules.i18n import _


def check_rules(ctx: Context) -> None:
    for leaf in ctx.leaves:
        typer = Typer(ctx, "rule")
        _RuleTyper(ctx, typer, leaf).run()
        if typer.failed:
            ctx.unsound.add(id(leaf.rule))
    for node in ctx.nodes:
        if node.applies is not None:
            typer = Typer(ctx, "applies")
            typer.condition(node.applies)
            if typer.failed:
                ctx.unsound.add(id(node.applies))
    grouping = ctx.model.grouping
    for rule in grouping.rules if grouping is not None else ():
        if rule.condition is not None:
            typer = Typer(ctx, "group")
            typer.condition(rule.condition)
            if typer.failed:
                ctx.unsound.add(id(rule.condition))


def check_unused(ctx: Context) -> None:
    for decl in ctx.declared.values():
        # A name suggested for a misspelling is not reported as unused as well: one mistake, one message.
        if decl.implicit or decl.name in ctx.used or decl.name in ctx.suggested:
            continue
        if decl.kind == "attribute":
            ctx.warning("PAR221", _("attribute `{name}` is declared but nothing uses it").format(name=decl.name),
                        _("use it in an `applies if` or a group rule, or remove it"), decl.span)
        else:
            ctx.warning("PAR221", _("input `{name}` is declared but no rule reads it").format(name=decl.name),
                        _("score a node with it, or remove it (a data column of that name is then ignored)"),
                        decl.span)


class _RuleTyper:
    def __init__(self, ctx: Context, typer: Typer, leaf: Leaf) -> None:
        self.ctx = ctx
        self.typer = typer
        self.leaf = leaf

    def run(self) -> None:
        rule = self.leaf.rule
        if isinstance(rule, m.Steps):
            self.steps(rule)
        elif isinstance(rule, m.Table):
            for branch in rule.branches:
                self.typer.condition(branch.condition)
                self.outcome(branch.outcome, branch.condition)
            if rule.otherwise is not None:
                self.outcome(rule.otherwise, rule.branches[0].condition if rule.branches else None)
        elif isinstance(rule, m.Proportional) and rule.of_counts:
            self.counts(rule)
        elif isinstance(rule, m.Proportional):
            self.rate(rule.input, rule.span)
            if rule.if_zero is not None:
                self.typer.error("PAR226", _("`if zero` is for a rate of counts, which has a denominator"),
                                 _("write `proportional done of total if zero -> …`, or remove `if zero`"),
                                 rule.if_zero.span)
        elif isinstance(rule, m.Deduct):
            for deduction in rule.deductions:
                if isinstance(deduction, m.DeductPer):
                    self.per(deduction)
                else:
                    self.typer.condition(deduction.condition)
        elif isinstance(rule, m.Given):
            self.given(rule)
        elif isinstance(rule, m.FullUnless):
            for condition in rule.conditions:
                self.typer.condition(condition)
        else:
            self.points(rule.expr)

    def declaration(self, name: str, span: m.Span, wanted: str) -> m.Declaration | None:
        decl = self.ctx.declared.get(name)
        if decl is None:
            near = self.ctx.suggest(name, self.ctx.declared)
            if near:
                self.ctx.suggested.add(near)
            hint = (_("did you mean `{name}`?").format(name=near) if near else
                    _("declare `{name}` in `inputs {{ … }}` as {wanted}").format(name=name, wanted=wanted))
            self.typer.error("PAR220", _("`{name}` is not a declared input or attribute").format(name=name), hint,
                             span)
            return None
        self.ctx.used.add(name)
        return decl

    def steps(self, rule: m.Steps) -> None:
        decl = self.declaration(rule.input, rule.span, _("a yes/no or `one of (…)`"))
        if decl is not None and not isinstance(decl.type, m.YesNo | m.Choice):
            message = _("`{name}` is {type}; steps (`{name}: … -> …`) need a yes/no or a choice")
            self.typer.error("PAR222", message.format(
                                 name=rule.input, type=type_words(decl)),
                             _("for numbers write bands: `when {name} >= … -> …`").format(name=rule.input), rule.span)
        elif decl is not None:
            for step in rule.steps:
                self.step_key(decl, step)
        for step in rule.steps:
            self.outcome(step.outcome, None)
        if rule.otherwise is not None:
            self.outcome(rule.otherwise, None)

    def step_key(self, decl: m.Declaration, step: m.Step) -> None:
        key = step.key
        if isinstance(decl.type, m.YesNo):
            if not isinstance(key, bool):
                message = _("`{name}` is a yes/no, so its steps are `yes` and `no`, not `{key}`")
                self.typer.error("PAR222", message.format(
                                     name=decl.name, key=key),
                                 _("write `{name}: yes -> …, no -> …`").format(name=decl.name), step.span)
            return
        assert isinstance(decl.type, m.Choice)
        names = decl.type.names()
        if isinstance(key, bool) or key not in names:
            shown = ("yes" if key else "no") if isinstance(key, bool) else key
            near = self.ctx.suggest(shown, names)
            self.typer.error("PAR222", _("`{option}` is not one of the choices of `{name}` ({choices})").format(
                                 option=shown, name=decl.name, choices=", ".join(names)),
                             _("did you mean `{name}`?").format(name=near) if near else
                             _("use one of: {choices}").format(choices=", ".join(names)), step.span)

    def outcome(self, outcome: m.Outcome, condition: m.Expr | None) -> None:
        if outcome.expr is not None:
            self.points(outcome.expr)
            return
        if outcome.proportional:
            self.rate(outcome.proportional, outcome.span)
            return
        # A bare `proportional` scales by the one input its line tests (the first line's, for `otherwise`).
        refs = {e.name for e in subexpressions(condition) if isinstance(e, m.Ref)} if condition else set()
        tested = sorted(refs & set(self.ctx.declared))
        if not tested and refs:
            self.typer.failed = True  # the line names something undeclared: PAR220 already says so
            return
        if len(tested) != 1:
            if condition is None:
                message = _("`proportional` alone scales by the percent its line tests, but this is a step")
            elif not tested:
                message = _("`proportional` alone scales by the percent its line tests, but this line tests no input")
            else:
                message = _("`proportional` alone scales by the percent its line tests, but this line tests "
                            "{names}").format(names=", ".join(tested))
            self.typer.error("PAR222", message, _("name the percent: `proportional rate`"), outcome.span)
            return
        self.rate(tested[0], outcome.span)

    def rate(self, name: str, span: m.Span) -> None:
        decl = self.declaration(name, span, _("a percent"))
        if decl is not None and not isinstance(decl.type, m.Percent):
            message = _("`proportional` gives rate × max, but `{name}` is {type}, not a percent")
            self.typer.error("PAR222", message.format(
                                 name=name, type=type_words(decl)),
                             _("use a percent input here, or write a formula with `{name}` (e.g. `min(max, {name} * "
                               "0.5)`)").format(name=name), span)

    def counts(self, rule: m.Proportional) -> None:
        """`proportional done of total`: counts (or numbers), the denominator what the numerator is out of."""
        names = [rule.input, *rule.denominator, *([rule.fallback] if rule.fallback else [])]
        for name in dict.fromkeys(names):
            decl = self.declaration(name, rule.span, _("a count"))
            if decl is not None and not isinstance(decl.type, m.Count | m.Number):
                self.typer.error("PAR222", _("`proportional … of …` divides counts, but `{name}` is {type}").format(
                                     name=name, type=type_words(decl)),
                                 _("declare `{name} count`, or use a percent input with `proportional {name}`").format(
                                     name=name), rule.span)

    def per(self, deduction: m.DeductPer) -> None:
        decl = self.declaration(deduction.input, deduction.span, _("a count"))
        if decl is not None and not isinstance(decl.type, m.Count):
            message = _("`deduct … per {name}` needs a count of events, but `{name}` is {type}")
            self.typer.error("PAR222", message.format(
                                 name=deduction.input, type=type_words(decl)),
                             _("declare `{name} count`, or use `deduct … if <condition>`").format(name=deduction.input),
                             deduction.span)

    def given(self, rule: m.Given) -> None:
        decl = self.declaration(rule.input, rule.span, _("points"))
        if decl is not None and not isinstance(decl.type, m.Points):
            self.typer.error("PAR222", _("`given {name}` reads points, but `{name}` is {type}").format(
                                 name=rule.input, type=type_words(decl)),
                             _("declare `{name} points`, or score it with a rule").format(name=rule.input), rule.span)

    def points(self, expr: m.Expr) -> None:
        t = self.typer.value(expr)
        if t.kind == "num" and isinstance(expr, m.Pct):
            self.typer.error("PAR222", _("an outcome is points, so `{expr}` would give {number} points").format(
                                 expr=show(expr), number=show(expr)[:-1]),
                             _("write the points (e.g. 0.5), or `proportional` for rate × max"), expr.span)
