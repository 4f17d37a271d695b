# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.nktk-installed
OUT    := out

.PHONY: run test bench train corpora clean check-system check-browser

check-system:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "nktk needs Python 3.11 or newer (found: $$($(PYTHON) --version 2>&1))."; exit 1; }
	@command -v java >/dev/null 2>&1 || [ -n "$$JAVA_HOME" ] || \
	  { echo "nktk needs a Java runtime for KoNLPy's analysers. Install one with:"; \
	    echo "    sudo apt-get install -y default-jre-headless"; exit 1; }

# The review app's tests run in the system Chromium (nothing downloads a browser).
check-browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || \
	  { echo "the browser tests of nktk review need Chromium and ChromeDriver. Install them with:"; \
	    echo "    sudo apt-get install -y chromium chromium-driver"; exit 1; }

$(STAMP): pyproject.toml | check-system
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[all,dev]'
	@touch $(STAMP)

run: $(STAMP)
	@mkdir -p $(OUT)
	$(BIN)/nktk tokenize corpora/samples/ko-jangmadang.txt corpora/samples/en-border-towns.txt --format text | head -n 12
	$(BIN)/nktk tag corpora/samples/en-border-towns.txt corpora/samples/ko-jangmadang.txt corpora/samples/en-blog-saved-page.txt corpora/samples/ko-portal-saved-page.txt --format html --out $(OUT)/samples.html
	$(BIN)/nktk tag corpora/samples/en-border-towns.txt corpora/samples/ko-jangmadang.txt corpora/samples/en-blog-saved-page.txt corpora/samples/ko-portal-saved-page.txt --format json --out $(OUT)/samples.json
	$(BIN)/nktk batch corpora/samples --out $(OUT)/batch.jsonl --overwrite
	$(BIN)/nktk report $(OUT)/batch.jsonl --out $(OUT)/report.html
	@echo "Open $(OUT)/samples.html (tagged articles) and $(OUT)/report.html (corpus report)."

test: $(STAMP) | check-browser
	$(BIN)/ruff check toolkit tests bench scripts corpora/realdev
	$(BIN)/mypy
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/tokenize.py
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/review.py

REALDEV := corpora/realdev/cache/realdev.jsonl

train: $(STAMP)
	$(BIN)/nktk train $(if $(wildcard $(REALDEV)),--realdev $(REALDEV))

corpora: $(STAMP)
	$(BIN)/python scripts/build_corpora.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache build dist
