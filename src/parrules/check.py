"""Every static check over a built model, and the one-line summary `parrules check` prints.

`check` never raises for a user's mistake: it returns every problem it finds (codes PAR2xx and
PAR3xx, listed in docs/diagnostics.md). After a ruleset checks clean, compiling and scoring it
cannot fail on the ruleset itself — whatever `compile.py` assumes is checked here.
"""

from __future__ import annotations

from collections import Counter

from parrules.checks.common import Context, num
from parrules.checks.division import check_division
from parrules.checks.names import check_declarations, check_keyword_names
from parrules.checks.publish import check_publication
from parrules.checks.ranges import check_ranges
from parrules.checks.rounding import check_rounding
from parrules.checks.rules import check_rules, check_unused
from parrules.checks.tables import check_tables
from parrules.checks.tree import COUNT_WORDS, check_tree, counted
from parrules.diagnostics import Diagnostic, sort_diagnostics
from parrules.gcpause import pausing
from parrules.i18n import _
from parrules.model import Model


@pausing  # gcpause.py: checking makes no cycles to look for
def check(model: Model) -> list[Diagnostic]:
    ctx = Context(model)
    check_declarations(ctx)
    check_keyword_names(ctx)
    check_tree(ctx)
    check_rules(ctx)  # types first: the analyses below skip rules it found unsound
    check_unused(ctx)
    check_tables(ctx)
    check_ranges(ctx)
    check_division(ctx)
    check_publication(ctx)
    check_rounding(ctx)
    return sort_diagnostics(ctx.found)


def summary(model: Model) -> str:
    """E.g. `Chỉ số CCHC các sở 2020 (department): 3 fields, 40 criteria, 93 sub-criteria; appraisal 70,
    survey 30; scale 100 (98 after exclusions)`."""
    meta = model.meta
    head = meta.title or _("(untitled)")
    if meta.year is not None and str(meta.year) not in head:
        head += f" {meta.year}"
    if meta.level:
        head += f" ({meta.level})"
    found: Counter[str] = Counter(n.kind for n in model.nodes())
    counts = [counted(kind, found[kind]) for kind in COUNT_WORDS if found[kind]]
    parts = [head + (": " + ", ".join(counts) if counts else "")]
    if model.components:
        parts.append(", ".join(f"{c.id} {num(c.max)}" for c in model.components))
    full = model.full_scale
    if meta.scale is None:
        parts.append(_("full scale {full}").format(full=num(full)))
    elif full == meta.scale:
        parts.append(_("scale {scale}").format(scale=num(meta.scale)))
    elif model.exclusions:
        parts.append(_("scale {scale} ({full} after exclusions)").format(scale=num(meta.scale), full=num(full)))
    else:
        parts.append(_("scale {scale} (the tree adds up to {full})").format(scale=num(meta.scale), full=num(full)))
    return "; ".join(parts)
