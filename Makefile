# Two commands: `make run` (console + AICC simulator, demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SIM_PORT ?= 8099
LOCALES := $(wildcard locale/*/LC_MESSAGES/django.po)
MOFILES := $(LOCALES:.po=.mo)

.PHONY: run test install messages lint format bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) messages

# Compiled translations (.mo) are built, not committed.
messages: $(MOFILES)
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	msgfmt --check-format -o $@ $<

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo --simulator-url http://$(HOST):$(SIM_PORT)
	$(MANAGE) seed_history
	@set -e; \
	$(MANAGE) aicc_simulator --host $(HOST) --port $(SIM_PORT) & sim=$$!; \
	trap 'kill $$sim 2>/dev/null; wait $$sim 2>/dev/null' EXIT INT TERM; \
	echo "Console: http://$(HOST):$(PORT)/  log in as admin, supervisor, manager1 or manager2 (password demo-pass-2026); Ctrl-C stops the console and the simulator"; \
	$(MANAGE) runserver --noreload $(HOST):$(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

# Load benchmark (docs/benchmarks.md, "Load"): a throwaway PostgreSQL, two gunicorn servers and
# the simulator, 48 managers; BENCH_ARGS="--clients 64 --duration 30" to vary it.
bench: install
	bash -c 'source .ci/postgres.sh && trap pg_stop EXIT && pg_start && \
	  DATABASE_URL=postgres://postgres@127.0.0.1:$$PGPORT/console $(BIN)/python bench/load.py $(BENCH_ARGS)'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var staticfiles artifacts $(MOFILES)
