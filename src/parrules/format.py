"""Model → canonical `.par` text (the formatter).

`to_par(model)` writes a ruleset back in one canonical layout: 2-space indentation, one node per
block, top-level sections in a fixed order (ruleset, attributes, inputs, stages, components,
exclusions, bonus/penalty, rounding, classes, groups, rank), rules laid out as a rule author writes
them (a step table on one line, one `when … -> …` line per band), strings escaped, numbers written
exactly as `Decimal` holds them but never with an exponent, and text kept in Unicode NFC.

Guarantees, for every model the builder can produce:

* round-trip: `build_source(to_par(m), …).model == m` (spans are not compared);
* idempotence: `to_par` of the model built from `to_par(m)` is `to_par(m)` again.

What cannot survive: comments (the model has none), `include` lines (the included items are written
in place), blank lines and alignment chosen by the author, and spelling variants the builder
normalises (`≥`, `×`, `→`, a `when` left out, `any (` without `of`). A bare `given` is written for a
leaf that reads the column named after its own id; the builder declares that implicit input again,
so implicit declarations are not written.

A model that no `.par` text could produce (a negative maximum, a component without a body, …)
raises `ValueError` naming what cannot be written, rather than producing text that would build
into something else.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from parrules import model as m

INDENT = "  "

# Expression precedence, loosest first; mirrors `?expr` … `?atom` in grammars/par.lark.
_OR, _AND, _NOT, _COMPARE, _SUM, _PRODUCT, _UNARY, _ATOM = range(8)


def to_par(model: m.Model) -> str:
    """The model as canonical `.par` text, ending with one newline. Comments are not kept."""
    sections: list[list[str]] = [_meta(model.meta)]
    if model.attributes:
        sections.append(_declarations("attributes", model.attributes))
    inputs = tuple(d for d in model.inputs if not d.implicit)
    if inputs:
        sections.append(_declarations("inputs", inputs))
    if model.stages:
        sections.append(_stages(model.stages))
    sections.extend(_node(c, 0) for c in model.components)
    if model.exclusions:
        sections.append([f"exclude {e.node_id} because {_string(e.reason)}" for e in model.exclusions])
    sections.extend(_extra(x) for x in model.extras)
    rounding = _rounding(model.rounding)
    if rounding:
        sections.append(rounding)
    sections.extend(_classes(t) for t in model.classes)
    if model.grouping is not None:
        sections.append(_grouping(model.grouping))
    if model.ranking is not None:
        sections.append([_ranking(model.ranking)])
    text = "\n\n".join("\n".join(lines) for lines in sections) + "\n"
    return unicodedata.normalize("NFC", text)


# ---- lexemes -----------------------------------------------------------------------------------


def _number(value: Decimal, what: str = "a number") -> str:
    """An unsigned NUMBER: plain digits, never an exponent (1E+2 is written 100)."""
    if not value.is_finite():
        raise ValueError(f"{what} is {value}, which cannot be written in a ruleset")
    if value.is_zero():
        value = abs(value)  # -0 equals 0 and there is no way to write it unsigned
    if value < 0:
        raise ValueError(f"{what} is {value}; only a signed position (min, floor, default) can be negative")
    return format(value, "f")


def _signed(value: Decimal, what: str = "a number") -> str:
    """A signed_number: `-` directly before the digits."""
    if value.is_signed():
        return "-" + _number(-value, what)
    return _number(value, what)


def _percent(value: Decimal, what: str = "a percentage") -> str:
    return _number(value, what) + "%"


def _integer(value: int, what: str) -> str:
    if value < 0:
        raise ValueError(f"{what} is {value}; it cannot be negative")
    return str(value)


def _string(text: str) -> str:
    """A quoted STRING. The builder reads `\\n`, `\\t` and `\\<char>` (the char itself)."""
    if "\r" in text:
        raise ValueError(f"text {text!r} has a carriage return, which a ruleset cannot hold")
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t"))
    return f'"{escaped}"'


def _title(title: str | None) -> str:
    return "" if title is None else " " + _string(title)


# ---- metadata, declarations, stages ------------------------------------------------------------


def _meta(meta: m.Meta) -> list[str]:
    body: list[str] = []
    if meta.authority is not None:
        body.append(f"authority {_string(meta.authority)}")
    if meta.year is not None:
        body.append(f"year {_integer(meta.year, 'the year')}")
    if meta.level is not None:
        body.append(f"level {meta.level}")
    if meta.scale is not None:
        body.append(f"scale {_number(meta.scale, 'the scale')}")
    if meta.expect:
        counts = ", ".join(f"{_integer(e.count, 'an expected count')} {e.kind}" for e in meta.expect)
        body.append(f"expect {counts}")
    if meta.unit_max_from_data:
        body.append("unit max from data")
    if meta.decision is not None:
        body.append(f"decision {_string(meta.decision)}")
    if meta.dated is not None:
        body.append(f"dated {_string(meta.dated.isoformat())}")
    if meta.place is not None:
        body.append(f"place {_string(meta.place)}")
    if meta.signer is not None:
        body.append(" ".join(["signed", *(_string(line) for line in meta.signature), "by", _string(meta.signer)]))
    return _block(f"ruleset {_string(meta.title)}", body)


def _block(head: str, body: Iterable[str], depth: int = 0) -> list[str]:
    pad = INDENT * depth
    lines = [pad + INDENT + line for line in body]
    if not lines:
        return [f"{pad}{head} {{ }}"]
    return [f"{pad}{head} {{", *lines, pad + "}"]


def _declarations(keyword: str, declarations: tuple[m.Declaration, ...]) -> list[str]:
    width = max(len(d.name) for d in declarations)
    return _block(keyword, (_declaration(d, width) for d in declarations))


def _declaration(decl: m.Declaration, width: int) -> str:
    parts = [decl.name.ljust(width), _type(decl.type)]
    if decl.title is not None:
        parts.append(_string(decl.title))
    # A percent's numbers carry `%`: a bare 0.95 beside a percent could be a fraction or 0.95 %.
    sign = "%" if isinstance(decl.type, m.Percent) else ""
    if decl.default is not None:
        written = _literal(decl.default)
        parts.append(f"default {written}{sign if isinstance(decl.default, Decimal) else ''}")
    if decl.low is not None or decl.high is not None:
        # One bound that is not a number is what a broken `range` builds; `no` builds it again.
        low = "no" if decl.low is None else _signed(decl.low, f"the range of {decl.name}") + sign
        high = "no" if decl.high is None else _signed(decl.high, f"the range of {decl.name}") + sign
        parts.append(f"range {low} to {high}")
    if decl.at_most is not None:
        parts.append(f"at most {decl.at_most}")
    return " ".join(parts)


def _type(kind: m.ValueType) -> str:
    if isinstance(kind, m.YesNo):
        return "yes/no"
    if isinstance(kind, m.Choice):
        if not kind.options:
            raise ValueError("a choice type needs at least one option")
        return "one of (" + ", ".join(o.name + _title(o.title) for o in kind.options) + ")"
    if isinstance(kind, m.Percent):
        return "percent"
    if isinstance(kind, m.Count):
        return "count"
    if isinstance(kind, m.Number):
        return "number"
    return "points"


def _literal(value: m.Value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return _signed(value, "a default")
    return value  # a choice name


def _stages(stages: tuple[m.Stage, ...]) -> list[str]:
    return _block("stages", (s.name + _title(s.title) + (" official" if s.official else "") for s in stages))


# ---- the tree and its rules --------------------------------------------------------------------


def _node(node: m.Node, depth: int) -> list[str]:
    head = [node.kind, node.id, _string(node.title), "max", _number(node.max, f"the maximum of {node.id}")]
    if node.min != 0:
        head += ["min", _signed(node.min, f"the minimum of {node.id}")]
    if node.applies is not None:
        head += ["applies if", expr(node.applies)]
    if node.capped:
        head.append("capped")
    provenance = node.provenance
    if provenance is not None:
        if provenance.source is not None:
            head += ["source", _string(provenance.source)]
        if provenance.note is not None:
            head += ["note", _string(provenance.note)]
        if provenance.follows is not None:
            head += ["follows", provenance.follows, _string(provenance.other or "")]
    header = " ".join(head)
    if node.rule is not None:
        if node.children:
            raise ValueError(f"{node.kind} {node.id} has both children and a rule")
        return _rule_block(header, node.rule, node.id, depth)
    if not node.children:
        raise ValueError(f"{node.kind} {node.id} has neither children nor a rule")
    pad = INDENT * depth
    lines = [f"{pad}{header} {{"]
    for child in node.children:
        lines.extend(_node(child, depth + 1))
    lines.append(pad + "}")
    return lines


def _rule_block(header: str, rule: m.Rule, owner: str, depth: int) -> list[str]:
    """A leaf: `{ rule }` on the header's line, or one line per band for a table."""
    pad = INDENT * depth
    if isinstance(rule, m.Table):
        return _block(header, _table(rule), depth)
    return [f"{pad}{header} {{ {rule_text(rule, owner)} }}"]


def _table(table: m.Table) -> list[str]:
    if not table.branches:
        raise ValueError("a table needs at least one `when` line")
    lines = [f"when {expr(b.condition)} -> {_outcome(b.outcome)}" for b in table.branches]
    if table.otherwise is not None:
        lines.append(f"otherwise -> {_outcome(table.otherwise)}")
    return lines


def rule_text(rule: m.Rule, owner: str) -> str:
    """One rule as text on one line (a table's lines joined by two spaces). `owner`: the node's id."""
    if isinstance(rule, m.Steps):
        if not rule.steps:
            raise ValueError(f"the steps on {rule.input} need at least one step")
        parts = [f"{_step_key(s.key)} -> {_outcome(s.outcome)}" for s in rule.steps]
        if rule.otherwise is not None:
            parts.append(f"otherwise -> {_outcome(rule.otherwise)}")
        return f"{rule.input}: " + ", ".join(parts)
    if isinstance(rule, m.Table):
        return "  ".join(_table(rule))
    if isinstance(rule, m.Proportional):
        return _proportional(rule)
    if isinstance(rule, m.Deduct):
        if not rule.deductions:
            raise ValueError("`deduct` needs at least one deduction")
        items = []
        for d in rule.deductions:
            if isinstance(d, m.DeductPer):
                items.append(f"{_number(d.amount, 'a deduction')} per {d.input}")
            else:
                items.append(f"{_number(d.amount, 'a deduction')} if {expr(d.condition)}")
        tail = "" if rule.floor is None else f" floor {_signed(rule.floor, 'the floor')}"
        return "deduct " + ", ".join(items) + tail
    if isinstance(rule, m.Given):
        return "given" if rule.input == owner else f"given {rule.input}"
    if isinstance(rule, m.FullUnless):
        if not rule.conditions:
            raise ValueError("`full unless` needs at least one condition")
        return "full unless any of (" + ", ".join(expr(c) for c in rule.conditions) + ")"
    return expr(rule.expr)


def _step_key(key: str | bool) -> str:
    if isinstance(key, bool):
        return "yes" if key else "no"
    return key


def _outcome(outcome: m.Outcome) -> str:
    if outcome.expr is not None:
        return expr(outcome.expr)
    if outcome.proportional is None:
        raise ValueError("an outcome needs an expression or `proportional`")
    return "proportional" + (f" {outcome.proportional}" if outcome.proportional else "")


# ---- expressions -------------------------------------------------------------------------------


def expr(e: m.Expr) -> str:
    """An expression or condition with the fewest parentheses that parse back to the same tree."""
    return _wrapped(e, _OR)


def _wrapped(e: m.Expr, loosest: int) -> str:
    text, level = _expr(e)
    return f"({text})" if level < loosest else text


def _expr(e: m.Expr) -> tuple[str, int]:
    if isinstance(e, m.Or):
        return f"{_wrapped(e.left, _OR)} or {_wrapped(e.right, _AND)}", _OR
    if isinstance(e, m.And):
        return f"{_wrapped(e.left, _AND)} and {_wrapped(e.right, _NOT)}", _AND
    if isinstance(e, m.Not):
        return f"not {_wrapped(e.operand, _NOT)}", _NOT
    if isinstance(e, m.Compare):
        if len(e.operands) != len(e.ops) + 1 or not e.ops:
            raise ValueError("a comparison needs one more operand than operators")
        text = _wrapped(e.operands[0], _SUM)
        for op, operand in zip(e.ops, e.operands[1:], strict=True):
            text += f" {op} {_wrapped(operand, _SUM)}"
        return text, _COMPARE
    if isinstance(e, m.Binary):
        if e.op in ("+", "-"):
            return f"{_wrapped(e.left, _SUM)} {e.op} {_wrapped(e.right, _PRODUCT)}", _SUM
        return f"{_wrapped(e.left, _PRODUCT)} {e.op} {_wrapped(e.right, _UNARY)}", _PRODUCT
    if isinstance(e, m.Neg):
        return "-" + _wrapped(e.operand, _UNARY), _UNARY
    if isinstance(e, m.Num):
        # A negative literal does not exist in the language: `-1` is the negation of 1.
        return _number(e.value), _ATOM
    if isinstance(e, m.Pct):
        return _percent(e.value), _ATOM
    if isinstance(e, m.Bool):
        return ("yes" if e.value else "no"), _ATOM
    if isinstance(e, m.Ref):
        return e.name, _ATOM
    if isinstance(e, m.NodeMax):
        return "max", _ATOM
    if not e.args:
        raise ValueError(f"{e.function}(…) needs at least one argument")
    return f"{e.function}(" + ", ".join(expr(a) for a in e.args) + ")", _ATOM


# ---- bonus, penalty and settings ---------------------------------------------------------------


def _extra(extra: m.Extra) -> list[str]:
    if extra.in_scale and extra.kind == "penalty":
        raise ValueError(f"penalty {extra.id} cannot count in the scale")
    head = f"{extra.kind} {extra.id} {_string(extra.title)} up to {_number(extra.cap, f'the cap of {extra.id}')}"
    if extra.in_scale:
        head += " counts in scale"
    return _rule_block(head, extra.rule, extra.id, 0)


_STAGES = ("leaves", "points", "index", "average")
_OPTIONS = {"index": "from rounded points", "average": "of unrounded indices"}


def _rounding(settings: m.RoundingSettings) -> list[str]:
    lines: list[tuple[str, m.Rounding, str | None]] = []
    for stage in _STAGES:
        rounding: m.Rounding | None = getattr(settings, stage)
        if rounding is not None:
            lines.append((stage, rounding, None))
    wanted = [stage for stage, on in (("index", settings.index_from_rounded_points),
                                      ("average", settings.average_of_unrounded)) if on]
    for stage in wanted:
        # On its own line when that stage is rounded; otherwise the builder took the option from another
        # line (a misplaced option, reported when built), so put it on another line again.
        spot = next((i for i, (s, _, o) in enumerate(lines) if s == stage), None)
        if spot is None:
            spot = next((i for i, (_, _, o) in enumerate(lines) if o is None), None)
        if spot is not None and lines[spot][2] is None:
            stage_name, rounding, _ = lines[spot]
            lines[spot] = (stage_name, rounding, _OPTIONS[stage])
        elif lines:
            stage_name, rounding, _ = lines[-1]
            lines.append((stage_name, rounding, _OPTIONS[stage]))  # the same line again: same settings
        else:
            raise ValueError(f"`{_OPTIONS[stage]}` needs a rounding line to stand on")
    if not lines:
        return []
    body = []
    for stage, rounding, option in lines:
        line = f"{stage} {_integer(rounding.digits, 'the number of decimals')} decimals {rounding.mode}"
        body.append(line + (f" {option}" if option else ""))
    return _block("rounding", body)


def _proportional(rule: m.Proportional) -> str:
    parts = ["proportional", rule.input]
    if rule.denominator:
        names = rule.denominator
        parts += ["of", names[0] if len(names) == 1 else f"max({', '.join(names)})"]
        if rule.fallback is not None:
            parts += ["or", rule.fallback]
    if rule.zero_below is not None:
        parts.append(f"zero below {_percent(rule.zero_below)}")
    if rule.full_from is not None:
        parts.append(f"full from {_percent(rule.full_from)}")
    policy = rule.if_zero
    if policy is not None:
        gives = {"full": "full", "not_applicable": "not applicable"}.get(policy.kind) or _number(policy.points)
        parts.append(f"if zero -> {gives}")
    return " ".join(parts)


def _classes(table: m.ClassTable) -> list[str]:
    head = "classes" + (f" by {table.basis}" if table.said or table.basis != "index" else "")
    if table.group is not None:
        head += f" for {_string(table.group)}"
    points = table.basis == "points"
    return _block(head, (_band(b, points) for b in table.bands))


def _band(band: m.ClassBand, points: bool = False) -> str:
    def bound(value: Decimal) -> str:
        return _number(value, "a class bound") if points else _percent(value, "a class bound")

    parts = [_string(band.label)]
    if band.lower is not None:
        parts.append(("from " if band.lower_inclusive else "above ") + bound(band.lower))
    elif not band.lower_inclusive:
        raise ValueError(f"class {band.label!r} has an exclusive lower bound but no value")
    if band.upper is not None:
        parts.append(("to " if band.upper_inclusive else "below ") + bound(band.upper))
    elif band.upper_inclusive:
        raise ValueError(f"class {band.label!r} has an inclusive upper bound but no value")
    return " ".join(parts)


def _grouping(grouping: m.Grouping) -> list[str]:
    if grouping.from_data:
        if grouping.rules:
            raise ValueError("groups from data cannot also have group rules")
        return ["groups from data"]
    lines = []
    for rule in grouping.rules:
        tail = "otherwise" if rule.condition is None else f"when {expr(rule.condition)}"
        lines.append(f"{_string(rule.name)} {tail}")
    return _block("groups", lines)


def _ranking(ranking: m.Ranking) -> str:
    if not ranking.keys:
        raise ValueError("a ranking needs at least one key")
    scope = "within group" if ranking.within_group else "overall"
    keys = " then ".join(f"{k.field} {'desc' if k.descending else 'asc'}" for k in ranking.keys)
    ties = " ties dense" if ranking.ties == "dense" else ""
    return f"rank {scope} by {keys}{ties}"


# ---- pieces, for the comparison of two rulesets (`parrules diff`) ----------------------------------


def declaration_text(decl: m.Declaration) -> str:
    """A declaration's line, without alignment: `plan_done percent "Tỷ lệ …" range 0% to 100%`."""
    return _declaration(decl, 0)


def band_text(band: m.ClassBand, points: bool = False) -> str:
    """A class line: `"Tốt" from 80%` (or `"Tốt" from 15` in `classes by points`)."""
    return _band(band, points)


def rounding_lines(settings: m.RoundingSettings) -> list[str]:
    """The lines of the `rounding` block, without the block."""
    return [line.strip() for line in _rounding(settings)[1:-1]]


def grouping_lines(grouping: m.Grouping) -> list[str]:
    """The lines of the `groups` block (or `groups from data`), without the block."""
    lines = _grouping(grouping)
    return lines if grouping.from_data else [line.strip() for line in lines[1:-1]]


def ranking_text(ranking: m.Ranking) -> str:
    return _ranking(ranking)


def number_text(value: Decimal) -> str:
    """A number as the ruleset writes it: plain digits, a `-` before the digits when negative."""
    return _signed(value)


def table_lines(table: m.Table) -> list[str]:
    """A table rule's lines: one `when … -> …` per band, then `otherwise -> …`."""
    return _table(table)


def step_text(key: str | bool, outcome: m.Outcome) -> tuple[str, str]:
    """A step's key and outcome as written: (`late`, `0.5`)."""
    return _step_key(key), _outcome(outcome)


def outcome_text(outcome: m.Outcome) -> str:
    return _outcome(outcome)
