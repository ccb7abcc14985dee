# Parcours: `make run` serves the platform with demo data; `make test` runs the whole suite.
# Everything lives in .venv/ (Python packages) and var/ (database, secrets, files, outbox).

PYTHON ?= python3.11
VENV := .venv
PORT ?= 8000
PIP := $(VENV)/bin/pip
PY := $(VENV)/bin/python
CONSTRAINTS := constraints.txt

.PHONY: run dev test lint format migrations demo clean

run: $(VENV)/.installed-run
	@scripts/run.sh run

dev: $(VENV)/.installed-run
	@scripts/run.sh dev

test: $(VENV)/.installed-test
	@scripts/test.sh

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint --lint templates themes
	SECRET_KEY=lint $(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

$(VENV)/bin/python:
	@scripts/check-python.sh "$(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-run: $(VENV)/bin/python pyproject.toml $(CONSTRAINTS)
	$(PIP) install --quiet -c $(CONSTRAINTS) -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/bin/python pyproject.toml $(CONSTRAINTS)
	$(PIP) install --quiet -c $(CONSTRAINTS) -e '.[test]'
	@touch $@ $(VENV)/.installed-run

clean:
	rm -rf $(VENV) var
