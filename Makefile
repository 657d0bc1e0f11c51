# Two commands: `make run` (console, worker and AICC simulator, demo data) and `make test` (the
# whole suite).
# Both need only Python 3.11+ and make; `make test` also needs a Chromium (see README.md).
#   make run PORT=8080 SIM_PORT=9099       other ports for the console and the simulator
#   make test CHROMIUM=/path/to/chrome     the browser the browser tests drive
#   make test SKIP_BROWSER=1               everything but the browser tests
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

# Compiled translations (.mo) are built, not committed: Babel, refusing format errors as
# `msgfmt --check-format` does (scripts/compile_messages.py); GNU gettext is not needed.
messages: $(MOFILES)
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po scripts/compile_messages.py | $(STAMP)
	$(BIN)/python scripts/compile_messages.py $< $@

# The simulator pushes each call's events to the demo tenant's callback URLs (var/aicc-simulator.json,
# written by seed_demo), and the worker syncs outcomes and sweeps stuck calls (manage.py run_worker).
SIM_CONFIG := var/aicc-simulator.json
run: install
	@$(MANAGE) migrate --noinput -v 0
	@$(MANAGE) seed_demo --simulator-url http://$(HOST):$(SIM_PORT) \
	  --console-url http://$(HOST):$(PORT) --simulator-config $(SIM_CONFIG)
	@$(MANAGE) seed_history
	@$(MANAGE) seed_demo_lists
	@PYTHON=$(BIN)/python HOST=$(HOST) PORT=$(PORT) SIM_PORT=$(SIM_PORT) SIM_CONFIG=$(SIM_CONFIG) \
	  exec sh scripts/serve.sh

# The browser tests drive Chromium: scripts/find_browser.py names it, or says what to install
# and stops before anything runs. SKIP_BROWSER=1 leaves them out, and says so.
ifeq ($(SKIP_BROWSER),1)
CHECK_BROWSER := echo "*** SKIP_BROWSER=1: the browser tests (tests/browser/) are NOT run ***"
NOT_BROWSER := -m "not browser"
else
CHECK_BROWSER := $(BIN)/python scripts/find_browser.py
endif

test: install
	@$(CHECK_BROWSER)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(NOT_BROWSER) $(PYTEST_ARGS)
	@$(if $(NOT_BROWSER),$(CHECK_BROWSER))

# Load benchmark (docs/performance.md): a throwaway PostgreSQL, two gunicorn servers and
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
