# Vuurtoren: two commands on a fresh machine.
#   make run   create .venv, install, migrate, seed the real data, serve on 127.0.0.1:5000
#   make run DEMO=1   the same, plus a clearly marked demo call with a dozen fictitious applications
#   make test  the same set-up, then the whole suite (SQLite always, PostgreSQL with TEST_DATABASE_URL)
#   make bench run the benchmarks and write docs/benchmarks.md

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
STAMP  := $(VENV)/.installed

.PHONY: setup run test bench lint translations translations-update chromium clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile -d app/translations >/dev/null

setup: $(STAMP) translations

# After changing UI text: collect the Dutch msgids and merge them into the English catalog.
translations-update: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
	  -o app/translations/messages.pot .
	$(BIN)/pybabel update -N -i app/translations/messages.pot -d app/translations

run: setup
	VUURTOREN_ENV=$${VUURTOREN_ENV:-development} $(FLASK) db upgrade
	VUURTOREN_ENV=$${VUURTOREN_ENV:-development} $(FLASK) seed $(if $(DEMO),--demo)
	VUURTOREN_ENV=$${VUURTOREN_ENV:-development} $(FLASK) ensure-admin
	VUURTOREN_ENV=$${VUURTOREN_ENV:-development} $(FLASK) run --host 127.0.0.1 --port 5000

# Browser tests need Debian's chromium; install it when missing and we may (CI runs as root).
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser tests"; \
	    (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) \
	      || echo "could not install chromium: browser tests will be skipped"; \
	  else echo "chromium missing and cannot be installed here: browser tests will be skipped"; fi; \
	fi

test: setup chromium
	$(BIN)/python -m pytest -q -rs -n 2 --dist loadfile $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench.run

lint: setup
	$(BIN)/ruff check app matching evaluation tests bench seed_data config.py

clean:
	rm -rf $(VENV) instance .pytest_cache
