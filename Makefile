# Every target a user or CI runs. `make help` lists them.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
NODE_MODULES := node_modules/.package-lock.json
WITH_ENV := scripts/with-services-env.sh

.PHONY: help install build typecheck lint test test-unit test-integration tools doctor demo services-up services-down up down topics migrate producer engine replay backfill alerts dashboards bench docs soak

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

# No dependency needs an install script; skipping them keeps them from running with our privileges. Install
# scripts being off, the project's patches to dependencies are applied here (idempotent; fails loudly when an
# upgraded dependency no longer matches the file a patch was written for).
$(NODE_MODULES): package.json package-lock.json scripts/patchDependencies.js
	npm ci --ignore-scripts --no-audit --no-fund
	node scripts/patchDependencies.js
	@touch $@

install: $(NODE_MODULES) ## Install the npm dependencies (npm ci)

build: $(NODE_MODULES) ## Compile TypeScript to dist/
	npx tsc -p tsconfig.build.json

typecheck: $(NODE_MODULES) ## Type-check everything, tests included
	npx tsc -p tsconfig.json --noEmit

lint: $(NODE_MODULES) ## Type-aware ESLint, including the pure-core import rules
	npx eslint --max-warnings 0 .

test: typecheck lint test-unit test-integration ## Everything CI runs: typecheck, lint, unit and integration tests

test-unit: $(NODE_MODULES) ## Unit tests (*.test.ts), no services needed
	npx vitest run --project unit

test-integration: build tools ## Integration tests (*.int.test.ts) against real Kafka, PostgreSQL, Prometheus and Alertmanager
	npx vitest run --project integration --reporter=default --reporter=json --outputFile.json=dist/integration-results.json
	node dist/scripts/checkNoSkippedTests.js dist/integration-results.json

RUNS ?= 5
soak: ## The integration suite RUNS times in a row (default 5), one core kept busy and `make producer` beside it; summary in dist/soak/
	bash scripts/soak.sh $(RUNS)

tools: ## Build what the tests need beyond Debian's packages (Docker Compose, with Go) into .tools/bin, once
	bash scripts/install-tools.sh

demo: build services-up ## The whole live pipeline offline on a simulated Coinbase (Ctrl-C stops it): make demo ARGS="--help"
	$(WITH_ENV) KAFKA_BROKERS DATABASE_URL MIGRATION_DATABASE_URL -- node dist/demo/main.js $(ARGS)

services-up: ## Start Kafka, PostgreSQL and Prometheus locally (no Docker); writes .services.env
	bash services/services.sh up

services-down: ## Stop the local services started by services-up (by their pid files)
	bash services/services.sh down

doctor: ## Check each prerequisite and local service, with the fix for each problem; fails when `make services-up producer` cannot run
	@command -v node >/dev/null 2>&1 || { echo "missing  Node.js  not installed; fix: install Node.js >= 20.19 (https://nodejs.org or NodeSource's apt repository)" >&2; exit 1; }
	@node scripts/doctorPreflight.js
	@test -f $(NODE_MODULES) || echo "node_modules is not installed: installing it (npm ci)"
	@$(MAKE) --no-print-directory --silent $(NODE_MODULES) || { echo "missing  npm packages  the install failed; fix: run \`make install\` to see why" >&2; exit 1; }
	@$(MAKE) --no-print-directory --silent build >/dev/null 2>&1 || { echo "missing  build  the TypeScript build failed; run \`make build\` to see why" >&2; exit 1; }
	@node dist/scripts/doctor.js

up: ## Start the docker-compose stack (creates .env with random passwords when it is missing)
	@bash scripts/compose-env.sh
	bash scripts/compose.sh up --detach --build --wait

down: ## Stop the docker-compose stack (its data stays in Docker volumes; add ARGS=--volumes to delete it)
	bash scripts/compose.sh down $(ARGS)

topics: build ## Create the Kafka topics (idempotent)
	$(WITH_ENV) KAFKA_BROKERS -- node dist/scripts/createTopics.js

migrate: build ## Apply db/migrations (TimescaleDB when present, else plain PostgreSQL)
	$(WITH_ENV) MIGRATION_DATABASE_URL -- node dist/scripts/migrate.js

producer: topics ## Stream Coinbase market data into Kafka (Ctrl-C stops it cleanly)
	$(WITH_ENV) KAFKA_BROKERS -- node dist/producer/main.js

engine: topics migrate ## Run the strategy engine on prices.normalized (Ctrl-C checkpoints and stops)
	$(WITH_ENV) KAFKA_BROKERS DATABASE_URL -- node dist/engine/main.js

replay: build ## Backtest over recorded offsets through the engine's code: make replay ARGS="--help"
	$(WITH_ENV) KAFKA_BROKERS DATABASE_URL -- node dist/replay/main.js $(ARGS)

backfill: topics ## Load Coinbase history (candles, trades) or trade files into prices.history: make backfill ARGS="--help"
	$(WITH_ENV) KAFKA_BROKERS -- node dist/backfill/main.js $(ARGS)

alerts: build ## Write prometheus/alerts.yml with the ALERT_* thresholds of your environment
	node dist/scripts/writeAlertRules.js

dashboards: build ## Write grafana/dashboards/*.json from their TypeScript definitions in grafana/generate/
	node dist/scripts/writeDashboards.js

# The full history goal (2 years × 10 products, 10.5 M candles; about 20 minutes, mostly publishing the candles): make bench BENCH_HISTORY_ARGS="--days 730".
BENCH_HISTORY_ARGS ?= --days 7

bench: build ## Benchmarks (about 20 minutes); JSON results under bench/results/
	$(WITH_ENV) KAFKA_BROKERS -- node dist/bench/producerBench.js
	$(WITH_ENV) KAFKA_BROKERS DATABASE_URL MIGRATION_DATABASE_URL -- node dist/bench/engineBench.js
	$(WITH_ENV) KAFKA_BROKERS DATABASE_URL MIGRATION_DATABASE_URL -- node dist/bench/replayBench.js
	$(WITH_ENV) KAFKA_BROKERS -- node dist/bench/backfillBench.js
	$(WITH_ENV) KAFKA_BROKERS DATABASE_URL MIGRATION_DATABASE_URL -- node dist/bench/historyBench.js $(BENCH_HISTORY_ARGS)

docs: build ## Regenerate the env-var table in README.md and .env.example from config/envVars.ts
	node dist/scripts/writeEnvDocs.js
