# Two entry points: `make run` (set up, summarise the sample articles with the embedded
# model, then write a briefing of them) and `make test` (set up, then lint, type-check
# and run the tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# llama-cpp-python compiles from source once (pip caches the wheel afterwards).
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: setup run brief test eval eval-check bench clean

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev,local]'
	$(BIN)/communique model
	rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)

run: setup
	$(BIN)/communique summarise samples/ --out out/samples.jsonl
	@echo "records written to out/samples.jsonl"
	$(BIN)/communique brief out/samples.jsonl --title "Briefing: sample articles" \
		--out out/briefing.md --out out/briefing.html

# A briefing of the samples, in Markdown and as one HTML page (cached records are reused).
brief: setup
	$(BIN)/communique brief samples/ --title "Briefing: sample articles" \
		--out out/briefing.md --out out/briefing.html

test: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest

eval: setup
	$(BIN)/communique eval

eval-check: setup
	$(BIN)/communique eval --check

bench: setup
	$(BIN)/python benchmarks/bench_embedded.py

clean:
	rm -rf $(VENV) out
