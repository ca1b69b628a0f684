# Two entry points: `make run` (set up, summarise the sample articles with the embedded
# model, then write a briefing of them) and `make test` (set up, then lint, type-check
# and run the tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# llama-cpp-python compiles from source once per machine and version, for the CPU
# features every x86-64 machine of the last decade has (AVX2, FMA, F16C) rather than
# for this one: a build for the host's every instruction (AMX, AVX-512 FP16) can stop
# with "illegal instruction" on a machine that reports them but does not enable them.
# The wheel is kept under ~/.cache/communique/wheels, keyed by version and flags
# (pip's own cache ignores the flags).
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc 2>/dev/null || echo 2)
LLAMA := llama-cpp-python==0.3.36
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
WHEELS := $(HOME)/.cache/communique/wheels/$(shell echo '$(LLAMA) $(LLAMA_CMAKE_ARGS)' | cksum | cut -d' ' -f1)

.PHONY: setup run brief test eval eval-check bench clean

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	ls $(WHEELS)/llama_cpp_python-*.whl >/dev/null 2>&1 || \
		CMAKE_ARGS='$(LLAMA_CMAKE_ARGS)' $(BIN)/pip wheel --disable-pip-version-check -q \
		--no-deps --no-cache-dir -w $(WHEELS) '$(LLAMA)'
	$(BIN)/pip install --disable-pip-version-check -q $(WHEELS)/llama_cpp_python-*.whl
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
