"""Rule authors' test cases for a ruleset, and the branch coverage they reach (`parrules test`).

A test file is a data file like any other (CSV, JSON or an Excel workbook, read by the readers of
`parrules.data`): one row per case, the unit column naming the case, attributes and inputs as in
unit data, and expectation columns headed `expect TARGET`, where TARGET is a node id (`expect 1.2`),
a bonus or penalty id (`expect B1`), or one of `total`, `index`, `class`, `max` and `group` (also
in Vietnamese: `tổng điểm`, `chỉ số`, `xếp loại`, `điểm tối đa`, `nhóm`). An empty expectation cell
is not checked; `n/a` (or `không áp dụng`) expects the node not to apply. Columns headed `note`,
`ghi chú`, … hold the author's reasoning and are not read.

The expectation and note columns are taken out before the data is validated, so the rest of the
file is read exactly as `parrules score` reads unit data. Each case is then scored on its own: a case
whose data has a problem is reported, located, and counts as failed; the others still run.

Expected figures are compared exactly, as decimals, with the published ones: a node's points
rounded as the ruleset rounds points, the total and the index as published (`0.50` equals `0.5`);
a class or a group by its name (NFC). Why a node got its points is `parrules.explain`'s text.

Coverage counts the branches of the ruleset that the cases take: each step and line of a rule and
its `otherwise`, both sides of `zero below`, a deduction that takes nothing, takes some, or reaches
its `floor`, `full unless` full and each of its conditions, a rule with one way only (`given`, a
formula), both outcomes of `applies if`, a bonus or penalty given and not, each class and each
group line. Excluded nodes (`exclude … because`) are not counted: no unit can reach them.
"""

from parrules.cases.reading import cases_from_rows, default_tests
from parrules.cases.running import run_cases, run_file

__all__ = ["cases_from_rows", "default_tests", "run_cases", "run_file"]
