# Set-up and everyday commands. `make serve` previews the site; `make test` runs every test.
VENV := .venv
BIN := $(VENV)/bin
# Material for MkDocs, the theme, reaches end of life on 2027-05-05 (its 9.8.2 wheel's description and the notice
# it prints say so). That notice is ten lines on every mkdocs command, so it is turned off here and the build and
# the preview print this one line instead; tests/test_runners.py checks its date against the installed wheel.
export NO_MKDOCS_2_WARNING := 1
EOL_NOTICE := 注意：网站主题 Material for MkDocs 将于 2027-05-05 停止维护；届时的做法见 README.md「When MkDocs or Material stops working」一节

.PHONY: serve build check test screenshots deploy rollback releases links archive watch bench notice audit history
.PHONY: build-list assemble portal-plan

# A portal (README: One portal, many lists): portal.yaml and lists/<slug>/data/ instead of data/.
PORTAL := $(wildcard portal.yaml)
# LIST=<slug>: one list of a portal (make serve, make build-list); checked before it names any path
LIST ?=
CHECK_LIST = @printf '%s\n' '$(LIST)' | grep -Eq '^[a-z0-9-]*$$' || { echo "LIST=$(LIST) 的写法不对：应为 portal.yaml 中某份清单的标识（小写字母、数字和连字符）" >&2; exit 2; }

notice:
	@echo "$(EOL_NOTICE)" >&2

# Stop with Ctrl-C or `kill PID`: server, search worker and temporary site folder all go.
SERVE_ADDR ?= 127.0.0.1:8000
serve: $(VENV)/.runtime notice
	@printf '%s' '$(SERVE_ADDR)' | grep -Eq '^[^[:space:]:]+:[0-9]+$$' || { echo "SERVE_ADDR=$(SERVE_ADDR) 的写法不对：应写作 地址:端口，如 make serve SERVE_ADDR=127.0.0.1:8001" >&2; exit 2; }
	$(CHECK_LIST)
	@if [ -n '$(PORTAL)' ] && [ -z '$(LIST)' ]; then echo "本仓库是多份清单的门户（portal.yaml）：请指定要预览的清单，如 make serve LIST=$$(ls lists | head -1)（标识见 portal.yaml）" >&2; exit 2; fi
	@if [ -n '$(LIST)' ] && [ ! -d 'lists/$(LIST)/data' ]; then echo "找不到清单 $(LIST)：没有 lists/$(LIST)/data/（标识见 portal.yaml）" >&2; exit 2; fi
	$(if $(LIST),DUTYLIST_DATA=lists/$(LIST)/data) $(BIN)/mkdocs serve -a $(SERVE_ADDR)

# Statuses are computed as of today in China unless REFERENCE_DATE is given; file dates (sitemap) come from
# the last commit, so two builds of one commit on one reference date are byte-identical.
REFERENCE_DATE ?= $(shell TZ=Asia/Shanghai date +%F)
COMMIT_TIME := $(shell git log -1 --format=%ct 2>/dev/null)

# Build into site.new and swap only on success: a failed build never leaves a partial site/.
# A portal: every list at once, WORKERS at a time (default: this machine's processors), then the assembly.
build: $(VENV)/.runtime notice
	rm -rf site.new
ifeq ($(PORTAL),)
	CI=true REFERENCE_DATE=$(REFERENCE_DATE) $(if $(COMMIT_TIME),SOURCE_DATE_EPOCH=$(COMMIT_TIME)) \
		$(BIN)/mkdocs build --strict -d site.new || { rm -rf site.new; exit 1; }
else
	REFERENCE_DATE=$(REFERENCE_DATE) $(if $(COMMIT_TIME),SOURCE_DATE_EPOCH=$(COMMIT_TIME)) \
		$(BIN)/dutylist portal-build --out site.new $(if $(WORKERS),--workers $(WORKERS)) || { rm -rf site.new; exit 1; }
endif
	rm -rf site && mv site.new site

# A portal in CI, one job per list (ci/): LIST=<slug> into site/<slug>/ only; then `make assemble` once, where
# every list's site/<slug>/ has been gathered, writes the portal's own pages. `make portal-plan` first fixes the
# reference date all of them use.
build-list: $(VENV)/.runtime notice
	$(CHECK_LIST)
	@test -n '$(LIST)' || { echo "请指定清单：make build-list LIST=<标识>（标识见 portal.yaml）" >&2; exit 2; }
	rm -rf site.new
	REFERENCE_DATE=$(REFERENCE_DATE) $(if $(COMMIT_TIME),SOURCE_DATE_EPOCH=$(COMMIT_TIME)) \
		$(BIN)/dutylist build-list '$(LIST)' --out site.new/'$(LIST)'
	mkdir -p site && rm -rf site/'$(LIST)' && mv site.new/'$(LIST)' site/ && rm -rf site.new

assemble: $(VENV)/.runtime
	REFERENCE_DATE=$(REFERENCE_DATE) $(if $(COMMIT_TIME),SOURCE_DATE_EPOCH=$(COMMIT_TIME)) $(BIN)/dutylist assemble --site site

portal-plan: $(VENV)/.runtime
	REFERENCE_DATE=$(REFERENCE_DATE) $(BIN)/dutylist portal-plan

check: $(VENV)/.runtime
	REFERENCE_DATE=$(REFERENCE_DATE) $(BIN)/dutylist check

# One test worker per core (pytest-xdist); a test file's tests stay on one worker, so its module fixtures build once.
test: $(VENV)/.test
	bash scripts/system-packages.sh
	$(BIN)/python -m pytest -n auto --dist loadfile

# Publish the site/ that `make build` made to DEPLOY_TARGET (a mounted web root, or user@host:/path over SSH with
# DEPLOY_SSH_OPTIONS); with DEPLOY_URL set, the public site is checked after the switch and rolled back on mismatch.
# It never builds: in CI the build runs in a job without the deploy key, and this one only uploads.
# FORCE=1 publishes a site with over 20 % fewer pages than the live one (the only check it overrides).
deploy: $(VENV)/.runtime
	@test -d site || { echo "没有 site/ 目录：请先运行 make build（CI 中由 build 任务产出）" >&2; exit 1; }
	$(BIN)/dutylist deploy --site site --require-site-url $(if $(filter 1,$(FORCE)),--force)

# Back to the release live before the current one, or to TO=<release>; `make releases` lists them.
rollback: $(VENV)/.runtime
	$(BIN)/dutylist rollback $(if $(TO),--to $(TO))

releases: $(VENV)/.runtime
	$(BIN)/dutylist releases

# Check every document link in the data against its archived copy (scheduled, never on an editor's push); writes
# links-report.md and .json and archive/checks.json. Exit 1: a cited document is gone; 3: no network.
links: $(VENV)/.runtime
	$(BIN)/dutylist links --report links-report.md --json links-report.json

# Save a dated copy of every document not yet archived into archive/ (add REFRESH=1 to fetch all again).
archive: $(VENV)/.runtime
	$(BIN)/dutylist archive $(if $(REFRESH),--refresh)

# In a merge request's pipeline: refuse changes to archive/ other than the scheduled job's own commits.
.PHONY: guard-archive
guard-archive:
	bash scripts/guard-archive.sh

# The scheduled watch: archive new documents, check every link, commit archive/ (see scripts/commit-archive.sh),
# record today's status changes in data-history/ and commit them (scripts/commit-history.sh);
# each step runs even if the one before failed, and the job fails if any did.
watch: $(VENV)/.runtime
	$(BIN)/dutylist archive; archived=$$?; \
	$(BIN)/dutylist links --report links-report.md --json links-report.json; checked=$$?; \
	bash scripts/commit-archive.sh; committed=$$?; \
	$(BIN)/dutylist history && bash scripts/commit-history.sh; recorded=$$?; \
	exit $$(( checked ? checked : archived ? archived : committed ? committed : recorded ))

# Append today's status changes to data-history/statuses.csv (the scheduled watch does this and commits it).
history: $(VENV)/.runtime
	$(BIN)/dutylist history

# Build time, memory, save-to-reload and page weight against plain Material and Zensical on `dutylist render`'s
# output, with every page whose visible text differs (installs the newest Zensical into .venv-bench); prints a table
# and writes bench/results/bench.json. SMOKE=1: the real list, one run (what `make test` checks).
bench: $(VENV)/.runtime
	$(BIN)/python bench/run.py $(if $(SMOKE),--smoke)

# Known vulnerabilities in every pinned requirement (the scheduled CI job: it reports and never blocks a push).
# --strict fails when a package cannot be checked (no network, unknown to the advisory service), not only when one
# is vulnerable: the log says which.
audit:
	python3 -m venv .venv-audit
	.venv-audit/bin/pip install -q -r requirements-audit.txt
	.venv-audit/bin/pip-audit --strict --no-deps -r requirements.txt -r requirements-test.txt

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

# A target with no rule (a typo such as `make sever`): say so in Chinese, with the targets there are.
.DEFAULT:
	@echo "没有 make $@ 这个命令。编者常用：make serve（预览）、make check（检查数据）、make test；其余见 README.md" >&2; exit 2
