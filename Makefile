# punchlab: two commands do everything — `make lab` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Two stamps: `make lab` installs what the lessons need; `make test` adds the `test` extra on top.
LAB_STAMP  := $(VENV)/.installed-lab
TEST_STAMP := $(VENV)/.installed-test
# auto: uv from PATH, else uv installed with pip into .tools/uv (outside the venv, which stays the
# lessons' packages alone), else pip. INSTALLER=pip: pip only.
INSTALLER ?= auto
UV_TOOL := .tools/uv
PORT   ?= 8888
NOTEBOOK_DIR ?= $(CURDIR)/notebooks
# JupyterLab refuses to run as root unless told; containers and CI often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test lint format lock clean

# $(call install,EXTRA): the venv with the runtime dependencies, plus EXTRA when given.
# uv installs exactly what uv.lock pins (--locked: a stale lock is an error, then pip is tried);
# --inexact keeps what is already there (the test tools after `make test`). pip works from pyproject.toml;
# --no-compile, as uv does: Python compiles what it imports when first imported, not all ~150 packages.
define install
	@set -e; uv=""; export PIP_ROOT_USER_ACTION=ignore; \
	if [ "$(INSTALLER)" != pip ]; then \
		uv=$$(command -v uv || true); \
		if [ -z "$$uv" ]; then \
			if [ -x $(UV_TOOL)/bin/uv ] || $(PYTHON) -m pip install --quiet --disable-pip-version-check \
				--target $(UV_TOOL) uv; then uv=$(UV_TOOL)/bin/uv; \
			else echo "make: uv could not be installed with pip; using pip"; fi; \
		fi; \
	fi; \
	if [ -n "$$uv" ] && "$$uv" sync --quiet --locked --inexact --python $(PYTHON) $(if $(1),--extra $(1)); then \
		:; \
	else \
		if [ -n "$$uv" ]; then echo "make: uv could not install (README: Troubleshooting); using pip"; fi; \
		test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); \
		$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --default-pip >/dev/null; \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -e ".$(if $(1),[$(1)])"; \
	fi
endef

# Rebuilt whenever pyproject.toml or uv.lock changes.
$(LAB_STAMP): pyproject.toml uv.lock
	$(call install,)
	@touch $@

$(TEST_STAMP): pyproject.toml uv.lock
	$(call install,test)
	@touch $(LAB_STAMP) $@

# JupyterLab opens on notebook 00 (with no news prompt: punchlab installs lab-settings/ as
# JupyterLab's defaults in the venv). The venv comes first on PATH, and JupyterLab's terminals
# inherit it, so `punchlab reset` works there as the course writes it. Terminals start the user's
# shell, not a login shell: a login shell reads /etc/profile, which sets PATH again without the venv.
lab: $(LAB_STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) \
		$(ROOT_FLAG) --ServerApp.root_dir="$(NOTEBOOK_DIR)" \
		--ServerApp.terminado_settings="shell_command=$${SHELL:-/bin/sh}" \
		--LabApp.default_url=/lab/tree/00_setup_check.ipynb

# Package tests and every notebook (nbmake, in parallel), on a throw-away lab home. The
# real-browser test runs first and alone: a kernel starting beside busy workers can miss its cue.
# The hub test (tests/hub) runs next and alone too: it starts a JupyterHub with five users.
# A cell gets 60 s (the slowest notebook takes ~7 s in all on a quiet machine): a stalled cell
# fails fast instead of passing late (see conftest.py for the stall this used to hide).
test: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@home=$$(mktemp -d); trap 'rm -rf "$$home"' EXIT; \
	PUNCHLAB_HOME="$$home/browser" $(BIN)/python -m pytest -q -rs tests/browser && \
	PUNCHLAB_HOME="$$home/hub" $(BIN)/python -m pytest -q -rs tests/hub && \
	PUNCHLAB_HOME="$$home/lab" $(BIN)/python -m pytest -n 2 --nbmake --nbmake-timeout=60 --durations=10 \
		--ignore=tests/browser --ignore=tests/hub tests notebooks

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(TEST_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# After changing dependencies in pyproject.toml: pin them again in uv.lock (commit both).
lock:
	@uv=$$(command -v uv || echo $(UV_TOOL)/bin/uv); \
	test -x "$$uv" || $(PYTHON) -m pip install --quiet --disable-pip-version-check --target $(UV_TOOL) uv; \
	"$$uv" lock

clean:
	rm -rf $(VENV) .pytest_cache build dist
