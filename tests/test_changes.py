"""`parrules diff OLD NEW`: what changed between two years' sets, in the decision's terms.

The 2021 variant of the Lai Châu departments' set (tests/fixtures) was written by hand to add 2
criteria and 6 sub-criteria, score DCCI again and raise "Tốt" to 85%; small-next.par changes one
deduction and a class bound, and the units' new classes are worked out by hand below.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import attrs
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from parrules import model as m
from parrules.changes import compare, counts
from strategies import models

ROOT = Path(__file__).resolve().parents[1]
OLD = "rulesets/lai-chau/2020/departments.par"
NEW = "tests/fixtures/lai-chau-departments-2021-variant.par"


def run(*args: str, lang: str | None = "en") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    env.pop("PARRULES_LANG", None)
    chosen = ["--lang", lang] if lang else []
    return subprocess.run([sys.executable, "-m", "parrules.cli", "diff", *chosen, *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, check=False)


def test_the_count_line_says_what_the_decision_says() -> None:
    vietnamese = run(OLD, NEW, lang=None)
    assert vietnamese.returncode == 0, vietnamese.stderr
    assert "tăng 2 tiêu chí và 6 tiêu chí thành phần" in vietnamese.stdout
    english = run(OLD, NEW)
    assert "Counts: 2 criteria, 6 sub-criteria and 2 parts (up by 2 criteria and 6 sub-criteria)" in english.stdout


def test_every_kind_of_change_is_listed_in_words() -> None:
    text = run(OLD, NEW).stdout
    assert "criterion 1 added: " in text and "sub-criterion 2.3 added: " in text
    assert "component appraisal: the rule `given appraisal_points` → its children" in text
    assert 'DCCI removed (was: "năm 2020 UBND tỉnh không thực hiện công bố chỉ số DCCI")' in text
    assert "the scale after exclusions: 98 → 100" in text
    assert '"Tốt": the bounds `"Tốt" from 80%` → `"Tốt" from 85%`' in text
    assert "`online_services` added: `online_services percent" in text


def test_json_and_markdown() -> None:
    done = run(OLD, NEW, "--format", "json")
    payload = json.loads(done.stdout)
    assert payload["old"]["counts"] == {"field": 0, "criterion": 0, "sub": 0, "part": 2}
    assert payload["new"]["counts"] == {"field": 0, "criterion": 2, "sub": 6, "part": 2}
    added = [c["subject"] for c in payload["changes"] if c["section"] == "node" and c["action"] == "added"]
    assert added == ["1", "1.1", "1.2", "1.3", "2", "2.1", "2.2", "2.3"]
    markdown = run(OLD, NEW, "--format", "md").stdout
    assert markdown.startswith(f"# {OLD} (2020) → {NEW} (2021)\n")
    assert "\n## Criteria\n\n- component appraisal: the rule " in markdown and "\n- criterion 1 added: " in markdown


def test_last_years_units_under_both_sets() -> None:
    # small-next.par: criterion 2 deducts 1 per late report (was 0.5), "Tốt" from 95% (was 80%).
    # Sở Nội vụ: no late report, 93.50 → Khá (below 95%), still first.
    # Sở Tư pháp: 1 late report, criterion 2 1.5 → 1, 59.00 → 54.00: Trung bình still, third still.
    # Ban Dân tộc: 2 late reports, criterion 2 1 → 0, 6.10 → 5.10 of 8 = 63.75: Khá → Trung bình.
    done = run("tests/fixtures/small.par", "tests/fixtures/small-next.par", "--data", "tests/fixtures/small.csv")
    assert done.returncode == 0, done.stderr
    tail = done.stdout.split("under both sets:\n")[1]
    assert tail == ("  Sở Nội vụ: class Tốt → Khá; index 93.50 → 93.50\n"
                    "  Ban Dân tộc: class Khá → Trung bình; index 76.25 → 63.75; mostly criterion 2 −1\n")


def test_data_the_new_set_cannot_score_is_said_not_scored() -> None:
    done = run(OLD, NEW, "--data", "examples/lai-chau-2020/departments.csv")
    assert done.returncode == 0, done.stderr
    assert "it cannot be scored under the new ruleset" in done.stdout
    assert "plan_issued" in done.stdout


def test_a_renumbered_node_is_matched_by_its_title() -> None:
    old = m.Model(m.Meta("T"), components=(m.Node("a", "component", "A", m.Decimal(2), children=(
        m.Node("1", "criterion", "Kế hoạch cải cách hành chính", m.Decimal(1), rule=m.Given("x")),
        m.Node("2", "criterion", "Báo cáo định kỳ", m.Decimal(1), rule=m.Given("y")))),))
    component = old.components[0]
    moved = attrs.evolve(component, children=(component.children[0], attrs.evolve(component.children[1], id="3")))
    new = attrs.evolve(old, components=(moved,))
    found = compare(old, new)
    assert [(c.action, c.subject, c.old, c.new) for c in found.changes] == [("renumbered", "2", "2", "3")]


def test_a_ruleset_compared_with_itself_has_no_change() -> None:
    built = run(OLD, OLD)
    assert "Nothing else differs." in built.stdout


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(models(), models())
def test_diff_is_empty_on_itself_and_consistent_with_the_counts(a: m.Model, b: m.Model) -> None:
    # A checked ruleset gives every node its own id (PAR201): the comparison relies on it.
    assume(all(len({n.id for n in x.nodes()}) == len(x.nodes()) for x in (a, b)))
    assert compare(a, a).empty
    found = compare(a, b)
    assert found.old_counts == counts(a) and found.new_counts == counts(b)
    # Every node of b is one of a's (kept or renumbered) or listed as added, and the other way round.
    for kind in counts(a):
        kept = sum(1 for n in a.nodes() if n.kind == kind)
        kept -= sum(1 for c in found.changes if c.section == "node" and c.action == "removed" and c.kind == kind)
        kept += sum(1 for c in found.changes if c.section == "node" and c.action == "added" and c.kind == kind)
        # A node kept under its id whose kind changed (a criterion that became a field) moves count.
        kept -= sum(1 for c in found.changes if c.aspect == "kind" and c.old == kind)
        kept += sum(1 for c in found.changes if c.aspect == "kind" and c.new == kind)
        assert kept == counts(b)[kind]


@given(st.data())
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_a_changed_maximum_is_one_change(data: st.DataObject) -> None:
    model = data.draw(models())
    assume(len({n.id for n in model.nodes()}) == len(model.nodes()))  # as a checked ruleset (PAR201)
    leaves = [n for n in model.nodes() if n.kind != "component" and n.is_leaf]
    if not leaves:
        return
    target = data.draw(st.sampled_from(leaves))

    def bumped(node: m.Node) -> m.Node:
        if node is target:
            return attrs.evolve(node, max=node.max + 1)
        return attrs.evolve(node, children=tuple(bumped(c) for c in node.children))

    changed = attrs.evolve(model, components=tuple(bumped(c) for c in model.components))
    node_changes = [c for c in compare(model, changed).changes if c.section == "node"]
    assert [(c.subject, c.aspect) for c in node_changes] == [(target.id, "max")]
