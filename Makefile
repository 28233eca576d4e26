# Sinergi: `make up` runs the platform on local processes, `make test` runs every check, `make down` stops.
# `make help` lists the targets: each documented one carries a `## ` comment on its rule line.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
# pytest-xdist workers for the tests that wait on PostgreSQL, the broker and the services (2: at 4, each fresh-clone run
# timed one different test out under the load; they mostly wait, so
# more workers than cores pay off); each worker starts its own PostgreSQL and broker (conftest.py).
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest

.PHONY: help integration up down status test lint typecheck imports unit docs install browser clean chaos bench translations

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# uv verifies every wheel against the hashes pinned in uv.lock.
$(VENV)/.synced: $(UV) uv.lock pyproject.toml shared/pyproject.toml services/*/pyproject.toml deploy/local/pyproject.toml
	$(UV) sync --all-packages --locked --python $(PYTHON) --quiet
	touch $@

# The local OpenID Connect provider (deploy/oidc): npm ci installs exactly package-lock.json, checking every
# package against its integrity hash; no install scripts run.
OIDC := deploy/oidc
$(OIDC)/node_modules/.package-lock.json: $(OIDC)/package.json $(OIDC)/package-lock.json
	cd $(OIDC) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.synced $(OIDC)/node_modules/.package-lock.json  ## build .venv from uv.lock and the OIDC provider from its lockfile (hashes verified); every other target does this first

up: install  ## start PostgreSQL, the broker, the identity provider, the services and the workspace locally, seed demo data (logs in .run/)
	$(BIN)/sinergi-local up

down:  ## stop everything `make up` started
	@if [ -x $(BIN)/sinergi-local ]; then $(BIN)/sinergi-local down; else echo "nothing to stop"; fi

status: install  ## what `make up` runs, and on which ports
	$(BIN)/sinergi-local status

lint: install  ## ruff
	$(BIN)/ruff check .

typecheck: install  ## mypy --strict on every package
	$(BIN)/mypy shared/src services/*/src deploy/local/src

imports: install  ## import-linter: services never import each other; layers inside each
	$(BIN)/lint-imports

docs: install  ## regenerate docs/openapi and docs/asyncapi from the code
	$(BIN)/python -m sinergi_local.docs

# The workspace's gettext catalogues (Babel): extract the messages of its code and templates, merge them into
# each language's .po (translate what is new there), compile the .mo files (committed). A test fails while a
# catalogue misses a message or a .mo is older than its .po.
LOCALE := services/workspace/src/workspace/locale
translations: install  ## extract, update and compile the workspace's gettext catalogues (Babel)
	cd services/workspace && ../../$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --omit-header \
		--sort-output -o src/workspace/locale/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) --width 120 --ignore-obsolete
	$(BIN)/pybabel compile -d $(LOCALE) --statistics

# Debian's Chromium, for the browser tests of the public pages (Playwright drives it; it never downloads one).
CHROMIUM := /usr/bin/chromium
APT := $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get

$(CHROMIUM):
	$(APT) install -y -q chromium >/dev/null || ($(APT) update -q >/dev/null && $(APT) install -y -q chromium >/dev/null)

browser: $(CHROMIUM)  ## install Debian's Chromium for the browser tests

# Every check: ruff, mypy, import contracts, then every test. The tests that need the machine to themselves (marker
# `alone`: the chaos run) go after the rest, by themselves; pytest's exit 5 (no test ran) fails, except in the
# `alone` step when PYTEST_ARGS chose tests that hold none.
test: install lint typecheck imports browser  ## every check: ruff, mypy, import contracts, then every test (README, Tests)
	$(PYTEST) -n $(TEST_WORKERS) --dist loadfile -m "not alone" $(PYTEST_ARGS)
	$(PYTEST) -p no:xdist -m alone $(PYTEST_ARGS) $(if $(PYTEST_ARGS),|| [ $$? -eq 5 ])

# The tests that need no PostgreSQL, broker or browser (tests/tiers.py). No DATABASE_URL or broker is passed on, and
# under SINERGI_TEST_TIER=unit the infrastructure refuses to start: a test that reaches it unmarked fails.
unit: install  ## the tests that need no PostgreSQL, broker or browser (under a minute)
	env -u DATABASE_URL -u KAFKA_BOOTSTRAP_SERVERS SINERGI_TEST_TIER=unit $(PYTEST) -p no:xdist -m unit $(PYTEST_ARGS)

# The tests that need PostgreSQL and the broker (not the browser's, not the chaos run), side by side.
integration: install  ## the tests that need PostgreSQL and the broker, TEST_WORKERS side by side
	$(PYTEST) -n $(TEST_WORKERS) --dist loadfile -m "integration and not browser and not alone" $(PYTEST_ARGS)

help:  ## this list
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)$$/\1\t\2/' | \
		awk -F'\t' '{ printf "  make %-12s %s\n", $$1, $$2 }'

# The chaos suite: CHAOS_REPORTS reports while every service is killed and restarted, PostgreSQL and the broker
# restarted once; prints the figures and fails unless nothing was lost or duplicated (README, "Chaos").
CHAOS_REPORTS ?= 10000
CHAOS_ARGS ?=

chaos: install  ## the chaos suite at CHAOS_REPORTS (10,000) reports: kills, restarts, then checks
	$(BIN)/python -m sinergi_local.chaos --reports $(CHAOS_REPORTS) $(CHAOS_ARGS)

# The benchmarks P1-P6, each beside its bare baseline (docs/benchmarks.md); BENCH_ARGS="P1 --runs 5 --write".
BENCH_ARGS ?=

# Debian's wrk: the benchmarks' HTTP load generator, a process apart from what it measures.
WRK := /usr/bin/wrk

$(WRK):
	$(APT) install -y -q wrk >/dev/null || ($(APT) update -q >/dev/null && $(APT) install -y -q wrk >/dev/null)

bench: install $(WRK)  ## the benchmarks P1-P6 beside their baselines (BENCH_ARGS="P1 --runs 5")
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:  ## stop and delete the local platform's data, .venv and the tools
	@if [ -x $(BIN)/sinergi-local ]; then $(BIN)/sinergi-local purge; fi
	rm -rf .run $(VENV) $(TOOLS) $(OIDC)/node_modules
