# Survey platform: local run, tests and maintenance.
#   make run    – install, compile translations, migrate, load the questionnaire, seed demo data, serve
#   make test   – ruff and import-linter's layers, then pytest on SQLite, then the whole suite on a throwaway PostgreSQL

SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
VENV = .venv
PY = $(VENV)/bin/python
STAMP = $(VENV)/.installed
# Browser tests launch Debian's Chromium; the services tests start Debian's redis-server.
CHROMIUM ?= /usr/bin/chromium
REDIS_SERVER ?= /usr/bin/redis-server

.PHONY: help venv install messages static migrate run organizer test lint bench bench-smoke serve stop clean

help:
	@echo "make run        install, compile messages, migrate, load data and serve on 127.0.0.1:$(PORT)"
	@echo "make test       ruff + pytest on SQLite + the whole suite on a throwaway PostgreSQL"
	@echo "make organizer  create a staff user with organizer and analyst permissions"
	@echo "make lint | bench | migrate | messages | install | clean"

# --- environment -------------------------------------------------------------------------------

# Reinstall only when pyproject.toml is newer than the stamp; an existing .venv is reused.
$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

venv: install

# Compiles the project's locale/ directories only (site-packages in .venv is skipped).
messages: install
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: apt-get install gettext" >&2; exit 1; }
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=var

# Vendor assets are committed under static/vendor (see its README.md); rebuild the Bootstrap
# subset and the d3 bundle after adding a class to a template, a JS file or a form (needs npm).
static:
	scripts/build-static

migrate: install
	$(PY) manage.py migrate --noinput

# --- running -----------------------------------------------------------------------------------

run: install messages migrate
	$(PY) manage.py load_questionnaire
	$(PY) manage.py seed_demo --if-empty
	# Static files with a gzip copy each, which runserver's WhiteNoise sends (config/static.py).
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo
	@echo "Survey (Russian):   http://127.0.0.1:$(PORT)/ru/s/sco-2025/"
	@echo "Survey (Kazakh):    http://127.0.0.1:$(PORT)/kk/s/sco-2025/"
	@echo "Survey (English):   http://127.0.0.1:$(PORT)/en/s/sco-2025/"
	@echo "Admin:              http://127.0.0.1:$(PORT)/admin/"
	@echo "Analytics:          http://127.0.0.1:$(PORT)/en/analytics/"
	@echo "Organizer monitor:  http://127.0.0.1:$(PORT)/en/organize/"
	@echo "(create a staff login with: make organizer)"
	@echo
	exec $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The login is a member of the shipped survey; more with create_staff --survey SLUG (repeatable).
organizer: install migrate
	$(PY) manage.py load_questionnaire
	$(PY) manage.py create_staff --role both --survey sco-2025

# --- quality -----------------------------------------------------------------------------------

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

# A skipped or xfailed test fails the run (see tests/conftest.py).
test: export STRICT_NO_SKIP = 1
test: install messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	env -u DATABASE_URL -u REDIS_URL -u DJANGO_ENV \
		$(VENV)/bin/pytest -m "not postgres and not browser and not services"
	@test -x $(CHROMIUM) || { echo "$(CHROMIUM) is missing (apt-get install chromium); the browser tests need it." >&2; exit 1; }
	@test -x $(REDIS_SERVER) || { echo "$(REDIS_SERVER) is missing (apt-get install redis-server); the services tests need it." >&2; exit 1; }
	env -u REDIS_URL -u DJANGO_ENV scripts/with-postgres $(VENV)/bin/pytest

# The production stack from local binaries (scripts/serve), in the background on 127.0.0.1.
serve: install
	scripts/serve start

stop:
	scripts/serve stop

# Every benchmark against `make serve`'s stack filled to 1,000,000 responses; appends to
# benchmarks/RESULTS.md. Installs wrk with apt when root. Takes about half an hour.
bench: install
	$(PY) benchmarks/run.py

# The benchmarks' smoke test (1,000 responses, throwaway PostgreSQL), as make test runs it.
bench-smoke: install
	env -u REDIS_URL -u DJANGO_ENV scripts/with-postgres $(VENV)/bin/pytest tests/system/test_benchmarks_smoke.py

clean:
	rm -rf var/
