# Two commands are all a new user needs: `make run` and `make test`.
# Each creates its own virtual environment; nothing is installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

LAICHAU := rulesets/lai-chau/2020
SEED := examples/lai-chau-2020

.PHONY: run test lint bench fuzz browser office clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# A regular (not editable) install, so the tests exercise the package as users get it,
# grammar file included; it is redone whenever a source file changes.
SOURCES := pyproject.toml $(shell find src grammars -type f -not -name '*.pyc' 2>/dev/null)

$(STAMP): $(BIN)/python $(SOURCES)
	$(BIN)/python -m pip install --quiet '.[test]'
	touch $(STAMP)

## run: check the bundled Lai Châu 2020 rulesets and print both results tables
run: $(STAMP)
	$(BIN)/parrules check $(LAICHAU)/departments.par $(LAICHAU)/districts.par
	$(BIN)/parrules score $(LAICHAU)/departments.par $(SEED)/departments.csv --published $(SEED)/departments-published.csv
	$(BIN)/parrules score $(LAICHAU)/districts.par $(SEED)/districts.csv --published $(SEED)/districts-published.csv

## test: lint, type-check and run the whole test suite
test: $(STAMP) browser office
	$(BIN)/ruff check src tests $(wildcard benchmarks tools fuzz)
	$(BIN)/mypy
	$(BIN)/python -m pytest -rs --durations=15

# The HTML report is rendered in headless Chromium by one test: Debian's package, installed when
# missing and the machine allows it (root with apt). Otherwise that test says it was skipped, and why.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    echo "installing Debian's chromium for the HTML rendering test…" && \
	    { DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
	      { apt-get update -q >/dev/null 2>&1 && \
	        DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; }; }; } || \
	  echo "chromium is not available: the HTML rendering test will be skipped"

# The fill-in templates are opened, printed to PDF and saved again by headless LibreOffice in a few
# tests, the PDF read with poppler's pdftotext and pdfinfo: Debian's packages, installed when missing
# and the machine allows it (root with apt). Otherwise those tests say they were skipped, and why.
office:
	@{ command -v soffice >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; } || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    echo "installing Debian's libreoffice-calc-nogui and poppler-utils for the template tests…" && \
	    { DEBIAN_FRONTEND=noninteractive apt-get install -y -q libreoffice-calc-nogui poppler-utils >/dev/null 2>&1 || \
	      { apt-get update -q >/dev/null 2>&1 && \
	        DEBIAN_FRONTEND=noninteractive apt-get install -y -q libreoffice-calc-nogui poppler-utils >/dev/null 2>&1; }; }; } || \
	  echo "LibreOffice is not available: the template tests that use it will be skipped"

## fuzz: more than 100,000 generated and mutated rulesets, data files and command lines, held to the
## promises of docs/limits.md (not part of `make test`, which runs a 2,000-case sample). Failures are
## saved under fuzz/failures/. FUZZ_ARGS passes options, e.g. FUZZ_ARGS="--seed 7 --only data".
fuzz: $(STAMP)
	$(BIN)/python fuzz/run.py $(FUZZ_ARGS)

## bench: score 10,000 generated units and compare with a hand-written scorer; then a 300-leaf ruleset at
## 1,000 and 10,000 units; `parrules check` start-up against `import lark, attrs`; a 1,000,000-unit CSV
## file scored to a CSV file (time and peak memory)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_score.py
	$(BIN)/python benchmarks/bench_scale.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_stream.py

## messages: gather every message of the code into the template and merge it into the Vietnamese
## catalogue (then translate the new entries in src/parrules/locale/vi/LC_MESSAGES/parrules.po)
LOCALE := src/parrules/locale
messages: $(STAMP)
	$(BIN)/pybabel extract --no-location --sort-output --project parrules \
	  -k _ -k n_:1,2 -k N_ -k Np_:1,2 -F babel.cfg -o $(LOCALE)/parrules.pot src/parrules
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -D parrules \
	  -i $(LOCALE)/parrules.pot -d $(LOCALE) -l vi

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
