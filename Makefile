# Set-up and everyday commands. `make serve` previews the site; `make test` runs every test.
VENV := .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build check test screenshots deploy rollback links bench

# Stop with Ctrl-C or `kill PID`: server, search worker and temporary site folder all go.
SERVE_ADDR ?= 127.0.0.1:8000
serve: $(VENV)/.runtime
	$(BIN)/mkdocs serve -a $(SERVE_ADDR)

# Statuses are computed as of today in China unless REFERENCE_DATE is given; file dates (sitemap) come from
# the last commit, so two builds of one commit on one reference date are byte-identical.
REFERENCE_DATE ?= $(shell TZ=Asia/Shanghai date +%F)
COMMIT_TIME := $(shell git log -1 --format=%ct 2>/dev/null)

# Build into site.new and swap only on success: a failed build never leaves a partial site/.
build: $(VENV)/.runtime
	rm -rf site.new
	CI=true REFERENCE_DATE=$(REFERENCE_DATE) $(if $(COMMIT_TIME),SOURCE_DATE_EPOCH=$(COMMIT_TIME)) \
		$(BIN)/mkdocs build --strict -d site.new
	rm -rf site && mv site.new site

check: $(VENV)/.runtime
	$(BIN)/dutylist check

test: $(VENV)/.test
	bash scripts/system-packages.sh
	$(BIN)/python -m pytest

# Publish site/ to DEPLOY_TARGET (a mounted web root, or user@host:/path over SSH with DEPLOY_SSH_OPTIONS).
deploy: build
	$(BIN)/dutylist deploy --site site

rollback: $(VENV)/.runtime
	$(BIN)/dutylist rollback

# Check every document link in the data (scheduled, never on an editor's push); writes links-report.md.
links: $(VENV)/.runtime
	$(BIN)/dutylist links --report links-report.md

# Build time, memory, save-to-reload and page weight against plain Material and Zensical (installs Zensical
# into .venv-bench); prints a table and writes bench/results/bench.json.
bench: $(VENV)/.runtime
	$(BIN)/python bench/run.py

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
