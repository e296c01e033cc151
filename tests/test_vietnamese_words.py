"""A rule author may write yes and no as the data does, in Vietnamese: `có` and `không`."""

from __future__ import annotations

import pytest

from parrules.build import build_source

ENGLISH = """ruleset "T" { year 2024 scale 2 }
inputs { plan yes/no "Có kế hoạch" default no  late yes/no "Chậm" }
component appraisal "Thẩm định" max 2 {
  criterion 1 "Kế hoạch" max 1 { plan: yes -> 1, no -> 0 }
  criterion 2 "Báo cáo" max 1 { when late = yes -> 0  otherwise -> 1 }
}
classes { "Tốt" from 50%  "Kém" below 50% }
rank overall by index
"""


@pytest.mark.parametrize(("yes", "no"), [("có", "không"), ("Có", "Không"), ("CÓ", "KHÔNG")])
def test_co_and_khong_build_the_same_model_as_yes_and_no(yes: str, no: str) -> None:
    vietnamese = (ENGLISH.replace("default no", f"default {no}").replace("yes -> 1", f"{yes} -> 1")
                  .replace("no -> 0", f"{no} -> 0").replace("late = yes", f"late = {yes}"))
    assert vietnamese != ENGLISH
    english, written = build_source(ENGLISH, "<t>", None), build_source(vietnamese, "<t>", None)
    assert not english.diagnostics and not written.diagnostics
    assert written.model == english.model


def test_a_name_that_only_starts_like_co_or_khong_stays_a_name() -> None:
    text = ENGLISH.replace("plan", "không_có_kế_hoạch").replace("late", "cóchậm")
    built = build_source(text, "<t>", None)
    assert not built.diagnostics
    assert {d.name for d in built.model.inputs} == {"không_có_kế_hoạch", "cóchậm"}
