"""The generated scorer (codegen.py) against the reference closures, and its safety case.

1. Differential: on random rulesets and units (Hypothesis), on every shipped ruleset and on the fuzz
   corpus, scoring with generated code and with the closures gives the same results to the last
   digit and exponent: every node's points, maxima, status and branch, every component, total,
   index, class, rank, bonus, penalty, stage total and average — or the same problems, word for word.
2. Safety: every generated module is parsed with `ast`; it may hold no string, no float, no name
   outside the compiler's vocabulary, no attribute but `R.divide`, no import, lambda, call of
   anything but the allowed helpers. So no text of a ruleset or data file can reach the code.
"""

from __future__ import annotations

import ast
import csv
import re
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parrules
from parrules import model as m
from parrules.api import Ruleset
from parrules.codegen import VOCABULARY, generate
from parrules.compile import Plan
from parrules.data import validate_mappings
from parrules.diagnostics import DataError
from parrules.evaluate import _official_env, evaluate
from parrules.results import NodeResult, Results
from strategies import records, scenarios

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools.generate_units import generate_units  # noqa: E402

SHIPPED = sorted((ROOT / "rulesets").rglob("*.par"))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---- what is compared ------------------------------------------------------------------------------


def exact(value: Any) -> Any:
    """A figure with its exponent: 1.50 and 1.5 are equal numbers but print differently."""
    return ("D", value.as_tuple()) if isinstance(value, Decimal) else value


def node_facts(node: NodeResult) -> Iterator[tuple[Any, ...]]:
    yield (node.id, exact(node.points), exact(node.max), node.status, node.branch, node.cause,
           tuple(sorted((k, exact(v)) for k, v in node.stage_points.items())))
    for child in node.children:
        yield from node_facts(child)


def facts(results: Results) -> list[Any]:
    out: list[Any] = [exact(results.average)]
    for g in results.groups:
        out.append((g.name, exact(g.average), g.units))
    for u in results.units:
        out.append((u.unit, u.group, u.rank, u.class_, exact(u.total), exact(u.index), exact(u.max),
                    sorted((k, exact(v)) for k, v in u.components.items()),
                    sorted((k, exact(v)) for k, v in u.extras.items()),
                    sorted((k, exact(v)) for k, v in u.stage_totals.items()),
                    exact(u.exact.total), exact(u.exact.index), exact(u.exact.bonus), exact(u.exact.penalty),
                    sorted((k, exact(v)) for k, v in u.exact.components.items())))
        for root in u.nodes:
            out.extend(node_facts(root))
    return out


def outcome(plan: Plan, records_: list[Any], *, generated: bool) -> tuple[str, Any]:
    try:
        return "results", facts(evaluate(plan, records_, generated=generated))
    except DataError as error:
        return "problems", [str(d) for d in error.diagnostics]


def assert_same(ruleset: Ruleset, rows: list[dict[str, object]]) -> tuple[str, Any]:
    report = validate_mappings(rows, ruleset.model)
    kept = list(report.records)
    reference = outcome(ruleset.plan, kept, generated=False)
    assert outcome(ruleset.plan, kept, generated=True) == reference
    return reference


# ---- the safety case ------------------------------------------------------------------------------

_LOCAL = re.compile(r"v\d+")
_HELPERS = {"min", "max", "bool", "list", "getcontext", "setcontext", "S", "RL", "CH"}


def assert_safe(source: str) -> None:
    tree = ast.parse(source)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert len(tree.body) == 1 and len(functions) == 1 and functions[0].name == "unit"
    for node in ast.walk(tree):
        assert not isinstance(node, ast.Import | ast.ImportFrom | ast.Lambda | ast.ClassDef | ast.Global
                              | ast.Nonlocal | ast.JoinedStr | ast.FormattedValue | ast.Starred | ast.Dict
                              | ast.comprehension | ast.Await | ast.Yield | ast.Delete | ast.With), ast.dump(node)
        if isinstance(node, ast.FunctionDef) and node is not functions[0]:
            raise AssertionError("a nested function")
        if isinstance(node, ast.Constant):
            assert node.value is None or type(node.value) in (int, bool), f"constant {node.value!r}"
        if isinstance(node, ast.Name):
            assert node.id in VOCABULARY or _LOCAL.fullmatch(node.id), f"name {node.id!r}"
        if isinstance(node, ast.arg):
            assert node.arg in {"env", "start"}
        if isinstance(node, ast.Attribute):
            assert (node.attr, getattr(node.value, "id", None)) == ("divide", "R"), f"attribute {node.attr}"
        if isinstance(node, ast.Call):
            callee = node.func
            if isinstance(callee, ast.Subscript):  # L[i](env): a reference closure
                assert isinstance(callee.value, ast.Name) and callee.value.id == "L"
            elif isinstance(callee, ast.Attribute):
                assert callee.attr == "divide"
            else:
                assert isinstance(callee, ast.Name) and callee.id in _HELPERS, ast.dump(callee)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in "KNL":
            assert isinstance(node.slice, ast.Constant) and type(node.slice.value) is int


def sources(plan: Plan, rows: list[dict[str, object]], model: m.Model) -> list[str]:
    """Every module the evaluator generates for these rows: each unit's applicability, each stage."""
    found: dict[tuple[int, tuple[int, ...] | None], str] = {}
    for record in validate_mappings(rows, model).records:
        env = _official_env(plan, record)
        if not all(name in env for name in plan.applicability_inputs):
            continue
        app = plan.applicability(env)
        if (id(app), None) not in found:
            found[id(app), None] = generate(plan, app)
        for stage_values in record.stage_values.values():
            leaves = plan.leaves_reading(app, frozenset(stage_values))
            if (id(app), leaves) not in found:
                found[id(app), leaves] = generate(plan, app, leaves)
    return list(found.values())


# ---- on random rulesets ---------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_generated_code_scores_random_rulesets_as_the_closures_do(data: st.DataObject) -> None:
    scenario = data.draw(scenarios(bonus=True))
    rows = data.draw(records(scenario, max_size=5))
    if data.draw(st.booleans()) and rows[0].keys() - {"unit"}:  # a blank cell: the same problem either way
        del rows[0][sorted(rows[0].keys() - {"unit"})[0]]
    ruleset = Ruleset(scenario.model, "<generated>", {})
    assert_same(ruleset, rows)
    for source in sources(ruleset.plan, rows, scenario.model):
        assert_safe(source)


# ---- on the shipped rulesets and the fuzz corpus ---------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_generated_code_scores_every_shipped_ruleset_as_the_closures_do(path: Path) -> None:
    ruleset = parrules.load(path)
    assert ruleset.check().ok
    rows = generate_units(ruleset.model, 60, 3, ruleset.plan)
    if not validate_mappings(rows, ruleset.model).records:  # a set whose attributes the generator cannot guess
        example = path.parent / "example.csv"
        rows = [dict(r) for r in csv.DictReader(example.open(encoding="utf-8"))]
    kind, _facts = assert_same(ruleset, rows)
    assert kind == "results"
    found = sources(ruleset.plan, rows, ruleset.model)
    assert found
    for source in found:
        assert_safe(source)


def test_the_bundled_examples_score_alike_and_every_unit_stays_on_generated_code() -> None:
    """On the bundled Lai Châu data nothing falls back: the generated code is what scores them."""
    from parrules import codegen

    for par, data in [("lai-chau/2020/departments.par", "lai-chau-2020/departments.csv"),
                     ("lai-chau/2020/districts.par", "lai-chau-2020/districts.csv"),
                     ("examples/department-full.par", "department-full/units.csv")]:
        ruleset = parrules.load(ROOT / "rulesets" / par)
        records_ = list(ruleset.validate_file(ROOT / "examples" / data).records)
        reference = outcome(ruleset.plan, records_, generated=False)
        generated = codegen.Generated.of(ruleset.plan)
        assert outcome(ruleset.plan, records_, generated=True) == reference
        assert reference[0] == "results"
        for record in records_:
            env = _official_env(ruleset.plan, record)
            assert generated.official(ruleset.plan.applicability(env))(env) is not None, record.name


def test_a_ruleset_written_to_break_out_never_reaches_the_source() -> None:
    """Titles, option names and input names that look like code stay data: K[i] and N[i] only."""
    ruleset = parrules.load(ROOT / "tests" / "fixtures" / "codegen-hostile.par")
    assert ruleset.check().ok, ruleset.check().render()
    rows = [{"unit": "Sở \"); import os; (\"", "__import__": "có", "exec_": "os_system", "eval": "50%"},
            {"unit": "Sở B", "__import__": "không", "exec_": "none", "eval": "100%"}]
    kind, _ = assert_same(ruleset, rows)
    assert kind == "results"
    found = sources(ruleset.plan, rows, ruleset.model)
    assert len(found) == 2  # with and without criterion 2
    for source in found:
        assert_safe(source)
        for word in ("import", "os", "system", "__", "eval", "exec", "Sở"):
            assert word not in source, word


def test_the_safety_check_itself_catches_text_in_source() -> None:
    """The checker above must fail on what it is there to catch, or it proves nothing."""
    good = "def unit(env):\n    v0 = env[N[0]]\n    return v0\n"
    assert_safe(good)
    for bad in ("def unit(env):\n    return 'x'\n",
                "def unit(env):\n    return os\n",
                "def unit(env):\n    return env.__class__\n",
                "def unit(env):\n    return 1.5\n",
                "def unit(env):\n    return K['x']\n",
                "def unit(env):\n    return print(1)\n",
                "import os\ndef unit(env):\n    return 1\n"):
        with pytest.raises(AssertionError):
            assert_safe(bad)


def test_the_generated_scorer_is_the_only_code_parrules_runs_from_text() -> None:
    """No eval anywhere; one exec, in codegen.py, of the source the safety test above holds."""
    found = []
    for path in sorted((ROOT / "src" / "parrules").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"eval", "exec"}:
                found.append((path.name, node.func.id))
    assert found == [("codegen.py", "exec")]


def test_the_generated_scorers_let_their_plan_go() -> None:
    """A long-running process (a portal, the fuzzer) loads ruleset after ruleset: once one is dropped,
    its plan and its generated scorers go too (a strong reference back from the scorers kept them all)."""
    import gc
    import weakref

    from parrules import codegen

    ruleset = parrules.load(ROOT / "tests" / "fixtures" / "small.par")
    ruleset.score_file(ROOT / "tests" / "fixtures" / "small.csv")
    plan = weakref.ref(ruleset.plan)
    assert plan() in codegen.Generated._of
    del ruleset
    gc.collect()
    assert plan() is None
