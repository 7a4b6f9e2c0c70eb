# Quick start: `make run` (workbench with demo data) and `make test` (whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Development defaults; any of these can be overridden from the environment.
export DEBUG ?= 1
export PYTHONUNBUFFERED := 1

.PHONY: run test install install-test migrate demo lint bench clean

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

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py create_editor editor --email editor@example.org --chief
	$(BIN)/python manage.py load_demo --assign-to editor

run: demo
	@echo "Workbench: http://127.0.0.1:$${PORT:-8000}/admin/  (user: editor)"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install-test
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench $(if $(CLAIMS),--claims $(CLAIMS),)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
