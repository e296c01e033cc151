"""What every check shares: the diagnostics sink, the leaves to look at, and words for messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from decimal import Decimal

from attrs import frozen

from parrules import model as m
from parrules.diagnostics import Diagnostic, error, warning
from parrules.i18n import _
from parrules.vocabulary import node as node_words

INF = Decimal("Infinity")
SUGGESTION_BUDGET = 100_000  # names compared, over all the "did you mean" questions of one check
# Lines of one table (or classes) reported in detail as overlapping an earlier line — finding which
# one takes a scan; beyond this, one message says how many more there are, so a table of thousands
# stays quick.
DETAILED_OVERLAPS = 20


@frozen
class Leaf:
    """Something that scores with a rule: a tree leaf, or a bonus/penalty (bounded by 0 and its cap)."""

    label: str  # how messages name it: "sub-criterion 1.1", "bonus B"
    id: str
    max: Decimal
    min: Decimal
    rule: m.Rule
    span: m.Span
    extra: m.Extra | None = None


class Context:
    """The model being checked, what earlier checks learnt about it, and the diagnostics found."""

    def __init__(self, model: m.Model) -> None:
        self.model = model
        self.found: list[Diagnostic] = []
        # First declaration of each name wins; later ones are reported as duplicates.
        self.declared: dict[str, m.Declaration] = {}
        for decl in (*model.attributes, *model.inputs):
            self.declared.setdefault(decl.name, decl)
        self.used: set[str] = set()
        self.suggested: set[str] = set()  # names offered as "did you mean"
        # Rules with an unknown name or a type error: later analyses skip them (no cascades).
        self.unsound: set[int] = set()
        self.nodes: list[m.Node] = model.nodes()
        self.leaves: list[Leaf] = [
            Leaf(node_words(n.kind, n.id), n.id, n.max, n.min, n.rule, n.span)
            for n in self.nodes if n.rule is not None
        ]
        self.leaves += [Leaf(node_words(x.kind, x.id), x.id, x.cap, Decimal(0), x.rule, x.span, x)
                        for x in model.extras]
        self.node_ids = frozenset(n.id for n in self.nodes)
        # Each choice's options, once: which input a bare name such as `on_time` belongs to.
        self.options: dict[str, str] = {}
        for decl in self.declared.values():
            if isinstance(decl.type, m.Choice):
                for option in decl.type.names():
                    self.options.setdefault(option, decl.name)
        self._suggestions: dict[tuple[str, int], str | None] = {}
        self._suggestion_work = 0  # names compared so far

    def suggest(self, name: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
        """A close spelling among `candidates` ("did you mean"), remembered per question.

        A huge ruleset full of unknown names must not make `check` quadratic: once
        `SUGGESTION_BUDGET` names have been compared, the checker stops offering spellings.
        """
        if self._suggestion_work >= SUGGESTION_BUDGET:
            return None
        pool = tuple(sorted(set(candidates)))
        key = (name, hash(pool))
        if key not in self._suggestions:
            self._suggestion_work += len(pool)
            self._suggestions[key] = suggest(name, pool, cutoff)
        return self._suggestions[key]

    def error(self, code: str, message: str, hint: str, span: m.Span) -> None:
        self.found.append(error(code, message, hint, span))

    def warning(self, code: str, message: str, hint: str, span: m.Span) -> None:
        self.found.append(warning(code, message, hint, span))

    def sound(self, rule: m.Rule) -> bool:
        return id(rule) not in self.unsound

    def sound_expr(self, expr: m.Expr) -> bool:
        return id(expr) not in self.unsound

    def anchor(self) -> m.Span:
        """Where a problem of the whole ruleset is shown: the ruleset's title."""
        if self.model.meta.span.line > 0:
            return self.model.meta.span
        for component in self.model.components:
            return component.span
        return self.model.meta.span

    def numeric(self, name: str) -> m.Declaration | None:
        decl = self.declared.get(name)
        return decl if decl is not None and isinstance(decl.type, m.NUMERIC_TYPES) else None


# ---- words -------------------------------------------------------------------------------------


def num(value: Decimal) -> str:
    """A number as a rule author writes it: 2, 0.5, -1 (never 2.00 or 1E+1)."""
    if value.is_infinite():
        return "∞" if value > 0 else "-∞"
    text = f"{value.normalize():f}"
    return "0" if text == "-0" else text


def suggest(name: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    found = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=cutoff)
    return found[0] if found else None


def type_words(decl: m.Declaration) -> str:
    """What a declaration holds, as a message says it: "a percent", "a choice (on_time, late)"."""
    kind = decl.type
    if isinstance(kind, m.YesNo):
        return _("a yes/no")
    if isinstance(kind, m.Choice):
        return _("a choice ({choices})").format(choices=", ".join(kind.names()))
    if isinstance(kind, m.Percent):
        return _("a percent")
    if isinstance(kind, m.Count):
        return _("a count")
    if isinstance(kind, m.Points):
        return _("points")
    return _("a number")


# ---- expressions as text -----------------------------------------------------------------------

_LEVEL = {"or": 1, "and": 2, "not": 3, "compare": 4, "+": 5, "-": 5, "*": 6, "/": 6, "neg": 7}


def _level(expr: m.Expr) -> int:
    if isinstance(expr, m.Or):
        return 1
    if isinstance(expr, m.And):
        return 2
    if isinstance(expr, m.Not):
        return 3
    if isinstance(expr, m.Compare):
        return 4
    if isinstance(expr, m.Binary):
        return _LEVEL[expr.op]
    if isinstance(expr, m.Neg):
        return 7
    return 8


def show(expr: m.Expr) -> str:
    """An expression written back as `.par` text, with only the brackets it needs."""
    if isinstance(expr, m.Num):
        return num(expr.value)
    if isinstance(expr, m.Pct):
        return num(expr.value) + "%"
    if isinstance(expr, m.Bool):
        return "yes" if expr.value else "no"
    if isinstance(expr, m.Ref):
        return expr.name
    if isinstance(expr, m.NodeMax):
        return "max"
    if isinstance(expr, m.Call):
        return f"{expr.function}(" + ", ".join(show(a) for a in expr.args) + ")"
    if isinstance(expr, m.Neg):
        return "-" + _wrap(expr.operand, 7)
    if isinstance(expr, m.Not):
        return "not " + _wrap(expr.operand, 3)
    if isinstance(expr, m.And | m.Or):
        word, level = ("and", 2) if isinstance(expr, m.And) else ("or", 1)
        return f"{_wrap(expr.left, level)} {word} {_wrap(expr.right, level + 1)}"
    if isinstance(expr, m.Binary):
        level = _LEVEL[expr.op]
        return f"{_wrap(expr.left, level)} {expr.op} {_wrap(expr.right, level + 1)}"
    parts = [_wrap(expr.operands[0], 5)]
    for op, operand in zip(expr.ops, expr.operands[1:], strict=True):
        parts += [op, _wrap(operand, 5)]
    return " ".join(parts)


def _wrap(expr: m.Expr, level: int) -> str:
    text = show(expr)
    return f"({text})" if _level(expr) < level else text


# ---- walking rules -----------------------------------------------------------------------------


def subexpressions(expr: m.Expr) -> Iterator[m.Expr]:
    """The expression and everything inside it, outermost first."""
    yield expr
    if isinstance(expr, m.Neg | m.Not):
        yield from subexpressions(expr.operand)
    elif isinstance(expr, m.Binary | m.And | m.Or):
        yield from subexpressions(expr.left)
        yield from subexpressions(expr.right)
    elif isinstance(expr, m.Call):
        for arg in expr.args:
            yield from subexpressions(arg)
    elif isinstance(expr, m.Compare):
        for operand in expr.operands:
            yield from subexpressions(operand)
