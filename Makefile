# The two commands a new user needs: `make demo` and `make test`. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint typecheck bench node-deps browser-deps clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

node-deps: tests/node/node_modules/.installed tailrun/local/firebase/node_modules/.installed web/node_modules/.installed

tests/node/node_modules/.installed: tests/node/package.json tests/node/package-lock.json
	cd tests/node && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# esbuild and the Firebase JS SDK, so that the tests can check the committed web bundle is what web/src builds
web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# firebase-tools, for the Firebase Auth emulator of `tailrun dev --auth-emulator` (and its tests); the demo needs none
tailrun/local/firebase/node_modules/.installed: tailrun/local/firebase/package.json tailrun/local/firebase/package-lock.json
	cd tailrun/local/firebase && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The job viewer's browser test needs a Chromium: Debian's, installed here when missing and we may (root, apt).
browser-deps:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || [ -n "$$TAILRUN_CHROMIUM" ] || \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "make: no Chromium for the job viewer's browser test (apt-get install chromium, or set TAILRUN_CHROMIUM)"; fi

demo: install
	$(BIN)/python -m tailrun.demo

# ruff (the rule sets in pyproject.toml), the formatter as a check, and mypy --strict (strict = true in pyproject).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The application's suites (the functions, the runner end to end, the CLI and its `tailrun dev` stacks, which
# then start Google's emulator) run a second time on Google's own emulator (issue 13), where it
# is installed (google-cloud-cli-firestore-emulator and Java 17); elsewhere that run is skipped and says why.
GOOGLE_SUITES := tests/functions tests/artifacts tests/cli tests/emulator/test_webchannel.py
# Left out there: tests of several transactions racing on one document. Google's emulator locks pessimistically
# with a 2 s wait and no wound-wait, so under load they exhaust the client's attempts or the test's timeout
# (docs/ARCHITECTURE.md, "Known differences between the two emulators": contention); they run on the embedded one.
# The 200-row batch is left out there too: it tests scale (minutes on Google's emulator), not Google's behaviour.
GOOGLE_DESELECT := not racing_a_cancel and not two_reapers_at_once and not concurrent_requests_with_one_idempotency \
  and not two_reviews_at_once and not two_hundred_rows

test: install node-deps browser-deps lint
	$(BIN)/python -m pytest -q
	@reason=$$($(BIN)/python -c 'import sys; sys.path.insert(0, "tests"); from google_firestore import unavailable_reason; print(unavailable_reason() or "")'); \
	  if [ -n "$$reason" ]; then echo "SKIPPED: the suites on Google's Firestore emulator: $$reason"; \
	  else echo "--- the suites again, on Google's Firestore emulator ---"; \
	    TAILRUN_TEST_FIRESTORE=google $(BIN)/python -m pytest -q $(GOOGLE_SUITES) -k "$(GOOGLE_DESELECT)"; fi

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .tailrun tests/node/node_modules tailrun/local/firebase/node_modules web/node_modules
