# Two commands for a fresh clone: `make run` and `make test`. Nothing else needs installing.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test lint bench bench-scale bench-import fuzz audit translations db clean

$(BIN)/.installed: requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

translations: $(BIN)/.installed
	$(BIN)/flask translate compile >/dev/null

db: $(BIN)/.installed translations
	$(BIN)/flask db upgrade
	$(BIN)/flask plans import-folder
	$(BIN)/flask users demo

run: db
	@echo
	@echo "  The tracker is starting at http://$(HOST):$(PORT)/"
	@echo "  Sign in with one of the demo accounts listed above (password: demo-pass-2026)."
	@echo "  An executor account reports for its body; coordinator@demo.tracker.example reviews."
	@echo
	@echo "  The background worker (reminders, long exports) runs beside it; Ctrl+C stops both."
	@echo
	@$(BIN)/flask jobs worker & worker=$$!; \
	trap 'kill -INT $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# One worker per core (pytest-xdist): each worker has its own temporary databases and browser.
test: $(BIN)/.installed translations
	$(BIN)/python -m pytest -n auto

# ruff, then the package stack (pyproject.toml [tool.importlinter]: every package imports only downward)
lint: $(BIN)/.installed
	$(BIN)/ruff check tracker tests migrations wsgi.py gunicorn.conf.py
	$(BIN)/lint-imports --no-cache

bench: $(BIN)/.installed bench-scale bench-import
	$(BIN)/python -m pytest tests/test_bench_import.py --benchmark-enable --benchmark-columns=min,median,mean,max,rounds
	$(BIN)/python tests/bench_export.py --copies 3

# A 20 MB, 20,000-activity plan: upload → preview → confirm in the browser, and `plans import`; SQLite and PostgreSQL.
bench-import: $(BIN)/.installed translations
	$(BIN)/python tests/bench_browser_import.py --database both --label now --markdown

# The coordinator's pages and the workbook on the synthetic country, N=1 and N=10, SQLite and PostgreSQL.
bench-scale: $(BIN)/.installed translations
	$(BIN)/python tests/bench_scale.py --database both --scales 1,10 --reuse --markdown

fuzz: $(BIN)/.installed translations
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz_import.py --hypothesis-show-statistics -q

audit: $(BIN)/.installed
	$(BIN)/python tests/audit.py

clean:
	rm -rf $(VENV) instance .pytest_cache .benchmarks
