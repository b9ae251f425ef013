# Vuurtoren: two commands on a fresh machine.
#   make run   create .venv, install, migrate, seed the real data, serve on 127.0.0.1:5000
#   make run DEMO=1   the same, plus a clearly marked demo call with a dozen fictitious applications
#   make test  the same set-up, then the whole suite (SQLite always, PostgreSQL with TEST_DATABASE_URL)
#   make bench run the benchmarks and write docs/benchmarks.md (BENCH="bench_evaluation ..." for some)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
STAMP  := $(VENV)/.installed
DEV    := $(VENV)/.installed-dev
PIP    := $(BIN)/python -m pip install --quiet --require-hashes
COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
           --no-emit-index-url --no-emit-find-links

.PHONY: setup setup-dev run test bench lint audit db-check requirements translations translations-update chromium clean

# requirements.txt is what runs the service, requirements-dev.txt adds tests and tools. Both are
# compiled with every transitive dependency pinned and hashed (`make requirements`), and pip
# refuses anything that is not in them.
$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.txt
	touch $(STAMP)

$(DEV): $(STAMP) requirements-dev.txt
	$(PIP) -r requirements.txt -r requirements-dev.txt
	touch $(DEV)

translations: $(STAMP)
	$(BIN)/pybabel compile -d app/translations >/dev/null

setup: $(STAMP) translations

setup-dev: $(DEV) translations

# After editing requirements.in or requirements-dev.in (keeps the pinned versions; to move one:
# `make requirements UPGRADE="--upgrade-package NAME"`).
requirements: $(DEV)
	$(COMPILE) $(UPGRADE) -o requirements.txt requirements.in
	$(COMPILE) $(UPGRADE) -o requirements-dev.txt requirements-dev.in

# After changing UI text: collect the Dutch msgids and merge them into the English catalog.
translations-update: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
	  -o app/translations/messages.pot .
	$(BIN)/pybabel update -N -i app/translations/messages.pot -d app/translations

# The flask command reads .env (python-dotenv), so after `make run` the README's CLI commands
# (`.venv/bin/flask --app app ...`) work as written, in development mode with a key of this
# checkout. Written once, never committed; production sets its own environment instead.
.env:
	printf '# Written by `make run`: development settings for the flask command in this checkout.\n# Not committed (.gitignore). Production sets VUURTOREN_ENV and SECRET_KEY in its environment.\nVUURTOREN_ENV=development\nSECRET_KEY=%s\n' \
	  "$$($(PYTHON) -c 'import secrets; print(secrets.token_hex(32))')" > .env

run: setup .env
	VUURTOREN_ENV=$${VUURTOREN_ENV:-development} $(FLASK) db upgrade
	VUURTOREN_ENV=$${VUURTOREN_ENV:-development} $(FLASK) seed $(if $(DEMO),--demo)
	VUURTOREN_ENV=$${VUURTOREN_ENV:-development} $(FLASK) ensure-admin
	VUURTOREN_ENV=$${VUURTOREN_ENV:-development} $(FLASK) run --host 127.0.0.1 --port 5000

# Browser tests need Debian's chromium; install it when missing and we may (CI runs as root).
# Without it the browser tests skip with one line, or fail the run when REQUIRE_BROWSER=1 (CI).
chromium:
	@if ! command -v chromium >/dev/null 2>&1 && [ -z "$${CHROMIUM_PATH:-}" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser tests"; \
	    (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) \
	      || echo "could not install chromium"; \
	  else echo "chromium missing and cannot be installed here"; fi; \
	  if ! command -v chromium >/dev/null 2>&1; then \
	    if [ -n "$${REQUIRE_BROWSER:-}" ]; then echo "FAIL: REQUIRE_BROWSER=1 and no chromium" >&2; exit 1; fi; \
	    echo "browser tests will be skipped"; fi; \
	fi

test: setup-dev chromium
	$(BIN)/python -m pytest -q -rs -n 2 --dist loadfile $(PYTEST_ARGS)

bench: setup-dev
	$(BIN)/python -m bench.run $(BENCH)

# ruff, then the layer contracts in .importlinter
lint: setup-dev
	$(BIN)/ruff check app matching evaluation tests bench seed_data config.py
	$(BIN)/lint-imports --no-cache

# Committed revisions are frozen: after migrating a scratch database, autogenerate must find
# nothing to change (SQLite always, PostgreSQL too when TEST_DATABASE_URL is set; CI does both).
db-check: setup
	bash .ci/db-check

# Known vulnerabilities in the locked requirements (needs the network to reach the advisory
# database: a failure to reach it fails this target, it never passes silently).
audit: setup-dev
	$(BIN)/pip-audit --strict --require-hashes --disable-pip -r requirements.txt -r requirements-dev.txt

clean:
	rm -rf $(VENV) instance .pytest_cache
