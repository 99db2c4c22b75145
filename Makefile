# firewatch: `make demo` and `make test` each do all set-up on a fresh Debian machine
# (apt: chromium, fonts-noto-cjk, redis-server, postgresql; a virtualenv in .venv; the project with its extras)
# and are idempotent: a second run skips what is already there.

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?=
ES_STAMP := es/lib/.fetched

.PHONY: help install system-deps demo test bench clean es-fetch es es-stop pg pg-stop

help:
	@echo "make demo   install, then run the whole flow once against the demo market"
	@echo "make test   install, check the import layers (lint-imports), then run every test (real Chromium, real HTTP servers)"
	@echo "make bench  run the benchmarks in benchmarks/"
	@echo "make es-fetch  download the Elasticsearch 7.10.2 jars into es/lib (Java 17 + Maven)"
	@echo "make es / make es-stop  run / stop one Elasticsearch node in the background (var/es/)"
	@echo "make pg / make pg-stop  run / stop a PostgreSQL cluster (var/pg/, 127.0.0.1:5433; as root it runs as user postgres)"

system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q . \
	    || ! command -v redis-server >/dev/null 2>&1 \
	    || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	    || ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then \
	  echo "installing Debian packages: chromium fonts-noto-cjk redis-server postgresql python3-venv"; \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk redis-server postgresql python3-venv; \
	fi

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $(STAMP)

install: system-deps $(STAMP)

demo: install
	$(VENV)/bin/firewatch demo

test: install es-fetch
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -ra $(PYTEST_ARGS)

bench: install
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Elasticsearch runs in-process from Maven jars (es/pom.xml); no x-pack, no download of a distribution.
es-fetch: $(ES_STAMP)

$(ES_STAMP): es/pom.xml
	@if ! command -v mvn >/dev/null 2>&1 || ! java --list-modules 2>/dev/null | grep -q jdk.compiler; then \
	  echo "installing Debian packages: openjdk-17-jdk-headless maven"; \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jdk-headless maven; \
	fi
	rm -rf es/lib
	cd es && mvn -q -B dependency:copy-dependencies -DoutputDirectory=lib
	touch $(ES_STAMP)

es: install es-fetch
	@$(PY) -m firewatch.search.es_node start

es-stop:
	@$(PY) -m firewatch.search.es_node stop

# PostgreSQL from Debian's package, a cluster of the project's own under var/pg (never the system's).
pg: install
	@$(PY) -m firewatch.store.pg_node start

pg-stop:
	@$(PY) -m firewatch.store.pg_node stop

clean:
	rm -rf var .pytest_cache
