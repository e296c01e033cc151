"""Excel's data validation on every cell a unit fills in, and the hidden sheet of drop-down lists.

Drop-downs read their options from a hidden, protected sheet (Danh mục) through a defined name,
never from an inline list: an inline list is split at commas, and option titles have commas
("Đúng thời hạn, đầy đủ"); a name works in every Excel since 2007, and in LibreOffice. Numbers get
their range (a percent from 0 to 100 unless a `range` says otherwise, a whole number of 0 or more
for a count, a criterion's minimum to maximum for points given directly), an input message that says
what to type and in which unit, and an error message in the reader's language.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, TypeAlias

from attrs import frozen
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from parrules.data.validate import bounds, expected_number
from parrules.i18n import _
from parrules.model import Choice, Count, Declaration, Given, Model, Percent, Points, YesNo
from parrules.template import style
from parrules.template.columns import Ask, choice_words, shown_number, yes_no_words

Kind: TypeAlias = Literal["list", "decimal", "whole", "any"]

# Excel refuses to open a workbook whose validation texts are longer (it calls the file damaged).
MAX_TITLE = 32
MAX_MESSAGE = 255

_LIMIT = Decimal("1e15")  # what "any number" means to a cell: the reader's 15 digits before the point


@frozen
class Allowed:
    """What one cell accepts, as Excel's data validation says it."""

    kind: Kind
    title: str
    prompt: str
    error: str
    low: Decimal | None = None
    high: Decimal | None = None
    words: tuple[str, ...] = ()


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _bounds(decl: Declaration, model: Model) -> tuple[Decimal | None, Decimal | None]:
    """The bounds the data reader enforces, and for named points with none the criterion's own."""
    if isinstance(decl.type, Points) and decl.low is None and decl.high is None:
        given = [n for n in model.nodes() if isinstance(n.rule, Given) and n.rule.input == decl.name]
        if len(given) == 1:  # the one criterion it scores: its minimum to its maximum
            return given[0].min, given[0].max
    return bounds(decl)


def _expected(decl: Declaration, low: Decimal | None, high: Decimal | None) -> str:
    return expected_number(decl, low, high, shown_number)  # the reader's own phrases: one translation


def _default(decl: Declaration) -> str | None:
    """What a blank cell means, when the ruleset declares a default."""
    value = decl.default
    if value is None:
        return None
    if isinstance(value, bool):
        return yes_no_words()[0 if value else 1]
    if isinstance(decl.type, Choice):
        words = dict(zip(decl.type.names(), choice_words(decl.type), strict=True))
        return words.get(str(value), str(value))
    return shown_number(value) if isinstance(value, Decimal) else str(value)


def allowed(ask: Ask, model: Model) -> Allowed:
    """What the cells of `ask` accept, and the messages that say it."""
    title = _cut(ask.title, MAX_TITLE)
    if ask.kind == "unit":
        return Allowed("any", title, _("The unit's full name, as it is to be published."), "")
    if ask.kind == "max":
        return Allowed("decimal", title, _cut(_(
            "The unit's maximum in points, above 0 and at most {scale}; leave it blank for the full scale.").format(
            scale=shown_number(model.full_scale)), MAX_MESSAGE),
            _("Not accepted: the cell takes {expected}.").format(expected=_("a number above 0")))
    if ask.kind == "group":
        names = tuple(dict.fromkeys(t.group for t in model.classes if t.group))
        if names:
            return Allowed("list", title, _("Choose the unit's group from the list."),
                           _("Not accepted: choose a value from the list."), words=names)
        return Allowed("any", title, _("The unit's group, as the ruleset names it."), "")
    decl = ask.decl
    assert decl is not None
    tail = [_("Leave the cell blank if it does not apply.")]
    default = _default(decl)
    if default is not None:
        tail = [_("A blank cell means {value}.").format(value=default)]
    if decl.at_most is not None:
        other = model.declaration(decl.at_most)
        tail.insert(0, _("At most {other}.").format(other=other.title or other.name if other else decl.at_most))
    if isinstance(decl.type, YesNo):
        yes, no = yes_no_words()
        prompt = " ".join([_("Choose {yes} or {no} from the list.").format(yes=yes, no=no), *tail])
        return Allowed("list", title, _cut(prompt, MAX_MESSAGE), _("Not accepted: choose a value from the list."),
                       words=(yes, no))
    if isinstance(decl.type, Choice):
        words = choice_words(decl.type)
        prompt = " ".join([_("Choose from the list: {choices}.").format(choices="; ".join(words)), *tail])
        return Allowed("list", title, _cut(prompt, MAX_MESSAGE), _("Not accepted: choose a value from the list."),
                       words=words)
    low, high = _bounds(decl, model)
    expected = _expected(decl, low, high)
    if isinstance(decl.type, Percent):
        what = _("Type {expected}, in percent units: 85 for 85 %.").format(expected=expected)
    else:
        what = _("Type {expected}.").format(expected=expected)
    kind: Kind = "whole" if isinstance(decl.type, Count) else "decimal"
    return Allowed(kind, title, _cut(" ".join([what, *tail]), MAX_MESSAGE),
                   _cut(_("Not accepted: the cell takes {expected}.").format(expected=expected), MAX_MESSAGE),
                   low, high)


class Lists:
    """The hidden sheet of drop-down lists: one column per list, each behind a workbook-wide name."""

    def __init__(self, book: Any, title: str) -> None:
        self.book = book
        self.sheet = book.create_sheet(title)
        self.sheet.sheet_state = "hidden"
        style.protect(self.sheet)
        self.names: dict[tuple[str, ...], str] = {}

    def name_for(self, words: tuple[str, ...], heading: str) -> str:
        """The defined name of a list of `words` (one per distinct list, shared by every cell offering it)."""
        if words in self.names:
            return self.names[words]
        column = len(self.names) + 1
        name = f"parrules_list_{column}"  # letters, digits and _: never read as a cell reference
        style.put_text(self.sheet, 1, column, heading, style.BOLD)
        for row, word in enumerate(words, start=2):
            style.put_text(self.sheet, row, column, word)
        letter = self.sheet.cell(row=1, column=column).column_letter
        quoted = self.sheet.title.replace("'", "''")
        self.book.defined_names[name] = DefinedName(
            name, attr_text=f"'{quoted}'!${letter}$2:${letter}${len(words) + 1}")
        self.sheet.column_dimensions[letter].width = max(12, min(60, max(len(w) for w in (heading, *words)) + 2))
        self.names[words] = name
        return name


class Validations:
    """The data validations of one sheet: one per ask, over every cell that ask fills."""

    def __init__(self, ws: Any, lists: Lists, model: Model) -> None:
        self.ws = ws
        self.lists = lists
        self.model = model
        self.made: dict[str, DataValidation] = {}

    def add(self, ask: Ask, cells: str) -> None:
        """Validate `cells` (a cell or a range, `D14` or `C8:C107`) as `ask` says."""
        found = self.made.get(ask.key)
        if found is None:
            found = self._validation(allowed(ask, self.model), ask)
            self.ws.add_data_validation(found)
            self.made[ask.key] = found
        found.add(cells)

    def _validation(self, rule: Allowed, ask: Ask) -> DataValidation:
        texts: dict[str, Any] = {"promptTitle": rule.title, "prompt": rule.prompt, "showInputMessage": True,
                                 "allow_blank": True}
        if rule.kind == "any":
            return DataValidation(**texts)
        texts.update(showErrorMessage=True, errorStyle="stop", errorTitle=_cut(_("Value not accepted"), MAX_TITLE),
                     error=rule.error)
        if rule.kind == "list":
            return DataValidation(type="list", formula1=self.lists.name_for(rule.words, ask.title), **texts)
        low = rule.low if rule.low is not None else -_LIMIT
        high = rule.high if rule.high is not None else _LIMIT
        if ask.kind == "max":  # above 0, not from 0: a maximum of 0 is no maximum
            return DataValidation(type="decimal", operator="greaterThan", formula1="0", **texts)
        return DataValidation(type=rule.kind, operator="between", formula1=f"{low:f}", formula2=f"{high:f}", **texts)
