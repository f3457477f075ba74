# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

export PIXORGA_ALLOW_DEV_SECRET := 1

.PHONY: install run test lint chromium worker clean

install: $(VENV)/.installed

# xstatic-bootstrap is only published as an sdist whose setup.py imports pkg_resources,
# which setuptools 81 removed: build-constraints.txt keeps the build on an older setuptools.
$(VENV)/.installed: pyproject.toml build-constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=25.3"
	$(PY) -m pip install --quiet --build-constraint build-constraints.txt --group dev
	touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installation de Chromium (Debian) pour les tests navigateur…"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# The worker started here, as docker-compose's, takes its memory ceiling per process and its
# time limits per task from the settings (CELERY_WORKER_MAX_MEMORY_PER_CHILD,
# CELERY_TASK_SOFT_TIME_LIMIT, CELERY_TASK_TIME_LIMIT in the environment; see .env.example).
run: install
	@mkdir -p var
	$(PY) scripts/ensure_database.py
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py createcachetable
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo
	@echo "pixorga : http://$(HOST):$(PORT)"
	@if [ -n "$$CELERY_BROKER_URL" ]; then \
		echo "Worker Celery (avec beat) sur $$CELERY_BROKER_URL, journal dans var/celery.log"; \
		DEBUG=$${DEBUG:-1} $(VENV)/bin/celery -A pixorga worker --beat --loglevel=INFO \
			--concurrency=2 --schedule=var/celerybeat-schedule >var/celery.log 2>&1 & \
		worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT); \
	else \
		DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT); \
	fi

test: install chromium
	$(PY) -m pytest -n $${PYTEST_WORKERS:-2}

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
