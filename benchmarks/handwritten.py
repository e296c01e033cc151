"""A hand-written scorer of `rulesets/examples/department-full.par`: the baseline without parrules.

This is the program a developer would write for one year's decision: plain functions, `Decimal`,
one if/else per sub-criterion, the maxima and thresholds typed in by hand. It reads the same rows
(column → text) that `tools/generate_units.py` produces and that `Ruleset.score` accepts, trusts
them (no validation: that is the point of a baseline), and publishes the same figures: points,
total, maximum, index, class, group, rank and group averages, rounded as the ruleset says.

`benchmarks/bench_score.py` times it against parrules, and `tests/test_handwritten_agrees.py`
checks that both give the same figures for every unit. If the ruleset changes, this file must be
changed by hand — which is the cost parrules is meant to remove.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

D = Decimal
ZERO = D(0)
ONE = D(1)
HALF = D("0.5")
QUARTER = D("0.25")
HUNDRED = D(100)
CENT = D("0.01")
FULL_SCALE = D(98)  # 70 + 30, without the 2 points of DCCI (excluded this year)
GROUP_FULL = "Nhóm I: đủ thang điểm"
GROUP_REDUCED = "Nhóm II: thang điểm rút gọn"
GROUPS = (GROUP_FULL, GROUP_REDUCED)
CONTEXT = Context(prec=40)  # as parrules computes: far beyond any published figure

Row = Mapping[str, str]
Points = Callable[[str], Decimal]  # reads a `points` input at the stage being scored


@dataclass
class Scored:
    """One unit's published figures."""

    unit: str
    appraisal: Decimal
    survey: Decimal
    total: Decimal
    max: Decimal
    index: Decimal
    class_: str
    group: str
    rank: int = 0
    self_total: Decimal = ZERO
    exact_total: Decimal = field(default=ZERO, repr=False)


@dataclass
class Table:
    units: list[Scored]
    averages: dict[str, Decimal]
    average: Decimal


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def yes(row: Row, name: str) -> bool:
    return row[name].strip().lower() in ("có", "yes", "true", "1", "x")


def num(row: Row, name: str) -> Decimal:
    return D(row[name])


# ---- 1. Công tác chỉ đạo, điều hành CCHC (11) ------------------------------------------------------


def field_1(row: Row, points: Points) -> Decimal:
    # 1.1 Kế hoạch CCHC năm (2): 1.1.1 may be -1, but the criterion never goes below 0.
    plan = row["plan_issued"]
    if plan == "on_time":
        s111 = ONE
    elif plan == "late":
        s111 = HALF
    else:
        s111 = D(-1)
    plan_done = num(row, "plan_done")
    s112 = plan_done / HUNDRED * 1 if plan_done >= 80 else ZERO
    c11 = min(D(2), max(ZERO, s111 + s112))

    # 1.2 Báo cáo định kỳ (1.5): −0.25 per late report, −0.5 per missing one, −1 without the annual report.
    taken = QUARTER * num(row, "reports_late") + HALF * num(row, "reports_missing")
    if not yes(row, "annual_report_sent"):
        taken += 1
    c12 = max(ZERO, D("1.5") - taken)

    # 1.3 Kiểm tra (2)
    inspected = num(row, "inspected_rate")
    if inspected >= 30:
        s131 = HALF
    elif inspected >= 20:
        s131 = QUARTER
    else:
        s131 = ZERO
    found = num(row, "issues_found")
    if found == 0:
        s132 = ONE
    else:
        s132 = min((num(row, "issues_handled") / found) * 1 + (num(row, "issues_partly") / found) * HALF, ONE)
    s133 = HALF if yes(row, "inspection_report") else ZERO
    c13 = s131 + s132 + s133

    # 1.4 Tuyên truyền (1.5)
    s141 = HALF if yes(row, "propaganda_plan") else ZERO
    s142 = points("propaganda_points")
    forms = num(row, "propaganda_forms")
    if forms >= 3:
        s143 = HALF
    elif forms == 2:
        s143 = QUARTER
    else:
        s143 = ZERO
    c14 = s141 + s142 + s143

    # 1.5 Sáng kiến (2)
    initiatives = num(row, "initiatives")
    if initiatives >= 2:
        s151 = ONE
    elif initiatives == 1:
        s151 = HALF
    else:
        s151 = ZERO
    c15 = s151 + points("1.5.2")

    # 1.6 Nhiệm vụ UBND tỉnh giao (2)
    tasks = num(row, "tasks_rate")
    s161 = ZERO if tasks < 70 else tasks / HUNDRED * 1
    s162 = ZERO if num(row, "tasks_overdue") > 0 else HALF
    c16 = s161 + s162 + points("1.6.3")
    return c11 + c12 + c13 + c14 + c15 + c16


# ---- 2. Văn bản QPPL (7) ---------------------------------------------------------------------------


def field_2(row: Row, points: Points, drafts: bool) -> Decimal:
    c21 = ZERO
    if drafts:
        on_plan = num(row, "drafts_on_plan_rate")
        if on_plan == 100:
            s211 = D("0.75")
        elif on_plan >= 80:
            s211 = HALF
        else:
            s211 = ZERO
        s212 = ZERO if not yes(row, "drafts_consulted") or not yes(row, "drafts_appraised") else D("0.75")
        s213 = ZERO if num(row, "docs_annulled") > 0 else HALF
        c21 = s211 + s212 + s213

    review = row["review_plan"]
    s221 = HALF if review == "on_time" else QUARTER if review == "late" else ZERO
    s223 = HALF if yes(row, "review_followup") else ZERO
    c22 = s221 + points("2.2.2") + s223

    s231 = HALF if yes(row, "law_monitor_plan") else ZERO
    if yes(row, "law_monitor_report") and num(row, "law_issues_resolved") >= 90:
        s232 = HALF
    elif yes(row, "law_monitor_report"):
        s232 = QUARTER
    else:
        s232 = ZERO
    c23 = s231 + s232 + points("2.3.3")

    # 2.4 is capped at 1.5 although its two sub-criteria add up to 2.
    s241 = min(num(row, "docs_self_checked") * QUARTER, ONE) if drafts else ZERO
    s242 = ZERO if num(row, "unlawful_unhandled") > 0 else ONE
    c24 = min(D("1.5"), s241 + s242)
    return c21 + c22 + c23 + c24


# ---- 3. Thủ tục hành chính (14) --------------------------------------------------------------------


def field_3(row: Row, points: Points, one_stop: bool, survey_eligible: bool) -> Decimal:
    s311 = HALF if row["tthc_control_plan"] == "on_time" else ZERO
    simplified = num(row, "simplified_rate")
    if simplified > 20:
        s312 = ONE
    elif simplified > 10:
        s312 = D("0.75")
    elif simplified > 0:
        s312 = HALF
    else:
        s312 = ZERO
    s313 = max(ZERO, HALF - QUARTER * num(row, "tthc_reports_late"))
    c31 = s311 + s312 + s313

    s322 = ZERO if num(row, "tthc_not_published") > 0 else ONE
    s323 = HALF if yes(row, "tthc_db_updated") else ZERO
    c32 = points("3.2.1") + s322 + s323

    ontime = num(row, "ontime_rate")
    if ontime == 100:
        s331 = D("1.5")
    elif ontime >= 95:
        s331 = ONE
    elif ontime >= 90:
        s331 = HALF
    else:
        s331 = ZERO
    late = num(row, "late_files")
    s332 = ONE if late == 0 else num(row, "apologies") / late
    c33 = s331 + s332

    c34 = ZERO
    if one_stop:
        s341 = HALF if yes(row, "desk_staff_ok") else ZERO
        s342 = num(row, "onestop_rate") / HUNDRED * 1
        digitized = num(row, "digitized_rate")
        if digitized >= 80:
            s343 = ONE
        elif digitized >= 50:
            s343 = HALF
        else:
            s343 = ZERO
        s344 = HALF if yes(row, "desk_listing") else ZERO
        c34 = s341 + s342 + s343 + s344

    feedback = num(row, "feedback")
    if feedback == 0:
        s351 = ONE
    else:
        s351 = min((num(row, "feedback_handled") / feedback) * 1
                   + (num(row, "feedback_partly") / feedback) * HALF, ONE)
    s352 = HALF if yes(row, "feedback_published") else ZERO
    c35 = s351 + s352

    online = num(row, "online_files_rate")
    s361 = ZERO if online < 30 else online / HUNDRED * 1
    c36 = s361 + points("3.6.2")

    c37 = points("3.7") if one_stop and survey_eligible else ZERO
    c38 = HALF if yes(row, "interlinked") else ZERO
    return c31 + c32 + c33 + c34 + c35 + c36 + c37 + c38


# ---- 4. Tổ chức bộ máy (8) -------------------------------------------------------------------------


def field_4(row: Row, points: Points, public_service_units: bool) -> Decimal:
    review = row["org_review"]
    s411 = D("0.75") if review == "on_time" else HALF if review == "late" else ZERO
    s412 = ZERO if num(row, "units_over_norm") > 0 else D("0.75")
    rules = row["work_rules"]
    s413 = HALF if rules == "updated" else QUARTER if rules == "outdated" else ZERO
    c41 = s411 + s412 + s413

    s421 = max(ZERO, ONE - HALF * num(row, "deputies_over"))
    s422 = ZERO if num(row, "deputy_violations") > 0 else HALF
    c42 = s421 + s422

    s431 = ZERO if num(row, "staff_over_quota") > 0 else ONE
    downsizing = num(row, "downsizing_rate")
    if downsizing >= 10:
        s432 = ONE
    elif downsizing >= 5:
        s432 = HALF
    else:
        s432 = ZERO
    c43 = s431 + s432

    c44 = ZERO
    if public_service_units:
        s441 = HALF if yes(row, "psu_restructured") else ZERO
        s442 = min(num(row, "psu_payroll_cut") / 10, ONE)
        c44 = s441 + s442

    s451 = HALF if yes(row, "org_selfcheck") else ZERO
    c45 = s451 + points("org_fix_points")
    return c41 + c42 + c43 + c44 + c45


# ---- 5. Chế độ công vụ (10) ------------------------------------------------------------------------


def field_5(row: Row, points: Points) -> Decimal:
    positions = row["job_positions"]
    s511 = ONE if positions == "approved" else HALF if positions == "pending" else ZERO
    placed = num(row, "placed_rate")
    if placed >= 95:
        s512 = ONE
    elif placed >= 85:
        s512 = HALF
    else:
        s512 = ZERO
    c51 = s511 + s512

    s521 = ZERO if num(row, "recruitment_violations") > 0 else D("0.75")
    s522 = ZERO if num(row, "appointment_violations") > 0 or not yes(row, "appointment_public") else D("0.75")
    s523 = HALF if yes(row, "recruitment_public") else ZERO
    c52 = s521 + s522 + s523

    s531 = HALF if yes(row, "assessment_on_time") else ZERO
    s532 = HALF if num(row, "excellent_rate") <= 20 else ZERO
    c53 = s531 + s532 + points("5.3.3")

    plan = row["training_plan"]
    s541 = HALF if plan == "on_time" else QUARTER if plan == "late" else ZERO
    done = num(row, "training_done")
    s542 = done / HUNDRED * 1 if done >= 70 else ZERO
    c54 = s541 + s542

    s551 = max(ZERO, ONE - HALF * num(row, "disciplined"))
    c55 = s551 + points("5.5.2")

    s561 = ZERO if num(row, "benefit_complaints") > 0 else HALF
    c56 = s561 + points("5.6.2")
    return c51 + c52 + c53 + c54 + c55 + c56


# ---- 6. Tài chính công (8) -------------------------------------------------------------------------


def field_6(row: Row, points: Points, public_service_units: bool) -> Decimal:
    disbursed = num(row, "disbursed")
    if disbursed >= 95:
        s611 = D("1.5")
    elif disbursed >= 80:
        s611 = ONE
    elif disbursed >= 60:
        s611 = HALF
    else:
        s611 = ZERO
    s612 = HALF if yes(row, "disburse_plan") else ZERO
    c61 = s611 + s612

    s621 = HALF if yes(row, "internal_rules") else ZERO
    findings = num(row, "audit_findings")
    s622 = ONE if findings == 0 else num(row, "audit_resolved") / findings
    c62 = s621 + s622 + points("6.2.3")

    c63 = ZERO
    if public_service_units:
        s631 = num(row, "psu_autonomy") / HUNDRED * 1
        s632 = HALF if row["autonomy_plan"] == "on_time" else ZERO
        c63 = s631 + s632

    s641 = HALF if yes(row, "asset_rules") else ZERO
    s642 = ZERO if num(row, "asset_violations") > 0 else ONE
    c64 = s641 + s642

    taken = QUARTER * num(row, "budget_reports_late")
    if not yes(row, "budget_published"):
        taken += HALF
    c65 = max(ZERO, ONE - taken)
    return c61 + c62 + c63 + c64 + c65


# ---- 7. Chính phủ điện tử, chính quyền số (12) -----------------------------------------------------


def field_7(row: Row, points: Points) -> Decimal:
    plan = row["digital_plan"]
    s711 = HALF if plan == "on_time" else QUARTER if plan == "late" else ZERO
    done = num(row, "digital_done")
    s712 = ZERO if done < 50 else done / HUNDRED * 1
    c71 = s711 + s712

    edocs = num(row, "edocs_rate")
    if edocs >= 90:
        s721 = ONE
    elif edocs >= 70:
        s721 = HALF
    else:
        s721 = ZERO
    s722 = num(row, "esign_rate") / HUNDRED * 1
    s723 = HALF if num(row, "work_online_rate") > 50 else ZERO
    c72 = s721 + s722 + s723

    s731 = num(row, "fullonline_rate") / HUNDRED * 1
    submitted = num(row, "online_submit")
    if submitted >= 50:
        s732 = ONE
    elif submitted >= 20:
        s732 = submitted / HUNDRED * 1
    else:
        s732 = ZERO
    payment = num(row, "online_payment")
    s733 = ZERO if payment < 10 else payment / HUNDRED * 1
    c73 = s731 + s732 + s733

    s741 = max(ZERO, ONE - QUARTER * num(row, "portal_missing_items"))
    s742 = ZERO if num(row, "security_incidents") > 0 or not yes(row, "security_plan") else ONE
    c74 = s741 + s742

    s751 = HALF if yes(row, "data_linked") else ZERO
    s753 = num(row, "population_data_rate") / HUNDRED * HALF
    c75 = s751 + points("7.5.2") + s753

    iso = row["iso"]
    s761 = D("0.75") if iso == "maintained" else QUARTER if iso == "partial" else ZERO
    s762 = QUARTER if yes(row, "iso_published") else ZERO
    c76 = s761 + s762 + points("iso_improve_points")
    return c71 + c72 + c73 + c74 + c75 + c76


# ---- the unit --------------------------------------------------------------------------------------


def unit_max(one_stop: bool, public_service_units: bool, drafts: bool, survey_eligible: bool) -> Decimal:
    """98, less what does not apply to this unit."""
    value = FULL_SCALE
    if not drafts:
        value -= D("2.5")  # 2.1 (2) and 2.4.1, which leaves 2.4 at 1 instead of its cap 1.5
    if not one_stop:
        value -= 3  # 3.4
    if not (one_stop and survey_eligible):
        value -= 1  # 3.7
    if not public_service_units:
        value -= 3  # 4.4 and 6.3
    if not survey_eligible:
        value -= 10  # S2
    return value


def classify(index: Decimal) -> str:
    if index >= 90:
        return "Xuất sắc"
    if index >= 80:
        return "Tốt"
    if index >= 70:
        return "Khá"
    if index >= 50:
        return "Trung bình"
    return "Yếu"


def _stage_reader(row: Row, stage: str | None) -> Points:
    def read(name: str) -> Decimal:
        if stage is not None:
            staged = row.get(f"{name}@{stage}", "")
            if staged.strip():
                return D(staged)
        return D(row[name])

    return read


def _tree(row: Row, points: Points, attributes: tuple[bool, bool, bool, bool]) -> tuple[Decimal, Decimal, Decimal]:
    """Appraisal, survey and total (bonus and penalty included), unrounded."""
    one_stop, public_service_units, drafts, survey_eligible = attributes
    appraisal = (field_1(row, points) + field_2(row, points, drafts)
                 + field_3(row, points, one_stop, survey_eligible) + field_4(row, points, public_service_units)
                 + field_5(row, points) + field_6(row, points, public_service_units) + field_7(row, points))
    survey = num(row, "officials_rate") / HUNDRED * 18
    if survey_eligible:
        survey += num(row, "citizens_rate") / HUNDRED * 10
    # S3 (DCCI, 2 points) is excluded this year.
    bonus = min(D(2), max(ZERO, points("B1")))
    penalty = min(num(row, "leaders_disciplined") * 1 + num(row, "mass_complaints") * HALF, D(3))
    total = max(ZERO, appraisal + survey + bonus - max(ZERO, penalty))
    return appraisal, survey, total


def score_unit(row: Row) -> Scored:
    attributes = (yes(row, "one_stop"), yes(row, "public_service_units"), yes(row, "drafts_legal_docs"),
                  yes(row, "survey_eligible"))
    appraisal, survey, total = _tree(row, _stage_reader(row, None), attributes)
    self_total = _tree(row, _stage_reader(row, "self"), attributes)[2]
    maximum = unit_max(*attributes)
    index = round2(total / maximum * HUNDRED)
    return Scored(
        unit=row["unit"].strip(), appraisal=round2(appraisal), survey=round2(survey), total=round2(total),
        max=maximum, index=index, class_=classify(index),
        group=GROUP_FULL if maximum == FULL_SCALE else GROUP_REDUCED,
        self_total=round2(self_total), exact_total=total,
    )


def score_units(rows: Sequence[Row]) -> Table:
    """Every unit, ranked within its group by index, then appraisal points; equal keys share a rank."""
    with localcontext(CONTEXT):
        scored = [score_unit(row) for row in rows]
        ordered: list[Scored] = []
        averages: dict[str, Decimal] = {}
        for group in GROUPS:
            members = sorted((u for u in scored if u.group == group), key=lambda u: (-u.index, -u.appraisal, u.unit))
            previous: tuple[Decimal, Decimal] | None = None
            for position, unit in enumerate(members, start=1):
                key = (unit.index, unit.appraisal)
                if key != previous:
                    rank = position
                previous = key
                unit.rank = rank
            if members:
                averages[group] = round2(sum((u.index for u in members), ZERO) / len(members))
            ordered.extend(members)
        average = round2(sum((u.index for u in scored), ZERO) / len(scored)) if scored else ZERO
    return Table(ordered, averages, average)
