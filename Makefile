# LBP-KG. `make run` and `make test` are the two commands for a fresh machine (see README).
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv/bin

.PHONY: setup setup-test run serve build test lint bench clean

setup:
	scripts/setup.sh run

setup-test:
	scripts/setup.sh test

build: setup
	$(VENV)/lbpkg build

run: build
	$(VENV)/lbpkg serve --host $(HOST) --port $(PORT)

serve:
	$(VENV)/lbpkg serve --host $(HOST) --port $(PORT)

test: setup-test
	$(VENV)/ruff check .
	$(VENV)/lint-imports --no-cache
	$(VENV)/python -m pytest

lint: setup-test
	$(VENV)/ruff check .

bench: setup-test
	$(VENV)/python bench/run.py

clean:
	rm -rf build
