"""parrules: a rules engine and language for scoring Vietnam's administrative-reform index (Chỉ số CCHC).

The public API is what this module exports; everything else is internal.

The names are imported on first use (PEP 562), so that `parrules check`, which needs only the
parser and the checker, does not pay at every start for the evaluator, the explanations and the
reports (a third of its start-up was importing them).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from parrules import i18n

if TYPE_CHECKING:
    from parrules.api import CheckReport, Ruleset, check_file, load, load_text
    from parrules.diagnostics import DataError, Diagnostic, ParrulesError, RulesetError
    from parrules.explainer import explain
    from parrules.explanation import Explanation
    from parrules.results import GroupResult, NodeResult, Results, UnitNotFoundError, UnitResult

# Each public name, and the module that defines it.
_WHERE = {
    "CheckReport": "api", "Ruleset": "api", "check_file": "api", "load": "api", "load_text": "api",
    "DataError": "diagnostics", "Diagnostic": "diagnostics", "ParrulesError": "diagnostics",
    "RulesetError": "diagnostics",
    "explain": "explainer",
    "Explanation": "explanation",
    "GroupResult": "results", "NodeResult": "results", "Results": "results", "UnitNotFoundError": "results",
    "UnitResult": "results",
}


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'parrules' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"parrules.{module}"), name)
    globals()[name] = value  # found once: the next use is an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


__all__ = [
    "CheckReport",
    "DataError",
    "Diagnostic",
    "Explanation",
    "GroupResult",
    "NodeResult",
    "ParrulesError",
    "Results",
    "Ruleset",
    "RulesetError",
    "UnitNotFoundError",
    "UnitResult",
    "check_file",
    "explain",
    "i18n",
    "load",
    "load_text",
]
__version__ = "0.1.0"
