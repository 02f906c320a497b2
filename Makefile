# shopbot: set-up, training, running, testing and benchmarking entry points.
# Python 3.10 for Rasa comes from pyenv when available; override with `make PY310=/path/python3.10`.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PY310 ?= $(shell (pyenv prefix 3.10.13 2>/dev/null || pyenv prefix 3.10 2>/dev/null) | head -n1 | sed 's|$$|/bin/python3.10|' | grep -v '^/bin' || command -v python3.10)
PY311 ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
VENV_RASA := .venv-rasa
PY := $(VENV)/bin/python
RASA := $(VENV_RASA)/bin/rasa
SHOPBOT := $(VENV)/bin/shopbot
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

# The training data, named explicitly: Rasa's default (all of data/) would also read the shop's
# own data. The one bilingual model learns from the English (data/nlu) and the Chinese
# (data/nlu_zh, issue 20) examples (config.yml, docs/nlu/chinese.md).
RASA_DATA := data/nlu data/nlu_zh data/rules $(wildcard data/stories)
RASA_SOURCES := config.yml $(shell find $(RASA_DATA) domain -name '*.yml' 2>/dev/null)
MODEL_STAMP := models/.stamp

.PHONY: help setup setup-python system-packages services run train test test-unit test-rasa \
        lint format typecheck bench eval-nlu eval-nlu-independent eval-nlu-dev eval-retrieval \
        eval-nlu-zh eval-nlu-zh-dev eval-sentiment eval-conversations report validate clean

# Run outputs of evaluations and benchmarks (ignored); `make report` refreshes the committed
# copies in docs/ and bench/results/ on purpose, so a test or evaluation leaves git status clean.
REPORTS := var/reports

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-16s %s\n", $$1, $$2}'

setup: system-packages setup-python ## System packages + both virtual environments (idempotent)

setup-python: $(VENV)/.installed $(VENV_RASA)/.installed ## Only the two virtual environments

system-packages: ## Debian packages the tests need (Chromium, docker-compose, Redis, PostgreSQL)
	@bash scripts/system-packages.sh

services: ## Start the local PostgreSQL and Redis the tests use, unless they already answer
	@bash scripts/services.sh

$(VENV)/.installed: pyproject.toml
	@test -x "$(PY311)" || { echo "Python 3.11 not found; set PY311=/path/to/python3.11"; exit 1; }
	test -d $(VENV) || $(PY311) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip wheel setuptools
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

$(VENV_RASA)/.installed: requirements-rasa.txt requirements-rasa-nodeps.txt
	@test -x "$(PY310)" || { echo "Python 3.10 not found (Rasa 3.6 needs <3.11); set PY310=/path/to/python3.10"; exit 1; }
	test -d $(VENV_RASA) || $(PY310) -m venv $(VENV_RASA)
	# PYTHONPATH (the project root, for rasa_addons) must not make pip see the 3.11 package.
	PYTHONPATH= $(VENV_RASA)/bin/pip install -q --upgrade pip wheel
	PYTHONPATH= $(VENV_RASA)/bin/pip install -q -r requirements-rasa.txt
	PYTHONPATH= $(VENV_RASA)/bin/pip install -q --no-deps -r requirements-rasa-nodeps.txt
	touch $@

train: setup-python $(MODEL_STAMP) ## Train the Rasa model if its sources changed

$(MODEL_STAMP): $(RASA_SOURCES)
	$(SHOPBOT) nlu lookups --quiet || true
	$(RASA) train --domain domain --data $(RASA_DATA) --fixed-model-name shopbot --out models
	touch $@

run: setup-python ## Set up, train if stale, start Rasa + actions + web app, print the URLs
	$(SHOPBOT) db upgrade
	$(SHOPBOT) shop ensure-demo
	$(MAKE) --no-print-directory train
	$(SHOPBOT) web run-stack

validate: setup-python ## rasa data validate --fail-on-warnings
	$(RASA) data validate --domain domain --data $(RASA_DATA) --fail-on-warnings

test: setup train services ## Run the whole suite (pytest incl. e2e/browser, rasa validate and rasa test)
	$(MAKE) --no-print-directory validate
	$(MAKE) --no-print-directory test-rasa
	$(PY) -m pytest -q

test-unit: setup-python services ## Only the fast pytest suites (no Rasa processes, no browser)
	$(PY) -m pytest -q -m "not e2e and not browser"

test-rasa: setup-python train ## rasa test stories with --fail-on-prediction-errors
	$(RASA) test core --stories tests/ --model models/shopbot.tar.gz --fail-on-prediction-errors --out results/core

lint: setup-python ## ruff check + format check
	$(VENV)/bin/ruff check bot actions rasa_addons tests bench
	$(VENV)/bin/ruff format --check bot actions rasa_addons tests bench

format: setup-python
	$(VENV)/bin/ruff format bot actions rasa_addons tests bench
	$(VENV)/bin/ruff check --fix bot actions rasa_addons tests bench

typecheck: setup-python ## mypy over bot/ and actions/ (clean)
	$(VENV)/bin/mypy bot actions

bench: setup-python train services ## Benchmarks: JSON + markdown in var/reports/bench/
	$(PY) -m bench.run_all --out $(REPORTS)/bench $(BENCH_ARGS)

eval-nlu: setup-python train ## NLU: the independent and dev sets, then 5-fold CV of the candidates (var/reports/)
	$(MAKE) --no-print-directory eval-nlu-independent
	$(MAKE) --no-print-directory eval-nlu-dev
	$(MAKE) --no-print-directory eval-nlu-zh
	$(MAKE) --no-print-directory eval-nlu-zh-dev
	$(PY) -m bot.cli.main nlu evaluate --docs $(REPORTS)/nlu

eval-nlu-independent: setup-python train ## The trained model on eval/nlu/ (written by others, never trained on)
	$(SHOPBOT) nlu independent --set independent --out $(REPORTS)/nlu-independent

eval-nlu-dev: setup-python train ## The trained model on eval/nlu_dev/ (written by others; used for choosing)
	$(SHOPBOT) nlu independent --set dev --out $(REPORTS)/nlu-dev

eval-nlu-zh: setup-python train ## The trained model on eval/nlu_zh/ (Chinese, written blind, never trained on)
	$(SHOPBOT) nlu independent --set zh --out $(REPORTS)/nlu-zh

eval-nlu-zh-dev: setup-python train ## The trained model on eval/nlu_zh_dev/ (Chinese, written blind; used for choosing)
	$(SHOPBOT) nlu independent --set zh_dev --out $(REPORTS)/nlu-zh-dev

eval-retrieval: setup-python ## recall@5 and MRR for keyword, semantic and hybrid retrieval
	$(SHOPBOT) catalog evaluate --report $(REPORTS)/retrieval.md

# Scripted shoppers on the τ-bench retail tasks against the real stack (docs/conversations.md).
# CONV_TRAIN_LIMIT=0 runs all 500 train tasks.
CONV_TRAIN_LIMIT ?= 100
eval-conversations: setup-python train services ## Scripted-shopper suite: dev (20) + a train slice
	$(PY) -m bot.eval.conversations.run --split dev --split train --limit $(CONV_TRAIN_LIMIT) \
		--out $(REPORTS)/conversations

eval-sentiment: setup-python ## Default sentiment models (English, Chinese) on the labelled and blind sets
	$(SHOPBOT) sentiment evaluate --doc-file $(REPORTS)/insights.md

report: setup train services ## Re-run evaluations, benchmarks, README pictures; update the committed copies
	$(SHOPBOT) sentiment evaluate --doc-file docs/insights.md
	$(SHOPBOT) catalog evaluate --report docs/retrieval.md
	$(PY) -m bot.cli.main nlu evaluate --docs docs/nlu
	$(SHOPBOT) nlu independent --set independent --out docs/nlu/independent
	$(SHOPBOT) nlu independent --set dev --out docs/nlu/dev
	$(SHOPBOT) nlu independent --set zh --out docs/nlu/zh
	$(PY) -m bench.run_all --out bench/results $(BENCH_ARGS)
	SHOPBOT_UPDATE_DOC_IMAGES=1 $(PY) -m pytest -q tests/browser/test_store_chat.py tests/browser/test_console_review.py tests/browser/test_console_handoff.py

clean:
	rm -rf models results .pytest_cache var/*.db
