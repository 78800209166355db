# The two commands that matter: `make run` (set up and run the product) and `make test`
# (set up and pass the tests). Both work on a fresh machine with only Python 3.11.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

# Ports of the demo stack started by `make run` (the web UI is always 127.0.0.1:8000).
SMTP_SINK_PORT ?= 1025
EMULATOR_PORT  ?= 8001
export SMTP_SINK_PORT EMULATOR_PORT

.PHONY: install migrate run test test-fast lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

# The demo stack talks to the bundled Sendsay emulator and a local SMTP sink unless the
# environment (or .env) says otherwise.
run: export SENDSAY_API_URL ?= http://127.0.0.1:$(EMULATOR_PORT)/general/api/v100/json/
run: export SENDSAY_SSEC_URL ?= http://127.0.0.1:$(EMULATOR_PORT)/general/ssec/v100/json/
run: export EMAIL_URL ?= smtp://127.0.0.1:$(SMTP_SINK_PORT)
run: migrate
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py ensure_admin
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -f Procfile

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not integration and not browser"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
