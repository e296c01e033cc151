"""Parse tree → model. Reports what cannot be built (bad settings, includes) and nothing else:
names, types and sums are the checker's business, so that every problem is found in one pass.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

import attrs
import lark

from parrules import model as m
from parrules.diagnostics import Diagnostic, error
from parrules.figures import iso_date
from parrules.frameworks import merge as merge_framework
from parrules.frameworks import patch as patch_framework
from parrules.gcpause import pausing
from parrules.i18n import N_, _, number
from parrules.limits import (
    MAX_INCLUDE_DEPTH,
    MAX_INCLUDE_NAME,
    MAX_RULESET_BYTES,
    MAX_TOTAL_RULESET_BYTES,
    number_limit_words,
    within_number_limits,
)
from parrules.parsetree import display_path as _display_path
from parrules.parsetree import span as _span
from parrules.parsetree import string as _string
from parrules.parsetree import tokens as _tokens
from parrules.parsetree import trees as _trees
from parrules.safeio import ReadError, describe_read_problem, is_stdin, read_bounded, read_stdin, shown_name, size_text
from parrules.syntax import parse

Tree = lark.Tree[lark.Token]


@attrs.frozen
class BuildResult:
    model: m.Model | None
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, str]


@pausing  # gcpause.py: a parse tree and a model make no cycles to look for
def build_source(text: str, file: str, root: Path | None) -> BuildResult:
    """Parse and build one ruleset. `root` is the folder includes must stay inside (None: no includes)."""
    builder = _Builder(root)
    result = parse(text, file)
    builder.sources[file] = result.text
    builder.total_bytes = len(result.text.encode("utf-8"))
    if result.tree is None:
        return BuildResult(None, result.diagnostics, builder.sources)
    own = str(Path(file).resolve()) if root is not None else file
    items = builder.expand(result.tree, file, (own,))
    items = merge_framework(builder, items, file, (own,))
    # Without its framework an extension is a fragment: what it lacks would only bury the cause.
    if builder.framework_failed or (any(d.is_error for d in builder.diagnostics) and not items):
        return BuildResult(None, tuple(builder.diagnostics), builder.sources)
    model = builder.model(items, file)
    return BuildResult(model, tuple(builder.diagnostics), builder.sources)


class _Builder:
    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.diagnostics: list[Diagnostic] = []
        self.sources: dict[str, str] = {}
        self.file = "<text>"
        self.total_bytes = 0  # of the ruleset and everything included so far
        self.included: dict[str, m.Span] = {}  # each included file, and where it was first included
        self.extended = False  # the main file extends a framework
        self.framework_failed = False  # … which could not be read

    # ---- includes ----------------------------------------------------------------------------

    def expand(self, tree: Tree, file: str, chain: tuple[str, ...]) -> list[tuple[str, Tree]]:
        """Top-level items with the file each came from, includes spliced in place."""
        items: list[tuple[str, Tree]] = []
        for item in _trees(tree):
            if item.data != "include":
                items.append((file, item))
                continue
            token = _tokens(item)[0]
            span = _span(file, token)
            target = self._resolve_include(_string(token), file, span)
            if target is None:
                continue
            key = str(target)
            if key in chain:
                shown = " → ".join(self.shown(k) for k in (*chain, key))
                self.diagnostics.append(error(
                    "PAR122", _("`{name}` makes a cycle of includes: {chain}").format(name=_string(token), chain=shown),
                    _("remove one of the includes that form the cycle"), span))
                continue
            if len(chain) >= MAX_INCLUDE_DEPTH:
                self.diagnostics.append(error(
                    "PAR122", _("includes nested deeper than {max} files").format(max=MAX_INCLUDE_DEPTH),
                    _("include shared fragments directly from the main ruleset"), span))
                continue
            first = self.included.get(key)
            if first is not None:
                # Its nodes and declarations are already in the ruleset; a second copy would only repeat
                # them (and a diamond of includes would double the work at every level).
                self.diagnostics.append(error(
                    "PAR123", _("`{name}` is already included (at {file}:{line})").format(
                        name=_string(token), file=first.file, line=first.line),
                    _("include each file once"), span))
                continue
            self.included[key] = span
            text = self.read_include(target, _string(token), span)
            if text is None:
                continue
            shown = _display_path(target)
            result = parse(text, shown)
            self.sources[shown] = result.text
            self.diagnostics.extend(result.diagnostics)
            if result.tree is not None:
                items.extend(self.expand(result.tree, shown, (*chain, key)))
        return items

    def read_include(self, target: Path, name: str, span: m.Span) -> str | None:
        room = min(MAX_RULESET_BYTES, MAX_TOTAL_RULESET_BYTES - self.total_bytes)
        try:
            data = read_bounded(target, max(room, 0))
        except ReadError as problem:
            if problem.kind == "too_large" and problem.size > MAX_RULESET_BYTES:
                self.diagnostics.append(error(
                    "PAR103", _("included file `{name}` is {size} bytes; a ruleset file may be at most {max}").format(
                        name=name, size=number(problem.size), max=number(MAX_RULESET_BYTES)),
                    _("split it into smaller files"), span))
            elif problem.kind == "too_large":
                self.diagnostics.append(error(
                    "PAR103", _("with `{name}` the ruleset and its includes would be over {max} bytes together").format(
                        name=name, max=number(MAX_TOTAL_RULESET_BYTES)),
                    _("include fewer or smaller files"), span))
            else:
                self.diagnostics.append(error(
                    "PAR121", _("cannot read included file `{name}`: {problem}").format(
                        name=name, problem=describe_read_problem(problem, room)),
                    _("check the file exists next to the ruleset and is a plain text file"), span))
            return None
        self.total_bytes += len(data)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            self.diagnostics.append(error(
                "PAR121", _("included file `{name}` is not UTF-8 text (byte 0x{byte} on line {line})").format(
                    name=name, byte=f"{data[exc.start]:02X}", line=line),
                _("save the file as UTF-8 (Unicode)"), span))
            return None

    def shown(self, key: str) -> str:
        """A file of the chain as the rule author knows it: relative to the ruleset's folder."""
        if self.root is not None and Path(key).is_relative_to(self.root.resolve()):
            return Path(key).relative_to(self.root.resolve()).as_posix()
        return key

    def _resolve_include(self, relative: str, file: str, span: m.Span) -> Path | None:
        if self.root is None:
            self.diagnostics.append(error(
                "PAR120", _("`include` needs the ruleset to be loaded from a file"),
                _("load the ruleset with its path, not as text"), span))
            return None
        if not relative.strip() or len(relative) > MAX_INCLUDE_NAME or not relative.isprintable():
            self.diagnostics.append(error(
                "PAR120", _("`include` needs the name of a file: printable characters, at most {max} of them").format(
                    max=MAX_INCLUDE_NAME),
                _('write the file\'s name relative to this one, e.g. `include "chung.par"`'), span))
            return None
        base = Path(file).parent if file not in ("<text>",) else self.root
        try:
            target = (base / relative).resolve()
            root = self.root.resolve()
            outside = Path(relative).is_absolute() or not target.is_relative_to(root)
            exists = not outside and target.is_file()
        except (OSError, ValueError) as exc:  # a name the system refuses (too long, …)
            self.diagnostics.append(error(
                "PAR120", _("`{name}` cannot be a file name here: {reason}").format(
                    name=relative, reason=getattr(exc, "strerror", None) or exc),
                _('write the file\'s name relative to this one, e.g. `include "chung.par"`'), span))
            return None
        if outside:
            self.diagnostics.append(error(
                "PAR120", _("`{name}` is outside the ruleset's folder").format(name=relative),
                _("includes must stay inside {folder}/; copy the shared fragment there").format(folder=root.name),
                span))
            return None
        if not exists:
            self.diagnostics.append(error(
                "PAR121", _("included file `{name}` does not exist").format(name=relative),
                _("paths are relative to the file that includes them"), span))
            return None
        return target

    # ---- the ruleset ---------------------------------------------------------------------------

    def model(self, items: list[tuple[str, Tree]], main_file: str) -> m.Model:
        meta: m.Meta | None = None
        attributes: list[m.Declaration] = []
        inputs: list[m.Declaration] = []
        stages: list[m.Stage] = []
        components: list[m.Node] = []
        exclusions: list[m.Exclusion] = []
        extras: list[m.Extra] = []
        rounding = m.RoundingSettings()
        classes: list[m.ClassTable] = []
        grouping: m.Grouping | None = None
        ranking: m.Ranking | None = None
        seen_once: dict[str, m.Span] = {}
        patches: list[tuple[str, Tree]] = []

        def once(kind: str, span: m.Span) -> bool:
            if kind in seen_once:
                first = seen_once[kind]
                self.diagnostics.append(error(
                    "PAR110", _("a second `{kind}` block (the first is at line {line})").format(
                        kind=kind, line=first.line),
                    _("merge the two `{kind}` blocks into one").format(kind=kind), span))
                return False
            seen_once[kind] = span
            return True

        for file, item in items:
            self.file = file
            span = _span(file, item)
            kind = item.data
            if kind == "ruleset_block":
                if once("ruleset", span):
                    meta = self.meta(item)
            elif kind == "attributes_block":
                attributes.extend(self.declaration(d, "attribute") for d in _trees(item))
            elif kind == "inputs_block":
                inputs.extend(self.declaration(d, "input") for d in _trees(item))
            elif kind == "stages_block":
                if once("stages", span):
                    stages = [self.stage(s) for s in _trees(item)]
            elif kind == "component":
                components.append(self.node(item, "component"))
            elif kind == "exclude":
                node_id, reason = _tokens(item)
                exclusions.append(m.Exclusion(str(node_id), _string(reason), _span(file, node_id)))
            elif kind in ("bonus", "penalty"):
                extras.append(self.extra(item))
            elif kind == "rounding_block":
                if once("rounding", span):
                    rounding = self.rounding(item)
            elif kind == "classes_block":
                classes.append(self.classes(item))
            elif kind in ("groups_block", "groups_from_data"):
                if once("groups", span):
                    grouping = self.grouping(item)
            elif kind == "rank" and once("rank", span):
                ranking = self.ranking(item)
            elif kind in ("extend_node", "restate"):
                patches.append((file, item))
        if patches:
            if not self.extended:
                self.diagnostics.append(error(
                    "PAR125", _("`{kind}` changes a framework, but the ruleset extends none").format(
                        kind=patches[0][1].data.removesuffix("_node")),
                    _('start the file with `extends "…"`, the framework\'s file'), _span(*patches[0])))
            else:
                components = patch_framework(self, components, patches)
        self.file = main_file
        if meta is None:
            self.diagnostics.append(error(
                "PAR112", _("the ruleset has no `ruleset \"…\" { … }` block"),
                _('start the file with: ruleset "Chỉ số CCHC …" { year 2020  scale 100 }'),
                m.Span(main_file, 1, 1, 1, 2)))
            meta = m.Meta(span=m.Span(main_file, 1, 1, 1, 2))
        inputs.extend(self.implicit_inputs(components, extras, inputs))
        return m.Model(
            meta=meta, attributes=tuple(attributes), inputs=tuple(inputs), stages=tuple(stages),
            components=tuple(components), exclusions=tuple(exclusions), extras=tuple(extras),
            # An empty `classes { }` says "no classes" (an extension drops its framework's this way).
            rounding=rounding, classes=tuple(t for t in classes if t.bands), grouping=grouping, ranking=ranking,
        )

    def implicit_inputs(
        self, components: list[m.Node], extras: list[m.Extra], declared: list[m.Declaration]
    ) -> list[m.Declaration]:
        """A bare `given` reads points from a data column named after its node."""
        names = {d.name for d in declared}
        out: list[m.Declaration] = []
        leaves: list[tuple[str, m.Rule, Decimal, Decimal, m.Span]] = []
        for component in components:
            for node in component.walk():
                if node.rule is not None:
                    leaves.append((node.id, node.rule, node.min, node.max, node.span))
        extra_ids = {extra.id for extra in extras}
        for extra in extras:
            leaves.append((extra.id, extra.rule, Decimal(0), extra.cap, extra.span))
        for node_id, rule, low, high, span in leaves:
            if isinstance(rule, m.Given) and rule.input == node_id and node_id not in names:
                names.add(node_id)
                # A bonus or penalty the data does not mention was not awarded: 0, not a missing cell.
                default = Decimal(0) if node_id in extra_ids else None
                out.append(m.Declaration(node_id, m.Points(), "input", None, default, low, high,
                                         implicit=True, span=span))
        return out

    def number(self, token: lark.Token, negative: bool = False) -> Decimal:
        text = str(token).rstrip("%").rstrip()
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the lexer only admits digits
            self.diagnostics.append(error("PAR111", _("`{number}` is not a number").format(number=token), None,
                                          _span(self.file, token)))
            return Decimal(0)
        if not within_number_limits(value):
            shown = text if len(text) <= 24 else f"{text[:12]}…{text[-6:]}"
            self.diagnostics.append(error(
                "PAR111", _("`{number}` has more digits than parrules computes with exactly").format(number=shown),
                _("a number has {limits}").format(limits=number_limit_words()), _span(self.file, token)))
            # The checker still looks at the rest with the value as written, where it can hold it.
            if len(value.as_tuple().digits) > 30 or abs(value.adjusted()) > 30:
                return Decimal(0)
        return -value if negative else value

    def integer(self, token: lark.Token, message: str) -> int:
        """A whole number; `message` (an `N_` id with `{value}`) says which, when it is not one."""
        value = self.number(token)
        if value != value.to_integral_value():
            self.diagnostics.append(error(
                "PAR111", _(message).format(value=token), None, _span(self.file, token)))
        return int(value)

    def signed(self, tree: Tree) -> Decimal:
        tokens = _tokens(tree)
        return self.number(tokens[-1], negative=len(tokens) == 2)

    def meta(self, tree: Tree) -> m.Meta:
        title_token = _tokens(tree)[0]
        values: dict[str, Any] = {"title": _string(title_token), "span": _span(self.file, title_token)}
        seen: set[str] = set()
        for setting in _trees(tree):
            key = setting.data
            if key in seen:
                self.diagnostics.append(error(
                    "PAR110", _("`{setting}` is set twice").format(setting=key.replace("_", " ")), _("keep one"),
                    _span(self.file, setting)))
            seen.add(key)
            tokens = _tokens(setting)
            if key == "authority":
                values["authority"] = _string(tokens[0])
            elif key == "year":
                values["year"] = self.integer(tokens[0], N_("the year must be a whole number, not {value}"))
            elif key == "level":
                values["level"] = str(tokens[0])
            elif key == "scale":
                values["scale"] = self.number(tokens[0])
            elif key == "expect":
                counts = []
                for item in _trees(setting):
                    number = _tokens(item)[0]
                    kind = str(_tokens(_trees(item)[0])[0])
                    counts.append(m.ExpectedCount(
                        cast(Any, kind), self.integer(number, N_("a count must be a whole number, not {value}")),
                        _span(self.file, item)))
                values["expect"] = tuple(counts)
            elif key == "unit_max":
                values["unit_max_from_data"] = True
            elif key in ("decision", "place"):
                values[key] = _string(tokens[0])
            elif key == "dated":
                values["dated"] = self.date(tokens[0])
            elif key == "signature":
                values["signature"] = tuple(_string(t) for t in tokens[:-1])
                values["signer"] = _string(tokens[-1])
        return m.Meta(**values)

    def date(self, token: lark.Token) -> date | None:
        """A calendar date as ISO writes it, 2021-07-15: the one form no reader takes for another."""
        text = _string(token)
        found = iso_date(text)
        if found is not None:
            return found
        self.diagnostics.append(error(
            "PAR126", _("`{value}` is not a date written as year-month-day").format(value=text),
            _("write the date as \"2021-07-15\" (15 July 2021)"), _span(self.file, token)))
        return None

    def literal(self, tree: Tree) -> m.Value:
        kind = tree.data
        if kind == "signed_number":
            return self.signed(tree)
        if kind == "percent":
            tokens = _tokens(tree)
            return self.number(tokens[-1], negative=len(tokens) == 2)
        if kind == "yes":
            return True
        if kind == "no":
            return False
        return str(_tokens(tree)[0])  # a choice name

    def declaration(self, tree: Tree, kind: str) -> m.Declaration:
        name_token = _tokens(tree)[0]
        parts = _trees(tree)
        vtype = self.value_type(parts[0])
        values: dict[str, Any] = {}
        bare: list[str] = []
        for part in parts[1:]:
            if part.data == "title":
                values["title"] = _string(_tokens(part)[0])
            elif part.data == "default":
                values["default"] = self.literal(_trees(part)[0])
                if _trees(part)[0].data == "signed_number":
                    bare.append("default")
            elif part.data == "range":
                low_tree, high_tree = _trees(part)
                bare += [side for side, t in (("low", low_tree), ("high", high_tree)) if t.data == "signed_number"]
                low, high = (self.literal(t) for t in (low_tree, high_tree))
                values["low"] = low if isinstance(low, Decimal) else None
                values["high"] = high if isinstance(high, Decimal) else None
                if not isinstance(low, Decimal) or not isinstance(high, Decimal):
                    self.diagnostics.append(error(
                        "PAR113", _("a range is two numbers: `range 0 to 10`"),
                        _("write the lowest and the highest value the input may take, e.g. `range 0 to 5`"),
                        _span(self.file, part)))
            elif part.data == "at_most":
                values["at_most"] = str(_tokens(part)[0])
        return m.Declaration(str(name_token), vtype, cast(Any, kind), span=_span(self.file, name_token),
                             bare=tuple(bare), **values)

    def value_type(self, tree: Tree) -> m.ValueType:
        kind = tree.data
        if kind == "type_yesno":
            return m.YesNo()
        if kind == "type_choice":
            options = []
            for choice in _trees(tree):
                name = str(_tokens(choice)[0])
                titles = _trees(choice)
                title = _string(_tokens(titles[0])[0]) if titles else None
                options.append(m.ChoiceOption(name, title))
            return m.Choice(tuple(options))
        simple: dict[str, m.ValueType] = {"type_percent": m.Percent(), "type_count": m.Count(),
                                          "type_number": m.Number(), "type_points": m.Points()}
        return simple[kind]

    def stage(self, tree: Tree) -> m.Stage:
        name = _tokens(tree)[0]
        title: str | None = None
        official = False
        for part in _trees(tree):
            if part.data == "title":
                title = _string(_tokens(part)[0])
            elif part.data == "official":
                official = True
        return m.Stage(str(name), title, official, _span(self.file, name))

    # ---- nodes and rules -----------------------------------------------------------------------

    def node(self, tree: Tree, kind: str) -> m.Node:
        tokens = _tokens(tree)
        if kind == "component":
            id_token, title_token, max_token = tokens[:3]
            node_kind = "component"
            rest = _trees(tree)
        else:
            kind_tree = _trees(tree)[0]
            node_kind = str(_tokens(kind_tree)[0])
            id_token, title_token, max_token = tokens[:3]
            rest = _trees(tree)[1:]
        values: dict[str, Any] = {}
        children: list[m.Node] = []
        rule: m.Rule | None = None
        for part in rest:
            if part.data == "minimum":
                values["min"] = self.signed(_trees(part)[0])
            elif part.data == "applies":
                values["applies"] = self.expr(_trees(part)[0])
            elif part.data == "capped":
                values["capped"] = True
            elif part.data in ("source", "note", "follows"):
                values["provenance"] = self.provenance(part, values.get("provenance"))
            elif part.data == "node":
                children.append(self.node(part, "node"))
            elif part.data == "rule":
                rule = self.rule(_trees(part)[0], str(id_token))
        span = m.Span(self.file, tree.meta.line, tree.meta.column, title_token.end_line or tree.meta.line,
                      title_token.end_column or tree.meta.column)
        return m.Node(
            id=str(id_token), kind=cast(Any, node_kind), title=_string(title_token),
            max=self.number(max_token), children=tuple(children), rule=rule, span=span, **values,
        )

    def provenance(self, part: Tree, before: m.Provenance | None) -> m.Provenance:
        """One `source`, `note` or `follows` line added to what the node said before (a second one is an error)."""
        found = before or m.Provenance(span=_span(self.file, part))
        text = _string(_tokens(part)[-1])
        field = {"source": "source", "note": "note", "follows": "other"}[part.data]
        if getattr(found, field) is not None:
            word = part.data
            self.diagnostics.append(error(
                "PAR110", _("a second `{kind}` line on the same node").format(kind=word),
                _("write one `{kind}` line; put more in its text").format(kind=word), _span(self.file, part)))
            return found
        if part.data == "follows":
            which = str(_tokens(_trees(part)[0])[0])
            return attrs.evolve(found, follows=cast(Any, which), other=text)
        return attrs.evolve(found, source=text) if field == "source" else attrs.evolve(found, note=text)

    def rule(self, tree: Tree, node_id: str) -> m.Rule:
        kind = tree.data
        span = _span(self.file, tree)
        if kind == "steps":
            name = _tokens(tree)[0]
            steps: list[m.Step] = []
            otherwise: m.Outcome | None = None
            for part in _trees(tree):
                if part.data == "step":
                    key_tree, outcome_tree = _trees(part)
                    key: str | bool = (True if key_tree.data == "yes" else False if key_tree.data == "no"
                                       else str(_tokens(key_tree)[0]))
                    steps.append(m.Step(key, self.outcome(outcome_tree), _span(self.file, part)))
                else:
                    otherwise = self.outcome(_trees(part)[0])
            return m.Steps(str(name), tuple(steps), otherwise, span)
        if kind == "table":
            branches: list[m.Branch] = []
            otherwise = None
            for part in _trees(tree):
                if part.data == "branch":
                    condition, outcome_tree = _trees(part)
                    branches.append(m.Branch(self.expr(condition), self.outcome(outcome_tree),
                                             _span(self.file, part)))
                else:
                    otherwise = self.outcome(_trees(part)[0])
            return m.Table(tuple(branches), otherwise, span)
        if kind == "proportional":
            return self.proportional(tree, span)
        if kind == "deduct":
            deductions: list[m.DeductPer | m.DeductIf] = []
            floor: Decimal | None = None
            for part in _trees(tree):
                if part.data == "deduct_per":
                    amount, name = _tokens(part)
                    deductions.append(m.DeductPer(self.number(amount), str(name), _span(self.file, part)))
                elif part.data == "deduct_if":
                    deductions.append(m.DeductIf(self.number(_tokens(part)[0]), self.expr(_trees(part)[0]),
                                                 _span(self.file, part)))
                else:
                    floor = self.signed(part)
            return m.Deduct(tuple(deductions), floor, span)
        if kind == "given":
            tokens = _tokens(tree)
            return m.Given(str(tokens[0]) if tokens else node_id, span)
        if kind == "full_unless":
            return m.FullUnless(tuple(self.expr(e) for e in _trees(tree)), span)
        return m.Formula(self.expr(_trees(tree)[0]), span)

    def proportional(self, tree: Tree, span: m.Span) -> m.Proportional:
        values: dict[str, Any] = {}
        for part in _trees(tree):
            if part.data == "zero_below":
                values["zero_below"] = self.number(_tokens(part)[0])
            elif part.data == "full_from":
                values["full_from"] = self.number(_tokens(part)[0])
            elif part.data == "rate_of":
                denominator = _trees(part)[0]
                names = [t for t in _tokens(denominator) if t.type == "NAME"]
                if denominator.data == "denominator_larger" and str(_tokens(denominator)[0]) != "max":
                    self.diagnostics.append(error(
                        "PAR110", _("`min(…)` cannot be a denominator"),
                        _("write `of max(a, b)` when the larger of the counts is the denominator"),
                        _span(self.file, denominator)))
                values["denominator"] = tuple(str(n) for n in names)
                fallback = _tokens(part)
                if fallback:
                    values["fallback"] = str(fallback[-1])
            elif part.data == "if_zero":
                gives = _trees(part)[0]
                where = _span(self.file, part)
                if gives.data == "zero_full":
                    values["if_zero"] = m.IfZero("full", span=where)
                elif gives.data == "zero_points":
                    values["if_zero"] = m.IfZero("points", self.number(_tokens(gives)[0]), span=where)
                else:
                    values["if_zero"] = m.IfZero("not_applicable", span=where)
        return m.Proportional(str(_tokens(tree)[0]), span=span, **values)

    def outcome(self, tree: Tree) -> m.Outcome:
        inner = _trees(tree)[0]
        span = _span(self.file, tree)
        if inner.data == "proportional_outcome":
            tokens = _tokens(inner)
            return m.Outcome(None, str(tokens[0]) if tokens else "", span)
        return m.Outcome(self.expr(inner), None, span)

    def expr(self, tree: Tree | lark.Token) -> m.Expr:
        assert isinstance(tree, lark.Tree)
        span = _span(self.file, tree)
        kind = tree.data
        if kind == "number":
            return m.Num(self.number(_tokens(tree)[0]), span)
        if kind == "percent":
            return m.Pct(self.number(_tokens(tree)[0]), span)
        if kind == "ref":
            return m.Ref(str(_tokens(tree)[0]), span)
        if kind == "node_max":
            return m.NodeMax(span)
        if kind == "yes":
            return m.Bool(True, span)
        if kind == "no":
            return m.Bool(False, span)
        if kind == "negate":
            return m.Neg(self.expr(_trees(tree)[0]), span)
        if kind == "binary":
            left, op, right = tree.children
            assert isinstance(op, lark.Token)
            symbol = {"×": "*", "÷": "/"}.get(str(op), str(op))
            return m.Binary(cast(Any, symbol), self.expr(left), self.expr(right), span)
        if kind == "call":
            function = str(_tokens(tree)[0])
            return m.Call(cast(Any, function), tuple(self.expr(a) for a in _trees(tree)), span)
        if kind == "compare":
            operands = tuple(self.expr(c) for c in _trees(tree))
            ops = tuple(cast(Any, {"≥": ">=", "≤": "<=", "≠": "!="}.get(str(t), str(t))) for t in _tokens(tree))
            return m.Compare(operands, ops, span)
        if kind == "and_":
            left, right = _trees(tree)
            return m.And(self.expr(left), self.expr(right), span)
        if kind == "or_":
            left, right = _trees(tree)
            return m.Or(self.expr(left), self.expr(right), span)
        if kind == "not_":
            return m.Not(self.expr(_trees(tree)[0]), span)
        raise AssertionError(f"unknown expression {kind}")  # pragma: no cover - grammar and builder agree

    def extra(self, tree: Tree) -> m.Extra:
        id_token, title_token, cap_token = _tokens(tree)[:3]
        in_scale = any(t.data == "in_scale" for t in _trees(tree))
        rule_tree = next(t for t in _trees(tree) if t.data == "rule")
        return m.Extra(str(id_token), cast(Any, str(tree.data)), _string(title_token), self.number(cap_token),
                       self.rule(_trees(rule_tree)[0], str(id_token)), in_scale, _span(self.file, id_token))

    # ---- settings after the tree ---------------------------------------------------------------

    def rounding(self, tree: Tree) -> m.RoundingSettings:
        values: dict[str, Any] = {}
        for line in _trees(tree):
            parts = _trees(line)
            stage = str(_tokens(parts[0])[0])
            digits_token = _tokens(line)[0]
            mode = str(_tokens(parts[1])[0])
            span = _span(self.file, line)
            if stage in values:
                self.diagnostics.append(error(
                    "PAR110", _("rounding of `{stage}` is set twice").format(stage=stage), _("keep one line per stage"),
                    span))
            digits = self.integer(digits_token, N_("the number of decimals must be a whole number, not {value}"))
            if not 0 <= digits <= 6:
                self.diagnostics.append(error(
                    "PAR111", _("{count} decimals is outside 0–6").format(count=digits),
                    _("published figures use 2 (sometimes 3)"), span))
                continue  # reported; a rounding to 40 places would only mislead the checks after this one
            values[stage] = m.Rounding(digits, cast(Any, mode), span)
            for option in parts[2:]:
                if option.data == "from_rounded_points":
                    if stage != "index":
                        self._misplaced_option("from rounded points", "index", span)
                    values["index_from_rounded_points"] = True
                elif option.data == "of_unrounded_indices":
                    if stage != "average":
                        self._misplaced_option("of unrounded indices", "average", span)
                    values["average_of_unrounded"] = True
        return m.RoundingSettings(**values)

    def _misplaced_option(self, option: str, stage: str, span: m.Span) -> None:
        self.diagnostics.append(error(
            "PAR110", _("`{option}` only applies to the `{stage}` line").format(option=option, stage=stage),
            _("move it to the `{stage}` line").format(stage=stage), span))

    def classes(self, tree: Tree) -> m.ClassTable:
        group_tokens = _tokens(tree)
        group = _string(group_tokens[0]) if group_tokens else None
        bands: list[m.ClassBand] = []
        basis: m.ClassBasis = "index"
        said = False
        for line in _trees(tree):
            if line.data == "class_basis":
                basis, said = cast(m.ClassBasis, str(_tokens(line)[1])), True
                continue
            label = _tokens(line)[0]
            values: dict[str, Any] = {}
            bare: list[Decimal] = []
            for bound in _trees(line):
                value = self.number(_tokens(_trees(bound)[0])[0]) if _trees(bound) else Decimal(0)
                if _trees(bound) and _trees(bound)[0].data == "number":
                    bare.append(value)
                if bound.data == "from_":
                    values.update(lower=value, lower_inclusive=True)
                elif bound.data == "above":
                    values.update(lower=value, lower_inclusive=False)
                elif bound.data == "below":
                    values.update(upper=value, upper_inclusive=False)
                else:
                    values.update(upper=value, upper_inclusive=True)
            bands.append(m.ClassBand(_string(label), span=_span(self.file, line), bare=tuple(bare), **values))
        return m.ClassTable(tuple(bands), group, basis, said, _span(self.file, tree))

    def grouping(self, tree: Tree) -> m.Grouping:
        span = _span(self.file, tree)
        if tree.data == "groups_from_data":
            return m.Grouping(True, (), span)
        rules = []
        for line in _trees(tree):
            name = _string(_tokens(line)[0])
            condition = self.expr(_trees(line)[0]) if line.data == "group_when" else None
            rules.append(m.GroupRule(name, condition, _span(self.file, line)))
        return m.Grouping(False, tuple(rules), span)

    def ranking(self, tree: Tree) -> m.Ranking:
        parts = _trees(tree)
        scope = [str(t) for t in _tokens(parts[0])]
        keys: list[m.RankKey] = []
        ties = "share"
        for part in parts[1:]:
            if part.data == "rank_key":
                sub = _trees(part)
                field = str(_tokens(sub[0])[0])
                descending = True
                if len(sub) > 1:
                    descending = str(_tokens(sub[1])[0]) == "desc"
                keys.append(m.RankKey(field, descending, _span(self.file, part)))
            elif part.data == "ties":
                ties = str(_tokens(part)[-1])
        return m.Ranking(scope[0] == "within", tuple(keys), cast(Any, ties), _span(self.file, tree))


def read_ruleset_file(path: Path) -> tuple[str | None, Diagnostic | None]:
    """Read a ruleset as UTF-8 text, or say plainly why not. The path `-` is standard input (`<stdin>`)."""
    try:
        data = read_stdin(MAX_RULESET_BYTES) if is_stdin(path) else read_bounded(path, MAX_RULESET_BYTES)
    except ReadError as problem:
        path = Path(shown_name(path))
        if problem.kind == "too_large":
            return None, error("PAR103", _("the file is {size} bytes; a ruleset may be at most {max}").format(
                                   size=size_text(problem, MAX_RULESET_BYTES), max=number(MAX_RULESET_BYTES)),
                               _("split shared parts into files and `include` them"),
                               m.Span(str(path), 1, 1, 1, 2))
        return None, error("PAR105", _("cannot read `{path}`: {problem}").format(
                               path=path, problem=describe_read_problem(problem, MAX_RULESET_BYTES)),
                           _("check the path"), m.Span(str(path), 0, 0, 0, 0))
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        path = Path(shown_name(path))
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, error("PAR105", _("`{path}` is not UTF-8 text (byte 0x{byte} on line {line})").format(
                               path=path, byte=f"{data[exc.start]:02X}", line=line),
                           _("save the file as UTF-8 (Unicode); legacy Vietnamese encodings (TCVN3, VNI) are not "
                             "read"),
                           m.Span(str(path), line, column, line, column + 1))
