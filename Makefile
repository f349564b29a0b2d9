# Himaya — the two commands a newcomer needs are `make run` and `make test`.
# Everything they need is installed from the package registries by the targets below:
# uv (from PyPI, into .tools/), Python 3.12 (found on the machine or installed by uv),
# the locked Python packages (.venv/), the front-end assets (node_modules/, from npm).

SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(CURDIR)/.tools/bin:$(PATH)

UV_VERSION := 0.13.9
UV := $(CURDIR)/.tools/bin/uv
PY := $(CURDIR)/.venv/bin/python
DEMO_PASSWORD ?= himaya-demo-2026
HOST ?= 127.0.0.1
PORT ?= 8000
# A Python 3.12+ already on the machine (pyenv's, the system's); uv installs one otherwise.
PYTHON_312 := $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.13))

.PHONY: help setup run test check lint format messages clean bench

help:
	@echo "make run    set up everything and serve Himaya with demo data on http://$(HOST):$(PORT)"
	@echo "make test   set up everything and run the test suite (DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make check  the CI gates: ruff, migrations, deploy checks, message catalogues"

$(UV):
	@echo "→ installing uv $(UV_VERSION) into .tools/"
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: $(UV) pyproject.toml uv.lock
	@if [ -n "$(PYTHON_312)" ]; then \
	  $(UV) venv --allow-existing --quiet --python "$(PYTHON_312)" .venv; \
	else \
	  $(UV) python install 3.12 && $(UV) venv --allow-existing --quiet --python 3.12 .venv; \
	fi
	$(UV) sync --frozen --quiet
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# A developer's local settings (DEBUG=1, embedded SQLite); production uses the real environment.
.env:
	cp .env.example .env

# Debian packages the build and the PDFs use: gettext compiles the message catalogues; Pango
# shapes Arabic for WeasyPrint; Amiri (Arabic) and DejaVu (Latin) are the PDF fonts.
SYSTEM_PACKAGES := gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-hosny-amiri fonts-dejavu-core
.tools/.system-deps: Makefile
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "→ installing Debian packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@mkdir -p .tools && touch $@

setup: .env .tools/.system-deps .venv/.synced node_modules/.installed messages

# Compiled catalogues are rebuilt only when their .po changed.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
messages: $(CATALOGUES)
locale/%.mo: locale/%.po .tools/.system-deps
	@msgfmt --check-format -o $@ $<

run: setup
	@mkdir -p var
	DEBUG=1 $(PY) manage.py migrate --no-input -v 0
	DEBUG=1 $(PY) manage.py seed_demo --password "$(DEMO_PASSWORD)"
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(PY) -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

check: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check_messages
	SECRET_KEY=ci-check-only-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz \
	  ALLOWED_HOSTS=himaya.example.ma DEBUG=0 DATABASE_URL=postgres://ci:ci@127.0.0.1:5432/ci \
	  $(PY) manage.py check --deploy --fail-level WARNING

lint format:
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf .venv .tools node_modules staticfiles var

# Benchmarks (figures committed under bench/results/ with the machine and commit).
bench: setup
	$(PY) bench/run.py
