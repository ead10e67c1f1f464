# Two commands: `make demo` runs the main job, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

WHEEL_VENV := .venv-wheel

.PHONY: demo test test-wheel bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[cn]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,fast]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

demo: $(VENV)/.installed-demo
	$(BIN)/python -m communitygov demo

test: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest
	$(MAKE) test-wheel

# Build the sdist and wheel, install the wheel in a venv of its own, and run the test suite
# against the installed package rather than the source tree, and without the ``fast`` extra,
# so that the standard library's JSON path passes every test too.
test-wheel: $(VENV)/.installed-test
	rm -rf dist $(WHEEL_VENV)
	$(BIN)/python -m pip install --quiet build
	$(BIN)/python -m build --outdir dist . > /dev/null
	$(PYTHON) -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pip install --quiet "$$(ls dist/*.whl)[test]"
	cd dist && ../$(WHEEL_VENV)/bin/python -m pytest ../tests -q -p no:cacheprovider \
		-o addopts="--strict-markers --ignore=../tests/typing" --rootdir=..

bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(WHEEL_VENV) build dist .mypy_cache .ruff_cache .pytest_cache .hypothesis
