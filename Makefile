# The two commands a newcomer needs: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.8
TOOLS := .draxis/tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

.PHONY: help run test lint fmt install web web-deps api-types browser pdftools clean infra-lint image

help:
	@echo "make run    install, migrate, seed, materialize, serve :8000 (app) and :3000 (Dagster)"
	@echo "make test   lint + type-check, web tests, then pytest against a real PostgreSQL"
	@echo "make lint   ruff + mypy --strict      make fmt   format and autofix"
	@echo "make infra-lint  offline checks of infra/, workflows, migrations (part of make test)"
	@echo "make image  build infra/image/Containerfile with buildah, smoke /health (not in make test)"

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen --quiet

web-deps:
	cd web && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; }

web: web-deps
	cd web && npm run build

# The web client's API types from the app's OpenAPI document (no server, no database);
# tests/api/test_openapi_types.py fails when the checked-in file is out of date.
api-types: install web-deps
	@tmp=$$(mktemp -d) && $(BIN)/python -m api.openapi_document > $$tmp/openapi.json && \
	  (cd web && npx openapi-typescript $$tmp/openapi.json -o src/api/schema.d.ts); \
	  rc=$$?; rm -rf $$tmp; exit $$rc

run: install web
	$(BIN)/draxis up

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The browser test drives Debian's Chromium (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# pdftoppm and pdftotext: the board-report tests render the PDFs' pages and read their text.
pdftools:
	@command -v pdftoppm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }

test: lint infra-lint web browser pdftools
	cd web && npm test
	$(BIN)/pytest

clean:
	rm -rf .draxis $(VENV) web/node_modules web/dist

# Offline checks of the deployment (docs/deploy.md, "Offline checks"): no provider download, no
# network. checkov runs from its own locked environment (.draxis/iac, the `iac` dependency group:
# it pins packaging < 24, which the project's tools outgrew); checkov only reads files named
# *Dockerfile*, so it sees the Containerfile through a copy.
IAC := .draxis/iac
infra-lint: install
	UV_PROJECT_ENVIRONMENT=$(IAC) $(UV) sync --frozen --quiet --no-default-groups --only-group iac --no-install-project
	terraform fmt -check -recursive infra/terraform
	$(BIN)/hadolint infra/image/Containerfile
	$(BIN)/actionlint
	$(BIN)/zizmor --offline --quiet .github/workflows
	$(BIN)/python -m draxis.migrations.squawk_lint
	@tmp=$$(mktemp -d) && cp infra/image/Containerfile $$tmp/Dockerfile && \
	  $(IAC)/bin/checkov --quiet --compact --skip-download --framework dockerfile -f $$tmp/Dockerfile; \
	  rc=$$?; rm -rf $$tmp; exit $$rc
	$(IAC)/bin/checkov --quiet --compact --skip-download --framework terraform -d infra/terraform
	$(IAC)/bin/checkov --quiet --compact --skip-download --framework kubernetes -d infra/dagster/k8s

# Builds the one image here (buildah, vfs, chroot; local Debian bases) and smokes its API against
# the PostgreSQL on 127.0.0.1:5432. Needs root (debootstrap, chroot). Not part of `make test`.
image:
	infra/image/build.sh
