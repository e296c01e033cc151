"""Static checks over the model (being written)."""

from __future__ import annotations

from parrules.diagnostics import Diagnostic
from parrules.model import Model


def check(model: Model) -> list[Diagnostic]:
    return []


def summary(model: Model) -> str:
    return ""
