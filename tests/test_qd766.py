"""The national Bộ chỉ số 766 ruleset (rulesets/national/qd766): it checks clean, its hand-worked cases
pass, and its example data scores every unit as worked out by hand.

Every expected figure is the rule text's arithmetic done by hand (written next to it; the test cases'
arithmetic is in rulesets/national/qd766/province.tests.md), never a figure parrules printed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import parrules
from parrules import check_file

D = Decimal
ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "rulesets" / "national" / "qd766"
RULESET = FOLDER / "province.par"
EXAMPLE = FOLDER / "example.csv"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.run([sys.executable, "-m", "parrules.cli", "--lang", "en", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, check=False)


@pytest.fixture(scope="module")
def ruleset() -> parrules.Ruleset:
    return parrules.load(RULESET)


def test_the_ruleset_checks_with_no_error_and_no_warning() -> None:
    report = check_file(RULESET)
    assert report.ok, report.render()
    assert list(report.diagnostics) == [], report.render()


def test_the_tree_is_the_sources_2026_split(ruleset: parrules.Ruleset) -> None:
    model = ruleset.model
    fields = {n.id: n.max for n in model.nodes() if n.kind == "field"}
    # SOURCES.md: 18 + 20 + 12 + 10 + 22 + 18 = 100.
    assert fields == {"1": 18, "2": 20, "3": 12, "3b": 10, "4": 22, "5": 18}
    criteria = {n.id: n.max for n in model.nodes() if n.kind == "criterion"}
    assert criteria == {"1.1": 6, "1.2": 4, "1.3": 2, "1.4": 6, "2.1": 20, "3.0": 12, "3.5": 2, "3.5b": 2,
                        "3.6": 6, "4.1": 6, "4.2": 4, "4.c": 2, "4.3": 2, "4.4": 4, "4.5a": 2, "4.5b": 2,
                        "5.2": 6, "5.3": 6, "5.4": 6}
    # Tracking-only indicators and those without a maximum are left out of the tree.
    assert not {"2.2", "3.1", "3.2", "3.3", "5.0", "5.1a", "5.1b"} & set(criteria)
    # Every criterion says where it comes from; 4.2 follows the portal's practice, 3.5b the maximum of the text.
    for node in model.nodes():
        if node.kind == "criterion":
            assert node.provenance is not None and node.provenance.source, node.id
    follows = {n.id: n.provenance.follows for n in model.nodes() if n.provenance and n.provenance.follows}
    assert follows == {"4.2": "practice", "3.5b": "text"}


def test_the_hand_worked_cases_pass_and_cover_every_branch() -> None:
    done = run("test", str(RULESET.relative_to(ROOT)), "--coverage", "--fail-under", "100")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 cases: 6 passed, 0 failed" in done.stdout
    assert "Branch coverage: 100 % (" in done.stdout


# The example file, worked out by hand from the rule text (R = numerator ÷ denominator; the maximum is
# the applicable part of 100: 1.2 (4) is province-only, 4.c (2) needs `certifies_copies`, a zero
# denominator takes the other rates out except 1.4, 5.2, 5.3 and 5.4).
EXPECTED = {
    # Province: everything applies (max 100). 1.1 6 × 111/120 = 5.55; 1.2 4 × 118/130 = 3.6308; 1.3 2 ×
    # 1832/1850 = 1.9805; 1.4 6 × 152340/max(156210, 153900) = 5.8514; 2.1 20 × 154210/158400 = 19.4710;
    # 3.0 9.87; 3.5 598/640 = 93.4 % ≥ 80 % → 2; 3.5b 412/640 = 64.4 % → 2 × 64.375/80 = 1.6094; 3.6 6 ×
    # 31580/48200 = 3.9311; 4.1 6 × 90150/98400 = 5.4970; 4.2 4 × 139800/156210 = 3.5798; 4.c 1.62;
    # 4.3 41200/156210 = 26.37… % → 2 × 26.37…/80 = 0.6594; 4.4 4 × 8300/156210 = 0.2125; 4.5a 2 ×
    # 1012/1290 = 1.5690; 4.5b 2 × 117500/156210 = 1.5044; 5.2 6 × 79/84 = 5.6429; 5.3 6 × 71/80 = 5.325;
    # 5.4 149100/156210 = 95.4 % ≥ 90 % → 6. Total 85.5040… → 85.50; index 85.50.
    "UBND tỉnh (toàn tỉnh)": ("Cấp tỉnh", D(100), D("85.50"), D("85.50"), 1),
    # A department: 1.2 and 4.c do not apply (max 94). 1.1 5.6; 1.3 1.9848; 1.4 6 × 6420/6510 = 5.9171;
    # 2.1 19.6467; 3.0 10.2; 3.5 41/44 = 93 % → 2; 3.5b 30/44 = 68.2 % → 1.7045; 3.6 4.7507; 4.1 5.8033;
    # 4.2 3.7174; 4.3 0.8487; 4.4 0.2519; 4.5a 1.8333; 4.5b 1.5730; 5.2 6; 5.3 5; 5.4 95.9 % → 6.
    # Total 82.8313… → 82.83; 82.8313…/94 = 88.12.
    "Sở Tư pháp": ("Sở, ban, ngành", D(94), D("82.83"), D("88.12"), 1),
    # No TTHC published in the period: 1.1 does not apply either (max 88). 1.4's larger count is the
    # portal's 3310: 6 × 3305/3310 = 5.9909. Total 75.9394… → 75.94; index 86.29.
    "Sở Nông nghiệp và Môi trường": ("Sở, ban, ngành", D(88), D("75.94"), D("86.29"), 2),
    # No petitions: 5.2 and 5.3 full (6 + 6). Total 76.3289… → 76.33 of 94; index 81.20.
    "Sở Xây dựng": ("Sở, ban, ngành", D(94), D("76.33"), D("81.20"), 3),
    # Communes publish no TTHC (1.1, 1.3 off) and 1.2 is province-only: max 100 − 6 − 4 − 2 = 88.
    # Total 75.5038… → 75.50; index 85.80.
    "Phường Đông Thành": ("Cấp xã", D(88), D("75.50"), D("85.80"), 1),
    # No dossier with a fee in the period: 3.6 does not apply too (max 82). Total 67.9908… → 67.99;
    # index 82.92.
    "Xã Tân Phong": ("Cấp xã", D(82), D("67.99"), D("82.92"), 2),
    # No counts in either system: 1.4 on the fallback 342.25 (1369 last year ÷ 4): 6 × 310/342.25 = 5.4346.
    # Total 53.6607… → 53.66 of 88; index 60.98.
    "Xã Mường Kim": ("Cấp xã", D(88), D("53.66"), D("60.98"), 3),
}


def test_the_example_scores_every_unit_as_worked_out_by_hand(ruleset: parrules.Ruleset) -> None:
    results = ruleset.score_file(EXAMPLE)
    got = {u.unit: (u.group, u.max, u.total, u.index, u.rank) for u in results.units}
    assert got == EXPECTED
    assert all(u.class_ is None for u in results.units)  # the source sets no classes
    leaves = {n.id: n for n in results.unit("Xã Mường Kim").leaves()}
    # 1.4 on the fallback denominator; 5.4 below its 90 % threshold: 280/318 = 88.05 % → 6 × 88.05/90.
    # Leaf points are exact (quotients kept to 20 places): compare with the hand formula.
    assert abs(leaves["1.4"].points - D(6) * 310 / D("342.25")) < D("1e-18")  # 5.4346…
    assert abs(leaves["5.4"].points - D(6) * 280 * 100 / (318 * D(90))) < D("1e-18")  # 5.8700…
    assert leaves["1.2"].status == "not_applicable"


def test_the_example_scores_from_the_command_line() -> None:
    done = run("score", str(RULESET.relative_to(ROOT)), str(EXAMPLE.relative_to(ROOT)), "--format", "csv",
               "--no-bom")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "group,stt,unit,qd766,total,max,index,rank"
    assert lines[1] == "Cấp tỉnh,1,UBND tỉnh (toàn tỉnh),85.50,85.50,100,85.50,1"
    assert len(lines) == 1 + len(EXPECTED)


def test_the_ruleset_folder_stands_alone() -> None:
    # The project never reads the shared source folder: the ruleset and its data carry what they need.
    for path in FOLDER.iterdir():
        assert "/work/shared" not in path.read_text(encoding="utf-8"), path.name
