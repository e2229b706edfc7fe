# Quick start: `make demo` (the whole stack with demo data), `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ROOT ?= .demo
# The exact chdb-core the embedded server is known to work with.
CHDB_VERSION := $(shell sed -n 's/^CHDB_VERSION = "\(.*\)"/\1/p' tutoraspects/embedded/clickhouse_server.py)
INSTALLED := $(VENV)/.installed-$(CHDB_VERSION)

.PHONY: install demo test bench screenshots clean help

help:
	@echo "make demo   - install, start the embedded stack in $(ROOT)/ with the schema, serve until Ctrl-C"
	@echo "make test   - install and run the test suite against real servers"
	@echo "make bench  - ingest, marts and chart query benchmarks (BENCH_EVENTS=10000000 for 10 M)"
	@echo "make screenshots - open every dashboard in headless Chromium, save docs/screenshots/*.png"
	@echo "make clean  - remove the virtual environment and the demo root"

install: $(INSTALLED)

$(INSTALLED): pyproject.toml tutoraspects/constraints.txt tutoraspects/services.py tutoraspects/embedded/clickhouse_server.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-deps "chdb-core==$(CHDB_VERSION)"
	$(BIN)/pip install --quiet -c tutoraspects/constraints.txt -e ".[test]"
	$(BIN)/python -m tutoraspects.embedded.venvs ralph dbt erb superset sink
	@touch $@

demo: install
	$(BIN)/aspects --root $(ROOT) demo

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) $(ROOT)

# The browser test, keeping its screenshots for docs/.
screenshots: install
	ASPECTS_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest tests/test_superset.py -k browser

bench: install
	cd benchmarks && ../$(BIN)/python ingest.py && ../$(BIN)/python marts.py
