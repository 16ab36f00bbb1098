# Dongnam: `make run` starts the whole system, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# DEBUG off by default, so the site shows its own 404/403/500 pages as in production (`DEBUG=true make run` for
# Django's debug pages); static files are served by WhiteNoise from the finders either way (settings.py).
DEV_ENV := DONGNAM_ENV=development MANAGER_MFA_REQUIRED=$${MANAGER_MFA_REQUIRED:-false} DEBUG=$${DEBUG:-false}

.PHONY: run setup install install-dev test test-fast lint messages vendor check-deploy bench clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)." % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

setup: install
	@bin/ensure_pdf_libs
	@mkdir -p var/mail var/media
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_dongnam --demo

run: setup
	@echo "Starting web (http://127.0.0.1:8000), Celery worker and Celery beat; Ctrl-C stops all three."
	$(DEV_ENV) PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho -f Procfile.dev start

test: install-dev
	@bin/ensure_pdf_libs
	@bin/test

# The inner loop: pure rule tests (marked `fast`), no database, in parallel; seconds instead of minutes.
test-fast: install-dev
	@bin/test-fast

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache  # the layers of .importlinter

# Compile translations after editing locale/*/LC_MESSAGES/django.po (the .mo files are committed).
messages: install-dev
	DONGNAM_ENV=test $(PY) manage.py makemessages --locale ko --locale en --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	DONGNAM_ENV=test $(PY) manage.py compilemessages --ignore '.venv/*'

# Refresh the committed copies of front-end packages (needs npm; running the site does not).
vendor:
	npm install --no-save --no-audit --no-fund
	cp node_modules/@picocss/pico/css/pico.jade.min.css node_modules/@picocss/pico/LICENSE.md static/vendor/pico/
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE static/vendor/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md static/vendor/chartjs/
	# No source maps are shipped, so the manifest storage must not look for one.
	sed -i '/sourceMappingURL/d' static/vendor/chartjs/chart.umd.min.js

check-deploy: install
	DONGNAM_ENV=production DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=dongnam.example DATABASE_URL=sqlite:///:memory: $(PY) manage.py check --deploy --fail-level WARNING

# Free-space search at 10,000 and 1,000,000 bookings on PostgreSQL; drops and recreates the database
# dongnam_bench. Results: var/bench/results.json and docs/benchmarks.md.
# Then the notifications sweep and delivery (bench/notifications_sweep.py) in dongnam_bench_notifications.
# Then the HTTP layer under load (bench/http_load.py) in dongnam_bench_http, with Redis database 12 as broker.
# Then the rooms × time grid (bench/schedule.py) in dongnam_bench_schedule.
# Then the reports (bench/reports.py: building the day-by-day figures, utilization, the report, its API) in
# dongnam_bench_reports.
BENCH_DATABASE_URL ?= postgres://root@127.0.0.1:5432/dongnam_bench
bench: install-dev
	DJANGO_SETTINGS_MODULE=dongnam.settings DONGNAM_ENV=development BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" \
	  $(PY) -m bench.free_space_search
	DJANGO_SETTINGS_MODULE=dongnam.settings DONGNAM_ENV=development BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" \
	  $(PY) -m bench.notifications_sweep
	DJANGO_SETTINGS_MODULE=dongnam.settings DONGNAM_ENV=development BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" \
	  $(PY) -m bench.http_load
	DJANGO_SETTINGS_MODULE=dongnam.settings DONGNAM_ENV=development BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" \
	  $(PY) -m bench.schedule
	DJANGO_SETTINGS_MODULE=dongnam.settings DONGNAM_ENV=development BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" \
	  $(PY) -m bench.reports

clean:
	rm -rf var/celery var/static .pytest_cache
