# Tabik: `make run` to try it, `make test` to check it (see README.md).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONHASHSEED := 0
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: venv run serve train test evaluate compare lint validate clean help

help:
	@echo "make run       install, train if needed, start everything, chat in the terminal"
	@echo "make serve     the same processes in the foreground, no chat (Ctrl-C/SIGTERM stops all)"
	@echo "make test      the whole test suite (what CI runs)"
	@echo "make train     train the model into models/ (seeded)"
	@echo "make evaluate  held-out NLU figures: accuracy, macro-F1, per-intent F1, entities"
	@echo "make compare   train and evaluate every pipeline in nlu/pipelines/ (slow)"

venv:
	@scripts/setup-venv.sh

run: venv
	@$(PY) -m bot.entrypoints.launcher run

serve: venv
	@exec $(PY) -m bot.entrypoints.launcher serve

train: venv
	@$(PY) -m bot.entrypoints.launcher train

evaluate: venv train
	@$(PY) -m bot.entrypoints.evaluation --model "$$($(PY) -m bot.entrypoints.launcher model-path)"

compare: venv
	@$(PY) -m bot.entrypoints.evaluation compare nlu/pipelines/*.yml

validate: venv
	@$(VENV)/bin/rasa data validate --domain "$$(test -d domain && echo domain || echo domain.yml)" --data nlu/data --config config.yml

lint: venv
	@$(VENV)/bin/ruff check bot actions channels console tests scripts
	@$(VENV)/bin/mypy bot actions channels console tests/auxil/actions.py
	@$(VENV)/bin/lint-imports

test: venv train
	@scripts/setup-browser.sh
	@$(VENV)/bin/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

clean:
	rm -rf var/test-* .pytest_cache .mypy_cache .ruff_cache
