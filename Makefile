# The two README commands: `make demo` and `make test`. Each installs what it needs, idempotently.
SHELL := /bin/bash
PY := .venv/bin/python
STAMPS := .make
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PWA_SOURCES := $(shell find pwa/src pwa/public -type f 2>/dev/null) pwa/index.html pwa/vite.config.ts pwa/tsconfig.json

.PHONY: demo test install pwa chromium lint typecheck test-py test-pwa clean

demo: install pwa chromium
	$(PY) -m server.cli demo

test: install pwa chromium lint typecheck test-pwa test-py

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

# Debian packages: chromium drives the browser tests (Playwright with executable_path; no browser download);
# fonts-noto-cjk is the CJK font health-check PDFs embed; poppler-utils (pdftotext, pdftoppm) checks them;
# mosquitto is the MQTT broker the MQTT ingress tests start; socat makes the serial pty pairs of the RS-485 tests.
chromium:
	@command -v chromium >/dev/null && command -v pdftotext >/dev/null && \
		[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] && [ -x /usr/sbin/mosquitto ] && \
		command -v socat >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk poppler-utils \
		mosquitto socat >/dev/null; }

lint: install
	.venv/bin/ruff check server ble offline_sync tests docs bench

typecheck: install pwa/node_modules/.package-lock.json
	.venv/bin/mypy
	cd pwa && npm run typecheck

test-pwa: pwa/node_modules/.package-lock.json
	cd pwa && npm test

test-py: install pwa chromium
	.venv/bin/pytest

clean:
	rm -rf .venv $(STAMPS) pwa/node_modules server/static
