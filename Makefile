# Set-up and everyday commands. Each target installs what it needs into .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test serve clean

# Build the demo archive from the sample digests in digests/ into site/.
demo: $(VENV)/.installed
	$(BIN)/digest-archive build --strict
	@echo "Demo archive built in site/. Preview it with: make serve"

# Run the whole test suite (unit, property and end-to-end tests).
# pytest exits 5 when it collected no tests: that is a broken suite, not a pass.
test: $(VENV)/.installed
	@status=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

# Preview the built site on http://127.0.0.1:8000/ (builds first).
serve: $(VENV)/.installed
	$(BIN)/digest-archive serve

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) site site_src .site.writing .site.previous .site_src.writing .site_src.previous
