# The two README commands: `make demo` and `make test`. Each installs what it needs, idempotently.
SHELL := /bin/bash
PY := .venv/bin/python
STAMPS := .make
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PWA_SOURCES := $(shell find pwa/src pwa/public -type f 2>/dev/null) pwa/index.html pwa/vite.config.ts pwa/tsconfig.json

.PHONY: demo test install pwa demo-packages test-packages lint typecheck test-py test-pwa clean

# `make demo DEMO_ARGS="--port 8001"` when port 8000 is taken.
demo: install pwa demo-packages
	$(PY) -m server.cli demo $(DEMO_ARGS)

test: install pwa test-packages lint typecheck test-pwa test-py

install: $(STAMPS)/python

$(PY):
	python3 -m venv .venv

$(STAMPS)/python: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@mkdir -p $(STAMPS) && touch $@

pwa/node_modules/.package-lock.json: pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund

pwa: server/static/index.html

server/static/index.html: pwa/node_modules/.package-lock.json $(PWA_SOURCES)
	cd pwa && npm run build

# Debian packages, each installed only when missing (idempotent). The demo needs fonts-noto-cjk (the CJK font
# health-check PDFs embed), mosquitto (the broker its 4G detector publishes to) and socat (the pty pair of its
# RS-485 bus); no browser. The tests need those and chromium (Playwright with executable_path; no browser
# download), poppler-utils (pdftotext, pdftoppm check the PDFs) and postgresql (the server binaries: the suite's
# PostgreSQL run starts a throwaway cluster of its own; no system service).
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
APT_INSTALL = $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq

demo-packages:
	@[ -e $(CJK_FONT) ] && [ -x /usr/sbin/mosquitto ] && command -v socat >/dev/null || \
		{ $(APT_INSTALL) fonts-noto-cjk mosquitto socat >/dev/null; }

test-packages: demo-packages
	@command -v chromium >/dev/null && command -v pdftotext >/dev/null && [ -x /usr/lib/postgresql/15/bin/initdb ] || \
		{ $(APT_INSTALL) chromium poppler-utils postgresql >/dev/null; }

lint: install
	.venv/bin/ruff check server ble offline_sync gb26875 tests docs bench

typecheck: install pwa/node_modules/.package-lock.json
	.venv/bin/mypy
	cd pwa && npm run typecheck

test-pwa: pwa/node_modules/.package-lock.json
	cd pwa && npm test

# The suite on each engine in turn (docs/operations.md "PostgreSQL"), its files spread over worker processes.
PYTEST_ARGS ?= -n 3 --dist loadfile
test-py: install pwa test-packages
	.venv/bin/pytest $(PYTEST_ARGS)
	ANDIAN_TEST_DB=postgresql .venv/bin/pytest $(PYTEST_ARGS)

clean:
	rm -rf .venv $(STAMPS) pwa/node_modules server/static
