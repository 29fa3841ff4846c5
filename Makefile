# Set-up and everyday commands. `make serve` previews the site; `make test` runs every test.
VENV := .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build check test screenshots

serve: $(VENV)/.runtime
	$(BIN)/mkdocs serve -a 127.0.0.1:8000

build: $(VENV)/.runtime
	CI=true $(BIN)/mkdocs build --strict

check: $(VENV)/.runtime
	$(BIN)/dutylist check

test: $(VENV)/.test
	bash scripts/system-packages.sh
	$(BIN)/python -m pytest

screenshots: $(VENV)/.test build
	bash scripts/system-packages.sh
	$(BIN)/python scripts/screenshots.py site screenshots

$(VENV)/.runtime: requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.txt -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime requirements-test.txt
	$(BIN)/pip install -q -r requirements-test.txt
	touch $@
