# punchlab: two commands do everything — `make lab` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
NOTEBOOK_DIR ?= $(CURDIR)/notebooks
# JupyterLab refuses to run as root unless told; containers and CI often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test lint format clean

# The environment is rebuilt whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

# The venv comes first on PATH, and JupyterLab's terminals inherit it, so `punchlab reset` works
# there as the course writes it. Terminals start the user's shell, not a login shell: a login shell
# reads /etc/profile, which sets PATH again without the venv.
lab: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) \
		$(ROOT_FLAG) --ServerApp.root_dir="$(NOTEBOOK_DIR)" \
		--ServerApp.terminado_settings="shell_command=$${SHELL:-/bin/sh}"

# Package tests and every notebook (nbmake, in parallel), on a throw-away lab home. The
# real-browser test runs first and alone: a kernel starting beside busy workers can miss its cue.
# A cell gets 60 s (the slowest notebook takes ~7 s in all on a quiet machine): a stalled cell
# fails fast instead of passing late (see conftest.py for the stall this used to hide).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@home=$$(mktemp -d); trap 'rm -rf "$$home"' EXIT; \
	PUNCHLAB_HOME="$$home/browser" $(BIN)/python -m pytest -q -rs tests/browser && \
	PUNCHLAB_HOME="$$home/lab" $(BIN)/python -m pytest -n 2 --nbmake --nbmake-timeout=60 --durations=10 \
		--ignore=tests/browser tests notebooks

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache build dist
