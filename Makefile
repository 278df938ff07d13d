# LBP-KG. `make run` and `make test` are the two commands for a fresh machine (see README).
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv/bin

.PHONY: setup setup-test run serve build test test-fast lint bench clean

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
	$(VENV)/mypy
	$(VENV)/python -m pytest

# The inner loop: no HermiT, Virtuoso or Chromium, and no test that waits on purpose (time limits,
# worker kills); web and query tests read the small committed release in tests/fixtures/. Two
# pytest-xdist workers, one per core of a small machine.
test-fast:
	$(VENV)/ruff check .
	$(VENV)/lint-imports --no-cache
	$(VENV)/mypy
	$(VENV)/python -m pytest -q -n 2 -m "not reasoner and not remote and not browser and not slow"

lint: setup-test
	$(VENV)/ruff check .
	$(VENV)/mypy

bench: setup-test
	$(VENV)/python bench/run.py

clean:
	rm -rf build
