# Byline: `make run` serves the demo site, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_ARTICLES ?= 40
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test check-deploy test-services test-postgres test-browser bench bench-pages bench-import loadtest lint format check migrate clean backup restore

help:
	@echo "make run     install, migrate, load demo content and serve http://$(HOST):$(PORT)"
	@echo "make test    install and run the whole test suite"
	@echo "make bench   requests/s, p50, p99 under gunicorn and wrk with N (default 10000) articles; DURATION, OUT, COMPARE"
	@echo "make bench-pages   in-process page latency and query counts with N articles"
	@echo "make bench-import   import_wordpress on a generated export of N items (default 50000): time, items/s, peak RSS"
	@echo "make loadtest   mixed load by locust (reads, posts, bad input): zero 5xx; N (2000), DURATION (60), USERS (50)"
	@echo "make check-deploy   Django's deployment checklist under production settings"
	@echo "make backup   database and media files in one archive in var/backups/ (or BACKUP_DIR)"
	@echo "make restore ARCHIVE=path   replace the database and media files with an archive's (asks first)"
	@echo "make lint | format | check | test-postgres | clean"

# Backups (README, "Backups"): the database and every media file in one .tar.gz, and back.
backup: install
	$(BIN)/python manage.py backup $(if $(BACKUP_DIR),--output "$(BACKUP_DIR)")

ifdef ARCHIVE
restore: install
	$(BIN)/python manage.py restore "$(ARCHIVE)"
else
restore:
	@echo "make restore needs the archive: make restore ARCHIVE=var/backups/byline-YYYYmmdd-HHMMSS.tar.gz" >&2
	@exit 1
endif

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# requirements/dev.txt: production's requirements (base.txt, production.txt) plus the tests and tools.
$(STAMP): requirements/base.txt requirements/production.txt requirements/dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

# BYLINE_SITE_URL: the printed login, and links in emails, name the address actually served.
# DEBUG off, so that the site's own 404 and 500 pages show (with their styles: local.py serves the
# files); `make run DJANGO_DEBUG=true` shows Django's debug pages instead.
# Safe every day: seed_demo adds demo content only to an empty site (or the demo's own), and the
# editor login keeps its password (printed once, when created); RESET_EDITOR_PASSWORD=1 sets a new one.
run: migrate
	BYLINE_SITE_URL=http://$(HOST):$(PORT) $(BIN)/python manage.py seed_demo --articles $(DEMO_ARTICLES) --editor \
		$(if $(RESET_EDITOR_PASSWORD),--reset-editor-password)
	BYLINE_SITE_URL=http://$(HOST):$(PORT) DJANGO_DEBUG=$${DJANGO_DEBUG:-false} \
		$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The IMAP tests run a throwaway Dovecot (Debian's dovecot-imapd), the browser tests Debian's
# Chromium and the HTTP cache tests a throwaway Varnish (Debian's varnish): installed here when
# this user may install packages; otherwise those tests fail and say how to install them.
# axe-core (accessibility checks) comes from the npm registry.
test-services: node_modules/.installed
	@if [ ! -x /usr/sbin/dovecot ] && command -v apt-get >/dev/null && [ "$$(id -u)" -eq 0 ]; then \
		bash .ci/install-dovecot; fi
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$$(id -u)" -eq 0 ]; then \
		bash .ci/install-chromium; fi
	@if [ ! -x /usr/sbin/varnishd ] && command -v apt-get >/dev/null && [ "$$(id -u)" -eq 0 ]; then \
		bash .ci/install-varnish; fi
	@if [ ! -x /usr/sbin/nginx ] && command -v apt-get >/dev/null && [ "$$(id -u)" -eq 0 ]; then \
		bash .ci/install-nginx; fi

node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	@touch $@

# The suite runs in WORKERS processes (pytest-xdist; default 2, a two-core machine's cores;
# WORKERS=0 runs it in this one). worksteal hands each worker a contiguous half of the tests, so a
# module's Dovecot or Varnish mostly starts once; what every test shares (the migrated database,
# collected static files) is made once per run (tests/conftest.py, tests/services.py).
WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(WORKERS) --dist worksteal

test: install test-services
	$(PYTEST)

# Only the browser journeys (tests/browser); screenshots land in test-artifacts/screenshots/.
test-browser: install test-services
	$(BIN)/python -m pytest tests/browser

# The same suite against PostgreSQL (DATABASE_URL defaults to the local server).
test-postgres: install test-services
	DATABASE_URL=$${DATABASE_URL:-postgres://$${PGUSER:-postgres}@127.0.0.1:5432/postgres} $(PYTEST)

# Benchmarks on scratch databases of N articles (BENCH_ARTICLES: the former name of N).
N ?= $(or $(BENCH_ARTICLES),10000)

# Page render latency and query counts, in-process (Django's test client), on SQLite.
bench-pages: install
	$(BIN)/python bench/pages.py --articles $(N) $(BENCH_ARGS)

# Requests per second, p50 and p99 of the pages under gunicorn, driven by wrk for DURATION
# seconds each, uncached, cached, through Varnish, and against a bare reference view
# (bench/load.py). Figures go to bench/results/<timestamp>.json, or OUT.
# COMPARE="small.json large.json" prints how p50 grew between two such runs instead.
# BENCH_ARGS passes more options, e.g. "--databases sqlite --pages article,home" (bench/load.py -h).
# Debian's wrk and varnish are installed here when this user may install packages.
DURATION ?= 20
ifdef COMPARE
bench: install
	$(BIN)/python bench/load.py --compare $(COMPARE)
else
bench: install
	@if ! command -v wrk >/dev/null; then \
		if command -v apt-get >/dev/null && [ "$$(id -u)" -eq 0 ]; then \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } >/dev/null \
				|| { echo "make bench: installing wrk failed" >&2; exit 1; }; \
		else echo "make bench needs wrk: sudo apt-get install wrk" >&2; exit 1; fi; fi
	@if [ ! -x /usr/sbin/varnishd ] && command -v apt-get >/dev/null && [ "$$(id -u)" -eq 0 ]; then \
		bash .ci/install-varnish; fi
	$(BIN)/python bench/load.py --articles $(N) --duration $(DURATION) $(if $(OUT),--out $(OUT)) $(BENCH_ARGS)
endif

# A bounded mixed load on gunicorn, driven by locust (bench/loadtest.py, bench/locustfile.py): readers,
# comments, guest posts, complaints and bad input from USERS users (default 50) for DURATION seconds
# (default 60) on N articles (default 2000). Fails on any 5xx or lost post; the report goes to
# bench/results/loadtest-<timestamp>.json. LOADTEST_ARGS passes more, e.g. "--database postgres".
# Not part of `make test`. The defaults are bench/loadtest.py's: N and DURATION pass only when given.
loadtest: install
	$(BIN)/python bench/loadtest.py $(if $(filter-out file,$(origin N)),--articles $(N)) \
		$(if $(filter-out file,$(origin DURATION)),--duration $(DURATION)) $(if $(USERS),--users $(USERS)) $(LOADTEST_ARGS)

# The WordPress import (bench/import_wordpress.py): `manage.py import_wordpress` on a generated
# export of N items (default 50000; bench/wxr.py) in a scratch database, then again (no count may
# change), and on N/10 items for the memory check: wall time, items/s and peak RSS, with figures in
# bench/results/import-<timestamp>.json. BENCH_ARGS passes more, e.g. "--database postgres".
# The default N is the script's: N passes only when given.
bench-import: install
	$(BIN)/python bench/import_wordpress.py $(if $(filter-out file,$(origin N)),--posts $(N)) $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Django's deployment checklist under production settings, failing on any warning. The
# production environment's own variables are used where set; the others get stand-ins that
# describe the intended deployment (PostgreSQL, Redis, a media bucket), nothing is contacted.
check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.production \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-news.example.com}" \
	DATABASE_URL="$${DATABASE_URL:-postgres://byline@db.internal:5432/byline}" \
	REDIS_URL="$${REDIS_URL:-redis://cache.internal:6379/0}" \
	AWS_STORAGE_BUCKET_NAME="$${AWS_STORAGE_BUCKET_NAME:-byline-media}" \
	DJANGO_STATIC_ROOT="$${DJANGO_STATIC_ROOT:-$(CURDIR)/staticfiles}" \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) .pytest_cache staticfiles node_modules test-artifacts
