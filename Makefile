# Quick start: `make run` (workbench with demo data) and `make test` (whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Development defaults; any of these can be overridden from the environment.
export DEBUG ?= 1
export PYTHONUNBUFFERED := 1
# The port `make run` serves on; the checkout's .env points SITE_URL at it.
export PORT ?= 8000
export RUN_DIR ?= .run

.PHONY: run test install install-test dotenv migrate demo lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The checkout's .env (DEBUG=1, a SECRET_KEY, SITE_URL on $(PORT)) and how its processes
# meet: Redis, or files in $(RUN_DIR) when there is none (factcheck/quickstart.py).
dotenv: install
	@$(BIN)/python -m factcheck.quickstart env --port $(PORT)

migrate: dotenv
	$(BIN)/python manage.py migrate --noinput

# Two chief editors, so that one can submit and the other approve; passwords printed once.
demo: migrate
	$(BIN)/python manage.py create_editor editor --email editor@example.org --chief
	$(BIN)/python manage.py create_editor reviewer --email reviewer@example.org --chief
	$(BIN)/python manage.py load_demo --assign-to editor

# Ctrl+C stops honcho, which stops web, worker and beat and exits with 130: that is how
# this target is meant to end, not an error (the trap keeps the shell from dying of it).
run: demo
	@echo "Workbench: http://127.0.0.1:$(PORT)/admin/ as editor or reviewer (each password is printed once, when the account is created). Emails are logged by worker.1. Stop with Ctrl+C."
	@trap : INT; PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --env $(RUN_DIR)/processes.env || test $$? -eq 130

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install-test
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench $(if $(CLAIMS),--claims $(CLAIMS),)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache $(RUN_DIR)
