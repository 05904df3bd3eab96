# The two commands: `make run` (set up and serve the app) and `make test`
# (set up and run the checks and the test suite). Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv venv-dev migrate seed worker beat messages lint format ci clean loadtest

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

migrate: venv
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# The web server, a worker for each queue and beat (Procfile.dev), together
# until Ctrl-C. Without REDIS_URL the broker is a folder of files (.broker/):
# its copies of taken messages and a dead run's control bindings and replies
# are dropped first, so every start is a clean one.
run: seed
	broker="$${CELERY_BROKER_DIR:-.broker}"; rm -rf "$$broker/processed" "$$broker/control"; \
	  if [ -d "$$broker/queue" ]; then find "$$broker/queue" -name '*.pidbox.msg' -delete; fi
	PATH="$(abspath $(VENV))/bin:$$PATH" HOST=$(HOST) $(VENV)/bin/honcho -f Procfile.dev start -p $(PORT)

test: venv-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: venv-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Load test with faults, on this machine only (README, "Load test"): gunicorn,
# two Celery workers and beat on DATABASE_URL's PostgreSQL and a redis-server
# of its own, LOADTEST_USERS simulated users for LOADTEST_DURATION seconds;
# the figures and checks go to LOADTEST_OUTPUT. LOADTEST_DATASET=large runs it
# on a database where `manage.py seed_large` ran (its people and customers)
# instead of the demo data.
LOADTEST_USERS ?= 50
LOADTEST_DURATION ?= 180
LOADTEST_OUTPUT ?= loadtest.json
LOADTEST_DATASET ?= demo
loadtest: venv-dev
	DB_STATEMENT_TIMEOUT_MS=0 $(PY) manage.py migrate --noinput
	if [ "$(LOADTEST_DATASET)" = demo ]; then $(PY) manage.py seed_demo; fi
	$(PY) manage.py loadtest --dataset $(LOADTEST_DATASET) --users $(LOADTEST_USERS) --duration $(LOADTEST_DURATION) --output $(LOADTEST_OUTPUT)

worker: venv
	$(VENV)/bin/celery -A crm_site worker -l info --concurrency 2 --queues crm,urgent,bulk

beat: venv
	$(VENV)/bin/celery -A crm_site beat -l info --schedule .celerybeat-schedule

# Extract and compile the translation catalogues (needs GNU gettext; the
# compiled .mo files are committed so running the app does not).
messages: venv
	$(PY) manage.py makemessages --locale zh_Hans --locale en --no-obsolete --ignore ".venv/*" --ignore "static/*" --ignore "tests/*"
	$(PY) manage.py makemessages --domain djangojs --locale zh_Hans --locale en --no-obsolete --ignore ".venv/*" --ignore "static/vendor/*" --ignore "tests/*"
	$(PY) manage.py compilemessages --ignore ".venv"

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) db.sqlite3 .broker staticfiles .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
