"""Mutations of real files: what a slip of the hand, a bad copy or a hostile sender makes of them.

Text mutations work on lines and tokens (delete, duplicate, swap, replace with a word of the
language or a number from the edge of the limits), on characters (odd Unicode: NUL, ESC, a line
separator, a bidirectional override, a byte-order mark, a no-break space, curly quotes, fullwidth
digits, decomposed accents) and on bytes (a flipped bit makes text that is not UTF-8 any more).
Growth mutations repeat a block or chain an operator hundreds of times, for the limits.
"""

from __future__ import annotations

import random
import re
import unicodedata

GROWTH = 300_000  # characters a growth mutation may reach: beyond real files, within the limits
TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\d+(?:\.\d+)?%?|[^\W\d]\w*|->|>=|<=|!=|\S')
WORDS = ["{", "}", "(", ")", ",", ":", "->", "max", "min", "when", "otherwise", "proportional", "deduct", "per",
         "floor", "given", "full", "unless", "any", "of", "applies", "if", "and", "or", "not", "yes", "no",
         "percent", "count", "points", "number", "one", "range", "to", "default", "at", "most", "include",
         "component", "criterion", "sub", "part", "field", "exclude", "because", "bonus", "penalty", "up",
         "counts", "in", "scale", "rounding", "decimals", "half-up", "truncate", "classes", "from", "below",
         "above", "groups", "rank", "by", "index", "total", "desc", "asc", "ties", "share", "dense", "capped",
         "stages", "official", "year", "%", "*", "/", "+", "-", "=", "<", ">", "≥", "→", "÷", "0,5", "1,5"]
NUMBERS = ["0", "-0", "0.5", "1", "2", "7", "100", "100000", "9" * 16, "9" * 31, "0." + "0" * 25 + "1",
           "99999999999999999999.99", "1" + "0" * 4400, "0.95", "12.345678", "30 %", "1e5", "2.5%", "4300"]
ODD = ["\x00", "\x1b[2J", "\x07", "\u2028", "\u202e", "\ufeff", "\u00a0", "“", "”", "１２", "\u0301", "\x0c",
       "\x85", "\t", "\r", "𝟘", "😀", "ǅ", "İ", "\ud7ff", "\\", '"', "#", "\n" * 3, "\udcff"]


def _tokens(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in TOKEN.finditer(text)]


def mutate_text(rng: random.Random, text: str, rounds: int | None = None) -> str:
    for _ in range(rounds if rounds is not None else rng.randint(1, 3)):
        text = rng.choice(_MUTATORS)(rng, text)
    return text


def _line_edit(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    if not lines:
        return text
    i = rng.randrange(len(lines))
    action = rng.randrange(4)
    if action == 0:
        del lines[i]
    elif action == 1:
        lines.insert(i, lines[i])
    elif action == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        lines[i] = lines[i][: rng.randint(0, len(lines[i]))]
    return "\n".join(lines)


def _token_edit(rng: random.Random, text: str) -> str:
    spans = _tokens(text)
    if not spans:
        return text + rng.choice(WORDS)
    start, end = rng.choice(spans)
    action = rng.randrange(4)
    if action == 0:
        return text[:start] + text[end:]
    if action == 1:
        return text[:end] + " " + text[start:end] + text[end:]
    replacement = rng.choice(WORDS if action == 2 else NUMBERS)
    return text[:start] + replacement + text[end:]


def _number_edit(rng: random.Random, text: str) -> str:
    spans = [m.span() for m in re.finditer(r"\d+(?:\.\d+)?", text)]
    if not spans:
        return text
    start, end = rng.choice(spans)
    return text[:start] + rng.choice(NUMBERS) + text[end:]


def _odd_character(rng: random.Random, text: str) -> str:
    at = rng.randint(0, len(text))
    if rng.random() < 0.3:  # decomposed accents: the same words, written the other way
        return unicodedata.normalize("NFD", text)
    return text[:at] + rng.choice(ODD) + text[at:]


def _grow(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    action = rng.randrange(3)
    if action == 0 and lines:  # repeat a block of lines many times (to a few megabytes at most)
        i = rng.randrange(len(lines))
        block = lines[i: i + rng.randint(1, 6)]
        times = min(rng.choice([10, 200, 2000]), GROWTH // max(1, sum(len(b) + 1 for b in block)))
        return "\n".join(lines[:i] + block * max(times, 1) + lines[i:])
    spans = [m.span() for m in re.finditer(r"[^\W\d]\w*(?= *(?:>=|<=|=|<|>))", text)]
    if spans:  # chain an operator in front of a comparison's subject
        start, end = rng.choice(spans)
        word = rng.choice(["not ", "- ", "+ "]) if action == 1 else None
        chain = word * rng.choice([50, 130, 600]) if word else ""
        name = text[start:end]
        subject = chain + name if word else " + ".join([name] * rng.choice([60, 130, 700]))
        return text[:start] + subject + text[end:]
    return text + "\n" + text if len(text) < GROWTH else text


_MUTATORS = [_line_edit, _token_edit, _token_edit, _number_edit, _odd_character, _grow]


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """Byte-level damage: a flipped bit, a cut, a run of garbage, an encoding other than UTF-8."""
    if not data:
        return bytes([rng.randrange(256)])
    action = rng.randrange(4)
    at = rng.randrange(len(data))
    if action == 0:
        return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1:]
    if action == 1:
        return data[:at]
    if action == 2:
        return data[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 16))) + data[at:]
    encoding = rng.choice(["utf-16", "cp1258", "latin-1"])
    try:
        return data.decode("utf-8").encode(encoding, errors="replace")
    except UnicodeDecodeError:
        return data
