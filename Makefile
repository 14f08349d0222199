# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Python 3.13: from PATH, else from pyenv.
PYTHON313 := $(shell command -v python3.13 2>/dev/null || ls /root/.pyenv/versions/3.13*/bin/python3.13 2>/dev/null | tail -n1)

# make run / make test use development settings unless the caller says otherwise.
export DJANGO_DEBUG ?= 1

.PHONY: install run port-free admin serve migrate load static messages test coverage-branches fuzz backup restore lint format ci superuser editor publisher bench bench-admin bench-queries bench-archive bench-db-restart bench-observatory clean

$(PY):
	@test -n "$(PYTHON313)" || { echo "Python 3.13 not found (install it, e.g. pyenv install 3.13)"; exit 1; }
	$(PYTHON313) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	mkdir -p var/static var/media
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

load: migrate
	$(PY) manage.py load_cica

static: install
	$(PY) manage.py collectstatic --noinput --verbosity 0

# make run PORT=8101 serves on another port; absolute links follow it (DEBUG: cicasite.core.links).
run: port-free load static
	@echo "Serving http://$(HOST):$(PORT)/  (log in: make admin PORT=$(PORT); stop: Ctrl-C)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Fails early, before loading anything, when something already listens on PORT, and names a free one.
port-free:
	@if (exec 3<>/dev/tcp/$(HOST)/$(PORT)) 2>/dev/null; then \
		free=$$(( $(PORT) + 1 )); while (exec 3<>/dev/tcp/$(HOST)/$$free) 2>/dev/null; do free=$$((free + 1)); done; \
		echo "Port $(PORT) on $(HOST) is busy (another server?). Pick another: make run PORT=$$free"; exit 1; \
	fi

# Development only: create or reset the superuser "admin" and print the address and a new random password.
# Refused with DJANGO_DEBUG=0 or a real SECRET_KEY (cicasite/management/commands/dev_admin.py).
admin: migrate
	@$(PY) manage.py dev_admin --site http://$(HOST):$(PORT)

# Production mode on this machine: nginx on PORT in front of gunicorn on UPSTREAM_PORT (loopback), DEBUG off,
# hashed static files and the micro-cache from nginx (deploy/nginx.conf.template, rendered into var/nginx/;
# docs/production.md). Configure with the environment variables in docs/production.md; without SECRET_KEY
# a random one is kept in var/secret_key. TLS: TLS_CERT=... TLS_KEY=... (nginx terminates it; plain HTTP on
# REDIRECT_PORT answers 301), or BEHIND_TLS=1 when a load balancer or CDN in front does. Without either,
# a trial over plain HTTP on loopback (SECURE_SSL_REDIRECT off).
NGINX := $(shell command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
serve: DJANGO_DEBUG = 0
serve: export SECRET_KEY_FILE ?= var/secret_key
serve: export ALLOWED_HOSTS ?= 127.0.0.1,localhost
serve: export SITE_URL ?= $(if $(TLS_CERT)$(BEHIND_TLS),https,http)://$(HOST):$(PORT)
serve: export SECURE_SSL_REDIRECT ?= $(if $(TLS_CERT)$(BEHIND_TLS),1,0)
# Login throttling believes X-Forwarded-For from nginx only (cicasite.core.middleware.client_ip).
serve: export TRUSTED_PROXIES ?= 127.0.0.1
serve: UPSTREAM_PORT ?= $(shell echo $$(( $(PORT) + 1 )))
serve: WORKERS ?= 3
serve: install
	@test -x "$(NGINX)" || { test "$$(id -u)" = 0 && apt-get install -y -q nginx libnginx-mod-http-brotli-filter \
		libnginx-mod-http-brotli-static >/dev/null; } || \
		{ echo "nginx is missing: install it (apt-get install nginx) and run make serve again"; exit 1; }
	@test -n "$$SECRET_KEY" || test -s "$$SECRET_KEY_FILE" || \
		(umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(64))" > "$$SECRET_KEY_FILE")
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_cica
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) deploy/serve.py --listen $(HOST):$(PORT) --upstream 127.0.0.1:$(UPSTREAM_PORT) --workers $(WORKERS) \
		$(if $(TLS_CERT),--tls-cert $(TLS_CERT) --tls-key $(TLS_KEY) --redirect-listen $(HOST):$(or $(REDIRECT_PORT),80)) \
		$(if $(BEHIND_TLS),--behind-tls)

# Database (every table but sessions and login attempts) plus media, with a manifest of hashes, signed
# with BACKUP_KEY or BACKUP_KEY_FILE (docs/operations.md). With neither set, the key is kept in
# var/backup_key, made once here (owner-only); keep a copy of it away from the backups.
BACKUP_KEY_DEFAULT := var/backup_key
backup: install
	@if [ -z "$$BACKUP_KEY" ] && [ -z "$$BACKUP_KEY_FILE" ] && [ ! -s $(BACKUP_KEY_DEFAULT) ]; then \
		mkdir -p var && (umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(48))" > $(BACKUP_KEY_DEFAULT)) && \
		echo "Made a backup key in $(BACKUP_KEY_DEFAULT): keep a copy outside this machine (docs/operations.md)."; \
	fi
	$(if $(BACKUP_KEY)$(BACKUP_KEY_FILE),,BACKUP_KEY_FILE=$(BACKUP_KEY_DEFAULT)) $(PY) manage.py backup

# make restore BACKUP=var/backups/<timestamp> [YES=1 to replace existing content] [UNSIGNED=1 for a
# backup without a signature]. A freshly migrated database needs no YES=1. The key as for make backup.
restore: migrate
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<timestamp> [YES=1] [UNSIGNED=1]"; exit 1; }
	$(if $(BACKUP_KEY)$(BACKUP_KEY_FILE),,$(if $(wildcard $(BACKUP_KEY_DEFAULT)),BACKUP_KEY_FILE=$(BACKUP_KEY_DEFAULT))) \
		$(PY) manage.py restore $(BACKUP) $(if $(YES),--yes) $(if $(UNSIGNED),--allow-unsigned)

# Translators: refresh locale/*/LC_MESSAGES/django.po from the code (needs GNU gettext's xgettext),
# then compile the .mo files with polib. The compiled files are committed: running the site needs neither.
messages: install
	$(PY) manage.py makemessages --all --no-location --no-obsolete --ignore ".venv/*" --ignore "var/*"
	$(PY) manage.py compile_catalogues

superuser: migrate
	$(PY) manage.py createsuperuser

# Staff accounts in the Editor or Publisher group: make editor USERNAME=erin (asks for the password).
editor publisher: migrate
	@test -n "$(USERNAME)" || { echo "usage: make $@ USERNAME=<name>"; exit 1; }
	$(PY) manage.py create_staff_user "$(USERNAME)" --role $@

# The suite on every core (TEST_WORKERS=auto: one pytest-xdist worker per CPU, each with its own
# test database; TEST_WORKERS=0 runs it in one process), under coverage; prints the 15 slowest tests.
TEST_WORKERS ?= auto
test: install
	$(PY) manage.py makemigrations --check --dry-run --verbosity 1
	COVERAGE_CORE=sysmon $(PY) -m pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder --durations=15 \
		--cov --cov-report=term:skip-covered $(PYTEST_ARGS)

# The suite with branch coverage too (the classic tracer: about 40 s slower than make test here).
coverage-branches: install
	COVERAGE_CORE=ctrace $(PY) -m pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder \
		--cov --cov-branch --cov-report=term:skip-covered $(PYTEST_ARGS)

# Property-based fuzzing of every public URL on PostgreSQL: 2 x 5,000 examples
# (make test runs 2 x 100). Prints how many requests it tried.
fuzz: install
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-5000} \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cica_fuzz} \
	$(PY) -m pytest -q -s tests/test_fuzz.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djhtml --check templates
	git ls-files '*.py' | xargs $(VENV)/bin/django-upgrade --target-version 6.1 --check
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml templates

ci:
	bash .ci/run

# Key pages through nginx -> gunicorn + PostgreSQL + wrk on a 1,000- and a 100,000-record archive
# (databases cica_perf_bench_1k / _100k, made once), the edit storm and 200 slow clients; prints one
# table and every target of issues 16 and 5 with met / NOT MET. About 9 minutes.
# BENCH_ARGS="--sizes 100k --modes warm --seconds 5 --storm 0" for a part of it.
bench: install
	@command -v wrk >/dev/null || { test "$$(id -u)" = 0 && apt-get install -y -q wrk >/dev/null; } || \
		{ echo "wrk is missing: install it (apt-get install wrk) and run make bench again"; exit 1; }
	@test -x "$(NGINX)" || { test "$$(id -u)" = 0 && apt-get install -y -q nginx libnginx-mod-http-brotli-filter \
		libnginx-mod-http-brotli-static >/dev/null; } || \
		{ echo "nginx is missing: install it (apt-get install nginx) and run make bench again"; exit 1; }
	$(PY) bench/bench.py $(BENCH_ARGS)

# Every admin screen (changelists with each filter, search, sort and last page; change forms;
# autocompletes) as a superuser and an Editor on PostgreSQL archives of 1,000 and 100,000 meetings
# (databases cica_admin_bench_1k / _100k, made once): server time and queries against the bounds
# of issue 13. BENCH_ADMIN_ARGS="--sizes 100k --only event,document" for a part of it.
bench-admin: install
	$(PY) bench/admin.py $(BENCH_ADMIN_ARGS)

bench-queries: load
	$(PY) bench/query_counts.py

# A deterministic synthetic archive on top of the real content (100,000 meetings, 20,000
# documents, 5,000 initiatives by default; sizes: ARCHIVE_ARGS="--meetings 1000 ...").
bench-archive: load
	$(PY) bench/generate_archive.py $(ARCHIVE_ARGS)

# Mozilla HTTP Observatory grade of the production stack, offline (needs ports 80 and 443 free).
bench-observatory: install
	bash bench/observatory.sh

# Restarts this machine's PostgreSQL while the site is under load (not part of make test).
bench-db-restart: install
	$(PY) bench/db_restart.py

clean:
	rm -rf $(VENV) var .pytest_cache .coverage htmlcov
