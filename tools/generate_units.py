"""Generate realistic, deterministic unit data for a ruleset (dữ liệu đơn vị mẫu).

    python tools/generate_units.py --units 25 --seed 2024 -o examples/department-full/units.csv
    python tools/generate_units.py rulesets/examples/department-full.par --units 10000 --seed 1 -o big.csv

Columns come from the ruleset's own declarations (attributes, inputs, stages), so the data stays in
sync with the ruleset it is generated for. The values are plausible rather than uniform: each unit
has a quality drawn so that most units do well and a few do poorly; rates cluster high, events
(late reports, violations) are rare for good units; some units have no one-stop desk or no public
service units, and the inputs of the criteria that then do not apply to them are left blank, as a
council's sheet leaves them. Every value is text as a spreadsheet would hold it: decimals with at
most two digits, yes/no as có/không, choices by name, and a `max` column with each unit's maximum.

Choices are assumed to be declared best first (on_time, late, none), as decisions list them.
Inputs the profiles below do not know get a generic treatment from their type, so any ruleset can
be fed to this generator.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import parrules
from parrules import model as m
from parrules.compile import Plan, compile_model, rule_reads

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RULESET = ROOT / "rulesets" / "examples" / "department-full.par"

YES, NO = "có", "không"
CENT = Decimal("0.01")
QUARTER = Decimal("0.25")
TWENTIETH = Decimal("0.05")

# Departments, boards and agencies of a typical province (sở, ban, ngành), then central agencies based
# in the province, which some provinces also score.
UNIT_NAMES: tuple[str, ...] = (
    "Sở Nội vụ", "Sở Tư pháp", "Sở Kế hoạch và Đầu tư", "Sở Tài chính", "Sở Công Thương",
    "Sở Nông nghiệp và Phát triển nông thôn", "Sở Giao thông vận tải", "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường", "Sở Thông tin và Truyền thông", "Sở Lao động - Thương binh và Xã hội",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Khoa học và Công nghệ", "Sở Giáo dục và Đào tạo", "Sở Y tế",
    "Sở Ngoại vụ", "Thanh tra tỉnh", "Văn phòng UBND tỉnh", "Ban Dân tộc",
    "Ban Quản lý Khu kinh tế cửa khẩu", "Ban Quản lý các khu công nghiệp",
    "Đài Phát thanh và Truyền hình tỉnh", "Bảo hiểm xã hội tỉnh", "Cục Thuế tỉnh", "Kho bạc Nhà nước tỉnh",
    "Công an tỉnh", "Cục Hải quan tỉnh", "Cục Thống kê tỉnh",
)

# What the named units are known to lack (applied only to attributes the ruleset declares).
UNIT_ATTRIBUTES: dict[str, dict[str, bool]] = {
    "Sở Ngoại vụ": {"public_service_units": False, "survey_eligible": False},
    "Thanh tra tỉnh": {"public_service_units": False, "survey_eligible": False},
    "Ban Dân tộc": {"one_stop": False, "public_service_units": False, "survey_eligible": False},
    "Ban Quản lý Khu kinh tế cửa khẩu": {"drafts_legal_docs": False},
    "Ban Quản lý các khu công nghiệp": {"drafts_legal_docs": False, "public_service_units": False},
    "Đài Phát thanh và Truyền hình tỉnh": {"one_stop": False, "drafts_legal_docs": False,
                                           "survey_eligible": False},
    "Bảo hiểm xã hội tỉnh": {"drafts_legal_docs": False},
    "Cục Thuế tỉnh": {"drafts_legal_docs": False, "public_service_units": False},
    "Kho bạc Nhà nước tỉnh": {"drafts_legal_docs": False, "public_service_units": False},
    "Công an tỉnh": {"drafts_legal_docs": False},
    "Cục Hải quan tỉnh": {"drafts_legal_docs": False, "public_service_units": False},
    "Cục Thống kê tỉnh": {"drafts_legal_docs": False, "public_service_units": False, "survey_eligible": False},
}

# How often an attribute is yes for a unit not listed above.
ATTRIBUTE_YES: dict[str, float] = {
    "one_stop": 0.94, "public_service_units": 0.88, "drafts_legal_docs": 0.9, "survey_eligible": 0.93,
}

# Percent inputs: (value of the worst unit, value of the best unit, chance a good unit reports exactly 100).
# A worst value above the best one means lower is better (a share of "excellent" ratings kept low).
PERCENTS: dict[str, tuple[float, float, float]] = {
    "plan_done": (55, 100, 0.5), "inspected_rate": (5, 60, 0), "tasks_rate": (60, 100, 0.4),
    "drafts_on_plan_rate": (60, 100, 0.6), "law_issues_resolved": (50, 100, 0.4),
    "simplified_rate": (0, 35, 0), "ontime_rate": (85, 100, 0.5), "onestop_rate": (60, 100, 0.4),
    "digitized_rate": (20, 100, 0.2), "online_files_rate": (10, 100, 0.1), "downsizing_rate": (0, 14, 0),
    "psu_payroll_cut": (0, 14, 0), "placed_rate": (75, 100, 0.4), "excellent_rate": (32, 10, 0),
    "training_done": (50, 100, 0.4), "disbursed": (45, 100, 0.2), "psu_autonomy": (0, 80, 0),
    "digital_done": (40, 100, 0.3), "edocs_rate": (55, 100, 0.4), "esign_rate": (50, 100, 0.4),
    "work_online_rate": (20, 90, 0), "fullonline_rate": (20, 95, 0), "online_submit": (5, 90, 0),
    "online_payment": (0, 70, 0), "population_data_rate": (10, 100, 0.2),
    "officials_rate": (62, 97, 0), "citizens_rate": (70, 99, 0),
}

# Counts of things a good unit has many of: (typical number for the best unit, spread).
GOOD_COUNTS: dict[str, float] = {
    "issues_found": 5, "propaganda_forms": 4, "initiatives": 2.5, "docs_self_checked": 5,
    "feedback": 4, "audit_findings": 4,
}
# Events that lower the points: (typical number for the worst unit). Unknown counts are events too.
EVENT_COUNTS: dict[str, float] = {
    "reports_late": 3, "reports_missing": 1.5, "tasks_overdue": 3, "docs_annulled": 1, "unlawful_unhandled": 1.5,
    "tthc_reports_late": 2, "tthc_not_published": 3, "units_over_norm": 1, "deputies_over": 1.5,
    "deputy_violations": 0.8, "staff_over_quota": 2, "recruitment_violations": 0.8,
    "appointment_violations": 0.8, "disciplined": 2, "benefit_complaints": 1, "asset_violations": 1,
    "budget_reports_late": 2, "portal_missing_items": 4, "security_incidents": 1,
    "leaders_disciplined": 0.4, "mass_complaints": 0.6, "late_files": 12,
}
# Points inputs given to few units (a bonus): the chance of any points at all.
SPARSE_POINTS: dict[str, float] = {"B1": 0.2}


# ---- one value -------------------------------------------------------------------------------------


def _clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(high, max(low, value))


def _text(value: Decimal) -> str:
    """A decimal as a sheet writes it: no exponent, no trailing zeros, at most two decimals."""
    value = value.quantize(CENT, rounding=ROUND_HALF_UP).normalize()
    return f"{value:f}" if value != 0 else "0"


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: small means only, which is all event counts need."""
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class _Unit:
    """One unit being generated: its quality, and a fresh goodness for each value."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        # Most units do well (mean about 0.77); about one in ten is below 0.5.
        self.quality = rng.betavariate(4.5, 1.35)

    def goodness(self, spread: float = 0.15) -> float:
        return _clamp(self.rng.gauss(self.quality, spread))

    def yes_no(self) -> str:
        return YES if self.rng.random() < 0.35 + 0.63 * self.goodness() else NO

    def choice(self, options: Sequence[m.ChoiceOption]) -> str:
        position = min(len(options) - 1, int((1 - self.goodness()) ** 1.5 * len(options)))
        return options[position].name

    def percent(self, name: str, low: Decimal, high: Decimal) -> str:
        worst, best, full_chance = PERCENTS.get(name, (40, 100, 0.2))
        g = self.goodness()
        if best > worst and g > 0.75 and self.rng.random() < full_chance:
            value = best if best == 100 else best * (0.95 + 0.05 * self.rng.random())
        elif g < 0.15:
            value = worst  # the weakest units often report nothing done at all
        else:
            value = worst + (best - worst) * g + self.rng.gauss(0, abs(best - worst) * 0.05)
        number = Decimal(repr(round(value))) if self.rng.random() < 0.4 else Decimal(repr(round(value, 2)))
        return _text(min(high, max(low, number)))

    def count(self, name: str) -> int:
        if name in GOOD_COUNTS:
            return _poisson(self.rng, GOOD_COUNTS[name] * (0.3 + 0.7 * self.goodness()))
        worst = EVENT_COUNTS.get(name, 1.0)
        return _poisson(self.rng, worst * (1 - self.goodness(0.2)) ** 2)

    def share(self, available: int, first: bool) -> int:
        """A part of `available` (handled out of found): most of it for the first part, some of the rest next."""
        fraction = self.goodness(0.2) if first else self.rng.random() * 0.8
        return min(available, round(available * fraction))

    def points(self, name: str, low: Decimal, high: Decimal) -> Decimal:
        if name in SPARSE_POINTS and self.rng.random() >= SPARSE_POINTS[name]:
            return Decimal(0)
        step = TWENTIETH if self.rng.random() < 0.2 else QUARTER
        raw = Decimal(repr(round(float(high - low) * self.goodness(0.2), 4))) + low
        value = (raw / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
        return min(high, max(low, value))

    def self_assessed(self, official: Decimal, high: Decimal) -> Decimal:
        """Units rarely mark themselves below the council: the same, or a step or two above."""
        return min(high, official + QUARTER * self.rng.choice((0, 0, 0, 1, 1, 2)))


# ---- the ruleset's columns -------------------------------------------------------------------------


def _points_bounds(decl: m.Declaration) -> tuple[Decimal, Decimal]:
    low = decl.low if decl.low is not None else Decimal(0)
    high = decl.high if decl.high is not None else Decimal(1)
    return low, high


def _percent_bounds(decl: m.Declaration) -> tuple[Decimal, Decimal]:
    low = decl.low if decl.low is not None else Decimal(0)
    high = decl.high if decl.high is not None else Decimal(100)
    return low, high


def reachable_inputs(model: m.Model) -> list[m.Declaration]:
    """The inputs some unit can need: read by a leaf that is not excluded for everyone, or by a bonus/penalty."""
    declared = {d.name: d for d in (*model.attributes, *model.inputs)}
    excluded = {e.node_id for e in model.exclusions}
    names: set[str] = set()
    stack = [c for c in model.components if c.id not in excluded]
    while stack:
        node = stack.pop()
        if node.rule is not None:
            names.update(rule_reads(node.rule, declared))
        stack.extend(c for c in node.children if c.id not in excluded)
    for extra in model.extras:
        names.update(rule_reads(extra.rule, declared))
    return [d for d in model.inputs if d.name in names]


def _stage_columns(model: m.Model) -> list[str]:
    official = model.official_stage()
    return [s.name for s in model.stages if s is not official]


def columns(model: m.Model) -> list[str]:
    """The header of the generated table, in the order a council's sheet would have it."""
    out = ["unit", "max", *(a.name for a in model.attributes)]
    earlier = _stage_columns(model)
    for decl in reachable_inputs(model):
        out.append(decl.name)
        if isinstance(decl.type, m.Points):
            out.extend(f"{decl.name}@{stage}" for stage in earlier)
    return out


def unit_names(count: int) -> list[str]:
    """The named units first; beyond them, numbered copies (a large benchmark needs unique names)."""
    base = len(UNIT_NAMES)
    return [UNIT_NAMES[i] if i < base else f"{UNIT_NAMES[i % base]} (mẫu số {i // base + 1})"
            for i in range(count)]


# ---- units -------------------------------------------------------------------------------------------


def generate_units(model: m.Model, count: int, seed: int, plan: Plan | None = None) -> list[dict[str, str]]:
    """`count` units as rows of text (column → cell), the same for the same model, count and seed."""
    rng = random.Random(seed)
    plan = plan if plan is not None else compile_model(model)
    inputs = reachable_inputs(model)
    earlier = _stage_columns(model)
    rows: list[dict[str, str]] = []
    for name in unit_names(count):
        unit = _Unit(rng)
        attributes = _attributes(model, name, unit)
        app = plan.applicability(attributes)
        needed: set[str] = set()
        for i in app.leaves:
            needed.update(plan.nodes[i].reads)
        for extra in plan.extras:
            needed.update(extra.reads)
        row: dict[str, str] = {"unit": name, "max": _text(app.unit_max)}
        row.update({key: YES if value else NO for key, value in attributes.items()})
        counts: dict[str, int] = {}
        shared: dict[str, int] = {}  # for `at most` inputs: what is left of the input they are bounded by
        for decl in inputs:
            if decl.name not in needed:
                row[decl.name] = ""
                for stage in earlier if isinstance(decl.type, m.Points) else ():
                    row[f"{decl.name}@{stage}"] = ""
                continue
            row.update(_value(decl, unit, counts=counts, shared=shared, earlier=earlier))
        rows.append(row)
    return rows


def _attributes(model: m.Model, name: str, unit: _Unit) -> dict[str, bool]:
    known = UNIT_ATTRIBUTES.get(name.split(" (mẫu số ", maxsplit=1)[0], {})
    values: dict[str, bool] = {}
    for decl in model.attributes:
        if decl.name in known:
            values[decl.name] = known[decl.name]
            unit.rng.random()  # keep the draws aligned whether or not a unit is listed
            continue
        chance = ATTRIBUTE_YES.get(decl.name, 0.9)
        if decl.name == "survey_eligible" and values.get("one_stop") is False:
            chance = 0.3  # without a one-stop desk, few dossiers reach the survey
        values[decl.name] = unit.rng.random() < chance
    return values


def _value(decl: m.Declaration, unit: _Unit, *, counts: dict[str, int], shared: dict[str, int],
           earlier: list[str]) -> dict[str, str]:
    kind = decl.type
    name = decl.name
    if isinstance(kind, m.YesNo):
        return {name: unit.yes_no()}
    if isinstance(kind, m.Choice):
        return {name: unit.choice(kind.options)}
    if isinstance(kind, m.Percent | m.Number):
        low, high = _percent_bounds(decl)
        return {name: unit.percent(name, low, high)}
    if isinstance(kind, m.Count):
        if decl.at_most is not None and decl.at_most in counts:
            target = decl.at_most
            first = target not in shared
            available = shared.get(target, counts[target])
            value = unit.share(available, first)
            shared[target] = available - value
        else:
            value = unit.count(name)
        counts[name] = value
        return {name: str(value)}
    low, high = _points_bounds(decl)
    official = unit.points(name, low, high)
    out = {name: _text(official)}
    for stage in earlier:
        out[f"{name}@{stage}"] = _text(unit.self_assessed(official, high))
    return out


# ---- the command line --------------------------------------------------------------------------------


def write_csv(rows: Sequence[Mapping[str, str]], header: Sequence[str], path: Path | None) -> None:
    stream = sys.stdout if path is None else path.open("w", encoding="utf-8", newline="")
    try:
        writer = csv.DictWriter(stream, fieldnames=list(header), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    finally:
        if path is not None:
            stream.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("ruleset", nargs="?", default=str(DEFAULT_RULESET),
                        help="the .par ruleset (default: %(default)s)")
    parser.add_argument("--units", type=int, default=25, help="how many units (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=2024, help="random seed (default: %(default)s)")
    parser.add_argument("-o", "--output", help="CSV file to write (default: stdout)")
    args = parser.parse_args(argv)
    if args.units < 1:
        parser.error("--units must be at least 1")
    ruleset = parrules.load(args.ruleset)
    rows = generate_units(ruleset.model, args.units, args.seed, ruleset.plan)
    write_csv(rows, columns(ruleset.model), Path(args.output) if args.output else None)
    if args.output:
        print(f"wrote {len(rows)} units to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
