# Two commands on a fresh machine: `make lab` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# JupyterLab refuses to run as root unless told; only add the flag when we are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab present test bench lint venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[lab,test]'
	touch $(STAMP)

## Open JupyterLab on the index notebook (localhost only, with the default token).
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks \
		--LabApp.default_url=/lab/tree/00-index.ipynb $(ROOT_FLAG)

## Class mode: serve one notebook as a web page, code hidden, widgets live (Voilà), for a lecture.
## Listens on 127.0.0.1 only (Voilà's default port 8866, or the next free one) with Voilà's default
## access (no token); open the address it prints, stop with Ctrl+C. Another notebook:
##   make present NB=notebooks/07-pooling.ipynb
NB ?= notebooks/16-interactive-backprop.ipynb
present: $(STAMP)
	$(VENV)/bin/voila $(NB) --Voila.ip=127.0.0.1

## Run every test and every notebook (nbval). OPENBLAS_NUM_THREADS keeps runs comparable.
test: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(PY) -m pytest -n 2 --dist loadfile

## Time the fast forms against the plain loops and (if installed) PyTorch.
bench: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) benchmarks/bench.py

## ruff (style, formatting) and import-linter (the layering of cnnmath/, see [tool.importlinter]).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check cnnmath tests benchmarks notebooks/conftest.py
	$(VENV)/bin/lint-imports --no-cache --no-logo

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
