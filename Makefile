# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.nktk-installed
OUT    := out

.PHONY: run test lint bench train clean check-system

check-system:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "nktk needs Python 3.11 or newer (found: $$($(PYTHON) --version 2>&1))."; exit 1; }
	@command -v java >/dev/null 2>&1 || [ -n "$$JAVA_HOME" ] || \
	  { echo "nktk needs a Java runtime for KoNLPy's analysers. Install one with:"; \
	    echo "    sudo apt-get install -y default-jre-headless"; exit 1; }

$(STAMP): pyproject.toml | check-system
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,kiwi]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/nktk tokenize corpora/samples --format text

test: $(STAMP)
	$(BIN)/ruff check toolkit tests bench scripts
	$(BIN)/mypy
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/tokenize.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache build dist
