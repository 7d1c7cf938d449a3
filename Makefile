# The commands a newcomer and CI run. `make run` and `make test` are the two set-up commands.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1
export UV_COMPILE_BYTECODE := 1
# Compiled bytecode makes every test process start faster; some machines switch writing it off.
unexport PYTHONDONTWRITEBYTECODE
UV_VERSION := 0.13.9
UV := .tools/uv/bin/uv
PY := .venv/bin/python
DATABASE ?= var/immunocare.db
export IMMUNOCARE_DATABASE_URL ?= sqlite:///$(DATABASE)
export SPARK_LOCAL_IP ?= 127.0.0.1

.PHONY: run test lint format install demo docs clean

$(UV):
	python3 -m pip install --quiet --disable-pip-version-check --target .tools/uv uv==$(UV_VERSION)

.venv/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --python python3.11
	touch $@

install: .venv/.installed ## Create the virtual environment with the locked dependencies

OMOP_DEMO := var/omop-demo
# The Population page's source in the demo: a synthetic OMOP population with planted cases.
run: export IMMUNOCARE_POPULATION_SOURCES ?= {"synthetic demo population (20,000 persons)": "$(OMOP_DEMO)"}

run: install ## Migrate a SQLite database, load the demo cohort and serve http://127.0.0.1:8000
	mkdir -p $(dir $(DATABASE))
	$(PY) -m immunocare db upgrade
	$(PY) -m immunocare demo
	[ -f $(OMOP_DEMO)/person.parquet ] || $(PY) -m immunocare population synth --persons 20000 --out $(OMOP_DEMO)
	$(PY) -m immunocare serve --host 127.0.0.1 --port 8000

test: install ## Run the whole test suite (SQLite, PostgreSQL, browser)
	$(PY) -m pytest

lint: install ## ruff and mypy --strict, as CI runs them
	.venv/bin/ruff check src tests scripts bench
	.venv/bin/ruff format --check src tests scripts bench
	.venv/bin/mypy

format: install
	.venv/bin/ruff format src tests scripts bench
	.venv/bin/ruff check --fix src tests scripts

docs: install ## Regenerate the generated documentation (record schema, CLI reference, knowledge review)
	$(PY) scripts/gen_docs.py

clean:
	rm -rf .venv .tools var test-results .pytest_cache .mypy_cache .ruff_cache
