# Two entry points: `make run` (set up, then summarise the sample articles with the
# embedded model) and `make test` (set up, then lint, type-check and run the tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# llama-cpp-python compiles from source once (pip caches the wheel afterwards).
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: setup run test eval eval-check bench clean

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev]'
	$(BIN)/communique model
	rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)

run: setup
	$(BIN)/communique summarise samples/ --out out/samples.jsonl
	@echo "records written to out/samples.jsonl"

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
