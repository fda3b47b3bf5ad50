# The two commands: `make demo` and `make test`. Both create .venv and install on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck check messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml Makefile | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,eval]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/resonanz demo

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check resonanz tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy resonanz

check: test lint typecheck

# Refresh the German catalogue after changing UI strings (needs gettext: msgfmt, xgettext).
messages: $(STAMP)
	cd resonanz && DJANGO_SETTINGS_MODULE=resonanz.settings ../$(BIN)/django-admin makemessages -l de --ignore "triage/[!mvs]*" --no-obsolete
	msgfmt --check --statistics -o resonanz/locale/de/LC_MESSAGES/django.mo resonanz/locale/de/LC_MESSAGES/django.po

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
