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

run: install
	@mkdir -p var
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo
	@if [ -n "$$CELERY_BROKER_URL" ]; then \
		echo "Démarrage d’un worker Celery ($$CELERY_BROKER_URL)…"; \
		DEBUG=$${DEBUG:-1} $(VENV)/bin/celery -A pixorga worker --beat --loglevel=INFO \
			--concurrency=2 --logfile=var/celery.log --detach --pidfile=var/celery.pid; \
	fi
	@echo "pixorga : http://$(HOST):$(PORT)"
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

test: install chromium
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
