"""Reading and validating unit data (CSV, JSON) against a ruleset's declarations.

(Being written: see the module's tests. The record shape below is the contract with the evaluator.)
"""

from __future__ import annotations

from decimal import Decimal

from attrs import field, frozen

from parrules.model import Value


@frozen
class UnitRecord:
    """One unit's row, typed and validated against the ruleset's declarations.

    `values` holds attributes and inputs by declared name (yes/no → bool, choice → option name,
    numbers → Decimal), for the official stage. `stage_values` holds the `points` inputs given per
    stage (`name@stage` columns): stage name → input name → value. A name absent from `values` was
    blank or missing; the evaluator decides whether that unit needed it. `columns` maps each declared
    name to the column header it was read from, so problems can name the user's column.
    """

    name: str
    row: int
    values: dict[str, Value] = field(factory=dict, eq=False)
    stage_values: dict[str, dict[str, Value]] = field(factory=dict, eq=False)
    max: Decimal | None = None
    group: str | None = None
    file: str = "<data>"
    columns: dict[str, str] = field(factory=dict, eq=False)
