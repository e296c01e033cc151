"""parrules: a rules engine and language for scoring Vietnam's administrative-reform index (Chỉ số CCHC).

The public API is what this module exports; everything else is internal.
"""

from parrules import i18n
from parrules.api import CheckReport, Ruleset, check_file, load, load_text
from parrules.diagnostics import DataError, Diagnostic, ParrulesError, RulesetError
from parrules.explain import explain
from parrules.explanation import Explanation
from parrules.results import GroupResult, NodeResult, Results, UnitNotFoundError, UnitResult

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
