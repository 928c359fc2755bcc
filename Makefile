# Two commands on a fresh clone: `make run` and `make test` (see README).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app app

.PHONY: run test bench mutants install translations extract-messages clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(BIN)/activate

install: $(BIN)/activate

translations: install
	$(BIN)/pybabel compile --statistics -d app/translations

run: translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --port $(PORT)

# The whole suite on SQLite (browser tests included when Chromium is installed), then, when
# TEST_DATABASE_URL names a PostgreSQL database, everything but the browser tests on it.
test: translations
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		SUITE_ON_POSTGRES=1 $(BIN)/python -m pytest -m "not browser"; \
	fi

# Mutation testing (setup.cfg [mutmut]): app/access.py and the services, mutated one change at a
# time in a copy under mutants/, each mutant against the tests that run its code. Not part of
# `make test` (it takes long): `make mutants`, or one module with MUTANTS='app.access.*'.
MUTANTS ?=
mutants: translations
	$(BIN)/mutmut run --max-children $${MUTMUT_CHILDREN:-2} $(MUTANTS)
	$(BIN)/mutmut results

# Every benchmark at its documented size (bench/README.md): SQLite, and PostgreSQL too when
# BENCH_DATABASE_URL names a database for them. The first run builds the province-scale data
# (minutes per database); later runs reuse it. One `BENCH <name> <value> <unit>` line per figure.
bench: translations
	$(BIN)/python bench/run_all.py

extract-messages: install
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k _l -k lazy_pgettext:1c,2 -o app/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i app/translations/messages.pot -d app/translations

clean:
	rm -rf $(VENV) instance .pytest_cache mutants
