"""A generated criteria set of any size, for measuring how scoring grows with the ruleset.

    python benchmarks/large_ruleset.py --leaves 300 -o big.par

Fields of criteria of sub-criteria, each sub-criterion with its own input and one of the rule
patterns of real decisions in turn: a choice of steps, yes/no, percent bands, proportional with a
threshold, deductions per event with a floor, points given by the council, full unless an event,
and a rate of two counts. A third of the criteria apply only to units with a one-stop desk. The
text is written by this script from numbers alone; `parrules check` accepts it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PATTERNS = ("choice", "yesno", "bands", "proportional", "deduct", "given", "full_unless", "counts")


def _leaf(kind: str, name: str) -> tuple[str, list[str]]:
    """A sub-criterion's rule (max 1 point) and the inputs it declares."""
    if kind == "choice":
        return (f"{name}: on_time -> 1, late -> 0.5, none -> 0",
                [f'{name} one of (on_time "Đúng hạn", late "Chậm", none "Không") "Mức độ"'])
    if kind == "yesno":
        return f"{name}: yes -> 1, no -> 0", [f'{name} yes/no "Đã thực hiện"']
    if kind == "bands":
        return (f"when {name} >= 90% -> 1 when 70% <= {name} < 90% -> 0.5 otherwise -> 0",
                [f'{name} percent "Tỷ lệ"'])
    if kind == "proportional":
        return (f"proportional {name} full from 80%", [f'{name} percent "Tỷ lệ hoàn thành"'])
    if kind == "deduct":
        return f"deduct 0.25 per {name} floor 0", [f'{name} count "Số lần chậm"']
    if kind == "given":
        return f"given {name}", [f'{name} points "Điểm hội đồng" range 0 to 1']
    if kind == "full_unless":
        return f"full unless any of ({name})", [f'{name} yes/no "Có vi phạm"']
    return (f"proportional {name}_done of {name}_all if zero -> full",
            [f'{name}_all count "Tổng số hồ sơ"', f'{name}_done count "Số hồ sơ đúng hạn" at most {name}_all'])


def make_ruleset(leaves: int = 300, subs: int = 5, criteria: int = 10) -> str:
    """The text of a ruleset with `leaves` sub-criteria of 1 point each (rounded up to whole criteria)."""
    per_field = subs * criteria
    fields = max(1, -(-leaves // per_field))
    inputs: list[str] = []
    body: list[str] = []
    n = 0
    for f in range(1, fields + 1):
        body.append(f'component F{f} "Lĩnh vực {f}" max {per_field} {{')
        for c in range(1, criteria + 1):
            applies = " applies if one_stop" if c % 3 == 0 else ""
            body.append(f'  criterion {f}.{c} "Tiêu chí {f}.{c}" max {subs}{applies} {{')
            for s in range(1, subs + 1):
                kind = PATTERNS[n % len(PATTERNS)]
                rule, declared = _leaf(kind, f"x{n}")
                inputs += declared
                body.append(f'    sub {f}.{c}.{s} "Nội dung {f}.{c}.{s}" max 1 {{ {rule} }}')
                n += 1
            body.append("  }")
        body.append("}")
    head = ['ruleset "Bộ chỉ số thử nghiệm quy mô lớn" {', '  authority "Sở Nội vụ"', "  year 2026",
            "  level department", f"  scale {fields * per_field}", "}", "",
            "attributes {", '  one_stop yes/no "Có bộ phận một cửa" default yes', "}", "", "inputs {",
            *(f"  {line}" for line in inputs), "}", ""]
    tail = ["", "rounding {", "  points 2 decimals half-up", "  index 2 decimals half-up",
            "  average 2 decimals half-up", "}", "", "classes by index {", '  "Tốt" from 80%',
            '  "Khá" from 65% below 80%', '  "Trung bình" below 65%', "}", "",
            "rank overall by index desc ties share", ""]
    return "\n".join(head + body + tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a generated ruleset of a given size.")
    parser.add_argument("--leaves", type=int, default=300)
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args(argv)
    text = make_ruleset(args.leaves)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
