# Photodesk. `make demo` sets everything up and runs it; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PHOTOS ?= ../shared/photos/demo
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo run test test-postgres lint services services-stop bench bench-index bench-faults clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	# The face mesh that scores open eyes in series, and BlazeFace: out of the mediapipe wheel, by pip.
	$(BIN)/python -m photodesk.inference.mediapipe_files var/eyes-model
	touch $@

install: $(VENV)/.installed  ## Create .venv with everything installed.

demo: install  ## Migrate, create the admin, ingest the demo photos, run worker + server.
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py demo_admin
	$(BIN)/python manage.py ingest $(PHOTOS)
	HOST=$(HOST) PORT=$(PORT) bash scripts/run_demo.sh

run: install  ## Run the worker and the development server on the existing database.
	HOST=$(HOST) PORT=$(PORT) bash scripts/run_demo.sh

# The order is random (pytest-randomly prints its seed): PYTEST_ARGS="-p randomly
# --randomly-seed=N" runs the tests in a seed's order again.
# The Wagtail site (tests/wagtail_site) has settings of its own (Wagtail's image model): a
# second session.
test: install  ## Run every test, in random order (SQLite, or the database in DATABASE_URL).
	$(BIN)/pytest $(PYTEST_ARGS)
	$(BIN)/pytest --ds=tests.wagtail_site.settings tests/wagtail_site $(PYTEST_ARGS)

services:  ## Start the real services tests can use: OpenSearch on 127.0.0.1:9200 (Maven Central).
	bash scripts/opensearch.sh start

services-stop:
	bash scripts/opensearch.sh stop

lint: install  ## ruff, and the import-linter contracts (dependencies point down only).
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: install  ## Ingest throughput and search quality (slow: minutes).
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/quality.py

bench-index: install services  ## OpenSearch at 100k synthetic images: indexing rate, latency, HNSW recall.
	$(BIN)/python benchmarks/index_scale.py

bench-faults: install  ## The fault campaign (outage, killed worker, bad input, load) on its own services: held/lost.
	$(BIN)/python benchmarks/faults.py

clean:
	rm -rf var
