# The two commands of the README:
#   make demo   set up .venv and run the whole workflow on the bundled demo sample (offline)
#   make test   set up .venv if needed and run the tests (CI calls this through .ci/run)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORES  ?= 2
# Nothing is fetched from a model hub at run time: models come from installed packages.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: venv demo demo-stars5 demo-unlabelled full test lint format dag clean-demo

venv: $(STAMP)

$(STAMP): envs/requirements.txt envs/constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r envs/requirements.txt -c envs/constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --editable .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --configfile config/demo.yaml

# The demo on 1-5 stars without labels (labels derived from the stars), and without labels or
# ratings at all: the input is re-expressed from the bundled sample first (results/demo-inputs/).
demo-stars5: $(STAMP)
	$(BIN)/python resources/demo/reexpress.py --stars5 results/demo-inputs/stars5.parquet
	$(BIN)/snakemake --cores $(CORES) --configfile config/demo.yaml config/demo-stars5.yaml

demo-unlabelled: $(STAMP)
	$(BIN)/python resources/demo/reexpress.py --text-only results/demo-inputs/unlabelled.parquet
	$(BIN)/snakemake --cores $(CORES) --configfile config/demo.yaml config/demo-unlabelled.yaml

# The full analysis; point it at local data with DATA=..., e.g. make full DATA=../shared/data/imdb;
# MINILM=1 uses the bundled all-MiniLM-L6-v2 instead of the original's model (no hub needed).
full: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) $(if $(MINILM),--configfile config/minilm.yaml) \
		$(if $(DATA),--config input_path=$(DATA))

test: $(STAMP)
	bash tests/setup/system_deps.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check Snakefile rules
	$(BIN)/snakemake --lint --configfile config/demo.yaml

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/snakefmt Snakefile rules

dag: $(STAMP)
	$(BIN)/snakemake --configfile config/demo.yaml --dag | tee results/dag.dot >/dev/null
