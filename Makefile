# firewatch: `make demo` and `make test` each do all set-up on a fresh Debian machine
# (apt: chromium, fonts-noto-cjk, redis-server; a virtualenv in .venv; the project with its extras)
# and are idempotent: a second run skips what is already there.

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?=

.PHONY: help install system-deps demo test bench clean

help:
	@echo "make demo   install, then run the whole flow once against the demo market"
	@echo "make test   install, then run every test (real Chromium, real HTTP servers)"
	@echo "make bench  run the benchmarks in benchmarks/"

system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q . \
	    || ! command -v redis-server >/dev/null 2>&1 \
	    || ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then \
	  echo "installing Debian packages: chromium fonts-noto-cjk redis-server python3-venv"; \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk redis-server python3-venv; \
	fi

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $(STAMP)

install: system-deps $(STAMP)

demo: install
	$(VENV)/bin/firewatch demo

test: install
	$(VENV)/bin/pytest -ra $(PYTEST_ARGS)

bench: install
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf var .pytest_cache
