"""Cases of the library fuzzers: each makes case number i of a seed (always the same case), and runs
it with the oracle. `registry.py` lists the fuzzers.

A case is files (written to a fresh folder) and the arguments to run on them, so that a failure can
be saved as it is and replayed: `python fuzz/run.py --replay fuzz/failures/<case>`.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fuzz import grammar, mutate, oracle, units
from fuzz.oracle import expect

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "check"
MAX_DATA = 300_000  # bytes of a generated data file (thousands of units: time grows with size)


@dataclass
class Case:
    fuzzer: str
    index: int
    files: dict[str, bytes] = field(default_factory=dict)  # name in the case's folder → content
    args: list[str] = field(default_factory=list)  # what to run, with the case's files named as above

    def write(self, folder: Path) -> None:
        for name, content in self.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


# ---- the sources: every shipped and golden ruleset, with data where there is some ------------------


def _sources() -> list[tuple[Path, Path | None]]:
    data = {
        "small.par": ROOT / "tests" / "fixtures" / "small.csv",
        "departments.par": ROOT / "examples" / "lai-chau-2020" / "departments.csv",
        "districts.par": ROOT / "examples" / "lai-chau-2020" / "districts.csv",
        "department-full.par": ROOT / "examples" / "department-full" / "units.csv",
        "units.par": ROOT / "tests" / "data" / "good.json",
    }
    found: list[tuple[Path, Path | None]] = []
    for path in sorted([*ROOT.glob("rulesets/**/*.par"), *GOLDEN.glob("**/*.par"),
                        *ROOT.glob("tests/fixtures/*.par"), *ROOT.glob("tests/data/*.par")]):
        golden_small = path.is_relative_to(GOLDEN)  # the golden rulesets are small.par with one mistake
        found.append((path, data.get(path.name) or (data["small.par"] if golden_small else None)))
    return found


SOURCES = _sources()
PAIRS = [(r, d) for r, d in SOURCES if d is not None and not r.is_relative_to(GOLDEN)]


def _rows_of(data: Path) -> list[dict[str, object]]:
    if data.suffix == ".json":
        loaded = json.loads(data.read_text(encoding="utf-8"))
        return [row for row in loaded if isinstance(row, dict)]
    return list(csv.DictReader(io.StringIO(data.read_text(encoding="utf-8-sig"))))


def _score_known_and_generated(rng: random.Random, ruleset: object, data: Path | None, workbook: bool) -> None:
    from parrules.api import Ruleset

    assert isinstance(ruleset, Ruleset)
    rows = _rows_of(data) if data is not None else []
    oracle.score_rows(ruleset, rows or units.rows(rng, ruleset.model, 3), shuffle_seed=rng.randrange(10**6))
    generated = units.rows(rng, ruleset.model, rng.randint(1, 8), odd=rng.choice([0.0, 0.0, 0.05]))
    results = oracle.score_rows(ruleset, generated, shuffle_seed=rng.randrange(10**6))
    if results is not None:
        oracle.render_everything(results, workbook=workbook)


# ---- rulesets ---------------------------------------------------------------------------------------


def make_grammar(rng: random.Random, index: int) -> Case:
    return Case("grammar", index, {"rules.par": grammar.generate(rng).encode("utf-8")}, ["rules.par"])


def make_mutation(rng: random.Random, index: int) -> Case:
    # Small files are picked more often: the 500-line ruleset takes 50 times as long to check.
    source, _ = rng.choice(SOURCES) if rng.random() < 0.7 else rng.choice(SOURCES[:8] + SOURCES[-8:])
    raw = source.read_bytes()
    if rng.random() < 0.08:
        content = mutate.mutate_bytes(rng, raw)
    else:
        text = raw.decode("utf-8", errors="surrogateescape")  # one golden file is not UTF-8, on purpose
        content = mutate.mutate_text(rng, text).encode("utf-8", errors="surrogateescape")
    files = {"rules.par": content}
    if source.is_relative_to(GOLDEN) and b"include" in raw:
        for fragment in (GOLDEN / "fragments").glob("*.par"):
            files[f"fragments/{fragment.name}"] = fragment.read_bytes()
    return Case("mutate", index, files, ["rules.par", str(source.relative_to(ROOT))])


def run_ruleset(case: Case, folder: Path, rng: random.Random) -> None:
    path = folder / case.args[0]
    ruleset, report = oracle.check_path(path)
    if ruleset is None or not report.ok:
        return
    source = ROOT / case.args[1] if len(case.args) > 1 else None
    data = dict(SOURCES).get(source) if source is not None else None
    _score_known_and_generated(rng, ruleset, data, workbook=rng.random() < 0.05)


HOSTILE: list[Callable[[random.Random], dict[str, bytes]]] = []


def _hostile(builder: Callable[[random.Random], dict[str, bytes]]) -> Callable[[random.Random], dict[str, bytes]]:
    HOSTILE.append(builder)
    return builder


SMALL = (ROOT / "tests" / "fixtures" / "small.par").read_text(encoding="utf-8")


@_hostile
def _many_bands(rng: random.Random) -> dict[str, bytes]:
    n = rng.choice([500, 2000, 4000])
    step = "%" if rng.random() < 0.8 else ""
    # Outcomes that read the input make every line's range analysis look at the lines above it.
    outcomes = ["0", "1", "2"] if rng.random() < 0.5 else ["proportional", "plan_done / 100", "1"]
    lines = [f"    when {i}{step} <= plan_done < {i + 1}{step} -> {rng.choice(outcomes)}" for i in range(n)]
    if rng.random() < 0.5:
        lines = lines + lines[: n // 2]  # and every second one twice: overlaps
    table = "sub 1.2 \"Hoàn thành kế hoạch\" max 2 {\n" + "\n".join(lines) + "\n    otherwise -> 0\n  }"
    text = SMALL.replace('sub 1.2 "Hoàn thành kế hoạch" max 2 {\n      when plan_done >= 80% -> proportional\n'
                         "      otherwise -> 0\n    }", table)
    return {"rules.par": text.encode()}


@_hostile
def _many_classes(rng: random.Random) -> dict[str, bytes]:
    n = rng.choice([1000, 5000])
    bands = "\n".join(f'  "K{i}" from {i * 100 / n:.4f}% below {(i + 1) * 100 / n:.4f}%' for i in range(n))
    tail = '\n  "top" from 100%\n}\nrank overall by index desc\n'
    text = SMALL[: SMALL.index("classes {")] + "classes {\n" + bands + tail
    return {"rules.par": text.encode()}


@_hostile
def _unknown_names(rng: random.Random) -> dict[str, bytes]:
    n = rng.choice([1000, 3000])
    inputs = "inputs {\n" + "\n".join(f"  in_{i} count" for i in range(n)) + "\n}\n"
    leaves = "\n".join(f'  criterion {i} "x" max 1 {{ when nm_{i} > 0 -> 1 otherwise -> 0 }}' for i in range(n))
    return {"rules.par": (f'ruleset "T" {{ scale {n} }}\n{inputs}component c "C" max {n} {{\n{leaves}\n}}\n').encode()}


@_hostile
def _include_diamond(rng: random.Random) -> dict[str, bytes]:
    depth = rng.choice([8, 12])
    files = {f"l{i}.par": f'include "l{i + 1}.par"\ninclude "l{i + 1}.par"\n'.encode() for i in range(depth)}
    files[f"l{depth}.par"] = b"inputs { z count }\n"
    files["rules.par"] = ('include "l0.par"\n' + SMALL).encode()
    return files


@_hostile
def _near_the_size_limit(rng: random.Random) -> dict[str, bytes]:
    padding = "# " + "x" * 98 + "\n"
    return {"rules.par": (SMALL + padding * rng.choice([5_000, 5_200])).encode()}


@_hostile
def _deep(rng: random.Random) -> dict[str, bytes]:
    kind = rng.randrange(3)
    chain = ("not " * rng.choice([100, 119, 500, 5000]) + "reports_late > 0") if kind == 0 else (
        "(" * rng.choice([39, 41, 500]) + "reports_late" + ")" * rng.choice([39, 41, 500]) + " > 0") if kind == 1 \
        else " + ".join(["reports_late"] * rng.choice([100, 118, 3000])) + " > 0"
    text = SMALL.replace("deduct 0.5 per reports_late floor 0", f"when {chain} -> 0 otherwise -> 2")
    return {"rules.par": text.encode()}


def make_hostile(rng: random.Random, index: int) -> Case:
    return Case("hostile", index, rng.choice(HOSTILE)(rng), ["rules.par"])


# ---- data files -------------------------------------------------------------------------------------


def make_data(rng: random.Random, index: int) -> Case:
    ruleset, data = rng.choice(PAIRS)
    files = {"rules.par": ruleset.read_bytes()}
    kind = rng.choice(["csv", "csv", "csv", "json", "json", "xlsx"])
    rows = _rows_of(data)
    if kind == "xlsx":
        from fuzz.workbooks import workbook

        content, expected = workbook(rng, rows)
        count = f"count:{expected}" if expected >= 0 else "skip"
        if rng.random() < 0.1:
            content, count = mutate.mutate_bytes(rng, content), "skip"
        files["units.xlsx"] = content
        return Case("data", index, files, ["rules.par", "units.xlsx", count])
    if kind == "json":
        text = json.dumps(rows, ensure_ascii=rng.random() < 0.5)
        name = "units.json"
    else:
        text = data.read_text(encoding="utf-8-sig") if data.suffix == ".csv" else _csv_of(rows)
        name = "units.csv"
    content = (mutate.mutate_text(rng, text).encode("utf-8", errors="surrogatepass") if rng.random() < 0.9
               else mutate.mutate_bytes(rng, text.encode("utf-8")))
    if len(content) > MAX_DATA:  # a grown file is cut at a line: time grows with size, and 5 s is the limit
        content = content[:content.rfind(b"\n", 0, MAX_DATA) + 1]
    files[name] = content
    return Case("data", index, files, ["rules.par", name, "recount"])


def _csv_of(rows: list[dict[str, object]]) -> str:
    out = io.StringIO()
    header = list(dict.fromkeys(k for row in rows for k in row))
    writer = csv.DictWriter(out, header)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def run_data(case: Case, folder: Path, rng: random.Random) -> None:
    import parrules
    from parrules.diagnostics import DataError

    ruleset = parrules.load(folder / case.args[0])
    path = folder / case.args[1]
    options = {"decimal_comma": rng.random() < 0.2, "percent_fractions": rng.random() < 0.1}
    report = ruleset.validate_file(path, **options)
    oracle.located_data(report.diagnostics)
    try:
        results = ruleset.score_file(path, **options)
    except DataError as exc:
        oracle.located_data(exc.diagnostics)
        expect(not report.ok, "consistency", "validate_file found no error, score_file raised")
        return
    expect(report.ok, "consistency", "validate_file found an error, score_file scored")
    how = case.args[2]
    expected = _count_units(path) if how == "recount" else int(how[6:]) if how.startswith("count:") else -1
    if expected >= 0:
        expect(len(results.units) == expected, "lost", f"{expected} units in the file, {len(results.units)} scored")
    oracle.bounds(ruleset.model, results)


def _count_units(path: Path) -> int:
    """The units of a file that scored, counted without parrules: every row with something in it."""
    text = path.read_bytes().decode("utf-8-sig")
    if path.suffix == ".json":
        data = json.loads(text)
        if isinstance(data, dict):
            data = data.get("units")
        return len(data) if isinstance(data, list) else -1
    lines = io.StringIO(text, newline="")
    delimiter = ""
    for line in lines:
        stripped = line.strip()
        if stripped in ("sep=,", "sep=;") and not delimiter:
            delimiter = stripped[-1]
        elif stripped:
            if not delimiter:  # the header decides: `;` if it has one outside quotes
                delimiter = ";" if ";" in re.sub(r'"[^"]*(?:"|$)', "", line) else ","
            break
    return sum(1 for row in csv.reader(lines, delimiter=delimiter or ",") if any(c.strip() for c in row))
