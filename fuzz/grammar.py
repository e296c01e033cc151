"""Random `.par` files from the language's own grammar: syntactically valid, semantically anything.

The Lark grammar is loaded and its compiled rules walked: at each nonterminal a random alternative,
and past a depth the one that ends soonest, so every derivation is finite. Terminals come from
tables of the values rule authors write and of the values that break things (huge numbers, odd
Unicode in titles, names that are keywords elsewhere).
"""

from __future__ import annotations

import functools
import random

import lark
from lark.grammar import NonTerminal, Rule, Terminal

from parrules.grammar import grammar_text

NAMES = ["plan", "done", "late", "rate", "one_stop", "on_time", "none", "full", "scale", "x", "a1", "ke_hoach",
         "tỷ_lệ", "đúng_hạn", "max_", "total", "index", "self", "final", "B1", "P1", "appraisal", "survey"]
NUMBERS = ["0", "1", "2", "0.5", "0.25", "10", "70", "30", "98", "100", "3", "1.5", "2020", "6", "7", "40",
           "99999999999999999999", "0.000000000000000000000001", "1" + "0" * 40, "123456789012345678901234567890"]
PERCENTS = ["0%", "50%", "80%", "100%", "30%", "20%", "95%", "0.5%", "100.5%", "1000%"]
STRINGS = ['"Kế hoạch CCHC"', '"Tốt"', '"Khá"', '"Trung bình"', '"Nhóm I"', '""', '"a\\"b"', '"\\\\"',
           '"Điểm thẩm định"', '"x\\ny"', '"' + "ả" * 300 + '"', '"fragment.par"', '"../x.par"', '"/etc/passwd"']
NODE_IDS = ["1", "1.1", "1.2", "2", "S1", "B1", "P1", "3.1.2", "DCCI", "a-b", "1.1.1.1", "10"]
CMP = [">=", "<=", "!=", "=", "<", ">", "≥", "≤", "≠"]
SAMPLES = {"NAME": NAMES, "NUMBER": NUMBERS, "PERCENT": PERCENTS, "STRING": STRINGS, "NODE_ID": NODE_IDS,
           "CMP_OP": CMP, "FUNCTION": ["min", "max"], "PLUS": ["+"], "MINUS": ["-", "-"], "TIMES": ["*", "×"],
           "DIVIDE": ["/", "÷"], "_ARROW": ["->", "→"], "COMMENT": ["# ghi chú"],
           "_YES": ["yes", "có", "Có"], "_NO": ["no", "không", "KHÔNG"]}
MAX_DEPTH = 14
MAX_TOKENS = 4000


@functools.cache
def _grammar() -> tuple[dict[str, list[Rule]], dict[str, str], dict[str, int]]:
    parser = lark.Lark(grammar_text(), parser="lalr")
    rules: dict[str, list[Rule]] = {}
    for rule in parser.rules:
        rules.setdefault(rule.origin.name, []).append(rule)
    literals = {t.name: t.pattern.value for t in parser.terminals if t.pattern.type == "str"}
    # How deep each nonterminal must go at least: a fixpoint over the rules.
    depth: dict[str, int] = {}
    changed = True
    while changed:
        changed = False
        for name, alternatives in rules.items():
            best = min((1 + max((depth.get(s.name, 10**6) if isinstance(s, NonTerminal) else 0
                                 for s in r.expansion), default=0) for r in alternatives), default=10**6)
            if best < depth.get(name, 10**6):
                depth[name] = best
                changed = True
    return rules, literals, depth


def generate(rng: random.Random) -> str:
    """One random `.par` text: a few top-level items (a `ruleset` block first, most of the time)."""
    items = ["ruleset_block"] if rng.random() < 0.8 else []
    items += ["_item"] * rng.randint(1, 10)
    return "".join(derive(rng, item) + "\n" for item in items)


def derive(rng: random.Random, start: str) -> str:
    """One random derivation of a nonterminal of the grammar, as text."""
    rules, literals, depth = _grammar()
    out: list[str] = []
    stack: list[tuple[object, int]] = [(NonTerminal(start), 0)]
    while stack:
        symbol, level = stack.pop()
        if isinstance(symbol, Terminal):
            name = symbol.name
            out.append(literals.get(name) or rng.choice(SAMPLES.get(name, ["x"])))
            continue
        assert isinstance(symbol, NonTerminal)
        alternatives = rules[symbol.name]
        if level > MAX_DEPTH or len(out) > MAX_TOKENS:
            shallow = depth.get(symbol.name, 0)
            alternatives = [r for r in alternatives if _rule_depth(r, depth) <= shallow] or alternatives
        rule = rng.choice(alternatives)
        stack.extend((s, level + 1) for s in reversed(rule.expansion))
    separators = [" ", " ", " ", "\n", "\n  "]
    return "".join(token + rng.choice(separators) for token in out)


def _rule_depth(rule: Rule, depth: dict[str, int]) -> int:
    return 1 + max((depth.get(s.name, 10**6) if isinstance(s, NonTerminal) else 0 for s in rule.expansion),
                   default=0)
