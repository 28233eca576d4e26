# Sinergi: `make up` runs the platform on local processes, `make test` runs every check, `make down` stops.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: up down status test lint typecheck imports unit docs install browser clean chaos bench translations

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

install: $(VENV)/.synced $(OIDC)/node_modules/.package-lock.json

up: install
	$(BIN)/sinergi-local up

down:
	@if [ -x $(BIN)/sinergi-local ]; then $(BIN)/sinergi-local down; else echo "nothing to stop"; fi

status: install
	$(BIN)/sinergi-local status

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy shared/src services/*/src deploy/local/src

imports: install
	$(BIN)/lint-imports

docs: install
	$(BIN)/python -m sinergi_local.docs

# The workspace's gettext catalogues (Babel): extract the messages of its code and templates, merge them into
# each language's .po (translate what is new there), compile the .mo files (committed). A test fails while a
# catalogue misses a message or a .mo is older than its .po.
LOCALE := services/workspace/src/workspace/locale
translations: install
	cd services/workspace && ../../$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --omit-header \
		--sort-output -o src/workspace/locale/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) --width 120 --ignore-obsolete
	$(BIN)/pybabel compile -d $(LOCALE) --statistics

# Debian's Chromium, for the browser tests of the public pages (Playwright drives it; it never downloads one).
CHROMIUM := /usr/bin/chromium
APT := $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get

$(CHROMIUM):
	$(APT) install -y -q chromium >/dev/null || ($(APT) update -q >/dev/null && $(APT) install -y -q chromium >/dev/null)

browser: $(CHROMIUM)

test: install lint typecheck imports browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The chaos suite: CHAOS_REPORTS reports while every service is killed and restarted, PostgreSQL and the broker
# restarted once; prints the figures and fails unless nothing was lost or duplicated (README, "Chaos").
CHAOS_REPORTS ?= 10000
CHAOS_ARGS ?=

chaos: install
	$(BIN)/python -m sinergi_local.chaos --reports $(CHAOS_REPORTS) $(CHAOS_ARGS)

# The benchmarks P1-P5, each beside its bare baseline (docs/benchmarks.md); BENCH_ARGS="P1 --runs 5 --write".
BENCH_ARGS ?=

# Debian's wrk: the benchmarks' HTTP load generator, a process apart from what it measures.
WRK := /usr/bin/wrk

$(WRK):
	$(APT) install -y -q wrk >/dev/null || ($(APT) update -q >/dev/null && $(APT) install -y -q wrk >/dev/null)

bench: install $(WRK)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	@if [ -x $(BIN)/sinergi-local ]; then $(BIN)/sinergi-local purge; fi
	rm -rf .run $(VENV) $(TOOLS) $(OIDC)/node_modules
