"""End-to-end runs of the `parrules` command, as a user types them — and as a user mistypes them.

Each run is a real process. Besides the oracle's promises it checks what only a whole run shows:
the exit code is one of the documented ones, nothing went to the terminal as a traceback or an
escape sequence, the inputs are unchanged, an output file exists only after a successful run (and
is then complete), no temporary file is left behind, and the run took at most 5 s and 1 GiB.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import resource
import subprocess
import sys
from pathlib import Path

from fuzz import mutate
from fuzz.cases import ROOT, Case
from fuzz.oracle import Failure, expect

RULESETS = ["tests/fixtures/small.par", "rulesets/lai-chau/2020/districts.par",
            "rulesets/lai-chau/2020/departments.par", "tests/golden/check/par212-band-overlap.par",
            "tests/data/units.par"]
DATA = {"tests/fixtures/small.par": "tests/fixtures/small.csv",
        "rulesets/lai-chau/2020/districts.par": "examples/lai-chau-2020/districts.csv",
        "rulesets/lai-chau/2020/departments.par": "examples/lai-chau-2020/departments.csv",
        "tests/data/units.par": "tests/data/good.json"}
SPECIAL = {"FIFO": "fifo.csv", "ZERO": "zero.csv", "DIR": "adir", "LINK": "link.csv", "MISSING": "nope/none.csv",
           "DANGLING": "dangling.csv"}
OUTPUTS = ["out.csv", "out.json", "out.md", "out.html", "out.xlsx", "deep/er/out.csv", "units.csv", "rules.par",
           "DIR", "LINK", "/dev/null", "/proc/parrules-fuzz.csv", "rules.par/x.csv", "DANGLING", "out"]
LIMIT_SECONDS = 5.0
LIMIT_BYTES = 1 << 30


def make_command(rng: random.Random, index: int) -> Case:
    ruleset = rng.choice(RULESETS)
    files: dict[str, bytes] = {}
    rules = (ROOT / ruleset).read_bytes()
    if rng.random() < 0.25:
        rules = mutate.mutate_text(rng, rules.decode("utf-8")).encode("utf-8", errors="surrogatepass")
    files["rules.par"] = rules
    source = DATA.get(ruleset, "tests/fixtures/small.csv")
    data_name = "units" + Path(source).suffix
    data = (ROOT / source).read_bytes()
    if rng.random() < 0.25:
        data = mutate.mutate_text(rng, data.decode("utf-8")).encode("utf-8", errors="surrogatepass")
    files[data_name] = data
    files["previous.json"] = (ROOT / "tests/fixtures/lai-chau-districts-2019-reconstructed.json").read_bytes()
    files["published.csv"] = (ROOT / "examples/lai-chau-2020/districts-published.csv").read_bytes()
    if rng.random() < 0.2:
        files["published.csv"] = mutate.mutate_text(rng, files["published.csv"].decode("utf-8")).encode(
            "utf-8", errors="surrogatepass")
    verb = rng.choice(["check", "score", "score", "explain", "report", "report", "other"])
    inputs = ["rules.par", data_name]
    if rng.random() < 0.1:  # an input that is not a regular file
        inputs[rng.randrange(2)] = rng.choice(["FIFO", "ZERO", "DIR", "MISSING"])
    args: list[str]
    if verb == "check":
        args = ["check", inputs[0], *(["rules.par"] if rng.random() < 0.2 else [])]
        args += rng.choice([[], ["--format", "json"], ["--format", "text"]])
    elif verb == "other":
        args = rng.choice([["--version"], ["--help"], ["score", "--help"], ["frobnicate"], [], ["score"],
                           ["check", "--format", "xml", "rules.par"], ["score", "rules.par", data_name, "--bogus"]])
    else:
        args = [verb, *inputs]
        if verb == "explain":
            args += ["--unit", rng.choice(["Sở Nội vụ", "sở nội vụ", "Huyện Sìn Hồ", "nobody", "\x1b[2J"])]
        if verb == "report" or rng.random() < 0.5:
            args += ["-o", rng.choice(OUTPUTS)]
        if verb != "explain" and rng.random() < 0.5:
            args += ["--format", rng.choice(["table", "csv", "json", "md", "html", "xlsx", "text"])]
        for option in (["--previous", "previous.json"], ["--published", "published.csv"], ["--decimal-comma"],
                       ["--percent-fractions"], ["--sheet", "Kết quả"]):
            if rng.random() < 0.12:
                args += option
    return Case("cli", index, files, args)


def _prepare(folder: Path) -> None:
    os.mkfifo(folder / SPECIAL["FIFO"])
    (folder / SPECIAL["ZERO"]).symlink_to("/dev/zero")
    (folder / SPECIAL["DIR"]).mkdir()
    (folder / SPECIAL["LINK"]).symlink_to(folder / "units.csv")
    (folder / SPECIAL["DANGLING"]).symlink_to(folder / "nowhere" / "x.csv")


def _snapshot(folder: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        out[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 * LIMIT_BYTES + (1 << 29), resource.RLIM_INFINITY))


def run_command(case: Case, folder: Path) -> None:
    _prepare(folder)
    args = [SPECIAL.get(a, a) for a in case.args]
    output = args[args.index("-o") + 1] if "-o" in args[:-1] else None
    before = _snapshot(folder)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    env.pop("PARRULES_DEBUG", None)
    before_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_before = before_usage.ru_maxrss
    try:
        done = subprocess.run([sys.executable, "-m", "parrules.cli", *args], cwd=folder, env=env, capture_output=True,
                              timeout=LIMIT_SECONDS * 3, check=False, preexec_fn=_limit)
    except subprocess.TimeoutExpired:
        raise Failure("hang", f"`parrules {' '.join(args)}` ran over {LIMIT_SECONDS * 3:.0f} s") from None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Processor time, the run's own cost whatever else the machine is doing.
    took = (usage.ru_utime + usage.ru_stime) - (before_usage.ru_utime + before_usage.ru_stime)
    peak = usage.ru_maxrss * 1024
    shown = f"`parrules {' '.join(args)}`"
    printed = done.stdout + done.stderr
    expect(done.returncode in (0, 1, 2), "exit", f"{shown} exited {done.returncode}: {done.stderr[-400:]!r}")
    expect(b"Traceback" not in printed and b"internal error" not in printed, "crash",
           f"{shown}: {done.stderr[-600:]!r}")
    expect(b"\x1b" not in printed and b"\x07" not in printed, "escape", f"{shown} printed a control code")
    expect(took <= LIMIT_SECONDS, "slow", f"{shown} took {took:.1f} s of processor time")
    expect(peak <= LIMIT_BYTES or peak <= peak_before * 1024, "memory", f"{shown} used {peak / 2**20:.0f} MiB")
    after = _snapshot(folder)
    target = str(Path(output)) if output is not None and not Path(output).is_absolute() else None
    for name, digest in before.items():
        if name != target or done.returncode != 0:
            expect(after.get(name) == digest, "overwrote", f"{shown} changed {name} (exit {done.returncode})")
    leftovers = [n for n in after if n not in before and n != target]
    expect(not leftovers, "leftover", f"{shown} left {leftovers}")
    if target is not None and done.returncode == 0 and output not in SPECIAL.values():
        path = folder / target
        expect(path.is_file() and path.stat().st_size > 0, "output", f"{shown} exited 0 without writing {target}")
        if target.endswith(".json") and "--format" in args and args[args.index("--format") + 1] == "json":
            json.loads(path.read_text(encoding="utf-8"))
