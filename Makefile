# Two commands: `make run` (the app on SQLite with a demo community) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-postgres install translations messages bench bench-http clean vnu

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,prod]'
	touch $@

install: $(VENV)/.installed

# The W3C HTML checker for tests/test_html_valid.py (needs Java 17); node_modules/ is not committed.
VNU_VERSION ?= 26.9.27
VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR):
	npm install --prefix . --no-save --no-package-lock --no-audit --no-fund vnu-jar@$(VNU_VERSION)

vnu: $(VNU_JAR)

translations: install
	$(BIN)/pybabel compile --statistics -d board/translations

run: translations
	$(BIN)/flask --app board db upgrade
	$(BIN)/flask --app board seed-demo
	@echo "Doorstep: http://127.0.0.1:5000"
	$(BIN)/flask --app board run --host 127.0.0.1 --port 5000

test: translations
	$(BIN)/pytest

test-postgres: translations
	BOARD_DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest

# After changing user-facing text: extract, merge into the catalogues, translate, `make test`.
messages: install
	$(BIN)/pybabel extract --no-wrap -F board/translations/babel.cfg -k _l -k lazy_gettext -o board/translations/messages.pot .
	$(BIN)/pybabel --quiet update --no-wrap -i board/translations/messages.pot -d board/translations

bench: translations
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) *.egg-info

# Pages under gunicorn on PostgreSQL against a bare Flask + Jinja page, with wrk (apt-get install -y wrk).
bench-http: translations
	$(BIN)/python bench/http.py
