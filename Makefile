# Concierge developer tasks. `make run` starts the demo; `make test` runs the test suite.
# DATABASE_URL and CELERY_BROKER_URL pass through from the environment (SQLite and a
# SQLite-file Celery broker when they are unset).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYBABEL := $(VENV)/bin/pybabel
LOCALE_DIR := concierge/locale
LOCK := $(wildcard requirements.lock)
CONSTRAINTS := $(if $(LOCK),-c requirements.lock)
CHROMIUM := /usr/bin/chromium

# Arguments for pytest, e.g. `make test PYTEST_ARGS="-n 2 -p no:cacheprovider"`.
PYTEST_ARGS ?= -q
# Set to 1 to treat pytest's exit code 5 ("no tests collected") as success (.ci/run does).
NO_TESTS_OK ?= 0

DJANGO_PO := $(wildcard $(LOCALE_DIR)/*/LC_MESSAGES/django.po)
DJANGOJS_PO := $(wildcard $(LOCALE_DIR)/*/LC_MESSAGES/djangojs.po)

# One pip at a time in .venv.
.NOTPARALLEL:

.PHONY: help venv venv-test messages run test lock clean distclean

help:
	@echo "make run        migrate, seed demo data, start web (127.0.0.1:8000) + Celery worker/beat"
	@echo "make test       run the test suite (PYTEST_ARGS='...' to override '-q')"
	@echo "make messages   compile translations (.po -> .mo) with Babel"
	@echo "make venv       runtime virtualenv in .venv (venv-test: with test dependencies)"
	@echo "make lock       freeze .venv into requirements.lock"
	@echo "make clean      remove caches and build output (distclean: also .venv and var/)"

$(VENV_PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-runtime: requirements.txt $(LOCK) | $(VENV_PY)
	$(PIP) install -q -r requirements.txt $(CONSTRAINTS)
	@touch $@

$(VENV)/.stamp-test: requirements-test.txt requirements.txt $(LOCK) | $(VENV_PY)
	$(PIP) install -q -r requirements-test.txt $(CONSTRAINTS)
	@# requirements-test.txt includes requirements.txt: the runtime set is installed too.
	@touch $@ $(VENV)/.stamp-runtime

venv: $(VENV)/.stamp-runtime

venv-test: $(VENV)/.stamp-test

# Babel is pure Python: no GNU gettext needed. Skipped while no catalogue exists yet.
messages: venv
ifneq ($(strip $(DJANGO_PO)),)
	$(PYBABEL) compile -d $(LOCALE_DIR) -D django --use-fuzzy
else
	@echo "messages: no $(LOCALE_DIR)/*/LC_MESSAGES/django.po yet, nothing to compile"
endif
ifneq ($(strip $(DJANGOJS_PO)),)
	$(PYBABEL) compile -d $(LOCALE_DIR) -D djangojs --use-fuzzy
endif

# Development settings (DEBUG on, generated dev secrets) unless the caller says otherwise.
run: export DJANGO_DEBUG ?= 1
run: venv messages
	mkdir -p var
	$(VENV_PY) manage.py migrate --noinput
	$(VENV_PY) manage.py seed_demo --if-empty --guests 2000
	$(VENV_PY) manage.py seed_surveys
	$(VENV_PY) manage.py seed_loyalty
	$(VENV_PY) manage.py seed_campaigns
	$(VENV_PY) manage.py seed_journeys
	$(VENV_PY) manage.py seed_attribution
	$(VENV_PY) manage.py seed_sales
	$(VENV_PY) manage.py seed_contracts
	$(VENV_PY) manage.py seed_pipeline
	$(VENV_PY) manage.py seed_tours
	$(VENV_PY) manage.py refresh_insights --if-empty
	exec $(VENV_PY) scripts/run_dev.py

test: venv-test messages
	@if [ ! -x $(CHROMIUM) ]; then echo "Chromium not found at $(CHROMIUM): browser tests will be skipped"; fi
	@db="$${DATABASE_URL:-sqlite}"; broker="$${CELERY_BROKER_URL:-sqla+sqlite}"; \
	echo "test: database=$${db%%:*} celery broker=$${broker%%:*}"
	@mkdir -p var
	@rc=0; $(VENV_PY) -m pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ] && [ "$(NO_TESTS_OK)" = 1 ]; then \
		echo "test: pytest collected no tests (exit 5), treated as success"; rc=0; \
	fi; \
	exit $$rc

lock: venv
	$(PIP) freeze --exclude-editable > requirements.lock
	@# The lock now is newer than the stamps, but the venv is what it describes.
	@touch $(wildcard $(VENV)/.stamp-runtime $(VENV)/.stamp-test)

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	find . -path ./$(VENV) -prune -o -name '*.pyc' -type f -exec rm -f {} +
	find $(LOCALE_DIR) -name '*.mo' -type f -delete 2>/dev/null || true
	rm -rf staticfiles .pytest_cache test-results .coverage htmlcov

distclean: clean
	rm -rf $(VENV) var
