PYTHON := $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

export DJANGO_DEBUG ?= true

.PHONY: venv venv-dev run smart-ehr test lint bench bench-engine bench-api bench-pages bench-cds bench-impact \
	migrations-check static-deps

venv: $(VENV)/requirements.stamp

venv-dev: $(VENV)/requirements-dev.stamp

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the requirements change.
$(VENV)/requirements.stamp: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/requirements-dev.stamp: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/requirements.stamp

# NHS.UK frontend from npm (package.json): its JS and assets are served from node_modules,
# its CSS is built by sass from frontend/nhsuk.scss into staticbuild/ (never committed).
static-deps: node_modules/.package-lock.json staticbuild/nhsuk.css

staticbuild/nhsuk.css: frontend/nhsuk.scss node_modules/.package-lock.json
	npx sass --no-source-map --style=compressed --load-path=node_modules $< $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

run: venv static-deps
	$(BIN)/python manage.py migrate
	$(BIN)/python manage.py load_guidance
	$(BIN)/python manage.py create_demo_users
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# A local EHR (the SMART tests' authorization and FHIR servers) for trying the SMART launch
# beside `make run`, in a second terminal: it registers itself and prints launch links.
smart-ehr: venv static-deps
	$(BIN)/python -m tests.smart.demo

# pytest exits 5 when no tests are collected; that is not a failure here.
# One test process per core, up to four (pytest-xdist; each has its own test database).
test: venv-dev static-deps
	$(BIN)/pytest --numprocesses=auto --maxprocesses=4; status=$$?; \
		[ $$status -eq 0 ] || [ $$status -eq 5 ]

lint: venv-dev
	$(BIN)/ruff check .

# Every benchmark, with figures: the engine, the clinician pages, the REST API, CDS Hooks.
bench: bench-engine bench-pages bench-api bench-cds

bench-engine: venv
	$(BIN)/python -m bench.engine

# The REST API under gunicorn (DEBUG off, 2 sync workers, access log on), driven by Debian's
# wrk, against a truly bare DRF app served the same way (bench/bare_project: DRF and one view,
# none of BoneCare's middleware) and, as a second line, a bare view inside BoneCare's
# middleware (bench/urls.py): on a throwaway SQLite file (the embedded default) and on a
# fresh PostgreSQL database, one after the other. Prints evaluate's req/s, the bare app's,
# their ratio and evaluate's p99.
BENCH_DATABASE := bonecare_bench_api
bench-api: venv
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) \
		|| { echo "bench-api needs wrk: apt-get install -y wrk" >&2; exit 1; }
	psql -h 127.0.0.1 -U postgres -qc 'DROP DATABASE IF EXISTS $(BENCH_DATABASE)' \
		-c 'CREATE DATABASE $(BENCH_DATABASE)'
	env -u DATABASE_URL \
		BENCH_POSTGRESQL_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_DATABASE) \
		$(BIN)/python -m bench.api

# The CDS Hooks patient-view (V01 prefetch, a fresh pre-signed JWT per request) beside
# POST /api/v1/evaluate in the same run, under gunicorn and wrk (bench/cds.py), on SQLite and
# on a fresh PostgreSQL database.
BENCH_CDS_DATABASE := bonecare_bench_cds
bench-cds: venv
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) \
		|| { echo "bench-cds needs wrk: apt-get install -y wrk" >&2; exit 1; }
	psql -h 127.0.0.1 -U postgres -qc 'DROP DATABASE IF EXISTS $(BENCH_CDS_DATABASE)' \
		-c 'CREATE DATABASE $(BENCH_CDS_DATABASE)'
	env -u DATABASE_URL BENCH_PORT=$${BENCH_PORT:-8105} \
		BENCH_POSTGRESQL_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_CDS_DATABASE) \
		$(BIN)/python -m bench.cds

migrations-check: venv
	$(BIN)/python manage.py makemigrations --check --dry-run

# Server time of the clinician pages (form and result), median and p95.
bench-pages: venv
	$(BIN)/python -m bench.pages

# The rules console's impact preview over 10,000 stored consultations (target under 2 s),
# on a throwaway SQLite database, or PostgreSQL with DATABASE_URL set (bench/impact.py).
bench-impact: venv
	$(BIN)/python -m bench.impact

