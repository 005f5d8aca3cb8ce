# Harms Portal — the commands a newcomer needs. See README.md.
SHELL := /bin/bash
PYTHON_BIN ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_PASSWORD ?= demo-harms-portal-2026
HOST ?= 127.0.0.1
PORT ?= 8000
# The address in emailed links: HOST, or this machine's loopback when serving on every address.
SITE_HOST ?= $(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST))

.PHONY: install run test lint format bench assets migrate seed clean
.PHONY: backup restore
.PHONY: audit

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

# The embedded default: SQLite, eager tasks, demo data, MFA off for the demo only.
# DEBUG serves static files and reloads code; the portal's own error pages still show
# (HARMSPORTAL_TECHNICAL_ERRORS=1 for Django's). Links in emails point where it is served.
run: export DJANGO_DEBUG = 1
run: export HARMSPORTAL_SITE_URL = http://$(SITE_HOST):$(PORT)
run: export DJANGO_ALLOWED_HOSTS = 127.0.0.1,localhost,$(HOST)
run: export HARMSPORTAL_DEMO = 1
run: export HARMSPORTAL_REQUIRE_STAFF_MFA = 0
run: export HARMSPORTAL_EMAIL_VERIFICATION = optional
run: install
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py seed_demo --password "$(DEMO_PASSWORD)"
	@echo "Serving Harms Portal at http://$(SITE_HOST):$(PORT)/ (Ctrl+C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite: on the embedded SQLite default, or on DATABASE_URL/REDIS_URL when set.
# Browser tests (tests/e2e) run in the same pytest run. The checks before it load settings
# outside pytest, so they get the same throwaway key the suite uses (tests/testenv.py).
test: export DJANGO_SECRET_KEY ?= tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz
test: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

# Import contracts (pyproject.toml [tool.importlinter]): dependencies point one way.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(PY) -m bench

# Known vulnerabilities in requirements.lock (pip-audit; allow-list: pip-audit-allowlist.toml).
# Fails when the vulnerability service cannot be asked, unless AUDIT_UNAVAILABLE=warn.
audit: install
	$(PY) bin/audit_dependencies.py

# The database (pg_dump, or SQLite's online backup) and the encrypted evidence store, into a
# new folder; restore puts them into an empty database and folder (DATABASE_URL,
# HARMSPORTAL_PRIVATE_STORAGE). Keys are never in a backup. docs/operations.md, "Backups and restore".
# Restore has no default: name the backup (make restore BACKUP_DIR=var/backups/harmsportal-…).
backup: BACKUP_DIR ?= var/backups/harmsportal-$(shell date -u +%Y%m%dT%H%M%SZ)
backup: install
	$(PY) bin/backup.py backup "$(BACKUP_DIR)"

restore: install
	$(PY) bin/backup.py restore "$(BACKUP_DIR)"

# Rebuild the committed GOV.UK Frontend assets (needs Node; running and testing do not).
assets:
	cd assets && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf $(VENV) db.sqlite3* var staticfiles .pytest_cache .ruff_cache
