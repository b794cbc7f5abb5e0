# ktgs — the two commands a newcomer needs are `make run` and `make test` (see README).
SHELL := /bin/bash
# The interpreter the venv is made from: PYTHON=… when given, else the first supported one
# of python3, python3.13, python3.12, python3.11 (scripts/find-python.sh).
PYTHON ?=
VENV := .venv
PY := $(VENV)/bin/python
# Written once the venv's pip has run: a venv whose creation failed is never taken for good.
VENV_OK := $(VENV)/.ktgs-venv-ok
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Test environment: PostgreSQL and Redis on this machine (scripts/test-services.sh).
TEST_DATABASE_URL ?= postgres://ktgs:ktgs@127.0.0.1:5432/ktgs
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=
# Two test processes on the two cores this project is planned for (pytest-xdist).
TEST_PROCESSES ?= 2

.PHONY: run test bench loadtest fresh-check venv deps-run deps-dev messages makemessages lint typecheck lock seed clean-var

# Local development settings for a bare `manage.py`; never overwritten, never committed.
.env:
	@printf '# Local development settings (git-ignored). Production sets its own environment.\nDJANGO_DEBUG=1\n' > .env
	@echo "ktgs: wrote .env (DJANGO_DEBUG=1) for manage.py commands in this checkout"

# .env is order-only: the venv's python is a symlink whose target's date make would see.
# Debian's own Python needs python3.X-venv before `-m venv` works: system-packages.sh
# installs it first. A venv left broken by an earlier failure (no pip) is made again.
$(VENV_OK): | .env
	@set -e; python=$$(PYTHON="$(PYTHON)" scripts/find-python.sh); \
	scripts/system-packages.sh venv "$$python"; \
	if [ -x $(PY) ] && $(PY) -m pip --version >/dev/null 2>&1; then exit 0; fi; \
	echo "ktgs: creating $(VENV) with $$python ($$("$$python" --version))"; \
	rm -rf $(VENV); \
	if ! { "$$python" -m venv $(VENV) && $(PY) -m pip --version >/dev/null; }; then \
	  rm -rf $(VENV); echo "ktgs: could not create $(VENV) with $$python" >&2; exit 1; \
	fi
	@$(PY) -m pip install -q --upgrade pip uv || echo "ktgs: uv not installed; using pip"
	@touch $@

venv: $(VENV_OK)

# Install the pinned packages with uv when it works, plain pip otherwise.
define install_lock
	$(VENV)/bin/uv pip sync --python $(PY) $(1) -q 2>/dev/null || $(PY) -m pip install -q -r $(1)
endef

deps-run: $(VENV_OK)
	@scripts/system-packages.sh run
	@$(call install_lock,requirements/base.txt)

deps-dev: $(VENV_OK)
	@scripts/system-packages.sh test
	@$(call install_lock,requirements/dev.txt)

messages: $(VENV_OK)
	@DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore '.venv' -v 0

# Refresh locale/*/django.po from the source; then translate every new msgid in the en
# catalogue (the msgids are Vietnamese) and run `make messages`.
makemessages: $(VENV_OK)
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l en -l vi --ignore .venv --ignore var --no-location

# make run: the embedded default — SQLite, filesystem broker, mail to files, all under var/.
# It serves the demo as users see it: DEBUG off (the site's own error pages, never a
# traceback), plain HTTP on this machine, a secret key generated once into the git-ignored
# .env. `make run DJANGO_DEBUG=1` is the developer's choice.
run: export DJANGO_DEBUG ?= 0
run: export KTGS_PLAIN_HTTP ?= 1
run: export DJANGO_ALLOWED_HOSTS ?= 127.0.0.1,localhost,[::1]
run: export KTGS_SITE_URL ?= http://127.0.0.1:$(PORT)
# The Procfile's commands (gunicorn, celery) are the virtualenv's.
run: export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
run: deps-run messages
	@mkdir -p var/static var/mail var/broker/queue var/broker/processed var/broker/control
	@grep -q '^DJANGO_SECRET_KEY=' .env || { \
	  echo "DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" >> .env; \
	  echo "ktgs: generated a secret key into .env"; }
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py collectstatic --no-input -v 0
	$(PY) manage.py seed_demo
	@echo ""
	@echo "ktgs is starting on http://127.0.0.1:$(PORT)/  (Ctrl+C stops web and worker)"
	@echo ""
	@# honcho would load .env over this environment (its DJANGO_DEBUG=1 is for manage.py);
	@# the settings read .env themselves, for what the environment does not set.
	$(VENV)/bin/honcho start -f Procfile -p $(PORT) --env /dev/null

# make test: the whole suite on PostgreSQL, with Redis, a real Celery worker, SMTP, Chromium.
test: export DATABASE_URL := $(TEST_DATABASE_URL)
test: export CELERY_BROKER_URL := $(TEST_REDIS_URL)
test: export DJANGO_DEBUG := 1
test: deps-dev messages
	@mkdir -p var/static
	@scripts/test-services.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy ktgs plans cases reports reminders devtools
	$(PY) manage.py makemigrations --check --dry-run -v 0
	$(VENV)/bin/pytest --create-db -n $(TEST_PROCESSES) $(PYTEST_ARGS)

# The services, a PostgreSQL database of its own ($(1)) created when missing, migrated, and
# seeded once with the profile $(2): what `make bench` and `make loadtest` measure on.
define seeded_database
	@scripts/test-services.sh
	@PGPASSWORD=ktgs psql -h 127.0.0.1 -U ktgs -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$(1)'" | grep -q 1 \
	  || PGPASSWORD=ktgs createdb -h 127.0.0.1 -U ktgs $(1)
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py collectstatic --no-input -v 0
	$(PY) manage.py seed_demo --profile $(2) --if-missing
endef

# make bench: DESIGN §6's figures on the 10pct profile (BENCH_PROFILE=national for full
# size), in a PostgreSQL database of its own that is seeded once and kept between runs.
BENCH_PROFILE ?= 10pct
BENCH_DATABASE ?= ktgs_bench_$(BENCH_PROFILE)
BENCH_ARGS ?=
bench: export DATABASE_URL := postgres://ktgs:ktgs@127.0.0.1:5432/$(BENCH_DATABASE)
bench: export CELERY_BROKER_URL := redis://127.0.0.1:6379/12
bench: export DJANGO_DEBUG := 0
bench: export DJANGO_SECRET_KEY := benchmark-only-key-not-used-for-anything-else-0123456789
bench: export DJANGO_ALLOWED_HOSTS := localhost
bench: export DJANGO_SECURE_SSL_REDIRECT := 0
bench: deps-dev messages
	$(call seeded_database,$(BENCH_DATABASE),$(BENCH_PROFILE))
	$(PY) manage.py bench --profile $(BENCH_PROFILE) $(BENCH_ARGS)

# make loadtest: DESIGN §6's F12 from outside — Locust (50 users, 4 leaders reading : 1 staff
# writing) against gunicorn with 1, 2 and 4 workers + PostgreSQL + Redis + a Celery worker,
# on loopback, on the 10pct profile (devtools/load). Its writes persist, so it has a
# database of its own (never the benchmark's), seeded once and kept between runs; prints a
# table and writes var/bench/load.json.
LOADTEST_PROFILE ?= 10pct
LOADTEST_DATABASE ?= ktgs_load_$(LOADTEST_PROFILE)
LOADTEST_BROKER_URL ?= redis://127.0.0.1:6379/11
LOADTEST_CACHE_URL ?= redis://127.0.0.1:6379/10
LOADTEST_ARGS ?=
loadtest: export DATABASE_URL := postgres://ktgs:ktgs@127.0.0.1:5432/$(LOADTEST_DATABASE)
loadtest: export CELERY_BROKER_URL := $(LOADTEST_BROKER_URL)
loadtest: export KTGS_CACHE_URL := $(LOADTEST_CACHE_URL)
loadtest: export DJANGO_DEBUG := 0
loadtest: export DJANGO_SECRET_KEY := loadtest-only-key-not-used-for-anything-else-0123456789
loadtest: export DJANGO_ALLOWED_HOSTS := 127.0.0.1
loadtest: export DJANGO_SECURE_SSL_REDIRECT := 0
loadtest: export KTGS_PLAIN_HTTP := 1
loadtest: deps-dev messages
	$(call seeded_database,$(LOADTEST_DATABASE),$(LOADTEST_PROFILE))
	$(PY) manage.py loadtest --profile $(LOADTEST_PROFILE) $(LOADTEST_ARGS)

# make fresh-check: both commands on minimal Debian root file systems (debootstrap; see
# scripts/fresh-check.sh). FRESH_SUITES="bookworm:run,test trixie:run" is the default.
FRESH_SUITES ?=
fresh-check:
	scripts/fresh-check.sh $(FRESH_SUITES)

lint: $(VENV_OK)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: $(VENV_OK)
	DJANGO_DEBUG=1 $(VENV)/bin/mypy ktgs plans cases reports reminders devtools

# Recompile the pinned lock files from requirements/*.in.
lock: $(VENV_OK)
	cd requirements && ../$(VENV)/bin/uv pip compile --python-version 3.11 base.in -o base.txt -q
	cd requirements && ../$(VENV)/bin/uv pip compile --python-version 3.11 dev.in -o dev.txt -q
