# APOC: make run (set up and serve with demo data), make test (the whole suite),
# make e2e (the browser tests alone).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Where `make run` and `make serve` listen: `make run PORT=8001`, `make run HOST=0.0.0.0`
# (every address of the machine); `HOST=` leaves the host to runserver (127.0.0.1).
HOST ?= 127.0.0.1
PORT ?= 8000
ADDRESS := $(if $(HOST),$(HOST):,)$(PORT)

# npm's packages for the browser and sign-in tests (package-lock.json): axe-core, and
# oidc-provider, the OpenID provider that tests/test_oidc*.py start on 127.0.0.1.
NODE_DEPS := node_modules/.apoc-installed

# The whole dependency tree, pinned with hashes (make lock): requirements.lock for
# production, requirements-dev.lock with the tests' and tools' packages too.
LOCK := requirements-dev.lock
RUNTIME_LOCK := requirements.lock
UV_COMPILE := $(VENV)/bin/uv pip compile pyproject.toml --quiet --generate-hashes --universal \
	--python-version 3.11 --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

.PHONY: install browser-deps run test e2e bench lint lock serve messages clean

# Installs exactly what the lock says, checked against its hashes, then APOC itself
# without dependencies. Made again when the lock or pyproject.toml changes.
$(VENV)/.installed: $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

# Resolve pyproject.toml's ranges again, from PyPI, into the two locks, keeping the pins
# that still fit: after changing a dependency. `make lock UPGRADE=1` takes the newest
# releases the ranges allow. The runtime lock constrains the development one, so both
# pin the same versions. tests/test_lock.py checks that the locks are in step.
lock: install
	$(UV_COMPILE) -o $(RUNTIME_LOCK)
	$(UV_COMPILE) --extra dev -c $(RUNTIME_LOCK) -o $(LOCK)

# axe-core and oidc-provider from npm into node_modules/, exactly as package-lock.json
# says; made again when either file changes.
$(NODE_DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

browser-deps: $(NODE_DEPS)

# The checks first, then the demo's summary (address, users, password), then the server:
# the summary is in the last lines before the server's own.
run: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py check
	$(PY) manage.py seed_demo --address "$(ADDRESS)"
	$(PY) manage.py runserver --skip-checks "$(ADDRESS)"

test: install browser-deps
	$(VENV)/bin/pytest

# The browser tests alone; screenshots go to test-output/e2e/.
e2e: install browser-deps
	$(VENV)/bin/pytest tests/e2e

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# bench/chaos.py comes last: it restarts the local PostgreSQL cluster (once, a few seconds).
bench: install
	@for script in bench/validation.py bench/allocation.py bench/intake.py bench/search.py bench/cpr_lookup.py bench/letters.py bench/mrz.py bench/uploads.py bench/admin.py bench/load.py bench/chaos.py; do \
		$(PY) $$script || exit 1; \
	done

# The production server: needs DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL
# (README, Operations). Refuses to start while the deploy check warns.
serve: export DJANGO_SETTINGS_MODULE = apoc.settings.production
serve: install
	APOC_SILENCED_CHECKS=registrations.W001 $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py check
	$(PY) manage.py collectstatic --noinput --verbosity 0
	APOC_BIND="$${APOC_BIND:-$(if $(HOST),$(HOST),127.0.0.1):$(PORT)}" $(VENV)/bin/gunicorn --config gunicorn.conf.py apoc.wsgi

# The msgids are Danish, so English is the only catalogue. After this, translate every
# entry with an empty msgstr in locale/en/LC_MESSAGES/django.po and run it again to
# compile; commit django.po and django.mo. tests/test_translations.py checks both.
messages: install
	$(PY) manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=var --ignore=bench --ignore=tests --ignore=node_modules
	$(PY) manage.py compilemessages -l en --ignore=.venv

clean:
	rm -rf var/apoc.sqlite3 var/staticfiles
