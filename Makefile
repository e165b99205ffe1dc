# Two entry points, each sets up .venv on first use (Python 3.11+, no other tools):
#   make compare   runs experiments/compare.py on the shipped instances
#   make test      runs the test suite
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: compare test lint instances

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

compare: $(STAMP)
	$(VENV)/bin/python experiments/compare.py $(ARGS)

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

instances: $(STAMP)
	$(VENV)/bin/python instances/generate.py
