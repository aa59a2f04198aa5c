# The two commands of the README:
#   make demo   set up, load demo data and serve on http://127.0.0.1:8000 (SQLite, no services)
#   make test   set up and run the whole test suite (needs PostgreSQL and Redis on 127.0.0.1)
VENV := .venv
PY := $(VENV)/bin/python
DEMO_ENV := DEBUG=1 DATABASE_URL=sqlite:///demo.sqlite3 REDIS_URL=

.PHONY: demo test install clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo --if-empty
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$${PORT:-8000}

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) demo.sqlite3 staticfiles
