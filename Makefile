# Two commands on a fresh machine: `make lab` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# JupyterLab refuses to run as root unless told; only add the flag when we are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab present test bench lint venv book book-deps clean assignments

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
## POOL kernels are preheated: each has run the notebook already, so a page opens without waiting
## for it. Voilà logs "Kernel pool ... is filled" when they have started; give them the time to run
## the notebook (about 10 s for notebook 16) before you open the page. A page takes a kernel and
## Voilà starts its replacement fill_delay (10 s) later, after the page is up, so that the two do
## not compete for the CPU. The page loads nothing from the internet (a classroom may be offline): its
## template is Voilà's lab template without the Font Awesome it links from a CDN, offline-lab in
## teach/jupyter/voila/templates, found through JUPYTER_PATH.
## teach/present.py holds the same settings; `make bench` times the loads.
NB ?= notebooks/16-interactive-backprop.ipynb
POOL ?= 2
present: $(STAMP)
	JUPYTER_PATH="$(CURDIR)/teach/jupyter$${JUPYTER_PATH:+:$$JUPYTER_PATH}" $(VENV)/bin/voila $(NB) \
		--Voila.ip=127.0.0.1 --template=offline-lab --preheat_kernel=True --pool_size=$(POOL) \
		--VoilaKernelManager.fill_delay=10

## The course site: every notebook, with its stored outputs (nothing is executed), as a static site in
## _build/html/ (Jupyter Book 1). MathJax, require.js and the widgets' HTML manager come from npm
## (book/package-lock.json) and are served by the site itself: it loads nothing from the internet.
## Open _build/html/index.html, or: python3 -m http.server --bind 127.0.0.1 --directory _build/html
BOOK_STAMP := $(VENV)/.installed-book
NPM_STAMP  := book/node_modules/.installed
BOOK_ARGS  := build . --config book/_config.yml --toc book/_toc.yml --warningiserror --keep-going

$(BOOK_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[book]'
	touch $(BOOK_STAMP)

$(NPM_STAMP): book/package.json book/package-lock.json
	@command -v npm >/dev/null || { echo "make book needs npm (Debian: apt-get install npm)" >&2; exit 1; }
	cd book && npm ci --ignore-scripts
	touch $(NPM_STAMP)

book-deps: $(BOOK_STAMP) $(NPM_STAMP)

book: book-deps
	$(VENV)/bin/jupyter-book $(BOOK_ARGS) --path-output .

## Run every test and every notebook (nbval). OPENBLAS_NUM_THREADS keeps runs comparable.
test: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(PY) -m pytest -n 2 --dist loadfile

## Time the fast forms against the plain loops and (if installed) PyTorch; then class mode's page loads
## (notebook 16 in Chromium, without and with preheated kernels).
bench: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) benchmarks/bench.py
	OPENBLAS_NUM_THREADS=1 $(PY) -m teach.present

## The coding exercises of notebooks 01-11 and 17-21 as an nbgrader course in _build/nbgrader (README,
## "Grading with nbgrader"): source notebooks with working solutions and autograded check cells, and the student versions.
TEACH := $(VENV)/.teach-installed
$(TEACH): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[teach]'
	touch $(TEACH)

assignments: $(TEACH)
	$(PY) -m teach.assignments

## ruff (style, formatting) and import-linter (the layering of cnnmath/, see [tool.importlinter]).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check cnnmath tests benchmarks notebooks/conftest.py
	$(VENV)/bin/lint-imports --no-cache --no-logo

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis _build book/node_modules
